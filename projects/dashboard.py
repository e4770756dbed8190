"""The overview (总览) of one budget year: figures and charts for finance officers and 主管部门 reviewers,
the same for unit staff about their own unit.

Every figure is one aggregate query over the tallies of the units the user sees (``visible_to``;
projects.tallies keeps one row of counts and amounts per unit and year), so the page costs the same
number of queries for ten tables or ten thousand, and its time follows the units in scope, not their
tables. Each chart element carries the URL of
the list filtered to what it shows; static/js/dashboard.js draws the charts with the vendored ECharts
from the JSON the template embeds (no inline script: the Content-Security-Policy forbids them)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from indicators.models import Grade
from projects.indicator_overview import finding_list_url, rule_title
from projects import permissions
from projects.models import BudgetYear, FindingTally, ReviewAction, TableStatus, TableTally, TimelineTally
from projects.models.tallies import SCORE_BANDS
from projects.tallies import GRADE_SUFFIXES, STATUS_SUFFIXES
from perfgoals.scope import scope_of
from projects.overview import (
    IN_REVIEW,
    IN_REVIEW_STATUSES,
    NOT_CHECKED,
    chosen_year,
    project_list_url,
    visible_years,
)

STATUS_COLOURS = {
    TableStatus.DRAFT: "#6c757d",
    TableStatus.DEPARTMENT_REVIEW: "#0d6efd",
    TableStatus.FINANCE_REVIEW: "#6610f2",
    TableStatus.RETURNED: "#dc3545",
    TableStatus.APPROVED: "#198754",
}
# The stacked money bars group the two review steps as 审核中.
STAGES = (
    (TableStatus.DRAFT, "草稿", (TableStatus.DRAFT,), "#6c757d"),
    (IN_REVIEW, "审核中", IN_REVIEW_STATUSES, "#0d6efd"),
    (TableStatus.RETURNED, "已退回", (TableStatus.RETURNED,), "#dc3545"),
    (TableStatus.APPROVED, "已批复", (TableStatus.APPROVED,), "#198754"),
)
GRADE_COLOURS = {
    Grade.EXCELLENT: "#198754",
    Grade.GOOD: "#20c997",
    Grade.FAIR: "#fd7e14",
    Grade.POOR: "#dc3545",
    NOT_CHECKED: "#adb5bd",
}


def _number(value):
    """Chart values are for drawing: floats are fine there, the lists keep exact decimals."""
    return float(value) if value is not None else 0


def tally_totals(tallies):
    """The sums of the tallies in scope (projects.models.tallies): every count and amount the status,
    grade and score charts show, in one query over a few hundred rows."""
    fields = [
        field.name
        for field in TableTally._meta.concrete_fields
        if field.name.startswith(("tables", "money", "graded", "band_", "score_"))
    ]
    totals = tallies.aggregate(**{name: Sum(name) for name in fields})
    totals["average"] = mean(totals["score_sum"], totals["score_count"])
    return totals


def mean(total, count):
    """What Avg() over the tables gave: a float, None without scores."""
    return total / count if count else None


def status_chart(totals, year):
    data = [
        {
            "name": status.label,
            "value": totals[f"tables_{STATUS_SUFFIXES[status]}"] or 0,
            "money": _number(totals[f"money_{STATUS_SUFFIXES[status]}"]),
            "url": project_list_url(year=year, status=status.value),
            "itemStyle": {"color": STATUS_COLOURS[status]},
        }
        for status in STATUS_COLOURS
    ]
    return {"kind": "bar", "unit": "张", "data": data, "empty": not totals["tables"]}


def money_by_group_chart(tallies, year, *, by_unit):
    """Money per department (finance officers) or per unit (a 主管部门's reviewers), stacked by stage."""
    key, name, parameter = ("unit_id", "unit__name", "unit") if by_unit else ("department_id", "department__name", "department")
    totals = {}
    names = {}
    rows = (
        tallies.filter(tables__gt=0)
        .values(key, name)
        .annotate(**{f"money_{suffix}": Sum(f"money_{suffix}") for suffix in STATUS_SUFFIXES.values()})
        .order_by()
    )
    for row in rows:
        group = totals.setdefault(row[key], {})
        names[row[key]] = row[name]
        for status, suffix in STATUS_SUFFIXES.items():
            stage = next(stage for stage, _, statuses, _ in STAGES if status in statuses)
            group[stage] = group.get(stage, 0) + _number(row[f"money_{suffix}"])
    order = sorted(totals, key=lambda group: (-sum(totals[group].values()), names[group]))
    series = [
        {
            "name": label,
            "itemStyle": {"color": colour},
            "data": [
                {
                    "value": totals[group].get(stage, 0),
                    "url": project_list_url(year=year, status=stage, **{parameter: group}),
                }
                for group in order
            ],
        }
        for stage, label, _, colour in STAGES
    ]
    return {
        "kind": "stacked",
        "unit": "万元",
        "categories": [names[group] for group in order],
        "series": series,
        "empty": not totals,
    }


def grade_chart(totals, year):
    grades = [*Grade.choices, (NOT_CHECKED, "未检查")]
    suffixes = {**GRADE_SUFFIXES, NOT_CHECKED: GRADE_SUFFIXES[""]}
    data = [
        {
            "name": label,
            "value": _number(totals[f"graded_money_{suffixes[grade]}"]),
            "count": totals[f"graded_{suffixes[grade]}"] or 0,
            "url": project_list_url(year=year, grade=grade),
            "itemStyle": {"color": GRADE_COLOURS[grade]},
        }
        for grade, label in grades
    ]
    return {"kind": "bar", "unit": "万元", "data": data, "empty": not totals["tables"]}


def score_chart(totals, year):
    data = [
        {
            "name": f"{low}–{high}",
            "value": totals[f"band_{low}"] or 0,
            "url": project_list_url(year=year, score_min=low, score_max=high),
            "itemStyle": {"color": "#dc3545" if high < 60 else "#fd7e14" if high < 80 else "#20c997" if high < 90 else "#198754"},
        }
        for low, high in SCORE_BANDS
    ]
    return {
        "kind": "bar",
        "unit": "张",
        "data": data,
        "empty": not any(item["value"] for item in data),
    }, totals["average"]


def findings_chart(finding_tallies, year):
    # Rules whose findings are all gone keep rows at zero until their unit-year is recounted.
    rows = (
        finding_tallies.filter(findings__gt=0)
        .values("rule")
        .annotate(n=Sum("findings"), tables=Sum("tables"))
        .order_by("-n", "rule")[:10]
    )
    data = [
        {
            "name": rule_title(row["rule"]),
            "value": row["n"],
            "tables": row["tables"],
            "url": finding_list_url(year=year, rule=row["rule"]),
        }
        for row in rows
    ]
    # Drawn as horizontal bars from the top: the most frequent first.
    return {"kind": "ranking", "unit": "条", "data": data, "empty": not data}


def timeline_chart(timeline_tallies, year, deadline):
    """Tables first submitted and tables approved, cumulative by day, against the year's deadline; and
    how many tables were first submitted by the deadline."""
    rows = timeline_tallies.values("action", "day").annotate(n=Sum("tables")).order_by("day")
    per_day = {ReviewAction.SUBMIT: {}, ReviewAction.APPROVE: {}}
    for row in rows:
        per_day[row["action"]][row["day"]] = row["n"]
    series = []
    for action, label, parameter, colour in (
        (ReviewAction.SUBMIT, "已提交（首次）", "submitted_before", "#0d6efd"),
        (ReviewAction.APPROVE, "已批复", "approved_before", "#198754"),
    ):
        total = 0
        points = []
        for day, count in sorted(per_day[action].items()):
            total += count
            points.append({"value": [day.isoformat(), total], "url": project_list_url(year=year, **{parameter: day.isoformat()})})
        series.append({"name": label, "data": points, "itemStyle": {"color": colour}})
    spec = {
        "kind": "timeline",
        "unit": "张",
        "series": series,
        "deadline": deadline.isoformat() if deadline else None,
        "empty": not per_day[ReviewAction.SUBMIT] and not per_day[ReviewAction.APPROVE],
    }
    on_time = sum(count for day, count in per_day[ReviewAction.SUBMIT].items() if deadline and day <= deadline)
    return spec, on_time


@login_required
def dashboard(request):
    """总览：某一预算年度的表数、金额、得分和审核发现，图表可点击进入筛选好的清单。"""
    user = request.user
    if not permissions.can_view_overview(user):
        raise PermissionDenied("您的账户还没有分配角色，不能查看总览。")
    years = visible_years(user)
    year = chosen_year(request.GET.get("year"), years, user)
    setting = BudgetYear.objects.select_related("framework").filter(year=year).first()
    deadline = setting.submission_deadline if setting else None
    # The tallies of the units in scope (projects.tallies keeps them equal to the tables in force).
    tallies = TableTally.objects.visible_to(user).filter(year=year)
    totals = tally_totals(tallies)

    status = status_chart(totals, year)
    scores, average_score = score_chart(totals, year)
    grades = grade_chart(totals, year)
    charts = {
        "status": status,
        "grades": grades,
        "scores": scores,
        "findings": findings_chart(FindingTally.objects.visible_to(user).filter(year=year), year),
    }
    charts["timeline"], submitted_on_time = timeline_chart(
        TimelineTally.objects.visible_to(user).filter(year=year), year, deadline
    )
    by_unit = permissions.compares_units(user)
    if permissions.can_view_department_progress(user):
        charts["groups"] = money_by_group_chart(tallies, year, by_unit=by_unit)

    by_status = {item["name"]: item for item in status["data"]}
    awaiting_status = permissions.awaited_status(user)
    today = timezone.localdate()
    figures = {
        "tables": sum(item["value"] for item in status["data"]),
        "money": sum(item["value"] for item in grades["data"]),
        "approved": by_status[TableStatus.APPROVED.label]["value"],
        "approved_money": by_status[TableStatus.APPROVED.label]["money"],
        "returned": by_status[TableStatus.RETURNED.label]["value"],
        "average_score": average_score,
        "awaiting": by_status[awaiting_status.label]["value"] if awaiting_status else None,
        "awaiting_url": project_list_url(year=year, status=awaiting_status.value) if awaiting_status else None,
        "days_left": (deadline - today).days if deadline else None,
        "submitted_on_time": submitted_on_time,
    }
    return render(
        request,
        "overview/dashboard.html",
        {
            "year": year,
            "years": sorted({*years, year}, reverse=True),
            "setting": setting,
            "figures": figures,
            "charts": charts,
            "unit": permissions.unit_of(user),
            "scope": scope_of(user),
            "by_unit": by_unit,
            "can_view_progress": permissions.can_view_department_progress(user),
            "list_url": project_list_url(year=year),
            "returned_url": project_list_url(year=year, status=TableStatus.RETURNED.value),
            "approved_url": project_list_url(year=year, status=TableStatus.APPROVED.value),
            "findings_url": finding_list_url(year=year),
            "today": today,
        },
    )
