"""Memory across years: last year's self-evaluated results beside this year's targets, and the checks
that compare the two (issue 19 point 3)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.evaluation.services import round_open
from projects.findings import project_recheck
from projects.memory import last_year_of, last_years
from projects.models import Department, ProjectTable, SelfEvaluation, TableStatus
from tests import factories
from tests.evaluation.helpers import MET, evaluation_world, fill

# Last year fell short on the first two rows (3 of ≥ 4 期, 150 of ≥ 200 人次); the rest was met.
SHORT = ("3 期", "150 人次", *MET[2:])


def evaluated(actuals, status=TableStatus.APPROVED):
    """Last year's (2024) approved table with its self-evaluation filled and in ``status``."""
    table, evaluation_round, people = evaluation_world()
    evaluation = fill(SelfEvaluation.objects.get(round=evaluation_round, project=table), actuals)
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(status=status)  # as the finance bureau 抽查 it
    return table, people


@pytest.fixture
def copied(seeded):
    last, people = evaluated(SHORT)
    copy = services.project_copy_to_year(project=last, year=last.year + 1, by=people["staff"])
    return last, copy, people


def test_a_copied_table_finds_last_years_actual_value_and_score_for_each_row(copied):
    last, copy, _ = copied
    memory = last_year_of(copy)
    assert memory.table == last and memory.approved and memory.data.year == 2024
    rows = list(copy.indicators.select_related("level2").order_by("order"))
    first, second, third = (memory.for_indicator(row) for row in rows[:3])
    assert (first.target_text, first.actual_text, first.missed) == ("≥ 4 期", "3 期", True)
    assert first.score < first.weight
    assert (second.actual_text, second.missed) == ("150 人次", True)
    assert (third.actual_text, third.missed) == ("96%", False)
    assert memory.rate == Decimal("95.00") and memory.grade in {"优", "良", "中", "差"}


def test_a_self_evaluation_still_in_draft_is_not_a_result(seeded):
    last, people = evaluated(SHORT, status=TableStatus.DRAFT)
    copy = services.project_copy_to_year(project=last, year=last.year + 1, by=people["staff"])
    assert last_year_of(copy) is None


def test_a_table_typed_anew_with_the_same_name_finds_last_year_by_name(seeded):
    last, people = evaluated(SHORT)
    fresh = factories.stored_table(last.unit, year=last.year + 1)
    memory = last_year_of(fresh)
    assert memory is not None and memory.table == last
    row = fresh.indicators.select_related("level2").order_by("order").first()
    assert memory.for_indicator(row).actual_text == "3 期"


def test_the_stored_checks_of_a_copy_name_the_targets_copied_after_a_miss(copied):
    _, copy, _ = copied
    result = project_recheck(project=copy)
    copied_after_miss = [f for f in result.findings if f.rule == "target_copied_after_miss"]
    assert [f.row for f in copied_after_miss] == [1, 2]
    assert "实际只完成“3 期”" in copied_after_miss[0].message


def test_raising_the_target_above_last_years_actual_quiets_both_checks(copied):
    _, copy, _ = copied
    copy.indicators.filter(name="举办业务培训期数").update(value_text="≥ 5 期", value_number=5)
    findings = {f.rule for f in project_recheck(project=copy).findings if f.row == 1}
    assert not findings & {"target_copied_after_miss", "target_below_last_actual"}


def test_a_target_set_below_last_years_actual_is_stored_as_a_warning(seeded):
    last, people = evaluated(("6 期", *MET[1:]))
    copy = services.project_copy_to_year(project=last, year=last.year + 1, by=people["staff"])
    below = [f for f in project_recheck(project=copy).findings if f.rule == "target_below_last_actual"]
    finding = below[0]  # 210 人次, 96% … beat their targets too: each of those rows is named as well
    assert [f.row for f in below][:2] == [1, 2] and "低于2024年的实际完成值“6 期”" in finding.message


def test_the_editor_and_the_review_page_show_last_years_actual_beside_the_rows(client, copied):
    _, copy, people = copied
    client.force_login(people["staff"])
    page = client.get(reverse("projects:project_edit", args=[copy.pk])).content.decode()
    assert "2024年绩效自评" in page and "预算执行率 95.00%" in page
    assert "2024年实际：3 期" in page and "2024年实际：150 人次" in page and "未完成" in page
    ProjectTable.objects.filter(pk=copy.pk).update(status=TableStatus.FINANCE_REVIEW)
    client.force_login(people["finance"])
    review = client.get(reverse("projects:project_review", args=[copy.pk])).content.decode()
    assert "2024年实际：3 期" in review and "2024年绩效自评" in review


