"""Lists across all tables a user may see: 三级指标 by level, value and finding, and the findings of
the quality checks, most frequent first (tracker issue 7).

Rows are found through the tables: ``project__in=ProjectTable.objects.visible_to(user)``, so an
indicator or finding of a table outside the scope never appears. Indicators of 部门整体绩效目标 are not
listed here; they belong to one department's target, not to the project tables compared across units."""

import functools
import operator

import django_filters
import django_tables2 as tables
from django.db.models import Case, Count, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from indicators.checks import RULES
from indicators.models import CheckFinding, Criterion, Indicator, Level1, Level2, Opinion, Severity
from indicators.values import Nature
from perfgoals.formatting import decimal_text
from perfgoals.lists import FilteredListView, SearchFilterSet
from perfgoals.paginators import KnownCountPaginator, in_batches, rows_through_groups
from perfgoals.tables import BadgeColumn, BaseTable, DetailLinkColumn, NumberColumn
from projects import permissions
from projects.models import ProjectTable
from projects.overview import visible_departments, visible_years, year_choices

QUANTITATIVE, QUALITATIVE = "quantitative", "qualitative"
VALUE_KINDS = [(QUANTITATIVE, "定量"), (QUALITATIVE, "定性")]
OPERATORS = [(value, label) for value, label in Nature.choices if value != Nature.QUALITATIVE]


def rule_choices():
    return sorted(((code, rule.title) for code, rule in RULES.items()), key=lambda choice: choice[1])


def rule_title(code):
    rule = RULES.get(code)
    return rule.title if rule else code


def finding_list_url(**filters):
    query = {name: value for name, value in filters.items() if value not in (None, "")}
    url = reverse("projects:finding_list")
    return f"{url}?{urlencode(query)}" if query else url


def tables_in_view(request):
    """The user's tables in force, of the year the list is filtered to when it is: the rows of a list are
    looked up from these, so a year's list reads that year's tables only, not every year of the region.
    The FilterSet still applies (and validates) the year itself; a year that is no number narrows nothing here."""
    tables = ProjectTable.objects.visible_to(request.user).in_force()
    year = request.GET.get("year", "")
    return tables.filter(year=int(year)) if year.isdigit() and len(year) == 4 else tables


# The order of the tables whose rows the lists show table by table: the rows' own order begins with it.
TABLE_ORDER = ("-year", "name", "pk")


def tables_with_counts(request, rows):
    """(table id, number of its ``rows``) of the user's tables in view, in TABLE_ORDER: the groups a list
    sorted table by table walks to find the tables of one page (perfgoals.paginators.rows_through_groups).
    ``rows`` are the listed model's rows of the table ``OuterRef("pk")``; tables without any are left out."""
    counted = rows.order_by().values("project").annotate(n=Count("*")).values("n")
    return (
        tables_in_view(request)
        .order_by(*TABLE_ORDER)
        .annotate(n=Subquery(counted, output_field=IntegerField()))
        .filter(n__gt=0)
        .values_list("pk", "n")
    )


def narrows_tables_only(view):
    """Whether the filters in use narrow only the tables (the year, ``view.table_filters``), so the rows
    of a page can be counted table by table; an invalid filter value lists nothing and reads nothing."""
    in_use = view.filters_in_use()
    return in_use is not None and in_use <= view.table_filters


def _names(model, order):
    return [(name, name) for name in dict.fromkeys(model.objects.order_by(*order).values_list("name", flat=True))]


