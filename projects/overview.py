"""The finance bureau's lists of target tables and of departments' progress (tracker issue 7).

Each list is a FilterSet, a Table and a FilteredListView over rows found through ``visible_to``: a
unit sees its own tables, a 主管部门 its units', a finance officer the region's. Filter choices (years,
regions, departments, units) come from the same scope, so a value naming anything outside it is an
invalid choice and lists nothing."""

from decimal import Decimal

import django_filters
import django_tables2 as tables
from django.conf import settings
from django.db.models import Count, Exists, F, FilteredRelation, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from indicators.models import Framework, Grade, Opinion
from projects import audit
from perfgoals.lists import EXPORT_PARAMETER, FilteredListView, SearchFilterSet
from perfgoals.paginators import KnownCountPaginator
from perfgoals.tables import BadgeColumn, BaseTable, DetailLinkColumn, MoneyColumn, NumberColumn
from projects import permissions
from projects.excel.layouts import LAYOUTS, PROJECT_LAYOUTS
from projects.excel_views import export_or_start
from projects.models import (
    BudgetYear,
    Department,
    ProjectTable,
    Region,
    ReviewAction,
    ReviewRecord,
    TableStatus,
    TableTally,
    Unit,
    budget_year,
)
from projects.tallies import Mean

# The two review steps together, as the progress list and the dashboard count them.
IN_REVIEW = "in_review"
IN_REVIEW_STATUSES = (TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW)
STATUS_CHOICES = [*TableStatus.choices, (IN_REVIEW, "审核中（主管部门或财政）")]
NOT_CHECKED = "none"
GRADE_CHOICES = [*Grade.choices, (NOT_CHECKED, "未检查")]
YES_NO = [("yes", "是"), ("no", "否")]
FORMS_EXPORT = "forms"