def test_last_years_of_many_tables_costs_a_fixed_number_of_queries(copied, django_assert_max_num_queries):
    _, copy, _ = copied
    unsaved = ProjectTable(unit_id=copy.unit_id, year=2030, name="无此项目")
    with django_assert_max_num_queries(6):  # self-evaluations, items, monitoring reports, lines, rows, links
        found = last_years([copy, unsaved])
    assert found[copy.pk] is not None and found[None] is None


def test_the_queue_shows_last_years_grade_and_execution_rate_beside_the_table(client, copied):
    _, copy, people = copied
    ProjectTable.objects.filter(pk=copy.pk).update(status=TableStatus.FINANCE_REVIEW)
    memory = last_year_of(copy)
    client.force_login(people["finance"])
    page = client.get(reverse("projects:review_queue")).content.decode()
    assert "上年自评" in page and "上年执行率" in page
    assert f'grade-{memory.grade}">{memory.grade}</span> {memory.total}' in page and "95.00%" in page


def test_the_copy_list_shows_each_of_last_years_tables_with_its_self_evaluation_and_opens_the_copy(client, seeded):
    last, people = evaluated(SHORT)
    client.force_login(people["staff"])
    url = reverse("projects:project_copy_list")
    page = client.get(url, {"year": last.year + 1}).content.decode()
    assert "执行率 95.00%" in page and "grade-" in page
    copy = services.project_copy_to_year(project=last, year=last.year + 1, by=people["staff"])
    page = client.get(url, {"year": last.year + 1}).content.decode()
    assert reverse("projects:project_edit", args=[copy.pk]) in page
    ProjectTable.objects.filter(pk=copy.pk).update(status=TableStatus.FINANCE_REVIEW)
    page = client.get(url, {"year": last.year + 1}).content.decode()
    assert reverse("projects:project_detail", args=[copy.pk]) in page and "查看 2025 年的表" in page


def monitored(expected_first):
    """Last year's (2024) approved table with a submitted July monitoring report and no self-evaluation:
    the first row expected to reach ``expected_first``, the others their targets; 8 of 20 万元 spent."""
    from projects.monitoring.services import round_open as monitoring_round_open
    from projects.models import MonitoringReport
    from tests.evaluation.helpers import approved_table

    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department)
    table = approved_table(unit)
    staff = factories.user("unit_staff", unit=unit)
    finance = factories.user("finance_officer", region=department.region)
    monitoring_round_open(
        region=department.region, year=2024, name="2024年7月监控", cutoff_month=7, due_date=datetime.date(2024, 8, 15), by=finance
    )
    report = MonitoringReport.objects.get(table=table)
    MonitoringReport.objects.filter(pk=report.pk).update(
        spent_total=Decimal("8"), budget_total=Decimal("20"), status=TableStatus.FINANCE_REVIEW
    )
    for number, line in enumerate(report.lines.select_related("indicator").order_by("indicator__order"), 1):
        line.expected_text = expected_first if number == 1 else line.indicator.value_text.replace("≥", "").replace("≤", "").strip()
        line.save()
    return table, staff


def test_without_a_self_evaluation_last_years_monitoring_projection_stands_in_and_is_shown_as_such(client, seeded):
    last, staff = monitored("3 期")
    copy = services.project_copy_to_year(project=last, year=2025, by=staff)
    memory = last_year_of(copy)
    assert not memory.from_evaluation and memory.table == last and memory.rate == Decimal("40.00")
    first = memory.for_indicator(copy.indicators.select_related("level2").order_by("order").first())
    assert (first.actual_text, first.missed, first.score) == ("3 期", True, None)
    client.force_login(staff)
    page = client.get(reverse("projects:project_edit", args=[copy.pk])).content.decode()
    assert "2024年绩效运行监控" in page and "1–7月执行率 40.00%" in page and "2024年预计：3 期" in page
    assert "2024年实际" not in page


def test_a_monitoring_projection_is_not_a_result_the_checks_judge_by(seeded):
    last, staff = monitored("3 期")
    copy = services.project_copy_to_year(project=last, year=2025, by=staff)
    rules = {finding.rule for finding in project_recheck(project=copy).findings}
    assert not rules & {"target_copied_after_miss", "target_below_last_actual", "weak_indicator_dropped"}
