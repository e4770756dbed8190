"""上年绩效不佳的项目: last year's 中/差 self-evaluations and missed indicators beside this year's money."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects import services
from projects.evaluation.services import round_open
from projects.models import Department, ProjectTable, Region, SelfEvaluation, TableStatus
from projects.weak_results import weak_results
from tests import factories
from tests.evaluation.helpers import MET, approved_table, fill

POOR = ("1 期", "50 人次", "60%", "", "30 万元", "40 分", "1 年", "50%")
SHORT = ("3 期", *MET[1:])


def evaluated_world(outcomes, *, year=2024):
    """One unit with an approved table per (name, actuals, executed) of ``year``, each self-evaluated
    and approved; returns the tables and the people."""
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department)
    tables = [approved_table(unit, name=name, year=year) for name, _, _ in outcomes]
    people = {
        "staff": factories.user("unit_staff", unit=unit),
        "reviewer": factories.user("department_reviewer", department=department),
        "finance": factories.user("finance_officer", region=department.region),
    }
    evaluation_round = round_open(region=department.region, year=year, due_date=datetime.date(year + 1, 3, 31), by=people["finance"])
    for table, (_, actuals, executed) in zip(tables, outcomes):
        evaluation = fill(SelfEvaluation.objects.get(round=evaluation_round, project=table), actuals, executed)
        SelfEvaluation.objects.filter(pk=evaluation.pk).update(status=TableStatus.APPROVED)
    return tables, people


@pytest.fixture
def world(seeded):
    tables, people = evaluated_world(
        [("档案数字化经费", POOR, Decimal("8")), ("业务培训经费", SHORT, Decimal("19")), ("办案保障经费", MET, Decimal("19"))]
    )
    poor, short, met = tables
    copy = services.project_copy_to_year(project=poor, year=2025, by=people["staff"])
    ProjectTable.objects.filter(pk=copy.pk).update(funds_total=Decimal("25"))  # asks for more than last year's 20
    services.project_copy_to_year(project=short, year=2025, by=people["staff"])
    services.project_copy_to_year(project=met, year=2025, by=people["staff"])
    return tables, people, copy


def test_a_poor_project_asking_for_more_money_heads_the_list_and_a_project_that_met_everything_is_left_out(world):
    (poor, short, met), people, copy = world
    results = weak_results(people["finance"], 2025)
    assert [r.last_table for r in results] == [poor, short]
    first = results[0]
    assert first.grade == "差" and first.this_year == copy and first.money_change == Decimal("5") and first.asks_same_or_more
    assert first.rate == Decimal("40.00") and len(first.missed) >= 5
    assert results[1].grade in {"优", "良"} and [row.item.name for row in results[1].missed] == ["举办业务培训期数"]


def test_the_filters_keep_only_poor_grades_and_only_same_or_more_money(world):
    (poor, short, _), people, _ = world
    assert [r.last_table for r in weak_results(people["finance"], 2025, only_poor=True)] == [poor]
    assert [r.last_table for r in weak_results(people["finance"], 2025, only_more_money=True)] == [poor, short]
    ProjectTable.objects.filter(year=2025, name="业务培训经费").update(funds_total=Decimal("15"))
    assert [r.last_table for r in weak_results(people["finance"], 2025, only_more_money=True)] == [poor]


def test_the_page_shows_the_grade_the_missed_indicators_and_the_money(client, world):
    _, people, _ = world
    client.force_login(people["reviewer"])
    page = client.get(reverse("projects:weak_result_list"), {"year": 2025})
    text = page.content.decode()
    assert page.status_code == 200 and "档案数字化经费" in text and "办案保障经费" not in text
    assert "举办业务培训期数：≥ 4 期 → 1 期" in text and "+5.00" in text and "40.00%" in text
    assert "其中上年自评为中、差而今年申请资金不少于上年的 <strong class=\"poor-more-money\">1</strong> 个" in text


def test_the_finance_overview_leads_to_the_page_for_its_year_and_a_units_overview_does_not(client, world):
    _, people, _ = world
    client.force_login(people["finance"])
    overview = client.get(reverse("projects:dashboard"), {"year": 2025}).content.decode()
    link = f'{reverse("projects:weak_result_list")}?year=2025'
    assert link in overview
    client.force_login(people["staff"])
    assert reverse("projects:weak_result_list") not in client.get(reverse("projects:dashboard")).content.decode()


def test_another_regions_finance_officer_sees_none_of_them_and_a_unit_may_not_open_the_page(client, world):
    _, people, _ = world
    outsider = factories.user("finance_officer", region=Region.objects.get(code="130682"))
    assert weak_results(outsider, 2025) == []
    client.force_login(people["staff"])
    assert client.get(reverse("projects:weak_result_list")).status_code == 403


def test_the_page_runs_the_same_number_of_queries_for_two_projects_or_six(client, seeded):
    def queries_for(count):
        outcomes = [(f"项目{count}-{n}", POOR, Decimal("8")) for n in range(count)]
        tables, people = evaluated_world(outcomes, year=2020 + count)
        for table in tables:
            services.project_copy_to_year(project=table, year=table.year + 1, by=people["staff"])
        client.force_login(people["finance"])
        url = reverse("projects:weak_result_list")
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url, {"year": 2021 + count})
        assert page.status_code == 200 and len(page.context["results"]) == count
        return len(captured)

    assert queries_for(2) == queries_for(6)


def test_the_export_holds_the_rows_the_page_shows_titled_by_its_filters(client, world):
    _, people, _ = world
    client.force_login(people["finance"])
    response = client.get(reverse("projects:weak_result_list"), {"year": 2025, "grade": "poor", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "上年绩效不佳的项目（筛选条件：预算年度：2025；只看自评为中、差）"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[2] for row in rows] == ["档案数字化经费"]
    assert rows[0][3] == "差" and rows[0][10] == 5 and "举办业务培训期数：≥ 4 期 → 1 期" in rows[0][6]


def test_a_project_name_typed_as_a_formula_is_exported_as_the_text_typed(client, world):
    (poor, _, _), people, _ = world
    ProjectTable.objects.filter(pk=poor.pk).update(name="=HYPERLINK(\"http://evil.example\",\"点我\")")
    client.force_login(people["finance"])
    response = client.get(reverse("projects:weak_result_list"), {"year": 2025, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(3, 3)
    assert cell.data_type != "f" and cell.value == "=HYPERLINK(\"http://evil.example\",\"点我\")"
