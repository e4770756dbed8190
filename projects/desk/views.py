"""The notification centre, the deadlines page and 催报 from the department progress page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from projects import audit
from projects.desk import notify
from projects.models import Deadline, DepartmentTarget, Notification, NotificationKind, ProjectTable, Region, TableTally, budget_year
from projects.permissions import can_chase, can_manage_people, managed_region_id, units_in_range

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """我的通知：最新的在前，未读的加粗；“全部标为已读”。"""
    if request.method == "POST":
        count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读的通知。")
        return redirect("projects:notification_list")
    notifications = Notification.objects.filter(user=request.user).select_related("sent_by")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "desk/notifications.html", {"page": page, "unread": notify.unread_count(request.user)})


@login_required
@require_POST
def notification_open(request):
    """Opens one of the user's notifications (``id`` in the form): marked read, then its document (or
    the list when it has none, or when the id names none of theirs)."""
    number = request.POST.get("id", "")
    notification = Notification.objects.filter(pk=int(number), user=request.user).first() if number.isdigit() else None
    if notification is None:
        messages.error(request, "没有找到这条通知。")
        return redirect("projects:notification_list")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("projects:notification_list")


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = Deadline
        fields = ["region", "year", "kind", "due", "note"]
        widgets = {"due": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, region_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if region_id is not None:
            self.fields["region"].queryset = Region.objects.filter(pk=region_id)
            self.fields["region"].initial = region_id
        self.fields["region"].empty_label = None
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")


@login_required
def deadline_page(request):
    """报送截止日期：财政审核人管理本区划的（管理员管理全部区划），每类文件、每个年度一个。"""
    if not can_manage_people(request.user):
        raise PermissionDenied("只有管理员和财政审核人可以设置报送截止日期。")
    region_id = managed_region_id(request.user)
    rows = Deadline.objects.select_related("region")
    if region_id is not None:
        rows = rows.filter(region_id=region_id)
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = get_object_or_404(rows, pk=int(request.GET["edit"]))
    if request.method == "POST":
        if request.POST.get("delete", "").isdigit():
            gone = get_object_or_404(rows, pk=int(request.POST["delete"]))
            audit.record("people", request=request, action="删除截止日期", deadline=str(gone))
            gone.delete()
            messages.success(request, f"已删除：{gone}")
            return redirect("projects:deadlines")
        form = DeadlineForm(request.POST, instance=editing, region_id=region_id)
        if form.is_valid():
            saved = form.save()
            audit.record("people", request=request, action="设置截止日期", deadline=str(saved))
            messages.success(request, f"已保存：{saved}")
            return redirect("projects:deadlines")
    else:
        region = Region.objects.filter(pk=region_id).first() if region_id is not None else None
        year = (region.working_year if region is not None else None) or timezone.localdate().year
        form = DeadlineForm(instance=editing, region_id=region_id, initial={"year": year})
    return render(request, "desk/deadlines.html", {"rows": rows, "form": form, "editing": editing})


def units_not_submitted(user, year):
    """The units in ``user``'s scope with staff and no table of ``year`` submitted yet (none, drafts or
    returned only): whom 催报 reaches."""
    units = units_in_range(user)
    # The unit's tally counts its submitted tables of every version (projects.tallies): one row a unit.
    submitted = TableTally.objects.filter(unit=OuterRef("pk"), year=year, submitted__gt=0)
    staffed = notify.unit_staff_of_any().filter(scope__unit=OuterRef("pk")).values("pk")
    return units.filter(~Exists(submitted), Exists(staffed)).order_by("name")


@login_required
@require_POST
def chase(request):
    """催报：提醒范围内本年度还没有提交项目绩效目标表的单位；每个单位的填报人收到一条通知，记入审计日志。"""
    if not can_chase(request.user):
        raise PermissionDenied("催报由主管部门审核人和财政审核人发出。")
    year = budget_year(request.POST.get("year"))
    back = reverse("projects:department_progress") + (f"?year={year}" if year else "")
    if year is None:
        messages.error(request, "催报需要选定预算年度。")
        return redirect(back)
    units = list(units_not_submitted(request.user, year))
    if not units:
        messages.info(request, f"{year} 年范围内的单位都已提交，无需催报。")
        return redirect(back)
    deadline = Deadline.objects.filter(region_id=units[0].region_id, year=year, kind="targets").first()
    due = f"，截止日期 {deadline.due:%Y-%m-%d}" if deadline else ""
    sender = request.user.get_full_name() or request.user.first_name or request.user.username
    sent = 0
    for unit in units:
        sent += len(
            notify.send(
                notify.unit_staff([unit.pk]),
                kind=NotificationKind.REMINDER,
                title=f"催报：请尽快提交 {year} 年项目绩效目标表{due}",
                body=f"{sender}提醒：{unit.name} {year} 年还没有提交项目绩效目标表。",
                link=reverse("projects:home") + f"?year={year}",
                by=request.user,
            )
        )
    audit.record("people", request=request, action="催报", year=year, units=[unit.name for unit in units], notified=sent)
    messages.success(request, f"已向 {len(units)} 个单位（{sent} 位填报人）发出催报：{'、'.join(unit.name for unit in units[:10])}{'等' if len(units) > 10 else ''}。")
    return redirect(back)


def _revoke(request, document, name, detail):
    """撤销批复 of ``document`` by the finance bureau, with the reason of the form; back to ``detail``."""
    from projects import workflow  # the gate; imported here as the gate imports this package's notify

    try:
        workflow.document_revoke(document=document, by=request.user, reason=request.POST.get("reason", ""))
    except workflow.WorkflowError as refused:
        messages.error(request, f"撤销批复未完成：{refused}")
    else:
        messages.success(request, f"已撤销{name}的批复，回到待财政审核，填报单位已收到通知。")
    return redirect(detail, pk=document.pk)


@login_required
@require_POST
def project_revoke(request, pk):
    """撤销批复：财政审核人收回已批复的表（须说明理由），表回到待财政审核，记入审核记录并通知单位。"""
    table = get_object_or_404(ProjectTable.objects.visible_to(request.user).select_related("unit", "region", "department"), pk=pk)
    return _revoke(request, table, f"“{table.name or '未命名项目'}”", "projects:project_detail")


@login_required
@require_POST
def target_revoke(request, pk):
    """撤销批复：财政审核人收回已批复的部门整体绩效目标（须说明理由），回到待财政审核，记入审核记录并通知部门本级。"""
    target = get_object_or_404(DepartmentTarget.objects.visible_to(request.user).select_related("department__region"), pk=pk)
    return _revoke(request, target, f"{target.department.name} {target.year} 年部门整体绩效目标", "projects:target_detail")
