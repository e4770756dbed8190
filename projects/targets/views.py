"""The pages of 部门整体绩效目标: the official form, the editor, the unit's workflow buttons, the review
page, and the history. Every target is found through ``visible_to(request.user)`` (outside the user's
scope it is a 404); what a user may do is asked of projects.permissions and the workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from indicators.forms import IndicatorFormSet, framework_level2s, grouped_rows
from indicators.models import Grade, Indicator, Opinion
from perfgoals.faults import database_failed
from projects import permissions, presentation, services, workflow
from projects.forms import frameworks as all_frameworks
from projects.approvals import approval_from, approval_of
from projects.models import BudgetYear, DepartmentTarget, ReviewAction, TableStatus, budget_year
from projects.review import target_history
from projects.targets import forms as target_forms
from projects.targets.checks import FUNDS_RULE, target_findings
from projects.review_views import unit_action
from projects.views import EditorView, adjustment_of, indicator_queryset, latest_return

# The unit's workflow buttons on the detail page, and the reviewers' decisions on the review page.
UNIT_BUTTONS = {ReviewAction.SUBMIT: "提交审核", ReviewAction.WITHDRAW: "撤回", ReviewAction.ADJUST: "发起调整"}
DECISIONS = (ReviewAction.PASS, ReviewAction.APPROVE, ReviewAction.RETURN)


def _target_for_display(request, pk):
    return get_object_or_404(
        DepartmentTarget.objects.visible_to(request.user)
        .select_related("department__region", "framework", "updated_by")
        .prefetch_related("sub_targets", Prefetch("indicators", queryset=indicator_queryset())),
        pk=pk,
    )


def checked_rows(target, rows=None):
    """The target's findings afresh, and its indicator rows (as the official layout spans them) each
    carrying its own findings: (table-level findings, rows, result)."""
    indicators = list(target.indicators.all()) if rows is None else rows
    result = target_findings(target, indicators)
    by_row = {}
    table_level = []
    for finding in result.findings:
        if finding.indicator_uid:
            by_row.setdefault(finding.indicator_uid, []).append(finding)
        else:
            table_level.append(finding)
    shown = presentation.indicator_rows(indicators)
    for row in shown:
        row.findings = by_row.get(str(row.indicator.uid), [])
    return table_level, shown, result


@login_required
def target_detail(request, pk):
    target = _target_for_display(request, pk)
    table_findings, rows, result = checked_rows(target)
    actions = workflow.available_actions(request.user, target)
    return render(
        request,
        "projects/target_detail.html",
        {
            "target": target,
            "rows": rows,
            "table_findings": table_findings,
            "result": result,
            "can_edit": permissions.can_edit_department_target(request.user, target),
            "unit_buttons": [(action, UNIT_BUTTONS[action]) for action in actions if action in UNIT_BUTTONS],
            "can_review": any(action in DECISIONS for action in actions),
            "can_correct": ReviewAction.CORRECT in actions,
            "can_revoke": ReviewAction.REVOKE in actions,
            "returned": latest_return(target),
            "adjustment": adjustment_of(target),
            "approval": approval_of(target) if target.status in (TableStatus.APPROVED, TableStatus.SUPERSEDED) else None,
        },
    )


class DepartmentTargetEditView(EditorView):
    template_name = "projects/target_edit.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(
            DepartmentTarget.objects.visible_to(self.request.user).select_related("department", "framework", "updated_by"),
            pk=pk,
        )

    def check_permission(self):
        user = self.request.user
        unit = permissions.unit_of(user)
        if self.object is None:
            if unit is None or not unit.is_department_office:
                raise PermissionDenied("部门整体绩效目标由部门本级单位填报。")
        elif not permissions.can_edit_department_target(user, self.object):
            raise PermissionDenied(f"这份目标当前为“{self.object.get_status_display()}”，您不能修改。")

    def owned_by_user(self):
        unit = permissions.unit_of(self.request.user)
        return unit is not None and unit.is_department_office and unit.department_id == self.object.department_id

    def build(self, data=None):
        target = self.object
        frameworks = all_frameworks()
        department = target.department if target else permissions.unit_of(self.request.user).department
        if target is None:
            year = data.get("year") if data else self.request.GET.get("year")
            year = budget_year(year, timezone.localdate().year)
            target = DepartmentTarget(
                department=department,
                year=year,
                framework=BudgetYear.framework_for(year, frameworks[0]),
            )
        form = target_forms.DepartmentTargetForm(data, instance=target, frameworks=frameworks, department=department)
        framework = target.framework
        if data and not target.pk and data.get("framework") in form.frameworks:
            framework = form.frameworks[data["framework"]]
        stored = target.pk is not None
        sub_targets = target_forms.SubTargetFormSet(
            data, instance=target, prefix="subs", queryset=target.sub_targets.order_by("order", "id") if stored else None
        )
        indicators = IndicatorFormSet(
            data,
            prefix="ind",
            queryset=indicator_queryset().filter(department_target=target) if stored else Indicator.objects.none(),
            level2s=framework_level2s(framework),
        )
        return form, sub_targets, indicators

    def render_page(self, forms, *, status=200, conflict=None):
        form, sub_targets, indicators = forms
        department = self.object.department if self.object else permissions.unit_of(self.request.user).department
        returned = latest_return(self.object)
        comments = {}
        for comment in returned.comments.all() if returned else ():
            if comment.indicator_uid:
                comments.setdefault(str(comment.indicator_uid), []).append(comment)
        for row in indicators.forms:
            # The reviewer's comment on a row is shown in that row too, where the unit fixes it.
            row.review_comments = comments.get(str(row.instance.uid), []) if row.instance.pk else []
        findings = None
        if self.object is not None and status == 200:
            findings = checked_rows(self.object, list(indicator_queryset().filter(department_target=self.object)))
        return render(
            self.request,
            self.template_name,
            {
                "target": self.object,
                "department": department,
                "form": form,
                "sub_targets": sub_targets,
                "indicators": indicators,
                "groups": grouped_rows(indicators),
                "token": self.request.POST.get("token") if conflict else services.edit_token(self.object),
                "conflict": conflict,
                "returned": returned,
                "adjustment": adjustment_of(self.object) if self.object else None,
                "table_findings": findings[0] if findings else None,
                "checked_rows": findings[1] if findings else None,
                "result": findings[2] if findings else None,
                "funds_wrong": bool(findings) and any(finding.rule == FUNDS_RULE for finding in findings[2].findings),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.build())

    def post(self, request, *args, **kwargs):
        forms = self.build(request.POST)
        form, sub_targets, indicators = forms
        if not all([form.is_valid(), sub_targets.is_valid(), indicators.is_valid()]):
            messages.error(request, "有些内容无法保存，请按提示修改标红的单元格。您填写的内容都还在页面上。")
            return self.render_page(forms, status=400)
        department = self.object.department if self.object else permissions.unit_of(request.user).department
        try:
            target = services.department_target_save(
                form=form,
                sub_targets=sub_targets,
                indicators=indicators,
                by=request.user,
                department=department,
                token=request.POST.get("token", ""),
            )
        except services.EditConflict as conflict:
            return self.render_page(forms, status=409, conflict=str(conflict))
        except DatabaseError:
            return self.database_refused(forms, "saving a department target")
        messages.success(request, "已保存部门整体绩效目标。")
        return redirect("projects:target_edit", pk=target.pk)


@login_required
def target_action(request, pk):
    """部门本级的提交、撤回和发起调整（须说明理由）。被拒绝时说明原因，提交时列出全部错误。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = get_object_or_404(DepartmentTarget.objects.visible_to(request.user).select_related("department"), pk=pk)
    return unit_action(request, target, name=str(target), detail="projects:target_detail", edit="projects:target_edit")


