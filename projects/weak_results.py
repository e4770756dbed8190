"""上年绩效不佳的项目 (issue 19 point 4): for reviewers, the projects whose self-evaluation of last year
was graded 中 or 差, or that missed indicators, beside this year's table of the same project and the
money it asks for; a project graded 中 or 差 that asks for the same or more money is what the finance
bureau most needs to see.

A self-evaluation's grade is worked out from its figures (projects.evaluation.sheet), not stored, so
the list is built in Python from four queries whatever its length: last year's self-evaluations in the
reader's scope, their items, and this year's tables in force of the same units."""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from perfgoals.signals import list_exported
from perfgoals.xlsx import list_workbook, xlsx_response
from projects import permissions
from projects.evaluation.sheet import sheet_of
from projects.models import EvaluationItem, ProjectTable, SelfEvaluation, TableStatus
from projects.overview import chosen_year, visible_years

WEAK_GRADES = ("中", "差")
_NOT_RESULTS = (TableStatus.DRAFT, TableStatus.RETURNED)
GRADE_FILTERS = (("", "中、差或有未完成指标"), ("poor", "只看自评为中、差"))
MONEY_FILTERS = (("", "全部"), ("more", "今年资金不少于上年"))
EXPORT_HEADERS = (
    "主管部门", "实施单位", "项目名称", "上年自评等级", "上年自评总分", "上年执行率（%）", "未完成的指标",
    "上年资金（万元）", "今年的表", "今年资金（万元）", "增减（万元）",
)


@dataclass
class WeakResult:
    """One project of last year that did not do well, with this year's table of it (or None)."""

    evaluation: SelfEvaluation
    grade: str
    total: object
    rate: object
    missed: list = field(default_factory=list)  # ItemRows that lost points
    this_year: ProjectTable | None = None

    @property
    def last_table(self):
        return self.evaluation.project

    @property
    def poor(self):
        return self.grade in WEAK_GRADES

    @property
    def money_change(self):
        """This year's 年度资金总额 less last year's (万元), or None when either is missing."""
        if self.this_year is None or self.this_year.funds_total is None or self.last_table.funds_total is None:
            return None
        return self.this_year.funds_total - self.last_table.funds_total

    @property
    def asks_same_or_more(self):
        change = self.money_change
        return change is not None and change >= 0


def weak_results(user, year, *, only_poor=False, only_more_money=False):
    """The projects of ``year - 1`` in ``user``'s scope that did not do well, 差 first, then 中, then
    those that only missed indicators; each with this year's table of the same project."""
    evaluations = list(
        SelfEvaluation.objects.visible_to(user)
        .filter(project__year=year - 1)
        .exclude(status__in=_NOT_RESULTS)
        .select_related("round", "project__unit", "project__department")
        .order_by("project__department__name", "project__unit__name", "project__name", "-id")
    )
    items = {}
    for item in EvaluationItem.objects.filter(evaluation__in=[e.pk for e in evaluations]).order_by("order", "id"):
        items.setdefault(item.evaluation_id, []).append(item)
    found = []
    for evaluation in evaluations:
        sheet = sheet_of(evaluation, items.get(evaluation.pk, []))
        missed = [row for row in sheet.items if row.final is not None and row.final < row.item.weight]
        grade = sheet.grade
        if grade not in WEAK_GRADES and not missed:
            continue
        if only_poor and grade not in WEAK_GRADES:
            continue
        found.append(WeakResult(evaluation, grade, sheet.total, sheet.rate, missed))
    _attach_this_year(user, year, found)
    if only_more_money:
        found = [result for result in found if result.asks_same_or_more]
    order = {"差": 0, "中": 1}
    found.sort(key=lambda r: (order.get(r.grade, 2), r.total if r.total is not None else 0))
    return found


def _attach_this_year(user, year, results):
    """This year's table in force of each project: the one copied from last year's, else the unit's
    table with the same name. One query."""
    if not results:
        return
    tables = list(
        ProjectTable.objects.visible_to(user)
        .in_force()
        .filter(year=year, unit_id__in={r.last_table.unit_id for r in results})
        .only("pk", "unit_id", "name", "copied_from_id", "funds_total", "status", "quality_grade", "version")
    )
    by_source = {table.copied_from_id: table for table in tables if table.copied_from_id}
    by_name = {(table.unit_id, table.name): table for table in tables}
    for result in results:
        last = result.last_table
        result.this_year = by_source.get(last.pk) or by_name.get((last.unit_id, last.name))


@login_required
def weak_result_list(request):
    """上年绩效不佳的项目：审核人看本范围内上年自评为中、差或有指标未完成的项目，和今年同一项目申请的资金。"""
    if not permissions.can_view_department_progress(request.user):
        raise PermissionDenied("只有审核人和管理员可以查看上年绩效不佳的项目。")
    years = visible_years(request.user)
    year = chosen_year(request.GET.get("year"), years, request.user)
    grade_filter = request.GET.get("grade", "")
    money_filter = request.GET.get("money", "")
    results = weak_results(
        request.user, year, only_poor=grade_filter == "poor", only_more_money=money_filter == "more"
    )
    if request.GET.get("export") == "xlsx":
        return _export(request, year, results, grade_filter, money_filter)
    return render(
        request,
        "overview/weak_results.html",
        {
            "title": "上年绩效不佳的项目",
            "year": year,
            "years": sorted({*years, year}, reverse=True),
            "results": results,
            "grade_filter": grade_filter,
            "money_filter": money_filter,
            "grade_filters": GRADE_FILTERS,
            "money_filters": MONEY_FILTERS,
            "poor_with_more_money": sum(1 for r in results if r.poor and r.asks_same_or_more),
            "export_query": _export_query(request),
        },
    )


def _export_query(request):
    query = request.GET.copy()
    query["export"] = "xlsx"
    return query.urlencode()


def _export(request, year, results, grade_filter, money_filter):
    """The rows the page shows, as xlsx, titled with the year and the filters."""
    filters = [f"预算年度：{year}"]
    filters += [label for value, label in GRADE_FILTERS if value == grade_filter and value]
    filters += [label for value, label in MONEY_FILTERS if value == money_filter and value]
    title = f"上年绩效不佳的项目（筛选条件：{'；'.join(filters)}）"
    rows = [
        (
            result.last_table.department.name,
            result.last_table.unit.name,
            result.last_table.name,
            result.grade,
            result.total,
            result.rate,
            "\n".join(
                f"{row.item.name}：{row.item.target_text or '—'} → {row.item.actual_text or '（未填）'}，{row.final}/{row.item.weight}"
                for row in result.missed
            ),
            result.last_table.funds_total,
            result.this_year.get_status_display() if result.this_year else "尚未填报",
            result.this_year.funds_total if result.this_year else None,
            result.money_change,
        )
        for result in results
    ]
    content = list_workbook(sheet_title="上年绩效不佳的项目", title=title, headers=EXPORT_HEADERS, rows=rows)
    list_exported.send(weak_result_list, request=request, detail={"list": "上年绩效不佳的项目", "filters": title, "rows": len(rows)})
    return xlsx_response(content, "上年绩效不佳的项目.xlsx")