def visible_years(user):
    """Budget years the user can choose: those of the tables they see and those an administrator set up."""
    years = set(ProjectTable.objects.visible_to(user).order_by().values_list("year", flat=True).distinct())
    years.update(BudgetYear.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


def year_choices(years):
    return [(str(year), f"{year} 年") for year in years]


def _visible_tables(request):
    return ProjectTable.objects.visible_to(request.user)


def visible_regions(request):
    # EXISTS: one index probe a region or unit, not a pass over every table the user sees.
    return Region.objects.filter(Exists(_visible_tables(request).filter(region=OuterRef("pk"))))


def visible_departments(request):
    return Department.objects.visible_to(request.user)


def visible_units(request):
    return Unit.objects.filter(department__in=visible_departments(request)).filter(
        Exists(_visible_tables(request).filter(unit=OuterRef("pk")))
    )


def project_list_url(**filters):
    """The target table list filtered by ``filters`` (the dashboard's and the progress list's links)."""
    query = {name: value for name, value in filters.items() if value not in (None, "")}
    return f"{reverse('projects:project_list')}?{urlencode(query)}" if query else reverse("projects:project_list")


def _records(action):
    return ReviewRecord.objects.filter(project=OuterRef("pk"), action=action)


def _per_table(queryset, aggregate):
    """One aggregate over a table's review records, as a scalar subquery (no GROUP BY on the list)."""
    return Coalesce(
        Subquery(queryset.order_by().values("project").annotate(result=aggregate).values("result")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def with_review_counts(tables_queryset):
    """Tables with ``rounds`` (submissions so far) and ``returns`` (times returned, each with a reason)."""
    return tables_queryset.annotate(
        rounds=_per_table(ReviewRecord.objects.filter(project=OuterRef("pk")), Max("round")),
        returns=_per_table(_records(ReviewAction.RETURN), Count("pk")),
    )


class ProjectFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "unit__name", "department__name", "fund_use")
    primary = ("q", "year", "department", "unit", "status", "grade")

    year = django_filters.ChoiceFilter(label="预算年度", empty_label="全部年度")
    region = django_filters.ModelChoiceFilter(label="行政区划", queryset=visible_regions, empty_label="全部区划")
    department = django_filters.ModelChoiceFilter(
        label="主管部门", queryset=visible_departments, empty_label="全部部门"
    )
    unit = django_filters.ModelChoiceFilter(label="实施单位", queryset=visible_units, empty_label="全部单位")
    status = django_filters.ChoiceFilter(label="状态", choices=STATUS_CHOICES, method="by_status", empty_label="全部状态")
    grade = django_filters.ChoiceFilter(label="审核等级", choices=GRADE_CHOICES, method="by_grade", empty_label="全部等级")
    score = django_filters.RangeFilter(label="审核得分", field_name="quality_score")
    amount = django_filters.RangeFilter(label="年度资金总额（万元）", field_name="funds_total")
    framework = django_filters.ModelChoiceFilter(
        label="指标体系", queryset=Framework.objects.order_by("order", "code"), empty_label="全部"
    )
    rounds = django_filters.RangeFilter(label="提交轮次", field_name="rounds")
    returned = django_filters.ChoiceFilter(label="曾被退回", choices=YES_NO, method="by_returned", empty_label="不限")
    return_reason = django_filters.ChoiceFilter(
        label="退回理由", choices=Opinion.choices, method="by_return_reason", empty_label="不限"
    )
    submitted = django_filters.DateFromToRangeFilter(label="首次提交日期", method="by_first_submission")
    approved = django_filters.DateFromToRangeFilter(label="批复日期", method="by_approval")

    class Meta:
        model = ProjectTable
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices(years)

    def by_status(self, queryset, name, value):
        if value == IN_REVIEW:
            return queryset.filter(status__in=IN_REVIEW_STATUSES)
        return queryset.filter(status=value)

    def by_grade(self, queryset, name, value):
        return queryset.filter(quality_grade="" if value == NOT_CHECKED else value)

    def by_returned(self, queryset, name, value):
        returned = Exists(_records(ReviewAction.RETURN))
        return queryset.filter(returned if value == "yes" else ~returned)

    def by_return_reason(self, queryset, name, value):
        """The reason of the return itself or of any comment written with it."""
        returns = _records(ReviewAction.RETURN)
        return queryset.filter(Exists(returns.filter(Q(reason=value) | Q(comments__reason=value))))

    def by_first_submission(self, queryset, name, value):
        """Tables whose first submission (round 1) falls in the range: the dashboard's 报送进度 line."""
        return queryset.filter(Exists(_records(ReviewAction.SUBMIT).filter(round=1, **_in_range("at", value))))

    def by_approval(self, queryset, name, value):
        return queryset.filter(Exists(_records(ReviewAction.APPROVE).filter(**_in_range("at", value))))


def _in_range(field, value):
    lookups = {}
    if value.start is not None:
        lookups[f"{field}__gte"] = value.start
    if value.stop is not None:
        lookups[f"{field}__lte"] = value.stop
    return lookups


class ProjectListTable(BaseTable):
    year = tables.Column("预算年度")
    name = DetailLinkColumn("项目名称", url_name="projects:project_detail", empty_label="（未命名项目）")
    department = tables.Column("主管部门", accessor="department__name")
    unit = tables.Column("实施单位", accessor="unit__name")
    funds_total = MoneyColumn("年度资金总额（万元）")
    status = BadgeColumn("状态", css_prefix="status", attrs={"td": {"class": "text-nowrap"}})
    quality_score = NumberColumn("审核得分")
    quality_grade = BadgeColumn("审核等级", css_prefix="grade")
    framework = tables.Column("指标体系", accessor="framework__code", order_by=("framework__order", "framework__code"))
    rounds = NumberColumn("提交轮次")
    returns = NumberColumn("退回次数")
    version = NumberColumn("版本")
    updated_at = tables.DateTimeColumn(verbose_name="最后修改", format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}})

    class Meta(BaseTable.Meta):
        order_by = ("-year",)

    def render_framework(self, value):
        return f"{value} 版"

    def value_updated_at(self, value):
        return value


