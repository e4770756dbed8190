"""The lists of 三级指标 and of check findings across all tables (projects/indicator_overview.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.checks import RULES
from indicators.models import CheckFinding, Indicator
from perfgoals.roles import Role
from projects.models import Department
from tests import factories
from tests.overview_helpers import Export, all_pages, queries_of

INDICATORS = "projects:indicator_list"
FINDINGS = "projects:finding_list"


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def rows(response):
    return [row.record for row in response.context["table"].paginated_rows]


# 三级指标


def test_every_satisfaction_indicator_set_at_100_percent_or_more_is_found(client, seeded):
    """定州 writes 满意率 ≥100百分比; a finance officer finds every such row in one query."""
    login(client, "dz_finance")
    params = {"level1": "满意度指标", "nature": "ge", "value_min": "100", "value_unit": "%", "per_page": 100}
    found = rows(client.get(reverse(INDICATORS), params))
    expected = Indicator.objects.filter(
        project__region__code="130682", level2__level1__name="满意度指标", value_nature="ge", value_number__gte=100,
        value_unit="%",
    )
    assert found and {row.pk for row in found} == set(expected.values_list("pk", flat=True))
    assert all(row.value_text.startswith("≥") for row in found)


def test_a_finance_officer_never_sees_indicators_of_another_region(client, seeded):
    login(client, "pl_finance")
    found = all_pages(client, reverse(INDICATORS), {"per_page": 100}, accessor="project__region__code")
    assert set(found) == {"640221"}
    assert len(found) == Indicator.objects.filter(project__region__code="640221").count()


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"kind": "qualitative"}, lambda row: row.value_nature == "qual"),
        ({"kind": "quantitative"}, lambda row: row.value_number is not None),
        ({"level2": "成本指标"}, lambda row: row.level2.name == "成本指标"),
        ({"value_unit": "万元"}, lambda row: row.value_unit == "万元"),
        ({"value_min": "10", "value_max": "60"}, lambda row: 10 <= row.value_number <= 60),
        ({"q": "满意"}, lambda row: "满意" in row.name + row.value_text + row.description + row.project.name),
        ({"year": "2022"}, lambda row: row.project.year == 2022),
    ],
)
def test_each_indicator_filter_keeps_only_matching_rows(client, seeded, params, check):
    login(client, "admin")
    response = client.get(reverse(INDICATORS), {**params, "per_page": 500})
    found = rows(response)
    assert found, params
    assert all(check(row) for row in found)
    assert len(found) < Indicator.objects.filter(project__isnull=False).count()


def test_indicators_can_be_found_by_the_finding_on_them(client, seeded):
    login(client, "admin")
    found = rows(client.get(reverse(INDICATORS), {"rule": "satisfaction_full", "per_page": 500}))
    expected = CheckFinding.objects.filter(rule="satisfaction_full", indicator__isnull=False).values_list("indicator", flat=True)
    assert found and {row.pk for row in found} == set(expected)
    assert all(row.finding_count >= 1 for row in found)


def test_the_indicator_export_holds_exactly_the_filtered_rows_of_every_page(client, seeded):
    login(client, "dz_finance")
    params = {"level1": "满意度指标", "per_page": 3, "sort": "-value_number"}
    on_screen = all_pages(client, reverse(INDICATORS), params, accessor="name")
    export = Export(client.get(reverse(INDICATORS), {**params, "export": "xlsx"}))
    assert export.column("三级指标") == on_screen and len(on_screen) > 3
    assert set(export.column("一级指标")) == {"满意度指标"}
    assert all(isinstance(number, (int, float)) for number in export.column("数值") if number is not None)
    assert "一级指标：满意度指标" in export.title


# 审核发现


def test_findings_list_the_most_common_fault_first(client, seeded):
    login(client, "admin")
    found = all_pages(client, reverse(FINDINGS), {"per_page": 100}, accessor="frequency")
    assert found == sorted(found, reverse=True)
    assert len(found) == CheckFinding.objects.count()
    top = CheckFinding.objects.values_list("rule", flat=True)
    first = rows(client.get(reverse(FINDINGS)))[0].rule
    assert top.filter(rule=first).count() == max(top.filter(rule=code).count() for code in set(top))


def test_the_frequency_counts_only_the_filtered_findings(client, seeded):
    login(client, "admin")
    found = rows(client.get(reverse(FINDINGS), {"year": "2023", "per_page": 200}))
    for finding in found:
        assert finding.frequency == CheckFinding.objects.filter(project__year=2023, rule=finding.rule).count()


def test_the_findings_list_pages_through_every_filtered_finding_once(client, seeded):
    """The page count comes from the counts by rule, not from a count of its own: it must still be exact."""
    login(client, "admin")
    expected = CheckFinding.objects.filter(project__year=2023)
    response = client.get(reverse(FINDINGS), {"year": "2023", "per_page": 7})
    paginator = response.context["table"].paginator
    assert paginator.count == expected.count() > 7
    assert paginator.num_pages == -(-expected.count() // 7)
    found = all_pages(client, reverse(FINDINGS), {"year": "2023", "per_page": 7}, accessor="pk")
    assert sorted(found) == sorted(expected.values_list("pk", flat=True))


def test_the_findings_list_reads_the_findings_twice_a_request(client, seeded):
    """Once counted by rule (frequency, pages and summary), once for the page's rows: a window count,
    a page count and a summary count read them three times. The walk of the tables that finds the page's
    tables (a query of tables, each counting its findings of the rule from an index) reads no finding row."""
    login(client, "admin")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(FINDINGS), {"year": "2023"})
    assert response.status_code == 200 and rows(response)
    reading = [
        query
        for query in captured.captured_queries
        if 'FROM "indicators_checkfinding"' in query["sql"] and not query["sql"].startswith('SELECT "projects_projecttable"')
    ]
    assert len(reading) == 2


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"rule": "uniform_values"}, lambda finding: finding.rule == "uniform_values"),
        ({"severity": "error"}, lambda finding: finding.severity == "error"),
        ({"criterion": "feasibility"}, lambda finding: finding.criterion == "feasibility"),
        ({"opinion": "not_quantified"}, lambda finding: finding.opinion == "not_quantified"),
        ({"q": "满意"}, lambda finding: "满意" in finding.message + finding.suggestion + finding.project.name
         + (finding.indicator.name if finding.indicator else "")),
    ],
)
def test_each_finding_filter_keeps_only_matching_findings(client, seeded, params, check):
    login(client, "admin")
    found = rows(client.get(reverse(FINDINGS), {**params, "per_page": 500}))
    assert found, params
    assert all(check(finding) for finding in found)


def test_findings_by_department_stay_in_the_users_scope(client, seeded):
    login(client, "pl_finance")
    own = Department.objects.get(region__code="640221")
    other = Department.objects.get(region__code="130682")
    found = rows(client.get(reverse(FINDINGS), {"department": own.pk, "per_page": 500}))
    assert found and {finding.project.department_id for finding in found} == {own.pk}
    assert rows(client.get(reverse(FINDINGS), {"department": other.pk})) == []


def test_the_finding_summary_counts_each_rule_and_links_to_it(client, seeded):
    login(client, "dz_finance")
    response = client.get(reverse(FINDINGS), {"year": "2022"})
    summary = response.context["rule_summary"]
    first = summary[0]
    assert first["n"] == CheckFinding.objects.filter(project__region__code="130682", rule=first["rule"]).count()
    assert first["title"] == RULES[first["rule"]].title
    assert f"rule={first['rule']}" in first["url"] and "year=2022" in first["url"]


def test_a_unit_exports_only_the_findings_of_its_own_tables(client, reference_data):
    mine = factories.unit()
    theirs = factories.unit(mine.department)
    factories.finding(factories.project_table(mine, name="本单位的表"), rule="vague_wording")
    factories.finding(factories.project_table(theirs, name="别的单位的表"), rule="vague_wording")
    client.force_login(factories.user(Role.UNIT_STAFF, unit=mine))
    export = Export(client.get(reverse(FINDINGS), {"export": "xlsx"}))
    assert export.column("项目名称") == ["本单位的表"]
    assert export.column("审核规则") == [RULES["vague_wording"].title]


def test_the_finding_export_holds_exactly_the_filtered_rows_in_order(client, seeded):
    login(client, "admin")
    params = {"severity": "warning", "per_page": 7}
    on_screen = all_pages(client, reverse(FINDINGS), params, accessor="message")
    export = Export(client.get(reverse(FINDINGS), {**params, "export": "xlsx"}))
    assert export.column("问题") == on_screen and len(on_screen) > 7
    assert set(export.column("严重程度")) == {"警告"}


@pytest.mark.parametrize("name", [INDICATORS, FINDINGS])
def test_each_list_makes_the_same_number_of_queries_for_few_and_many_rows(
    client, reference_data, django_assert_max_num_queries, name
):
    counts = []
    for size in (4, 60):
        region, _ = factories.overview_region(size, departments=3)
        client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
        for params in ({}, {"export": "xlsx"}):
            with django_assert_max_num_queries(16):
                count, _ = queries_of(client, reverse(name), params)
            counts.append(count)
    # The findings page walks the tables of each rule it shows once: a page of few findings spans more
    # rules than a page of many, so it may make more queries than the larger region's, never fewer.
    assert counts[2] <= counts[0] and counts[3] == counts[1]