class IndicatorFilterSet(SearchFilterSet):
    search_fields = ("name", "value_text", "description", "project__name")
    primary = ("q", "year", "level1", "level2", "kind", "nature", "value_unit", "value")

    year = django_filters.ChoiceFilter(
        label="预算年度", method="year_is_applied_by_the_view", empty_label="全部年度"
    )
    department = django_filters.ModelChoiceFilter(
        label="主管部门", field_name="project__department", queryset=visible_departments, empty_label="全部部门"
    )
    level1 = django_filters.ChoiceFilter(label="一级指标", field_name="level2__level1__name", empty_label="全部")
    level2 = django_filters.ChoiceFilter(label="二级指标", field_name="level2__name", empty_label="全部")
    kind = django_filters.ChoiceFilter(label="指标值类型", choices=VALUE_KINDS, method="by_kind", empty_label="全部")
    nature = django_filters.ChoiceFilter(
        label="符号", field_name="value_nature", choices=OPERATORS, empty_label="全部"
    )
    value_unit = django_filters.ChoiceFilter(label="计量单位", empty_label="全部")
    value = django_filters.RangeFilter(label="数值", field_name="value_number")
    rule = django_filters.ChoiceFilter(label="审核发现", method="by_rule", empty_label="不限")

    class Meta:
        model = Indicator
        fields = []

    def __init__(self, *args, years=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices(years)
        self.filters["level1"].extra["choices"] = _names(Level1, ("order", "framework__order"))
        self.filters["level2"].extra["choices"] = _names(Level2, ("level1__order", "order", "level1__framework__order"))
        self.filters["value_unit"].extra["choices"] = [(unit, unit) for unit in units]
        self.filters["rule"].extra["choices"] = rule_choices()

    def year_is_applied_by_the_view(self, queryset, name, value):
        """The view looks the rows up from the chosen year's tables (tables_in_view); this filter
        validates the year and names it in the export's title. Filtering the joined table's year again
        would make PostgreSQL read every table of that year in the province."""
        return queryset

    def by_kind(self, queryset, name, value):
        if value == QUALITATIVE:
            return queryset.filter(value_nature=Nature.QUALITATIVE)
        return queryset.filter(value_number__isnull=False)

    def by_rule(self, queryset, name, value):
        return queryset.filter(Exists(CheckFinding.objects.filter(indicator=OuterRef("pk"), rule=value)))


class IndicatorListTable(BaseTable):
    year = tables.Column("预算年度", accessor="project__year")
    project = DetailLinkColumn(
        "项目名称", accessor="project__name", url_name="projects:project_detail", pk_accessor="project_id",
        empty_label="（未命名项目）", attrs={"td": {"class": "col-project"}},
    )
    unit = tables.Column("实施单位", accessor="project__unit__name")
    level1 = tables.Column(
        "一级指标",
        accessor="level2__level1__name",
        order_by=("level2__level1__order", "level2__order"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    level2 = tables.Column(
        "二级指标", accessor="level2__name", order_by=("level2__level1__order", "level2__order"), attrs={"td": {"class": "text-nowrap"}}
    )
    name = tables.Column("三级指标")
    value_text = tables.Column("指标值", attrs={"td": {"class": "col-value"}})
    value_nature = tables.Column("符号")
    value_number = NumberColumn("数值")
    value_unit = tables.Column("计量单位")
    finding_count = NumberColumn("审核发现")

    class Meta(BaseTable.Meta):
        order_by = ("-year",)

    def render_value_number(self, value):
        return decimal_text(value)

    def value_value_number(self, value):
        return value

    def render_finding_count(self, value, record):
        if not value:
            return value
        return format_html('<a href="{}">{}</a>', finding_list_url(indicator=record.pk), value)

    def value_finding_count(self, value):
        return value


INDICATOR_COLUMNS = (
    "name", "value_text", "value_nature", "value_number", "value_unit", "order", "project_id", "level2_id",
    "project__name", "project__year", "project__unit__name",
    "level2__name", "level2__order", "level2__level1__name", "level2__level1__order",
)


class IndicatorListView(FilteredListView):
    """三级指标查询：跨所有可见的表按一级、二级、定量定性、符号、单位、数值和审核发现筛选，
    例如所有把满意度定为 ≥100% 的指标。"""

    title = "三级指标查询"
    filterset_class = IndicatorFilterSet
    table_class = IndicatorListTable
    hidden_from_unit_staff = ("department", "unit")

    def user_may_view(self, user):
        return permissions.can_view_overview(user)

    def scoped_queryset(self, user):
        findings = CheckFinding.objects.filter(indicator=OuterRef("pk")).order_by().values("indicator")
        return (
            # Each project once (its version in force): an adjustment under way would list every row twice.
            Indicator.objects.filter(project__in=tables_in_view(self.request))
            .select_related("project__unit", "level2__level1")
            # Only what the list shows: the rows are sorted whole, and a table's long texts would make
            # that sort spill to disk.
            .only(*INDICATOR_COLUMNS)
            # Within a year: table by table, each in the order its unit wrote the rows.
            .order_by("project__name", "project_id", "level2__level1__order", "level2__order", "order")
            .annotate(
                finding_count=Coalesce(
                    Subquery(findings.annotate(n=Count("pk")).values("n")[:1]), Value(0), output_field=IntegerField()
                )
            )
        )

    # The filters that narrow the tables, not their rows: under them a page is read table by table.
    table_filters = {"year"}

    def get_filterset_kwargs(self, filterset_class):
        # The units of the rows of the tables listed (the chosen year's, when one is chosen), each with its
        # number of rows: the 计量单位 choices and, when no filter narrows the rows, the number of rows
        # listed, both from one grouped reading of the (project, value_unit) index.
        self.unit_counts = list(
            Indicator.objects.filter(project__in=tables_in_view(self.request))
            .order_by("value_unit")
            .values("value_unit")
            .annotate(n=Count("*"))
            .values_list("value_unit", "n")
        )
        return {
            **super().get_filterset_kwargs(filterset_class),
            "years": visible_years(self.request.user),
            "units": [unit for unit, _ in self.unit_counts if unit],
        }

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination is False or not narrows_tables_only(self):
            return pagination
        return {**pagination, "paginator_class": KnownCountPaginator, "count": sum(n for _, n in self.unit_counts)}

    def default_order_page(self, table, offset, limit):
        """Table by table: the tables in view walked in their order (an index on the region's or the
        department's tables of a year) with each one's number of rows, until they cover the page; then
        only those tables' rows sorted. Sorting every row of the region's year for 25 of them grew with
        the province."""
        if not narrows_tables_only(self):
            return None
        groups = tables_with_counts(self.request, Indicator.objects.filter(project=OuterRef("pk")))
        whole = table.data.data
        return rows_through_groups(in_batches(groups, limit), lambda keys: whole.filter(project__in=keys), offset, limit)


class FindingFilterSet(SearchFilterSet):
    search_fields = ("message", "suggestion", "project__name", "indicator__name")
    primary = ("q", "year", "department", "rule", "severity", "criterion")

    year = django_filters.ChoiceFilter(
        label="预算年度", method="year_is_applied_by_the_view", empty_label="全部年度"
    )
    department = django_filters.ModelChoiceFilter(
        label="主管部门", field_name="project__department", queryset=visible_departments, empty_label="全部部门"
    )
    rule = django_filters.ChoiceFilter(label="审核规则", empty_label="全部规则")
    severity = django_filters.ChoiceFilter(label="严重程度", choices=Severity.choices, empty_label="全部")
    criterion = django_filters.ChoiceFilter(label="审核要点", choices=Criterion.choices, empty_label="全部")
    opinion = django_filters.ChoiceFilter(label="监审意见", choices=Opinion.choices, empty_label="全部")
    indicator = django_filters.NumberFilter(label="三级指标编号", field_name="indicator_id")

    class Meta:
        model = CheckFinding
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices(years)
        self.filters["rule"].extra["choices"] = rule_choices()

    def year_is_applied_by_the_view(self, queryset, name, value):
        """The view looks the rows up from the chosen year's tables (tables_in_view); this filter
        validates the year and names it in the export's title. Filtering the joined table's year again
        would make PostgreSQL read every table of that year in the province."""
        return queryset


class FindingListTable(BaseTable):
    rule = tables.Column("审核规则", attrs={"td": {"class": "finding-rule"}})
    frequency = NumberColumn("同类发现数")
    severity = BadgeColumn("严重程度", css_prefix="sev", attrs={"td": {"class": "text-nowrap"}})
    criterion = tables.Column("审核要点", attrs={"td": {"class": "text-nowrap"}})
    opinion = tables.Column("监审意见")
    message = tables.Column("问题", attrs={"td": {"class": "finding-message"}})
    project = DetailLinkColumn(
        "项目名称", accessor="project__name", url_name="projects:project_detail", pk_accessor="project_id",
        empty_label="（未命名项目）", attrs={"td": {"class": "finding-project"}},
    )
    row = NumberColumn("行")
    unit = tables.Column("实施单位", accessor="project__unit__name")
    department = tables.Column("主管部门", accessor="project__department__name")
    year = tables.Column("预算年度", accessor="project__year")

    class Meta(BaseTable.Meta):
        # The most common faults first; the queryset's order keeps each rule's findings together.
        order_by = ("-frequency",)

    def render_rule(self, value):
        return rule_title(value)

    def value_rule(self, value):
        return rule_title(value)


FINDING_COLUMNS = (
    "rule", "severity", "criterion", "opinion", "message", "row", "project_id", "indicator_id",
    "project__name", "project__year", "project__unit__name", "project__department__name",
)


class FindingListView(FilteredListView):
    """审核发现汇总：所有可见表的智能审核发现，按规则、严重程度、审核要点和部门筛选，最常见的问题排在前面。"""

    title = "审核发现汇总"
    template_name = "overview/finding_list.html"
    filterset_class = FindingFilterSet
    table_class = FindingListTable
    hidden_from_unit_staff = ("department", "unit")

    def user_may_view(self, user):
        return permissions.can_view_overview(user)

    def scoped_queryset(self, user):
        return (
            CheckFinding.objects.filter(project__in=tables_in_view(self.request))
            .select_related("project__unit", "project__department")
            # Only what the list shows: the rows are sorted whole, and a table's long texts would make
            # that sort spill to disk.
            .only(*FINDING_COLUMNS)
            .order_by("rule", "-project__year", "project__name", "project_id", "row")
        )

    def select_rows(self):
        """The selected findings counted by rule once (one grouped query over the selection); those counts
        are each row's 同类发现数, the page count and the summary above the list, where a window count
        per row, a count for the pages and a grouped count for the summary read the selection three times."""
        super().select_rows()
        self.rule_counts = list(
            self.object_list.order_by()
            .values("rule")
            .annotate(n=Count("pk"), tables=Count("project", distinct=True))
            .order_by("-n", "rule")
        )
        frequency = (
            Case(*(When(rule=item["rule"], then=Value(item["n"])) for item in self.rule_counts), default=Value(0))
            if self.rule_counts
            else Value(0)
        )
        self.object_list = self.object_list.annotate(frequency=ExpressionWrapper(frequency, output_field=IntegerField()))

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination is False:
            return False
        return {**pagination, "paginator_class": KnownCountPaginator, "count": sum(item["n"] for item in self.rule_counts)}

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "years": visible_years(self.request.user)}

    # The filters that narrow the tables or pick whole rules: under them a page is read rule by rule and,
    # within a rule, table by table.
    table_filters = {"year", "rule"}

    def default_order_page(self, table, offset, limit):
        """Rule by rule, in the order of rule_counts (the list's 同类发现数 order), the rules before the
        page skipped by their counts; within a rule on the page, its tables walked in their order with
        each one's number of that rule's findings (from the (project, rule) index), until they cover the
        page. Sorting every finding of the region's year for 25 of them grew with the province."""
        if not narrows_tables_only(self):
            return None

        def groups():
            start = 0
            for item in self.rule_counts:
                rule, count = item["rule"], item["n"]
                if start + count <= offset:
                    yield None, count
                else:
                    findings = CheckFinding.objects.filter(project=OuterRef("pk"), rule=rule)
                    for pk, n in in_batches(tables_with_counts(self.request, findings), limit):
                        yield (rule, pk), n
                start += count

        def rows_of(keys):
            tables_of_rule = {}
            for rule, pk in keys:
                tables_of_rule.setdefault(rule, []).append(pk)
            return whole.filter(
                functools.reduce(operator.or_, (Q(rule=rule, project__in=pks) for rule, pks in tables_of_rule.items()))
            )

        whole = table.data.data
        return rows_through_groups(groups(), rows_of, offset, limit)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        summary = []
        for item in self.rule_counts[:10]:
            query["rule"] = item["rule"]
            summary.append({**item, "title": rule_title(item["rule"]), "url": f"?{query.urlencode()}"})
        context["rule_summary"] = summary
        return context