class ProjectListView(FilteredListView):
    """项目绩效目标表清单：按年度、区划、部门、单位、状态、等级、得分、金额、指标体系、审核轮次、退回理由筛选。

    Besides the list (``?export=xlsx``), ``?export=forms&layout=pingluo|dingzhou|flat`` downloads the
    same filtered tables as official forms, one sheet each (projects.excel), for printing."""

    template_name = "overview/project_list.html"

    pages_by_ids = True
    title = "项目绩效目标表清单"
    filterset_class = ProjectFilterSet
    table_class = ProjectListTable
    hidden_from_unit_staff = ("department", "unit")

    def user_may_view(self, user):
        return permissions.can_view_overview(user)

    def scoped_queryset(self, user):
        return with_review_counts(
            ProjectTable.objects.visible_to(user)
            .select_related("department", "unit", "framework")
            .order_by("department__name", "unit__name", "name", "version")
        )

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "years": visible_years(self.request.user)}

    def get(self, request, *args, **kwargs):
        if request.GET.get(EXPORT_PARAMETER) != FORMS_EXPORT:
            return super().get(request, *args, **kwargs)
        return self.export_forms(request)

    def post(self, request, *args, **kwargs):
        """Starts a large ``?export=forms`` in the background (the GET asked to confirm it)."""
        if request.GET.get(EXPORT_PARAMETER) != FORMS_EXPORT:
            return HttpResponseNotAllowed(["GET"])
        return self.export_forms(request)

    def export_forms(self, request):
        self.select_rows()
        layout = request.GET.get("layout") if request.GET.get("layout") in PROJECT_LAYOUTS else "pingluo"
        back = request.path
        response, task = export_or_start(
            request, self.object_list, layout, f"{self.title}（{LAYOUTS[layout].label}）.xlsx", back
        )
        if task is not None or response.has_header("Content-Disposition"):
            audit.record(
                "export", request=request, list=self.title, filters=self.export_title(), layout=layout,
                rows=self.object_list.count(), **({"task": task.pk} if task else {}),
            )
        return response

    def export_totals(self, columns, money, rows):
        """The list shows every version of a table, so its 合计 sums each project once: the version in
        force (an adjustment under way, version 2 still a draft, is not added to version 1)."""
        totals = super().export_totals(columns, money, rows)
        in_force = self.object_list.in_force()
        for position in money:
            totals[position] = in_force.aggregate(total=Coalesce(Sum(columns[position].accessor), Value(Decimal(0))))["total"]
        counted = in_force.count()
        if counted != len(rows):
            totals[0] = f"合计（{counted} 个项目，各计现行版本）"
        return totals

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query[EXPORT_PARAMETER] = FORMS_EXPORT
        forms = []
        for layout in PROJECT_LAYOUTS:
            query["layout"] = layout
            forms.append((LAYOUTS[layout].label, f"?{query.urlencode()}"))
        context["forms_exports"] = forms
        # The count the page's paginator already made: past the limit the export runs in the background.
        paginator = getattr(context.get("table"), "paginator", None)
        count = paginator.count if paginator is not None else None
        if count is not None and count > settings.PERFGOALS_EXPORT_IMMEDIATE_MAX:
            context["forms_export_note"] = f"共 {count} 张，将在后台生成，完成后在进度页下载"
        if permissions.can_start_recheck(self.request.user):
            year = self.request.GET.get("year", "")
            context["recheck_url"] = reverse("projects:task_recheck") + (f"?{urlencode({'year': year})}" if year.isdigit() else "")
        return context


# Departments' progress for one year.

PROGRESS_CHOICES = [
    ("not_started", "本年尚无表"),
    ("behind", "表数少于上年"),
    ("unsubmitted", "有未提交的表（草稿或已退回）"),
    ("all_approved", "已全部批复"),
]


