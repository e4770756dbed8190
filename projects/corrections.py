"""更正: an administrator's recorded correction of an approved project table or department target.

An approved document is never edited; when what was approved holds a mistake (an amount that differs
from the approval document, a misspelt name), an administrator corrects the named header fields here,
with a reason. The correction goes through the workflow's gate (projects.workflow.document_correct):
the row is locked, the document rechecked, and one review record keeps the reason, the old and the new
value of each field.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render

from perfgoals.faults import database_failed
from perfgoals.formatting import decimal_text
from projects import permissions, workflow
from projects.models import DepartmentTarget, ProjectTable, TableStatus

_DETAIL = {ProjectTable: "projects:project_detail", DepartmentTarget: "projects:target_detail"}


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="更正理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="例如：批复文件（某财发〔2024〕12 号）所列年度资金总额为 130 万元，录入为 120 万元。",
        error_messages={"required": "请写明更正理由：理由记入审核记录，填报单位和审核人都能看到。"},
    )

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        model = type(document)
        for name in workflow.kind_of(document).correctable:
            field = model._meta.get_field(name).formfield()
            value = getattr(document, name)
            field.initial = decimal_text(value) if isinstance(value, Decimal) else value
            self.fields[name] = field
        self.order_fields([*workflow.kind_of(document).correctable, "reason"])
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3

    def changes(self):
        return {name: self.cleaned_data[name] for name in workflow.kind_of(self.document).correctable}


def _correct(request, model, pk):
    if not permissions.can_correct(request.user):
        raise PermissionDenied("只有管理员可以更正已批复的内容。")
    document = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    detail = _DETAIL[model]
    if document.status != TableStatus.APPROVED:
        messages.error(request, f"只有已批复的内容需要更正；当前状态为“{document.get_status_display()}”，请在审核流程中处理。")
        return redirect(detail, pk=document.pk)
    form = CorrectionForm(request.POST or None, document=document)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                workflow.document_correct(document=document, by=request.user, reason=form.cleaned_data["reason"], changes=form.changes())
            except workflow.WorkflowError as refused:
                form.add_error(None, str(refused))
            except DatabaseError:
                form.add_error(None, database_failed("correcting an approved document"))
            else:
                messages.success(request, "已更正，并记入审核记录（含理由、原值和新值）。")
                return redirect(detail, pk=document.pk)
        status = 400
    return render(request, "projects/correct.html", {"document": document, "form": form, "detail": detail}, status=status)


@login_required
def project_correct(request, pk):
    return _correct(request, ProjectTable, pk)


@login_required
def target_correct(request, pk):
    return _correct(request, DepartmentTarget, pk)
