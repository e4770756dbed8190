"""复制上年 for several tables at once: each ticked table of last year becomes this year's draft, in its
own transaction, so one refusal (a table of that name already exists) stops none of the others."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from perfgoals.faults import database_failed
from projects import permissions, services
from projects.models import ProjectTable

MAX_AT_ONCE = 200


def copy_many(tables, *, by):
    """Copy each of ``tables`` to the year after its own. Returns (copies, refusals): the new drafts, and
    for each table not copied a Chinese sentence naming it and why."""
    copies, refusals = [], []
    for table in tables:
        try:
            copies.append(services.project_copy_to_year(project=table, year=table.year + 1, by=by))
        except services.CopyRefused as refused:
            refusals.append(str(refused))
        except DatabaseError:
            refusals.append(f"“{table.name}”：" + database_failed("copying a table to the next year"))
    return copies, refusals


@login_required
def project_copy_bulk(request):
    """复制上年（批量）：the copy list's ticked tables, all of the user's own unit."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = permissions.unit_of(request.user)
    if unit is None:
        raise PermissionDenied("只有单位填报人可以复制上年的表。")
    ids = [value for value in request.POST.getlist("table") if value.isdigit()][:MAX_AT_ONCE]
    tables = list(
        ProjectTable.objects.visible_to(request.user)
        .filter(pk__in=ids, unit=unit)
        .prefetch_related("indicators", "goals", "spending_plan")
        .order_by("name")
    )
    back = reverse("projects:project_copy_list")
    if not tables:
        messages.error(request, "请先勾选要复制的表。")
        return redirect(back)
    copies, refusals = copy_many(tables, by=request.user)
    if copies:
        names = "、".join(f"“{copy.name}”" for copy in copies)
        messages.success(request, f"已复制 {len(copies)} 张表为 {copies[0].year} 年的草稿：{names}。上年的指标值及绩效自评的实际完成值、得分显示在每行旁边。")
    for refusal in refusals:
        messages.error(request, refusal)
    return redirect(f"{back}?year={tables[0].year + 1}")