def department_progress(departments, *, year, tallies):
    """Departments annotated with their tables of ``year`` among ``tallies`` (the unit-year tallies of the
    user's scope, projects.tallies), by status, with the money in each, last year's count as the number
    expected, the average score and the time of the last edit or review action. Each project counts
    once, as its version in force (ProjectTable.objects.in_force): an adjustment under way does not
    double its money."""
    # The department's units' tallies in scope of this year and last, joined once (tens of rows, not the
    # department's tables): each figure then only tells the year apart.
    mine = FilteredRelation(
        "table_tallies",
        condition=Q(table_tallies__in=Subquery(tallies.order_by().values("pk"))) & Q(table_tallies__year__in=(year - 1, year)),
    )
    current = Q(mine__year=year)

    def count(*columns):
        total = Sum(f"mine__tables_{columns[0]}", filter=current)
        for column in columns[1:]:
            total += Sum(f"mine__tables_{column}", filter=current)
        return Coalesce(total, 0)

    def money(*columns):
        """A sum NULL when no table has an amount, as the sum over the tables was."""
        sums = [Sum(f"mine__money_{column}", filter=current) for column in columns]
        return sums[0] if len(sums) == 1 else Coalesce(sums[0] + sums[1], *sums)

    return departments.annotate(mine=mine).annotate(
        expected=Coalesce(Sum("mine__tables", filter=Q(mine__year=year - 1)), 0),
        total=Coalesce(Sum("mine__tables", filter=current), 0),
        drafted=count("draft"),
        in_review=count("department_review", "finance_review"),
        returned=count("returned"),
        approved=count("approved"),
        money_total=Sum("mine__money", filter=current),
        money_draft=money("draft"),
        money_in_review=money("department_review", "finance_review"),
        money_returned=money("returned"),
        money_approved=money("approved"),
        average_score=Mean(Sum("mine__score_sum", filter=current), Sum("mine__score_count", filter=current)),
    ).alias(
        # Only their later one is shown: each is written into the query once per use, so neither is
        # selected on its own.
        last_edit=Max("mine__last_edit", filter=current),
        last_review=Max("mine__last_review", filter=current),
    ).annotate(
        # Greatest() is NULL on SQLite when either side is; each side stands in for the other.
        last_activity=Greatest(Coalesce("last_edit", "last_review"), Coalesce("last_review", "last_edit")),
    )


class DepartmentProgressFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    primary = ("q", "year", "region", "progress")

    year = django_filters.ChoiceFilter(label="预算年度", method="year_is_applied_by_the_view", empty_label=None)
    region = django_filters.ModelChoiceFilter(label="行政区划", queryset=visible_regions, empty_label="全部区划")
    progress = django_filters.ChoiceFilter(
        label="进度", choices=PROGRESS_CHOICES, method="by_progress", empty_label="全部部门"
    )

    class Meta:
        model = Department
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices(years)

    def year_is_applied_by_the_view(self, queryset, name, value):
        """Every figure of a row is for one year, so the view annotates the rows for the chosen year
        before filtering; this filter validates the year and names it in the export's title."""
        return queryset

    def by_progress(self, queryset, name, value):
        if value == "not_started":
            return queryset.filter(total=0)
        if value == "behind":
            return queryset.filter(total__lt=F("expected"))
        if value == "unsubmitted":
            return queryset.filter(Q(drafted__gt=0) | Q(returned__gt=0))
        return queryset.filter(total__gt=0, approved=F("total"))


class CountLinkColumn(NumberColumn):
    """A count linking to the department's tables of the year in one status."""

    def __init__(self, *args, status=None, **kwargs):
        self.status = status
        super().__init__(*args, **kwargs)

    def render(self, value, record, table):
        if not value:
            return value
        url = project_list_url(year=table.year, department=record.pk, status=self.status)
        return format_html('<a href="{}">{}</a>', url, value)

    def value(self, value):
        return value


