"""The 三级指标查询 and 审核发现汇总 pages in their default order are read table by table (the tables walked
in their order until their rows cover the page, then only those tables' rows sorted): every page must
show exactly the rows that sorting the whole selection and cutting out that page showed, in every scope,
with tables that have no rows, with tables of the same name and with adjustments under way or approved."""

import itertools
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import CheckFinding, Indicator
from perfgoals.roles import Role
from projects.models import ProjectTable, TableStatus
from tests import factories
from tests.overview_helpers import Export, all_pages, queries_of

INDICATORS = "projects:indicator_list"
FINDINGS = "projects:finding_list"

LEVELS = (
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("效益指标", "社会效益指标"),
    ("满意度指标", "服务对象满意度指标"),
)
RULES = ("vague_wording", "description_repeats_name", "satisfaction_full", "uniform_values")
_names = itertools.count(1)


def fill(table, rows):
    """``rows`` indicators on ``table`` (levels and orders mixed, some orders repeated so that only the
    id breaks the tie) and findings of several rules, some on a row and some on the whole table."""
    made = []
    for number in range(rows):
        level1, level2 = LEVELS[(number * 3 + table.pk) % len(LEVELS)]
        made.append(
            factories.indicator(table, level1, level2, name=f"指标{next(_names)}", value="≥ 90%", order=number // 2)
        )
    for number, row in enumerate(made):
        if (number + table.pk) % 3:
            factories.finding(table, RULES[(number + table.pk) % len(RULES)], row, message=f"发现{next(_names)}")
    for number in range(table.pk % 3):
        factories.finding(table, RULES[number], message=f"发现{next(_names)}")
    return made


@pytest.fixture
def province(reference_data):
    """Two regions; in the first, two departments of two units each with tables of 2024 and 2023 (names
    shared between units, tables with no rows, an adjustment under way and one approved)."""
    region = factories.region()
    departments = [factories.department(region) for _ in range(2)]
    units = [factories.unit(department) for department in departments for _ in range(2)]
    names = ["乡村道路养护", "基层干部培训", "乡村道路养护", "", "城乡低保补助", "基层干部培训", "农田水利"]
    for year in (2024, 2023):
        taken = set()
        for number in range(21):
            # The same name in several units (the tables tie on it), and unnamed tables.
            name = names[number % 7]
            while name and (number % 4, name) in taken:
                name += "（续）"
            taken.add((number % 4, name))
            fill(factories.project_table(units[number % 4], year=year, name=name), (number * 5) % 9)
    # An adjustment under way: version 1 (approved) stays in force, version 2 is left out.
    approved = factories.project_table(units[0], year=2024, name="乡村道路养护（调整）", status=TableStatus.APPROVED)
    fill(approved, 4)
    fill(factories.project_table(units[0], year=2024, name=approved.name, version=2, previous_version=approved), 5)
    # An adjustment approved: version 2 is in force, version 1 (已调整) is left out.
    replaced = factories.project_table(units[1], year=2024, name="农田水利（调整）", status=TableStatus.SUPERSEDED)
    fill(replaced, 3)
    fill(
        factories.project_table(
            units[1], year=2024, name=replaced.name, version=2, previous_version=replaced, status=TableStatus.APPROVED
        ),
        6,
    )
    other = factories.unit(factories.department(factories.region()))
    for name in ("乡村道路养护", "基层干部培训", ""):
        fill(factories.project_table(other, year=2024, name=name), 5)
    return {
        "finance": factories.user(Role.FINANCE_OFFICER, region=region),
        "department": factories.user(Role.DEPARTMENT_REVIEWER, department=departments[0]),
        "unit": factories.user(Role.UNIT_STAFF, unit=units[1]),
    }


def tables_of(user, year):
    tables = ProjectTable.objects.visible_to(user).in_force()
    return tables.filter(year=year) if year else tables


def indicators_sorted(user, year, **filters):
    """The 三级指标 of the list sorted whole, as the page used to read them before cutting out a page."""
    return list(
        Indicator.objects.filter(project__in=tables_of(user, year), **filters)
        .order_by("-project__year", "project__name", "project_id", "level2__level1__order", "level2__order", "order", "pk")
        .values_list("pk", flat=True)
    )


def findings_sorted(user, year, **filters):
    """The findings of the list sorted whole: the most frequent rule first (ties by rule), then as the
    queryset orders them."""
    found = list(
        CheckFinding.objects.filter(project__in=tables_of(user, year), **filters)
        .order_by("rule", "-project__year", "project__name", "project_id", "row", "pk")
        .values_list("pk", "rule")
    )
    frequency = Counter(rule for _, rule in found)
    return [pk for pk, rule in sorted(found, key=lambda item: -frequency[item[1]])]


def pages(client, name, params, per_page):
    """The ids shown on each page of the list, page after page."""
    shown, number = [], 1
    while True:
        response = client.get(reverse(name), {**params, "per_page": per_page, "page": number})
        assert response.status_code == 200
        shown.append([row.record.pk for row in response.context["table"].paginated_rows])
        if not response.context["table"].page.has_next():
            return shown, response.context["table"].paginator.count
        number += 1


def cut(rows, per_page):
    return [rows[start : start + per_page] for start in range(0, len(rows), per_page)] or [[]]


@pytest.mark.parametrize("role", ["finance", "department", "unit"])
@pytest.mark.parametrize("per_page", [1, 4, 7, 25])
@pytest.mark.parametrize("year", [2024, None])
def test_every_indicator_page_shows_the_rows_of_the_whole_sorted_list(client, province, role, per_page, year):
    user = province[role]
    client.force_login(user)
    expected = indicators_sorted(user, year)
    shown, count = pages(client, INDICATORS, {"year": year} if year else {}, per_page)
    assert expected
    assert shown == cut(expected, per_page)
    assert count == len(expected)


@pytest.mark.parametrize("role", ["finance", "department", "unit"])
@pytest.mark.parametrize("per_page", [1, 4, 7, 25])
@pytest.mark.parametrize("params", [{"year": 2024}, {}, {"year": 2023, "rule": "vague_wording"}])
def test_every_finding_page_shows_the_rows_of_the_whole_sorted_list(client, province, role, per_page, params):
    user = province[role]
    client.force_login(user)
    filters = {"rule": params["rule"]} if "rule" in params else {}
    expected = findings_sorted(user, params.get("year"), **filters)
    shown, count = pages(client, FINDINGS, params, per_page)
    assert expected
    assert shown == cut(expected, per_page)
    assert count == len(expected)


def test_a_filter_on_the_rows_still_lists_the_whole_sorted_selection(client, province):
    """Filters on the rows themselves (a level, a severity) keep reading the sorted selection."""
    user = province["finance"]
    client.force_login(user)
    shown, _ = pages(client, INDICATORS, {"year": 2024, "level1": "产出指标"}, 4)
    assert shown == cut(indicators_sorted(user, 2024, level2__level1__name="产出指标"), 4)
    shown, _ = pages(client, FINDINGS, {"year": 2024, "severity": "warning"}, 4)
    assert shown == cut(findings_sorted(user, 2024, severity="warning"), 4)


def test_an_invalid_filter_value_lists_nothing_on_either_list(client, province):
    client.force_login(province["finance"])
    for name in (INDICATORS, FINDINGS):
        shown, count = pages(client, name, {"year": 1999}, 7)
        assert shown == [[]] and count == 0


@pytest.mark.parametrize(("name", "model_table"), [(INDICATORS, "indicators_indicator"), (FINDINGS, "indicators_checkfinding")])
def test_a_page_reads_only_the_rows_of_the_tables_it_shows(client, province, name, model_table):
    """The page's rows are looked up among the few tables it shows, by their ids, not cut out of every
    row of the region's year sorted."""
    client.force_login(province["finance"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), {"year": 2024, "per_page": 7, "page": 2})
    shown = list(dict.fromkeys(row.record.project_id for row in response.context["table"].paginated_rows))
    reading = [
        query["sql"] for query in captured.captured_queries
        if f'FROM "{model_table}"' in query["sql"] and "LIMIT" in query["sql"]
        and not query["sql"].startswith('SELECT "projects_projecttable"')
    ]
    assert len(reading) == 1
    assert f'"project_id" IN ({", ".join(str(pk) for pk in shown)})' in reading[0]


def test_the_unit_choices_and_the_indicator_count_come_from_one_reading_of_the_rows(client, province):
    """One grouped query gives the 计量单位 choices and the number of rows listed; with the page's own
    rows that makes two queries of the indicators, where a DISTINCT and a COUNT made three."""
    client.force_login(province["finance"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(INDICATORS), {"year": 2024})
    reading = [
        query for query in captured.captured_queries
        if 'FROM "indicators_indicator"' in query["sql"] and not query["sql"].startswith('SELECT "projects_projecttable"')
    ]
    assert len(reading) == 2
    assert response.context["table"].paginator.count == len(indicators_sorted(province["finance"], 2024))
    assert [value for value, _ in response.context["filter"].form.fields["value_unit"].choices] == ["", "%"]


@pytest.mark.parametrize("name", [INDICATORS, FINDINGS])
@pytest.mark.parametrize("page", [1, 3])
def test_a_pages_queries_do_not_grow_with_the_number_of_tables(client, reference_data, name, page):
    counts = []
    for size in (12, 120):
        region, _ = factories.overview_region(size, departments=3)
        client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
        count, response = queries_of(client, reverse(name), {"year": 2024, "per_page": 10, "page": page})
        assert len(response.context["table"].paginated_rows) == 10
        counts.append(count)
    # A page of a small region's findings may span more rules (one walk each) than a large one's.
    assert counts[1] <= counts[0]


@pytest.mark.parametrize(
    ("name", "header", "sorted_rows", "model"),
    [
        (INDICATORS, "三级指标", indicators_sorted, Indicator),
        (FINDINGS, "问题", findings_sorted, CheckFinding),
    ],
)
def test_the_export_still_lists_every_row_in_order(client, province, name, header, sorted_rows, model):
    user = province["department"]
    client.force_login(user)
    export = Export(client.get(reverse(name), {"year": 2024, "export": "xlsx"}))
    field = "name" if model is Indicator else "message"
    by_pk = dict(model.objects.values_list("pk", field))
    assert export.column(header) == [by_pk[pk] for pk in sorted_rows(user, 2024)]
    on_screen = all_pages(client, reverse(name), {"year": 2024, "per_page": 6}, accessor=field)
    assert on_screen == export.column(header)