def _review_context(request, target, *, posted=None):
    posted = posted or {}
    table_findings, rows, result = checked_rows(target)
    for row in rows:
        row.comment_reason = posted.get(f"reason-{row.indicator.pk}", "")
        row.comment_text = posted.get(f"comment-{row.indicator.pk}", "")
    return {
        "target": target,
        "rows": rows,
        "table_findings": table_findings,
        "result": result,
        "actions": [action for action in workflow.available_actions(request.user, target) if action in DECISIONS],
        "opinions": Opinion.choices,
        "grades": Grade.choices,
        "posted": posted,
        "history": target.reviews.select_related("actor").order_by("-at", "-id")[:10],
        "adjustment": adjustment_of(target),
    }


@login_required
def target_review(request, pk):
    """审核页：主管部门通过或退回，财政批复或退回；可逐行写审核意见。"""
    target = _target_for_display(request, pk)
    if not permissions.can_review(request.user):
        raise PermissionDenied("只有主管部门审核人和财政审核人可以审核。")
    if request.method != "POST":
        return render(request, "projects/targets/review.html", _review_context(request, target))
    action = request.POST.get("action", "")
    comments = []
    for indicator in target.indicators.all():
        reason = request.POST.get(f"reason-{indicator.pk}", "")
        text = request.POST.get(f"comment-{indicator.pk}", "").strip()
        if reason or text:
            comments.append({"indicator": indicator, "reason": reason or Opinion.OTHER, "text": text})
    arguments = {
        "target": target,
        "by": request.user,
        "comment": request.POST.get("comment", "").strip(),
        "grade": request.POST.get("grade", ""),
        "comments": comments,
    }
    try:
        if action == ReviewAction.PASS:
            workflow.target_pass(**arguments)
        elif action == ReviewAction.APPROVE:
            workflow.target_approve(approval=approval_from(request.POST), **arguments)
        elif action == ReviewAction.RETURN:
            workflow.target_return(reason=request.POST.get("reason", ""), **arguments)
        else:
            raise workflow.WorkflowError("请选择审核结论：通过、批复或退回。")
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return render(request, "projects/targets/review.html", _review_context(request, target, posted=request.POST), status=400)
    except DatabaseError:
        messages.error(request, database_failed("recording a review decision on a department target") + "您填写的意见都还在页面上。")
        target.refresh_from_db(fields=["status"])
        return render(request, "projects/targets/review.html", _review_context(request, target, posted=request.POST), status=503)
    messages.success(request, f"已{ReviewAction(action).label}“{target}”。")
    return redirect("projects:review_queue")


@login_required
def target_history_view(request, pk):
    """修改记录：所有版本的审核记录，以及总体目标、分项目标和每行指标的修改。"""
    target = get_object_or_404(DepartmentTarget.objects.visible_to(request.user).select_related("department"), pk=pk)
    return render(request, "projects/targets/history.html", {"target": target, "entries": target_history(target)})