class DepartmentProgressTable(BaseTable):
    name = tables.Column("主管部门")
    region = tables.Column("行政区划", accessor="region__name")
    expected = NumberColumn("上年表数")
    total = CountLinkColumn("本年表数")
    drafted = CountLinkColumn("草稿", status=TableStatus.DRAFT)
    in_review = CountLinkColumn("审核中", status=IN_REVIEW)
    returned = CountLinkColumn("已退回", status=TableStatus.RETURNED)
    approved = CountLinkColumn("已批复", status=TableStatus.APPROVED)
    money_total = MoneyColumn("资金合计（万元）")
    money_draft = MoneyColumn("草稿金额")
    money_in_review = MoneyColumn("审核中金额")
    money_returned = MoneyColumn("退回金额")
    money_approved = MoneyColumn("批复金额")
    average_score = NumberColumn("平均得分")
    last_activity = tables.DateTimeColumn(verbose_name="最后活动", format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}})

    class Meta(BaseTable.Meta):
        order_by = ("name",)
        empty_text = "没有符合条件的主管部门。"
        # A department with fewer tables than last year (or none yet) stands out: it has not submitted.
        row_attrs = {"class": lambda record: "table-warning" if record.total < record.expected else ""}

    def __init__(self, *args, year, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def render_name(self, value, record):
        return format_html('<a href="{}">{}</a>', project_list_url(year=self.year, department=record.pk), record)

    def value_name(self, record):
        return str(record)

    def value_last_activity(self, value):
        return value

    def render_average_score(self, value):
        return f"{value:.1f}"

    def value_average_score(self, value):
        return round(value, 1)


class DepartmentProgressView(FilteredListView):
    """各部门报送进度：某一预算年度每个主管部门应报（上年表数）、草稿、审核中、退回、批复的表数和金额。"""

    title = "各部门报送进度"
    template_name = "overview/department_progress.html"
    filterset_class = DepartmentProgressFilterSet
    table_class = DepartmentProgressTable

    def get_context_data(self, **kwargs):
        from projects.desk.views import units_not_submitted  # 催报 (issue 17): whom it would reach

        context = super().get_context_data(**kwargs)
        units = list(units_not_submitted(self.request.user, self.year)[:200])
        context.update(
            year=self.year,
            chase_units=units,
            chase_names="、".join(unit.name for unit in units[:10]) + ("等" if len(units) > 10 else ""),
        )
        return context

    def user_may_view(self, user):
        return permissions.can_view_department_progress(user)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.years = visible_years(request.user)
            self.year = chosen_year(request.GET.get("year"), self.years, request.user)
            if self.year not in self.years:
                self.years = sorted({*self.years, self.year}, reverse=True)
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self, user):
        return department_progress(
            Department.objects.visible_to(user).select_related("region").order_by("region__code", "code", "name"),
            year=self.year,
            tallies=TableTally.objects.visible_to(user),
        )

    def get_table_pagination(self, table):
        """Without a progress filter the rows are the departments the other filters select: counted as
        such, not by re-running every department's figures inside a count."""
        pagination = super().get_table_pagination(table)
        form = self.filterset.form
        if pagination is False or not form.is_valid() or form.cleaned_data.get("progress"):
            return pagination
        count = self.filterset.filter_queryset(Department.objects.visible_to(self.request.user)).count()
        return {**pagination, "paginator_class": KnownCountPaginator, "count": count}

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = kwargs["data"].copy() if kwargs["data"] is not None else {}
        data.setdefault("year", str(self.year))
        return {**kwargs, "data": data, "years": self.years}

    def get_table_kwargs(self):
        exclude = () if permissions.sees_every_region(self.request.user) else ("region",)
        return {"year": self.year, "exclude": exclude}


def chosen_year(text, years, user=None):
    """The year asked for, else the working year of the user's region (当前预算年度), else the latest one
    the user has; a year that is no number, or none a budget year can be, falls back too (the filter form
    then reports it)."""
    default = working_year(user) or (years[0] if years else timezone.localdate().year)
    return budget_year(text, default)


def working_year(user):
    """当前预算年度 of the user's region, or None (no region, as for an administrator, or none set)."""
    region = permissions.region_of(user) if user is not None else None
    return region.working_year if region is not None else None
