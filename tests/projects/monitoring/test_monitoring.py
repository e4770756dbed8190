"""In-year monitoring: opening a round, the plan at the cut-off, every 双监控 warning (fires / stays
quiet), the report's loop through the one gate, and its pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.values import parse_value
from perfgoals.roles import Role
from projects import workflow
from projects.models import (
    Light,
    Likelihood,
    MonitoringReport,
    ProjectTable,
    ReviewRecord,
    SpendingCheckpoint,
    TableStatus,
)
from projects.monitoring import services
from projects.monitoring.checks import misses, report_findings, report_recheck
from tests import factories

pytestmark = pytest.mark.django_db


def approved(unit, **fields):
    table = factories.stored_table(unit, **fields)
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    table.refresh_from_db()
    return table


@pytest.fixture
def world(reference_data):
    region = factories.region()
    department = factories.department(region)
    unit = factories.unit(department)
    finance = factories.user(Role.FINANCE_OFFICER, region=region)
    return {
        "region": region,
        "department": department,
        "unit": unit,
        "finance": finance,
        "staff": factories.user(Role.UNIT_STAFF, unit=unit),
        "reviewer": factories.user(Role.DEPARTMENT_REVIEWER, department=department),
    }


def open_round(world, **options):
    return services.round_open(
        region=world["region"], year=2024, name="2024年7月监控", cutoff_month=7,
        due_date=datetime.date(2024, 8, 15), by=world["finance"], **options,
    )


def filled(report, *, spent="8", likelihood=Likelihood.CERTAIN, expected=None, **line_fields):
    """Fill ``report`` so it has no 错误: spent as given, each line on track unless told otherwise."""
    MonitoringReport.objects.filter(pk=report.pk).update(spent_total=Decimal(spent) if spent is not None else None)
    report.refresh_from_db()
    for line in report.lines.select_related("indicator"):
        line.progress_text = line.indicator.value_text.replace("≥", "").replace("≤", "").strip()
        line.expected_text = expected if expected is not None else line.progress_text
        line.likelihood = likelihood
        for name, value in line_fields.items():
            setattr(line, name, value)
        line.save()
    return report


def rules(report):
    return {finding.rule for finding in report_findings(report).findings}


def test_a_round_covers_every_approved_table_in_force_and_makes_a_line_per_indicator(world):
    table = approved(world["unit"])
    factories.stored_table(world["unit"], name="草稿项目")  # a draft is not monitored
    other_region = approved(factories.unit(factories.department(factories.region())), name="外区划项目")
    monitoring_round = open_round(world)
    reports = list(monitoring_round.reports.all())
    assert [report.table_id for report in reports] == [table.pk]
    assert reports[0].lines.count() == table.indicators.count() == 8
    assert reports[0].budget_total == table.funds_total
    assert reports[0].status == TableStatus.DRAFT
    assert other_region.monitoring_reports.count() == 0


def test_a_round_can_cover_only_tables_of_at_least_an_amount(world):
    approved(world["unit"], name="小项目", funds=Decimal("5"))
    big = approved(world["unit"], name="大项目", funds=Decimal("500"))
    monitoring_round = open_round(world, min_amount=Decimal("100"))
    assert list(monitoring_round.reports.values_list("table_id", flat=True)) == [big.pk]


def test_opening_a_round_writes_in_a_few_queries_whatever_the_number_of_tables(world, django_assert_max_num_queries):
    for number in range(30):
        approved(world["unit"], name=f"项目{number}")
    with django_assert_max_num_queries(12):
        monitoring_round = open_round(world)
    assert monitoring_round.reports.count() == 30


def test_the_plan_at_the_cutoff_is_the_latest_checkpoint_before_it_or_a_straight_line(world):
    table = approved(world["unit"])
    plan = list(table.spending_plan.all())
    assert services.plan_at(plan, 7).percent == Decimal("50")
    assert services.plan_at(plan, 2).percent == Decimal("0")
    assert services.plan_at([], 6).percent == Decimal("50.00")
    assert "均衡" in services.plan_at([], 6).source


def test_misses_respects_the_operator_of_the_target():
    assert misses(parse_value("180 人次"), parse_value("≥ 200 人次")) is True
    assert misses(parse_value("200 人次"), parse_value("≥ 200 人次")) is False
    assert misses(parse_value("25 万元"), parse_value("≤ 20 万元")) is True
    assert misses(parse_value("18 万元"), parse_value("≤ 20 万元")) is False
    assert misses(parse_value("3 期"), parse_value("4 期")) is True
    assert misses(parse_value("4 次"), parse_value("≥ 4 期")) is None  # another unit: not compared
    assert misses(parse_value("按时完成"), parse_value("2024 年 11 月底前")) is None


def test_a_filled_report_on_track_is_green_and_has_no_warning(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get())
    assert rules(report) == set()
    report_recheck(report)
    assert MonitoringReport.objects.get(pk=report.pk).light == Light.GREEN


def test_missing_execution_progress_and_likelihood_are_errors_that_block_submission(world):
    approved(world["unit"])
    report = open_round(world).reports.get()
    found = rules(report)
    assert {"execution_missing", "progress_missing", "expected_missing", "likelihood_missing"} <= found
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.document_action("submit", report, by=world["staff"])
    assert any("执行数未填写" in problem for problem in refused.value.problems)


def test_execution_behind_the_plan_by_more_than_the_margin_warns(world):
    approved(world["unit"], funds=Decimal("20"))
    report = filled(open_round(world).reports.get(), spent="7")  # 35% against a plan of 50% at July
    assert "execution_behind_plan" in rules(report)
    quiet = filled(report, spent="8.5")  # 42.5%: within the margin of 10 points
    assert "execution_behind_plan" not in rules(quiet)


def test_zero_execution_at_the_cutoff_is_red(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get(), spent="0")
    assert "zero_execution" in rules(report)
    report_recheck(report)
    assert report.light == Light.RED
    assert "执行数为 0" in report.light_reasons


def test_an_expected_value_that_misses_the_target_is_red_and_certain_is_questioned(world):
    approved(world["unit"], rows=(("产出指标", "数量指标", "培训基层干部人次", "≥ 200 人次"),))
    report = filled(open_round(world).reports.get(), expected="150 人次")
    assert {"expected_misses", "certain_but_misses"} <= rules(report)
    quiet = filled(report, expected="210 人次")
    assert not {"expected_misses", "certain_but_misses"} & rules(quiet)


def test_unlikely_without_reason_or_measures_is_an_error_and_impossible_is_red(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get(), likelihood=Likelihood.IMPOSSIBLE)
    assert "unlikely_unexplained" in rules(report)
    explained = filled(report, likelihood=Likelihood.IMPOSSIBLE, explanation="场地无法落实", measures="改为线上培训")
    found = rules(explained)
    assert "unlikely_unexplained" not in found and "judged_impossible" in found
    assert filled(report, likelihood=Likelihood.POSSIBLE, explanation="进度慢", measures="") and "unlikely_unexplained" in rules(report)


def test_a_deviation_reason_without_a_deviation_warns(world):
    approved(world["unit"], rows=(("产出指标", "数量指标", "培训基层干部人次", "≥ 200 人次"),))
    report = filled(open_round(world).reports.get(), reasons=["funding"])
    assert "reason_without_deviation" in rules(report)
    assert "reason_without_deviation" not in rules(filled(report, reasons=[]))


def test_indicator_progress_far_behind_time_warns(world):
    approved(world["unit"], rows=(("产出指标", "数量指标", "培训基层干部人次", "≥ 200 人次"),))
    report = filled(open_round(world).reports.get(), progress_text="20 人次", expected="200 人次")
    assert "progress_behind_time" in rules(report)
    assert "progress_behind_time" not in rules(filled(report, progress_text="120 人次", expected="200 人次"))


def test_the_report_goes_round_the_gate_with_a_row_comment_on_return(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get())
    workflow.document_action("submit", report, by=world["staff"])
    assert report.status == TableStatus.DEPARTMENT_REVIEW
    indicator = report.lines.first().indicator
    workflow.document_action(
        "return", report, by=world["reviewer"], reason="other",
        comments=[{"indicator": indicator, "reason": "other", "text": "执行情况与台账不符"}],
    )
    record = ReviewRecord.objects.get(monitoring_report=report, action="return")
    assert record.comments.get().indicator == indicator
    assert report.status == TableStatus.RETURNED
    workflow.document_action("submit", report, by=world["staff"])
    workflow.document_action("pass", report, by=world["reviewer"])
    workflow.document_action("approve", report, by=world["finance"])
    assert MonitoringReport.objects.get(pk=report.pk).status == TableStatus.APPROVED
    assert ReviewRecord.objects.filter(monitoring_report=report).count() == 5


def test_a_report_cannot_be_adjusted_or_commented_on_another_tables_rows(world):
    approved(world["unit"])
    other = approved(world["unit"], name="另一个项目")
    report = filled(open_round(world).reports.get(table__name="基层干部业务培训经费"))
    workflow.document_action("submit", report, by=world["staff"])
    with pytest.raises(workflow.WorkflowError):
        workflow.document_action(
            "return", report, by=world["reviewer"], reason="other",
            comments=[{"indicator": other.indicators.first(), "reason": "other", "text": "x"}],
        )
    assert "adjust" not in workflow.available_actions(world["staff"], report)


def test_latest_report_is_the_last_rounds_report_of_any_version(world):
    table = approved(world["unit"])
    assert services.latest_report(table) is None
    open_round(world)
    later = services.round_open(
        region=world["region"], year=2024, name="2024年9月监控", cutoff_month=9,
        due_date=datetime.date(2024, 10, 15), by=world["finance"],
    )
    assert services.latest_report(table).monitoring_round == later


def test_the_unit_saves_its_report_and_a_bad_amount_keeps_what_was_typed(world, client):
    approved(world["unit"])
    report = open_round(world).reports.get()
    client.force_login(world["staff"])
    url = reverse("projects:monitoring_report_edit", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    lines = list(report.lines.order_by("indicator__order"))
    data = {
        "report-spent_total": "八万", "report-goal_progress": "已举办培训 2 期",
        "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": len(lines),
        "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
    }
    for number, line in enumerate(lines):
        data[f"lines-{number}-id"] = line.pk
        data[f"lines-{number}-progress_text"] = f"进度{number}"
        data[f"lines-{number}-likelihood"] = "certain"
    response = client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "执行数：年度资金总额（万元）" in text and "应为数字" in text
    assert "八万" in text and "已举办培训 2 期" in text
    assert MonitoringReport.objects.get(pk=report.pk).goal_progress == ""
    data["report-spent_total"] = "8"
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.spent_total == Decimal("8") and report.light
    assert report.lines.get(pk=lines[0].pk).progress_text == "进度0"


def test_finance_opens_a_round_and_sees_red_tables_with_their_reasons(world, client, settings, tmp_path, django_capture_on_commit_callbacks):
    from projects.models import TaskProgress
    from projects.monitoring.tasks import round_fill_task

    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    approved(world["unit"])
    client.force_login(world["finance"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:monitoring_rounds"),
            {"year": 2024, "name": "7月监控", "cutoff_month": 7, "due_date": "2024-08-15", "margin": "10"},
        )
    assert response.status_code == 302
    # The reports are made by the background task, not in the request: the overview says so meanwhile.
    assert not MonitoringReport.objects.exists()
    progress = TaskProgress.objects.get(kind=TaskProgress.Kind.MONITORING_ROUND)
    assert progress.state == TaskProgress.State.QUEUED and progress.total == 1 and progress.task_id
    waiting = client.get(response.url).content.decode()
    assert "正在后台为这个批次生成监控表" in waiting
    round_fill_task.call(progress.pk)
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.DONE and progress.results[0]["count"] == 1
    assert "正在后台" not in client.get(response.url).content.decode()
    report = MonitoringReport.objects.get()
    report_recheck(filled(report, spent="0"))
    page = client.get(reverse("projects:monitoring_round", args=[report.monitoring_round_id]))
    text = page.content.decode()
    assert "基层干部业务培训经费" in text and "执行数为 0" in text


def test_a_unit_cannot_open_a_round_or_edit_another_units_report(world, client):
    approved(world["unit"])
    report = open_round(world).reports.get()
    stranger = factories.user(Role.UNIT_STAFF, unit=factories.unit(world["department"], name="别的单位"))
    client.force_login(stranger)
    assert client.get(reverse("projects:monitoring_rounds")).status_code == 403
    assert client.get(reverse("projects:monitoring_report_edit", args=[report.pk])).status_code == 404
    client.force_login(world["staff"])
    assert client.get(reverse("projects:monitoring_report", args=[report.pk])).status_code == 200


def test_the_report_exports_in_the_annex_layout_on_a4_landscape(world, client):
    import io

    from openpyxl import load_workbook

    approved(world["unit"])
    report = filled(open_round(world).reports.get(), likelihood=Likelihood.IMPOSSIBLE, explanation="场地无法落实", measures="改为线上")
    client.force_login(world["staff"])
    response = client.get(reverse("projects:monitoring_report_export_xlsx", args=[report.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "项目支出绩效目标执行监控表"
    assert values[5][0] == "年度资金总额" and values[5][2] == 20
    assert values[5][6] == 8 and values[5][8] == "40.00%"
    header = next(row for row in values if row[0] == "一级指标")
    assert header[4] == "1–7月执行情况" and header[9] == "纠偏措施"
    assert any(row[7] == "完全不可能" and row[9] == "改为线上" for row in values)
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4


def test_the_round_list_exports_exactly_the_filtered_rows(world, client):
    import io

    from openpyxl import load_workbook

    approved(world["unit"])
    approved(world["unit"], name="正常项目")
    monitoring_round = open_round(world)
    report_recheck(filled(monitoring_round.reports.get(table__name="基层干部业务培训经费"), spent="0"))
    report_recheck(filled(monitoring_round.reports.get(table__name="正常项目")))
    client.force_login(world["finance"])
    response = client.get(reverse("projects:monitoring_round", args=[monitoring_round.pk]), {"light": "red", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == ["基层干部业务培训经费"]
    assert "执行数为 0" in rows[0][5]


def test_every_warning_of_the_checks_has_a_test_that_makes_it_fire_and_one_that_keeps_it_quiet():
    """A guard for the next rule: each rule the monitoring checks can give is named in an assertion of
    this file that it fires (``in rules(...)`` / ``<= rules(...)``), and the on-track report proves them
    all quiet together (test_a_filled_report_on_track_is_green_and_has_no_warning)."""
    import inspect
    import re

    from projects.monitoring import checks

    given = set(re.findall(r'_finding\(\s*"([a-z_]+)"', inspect.getsource(checks)))
    assert len(given) == 12
    source = inspect.getsource(inspect.getmodule(test_every_warning_of_the_checks_has_a_test_that_makes_it_fire_and_one_that_keeps_it_quiet))
    fired = set(re.findall(r'"([a-z_]+)" in (?:rules|found)', source))
    for group in re.findall(r"\{([^{}]+)\} <= (?:rules|found)", source):
        fired |= set(re.findall(r'"([a-z_]+)"', group))
    assert given - fired == set(), f"rules without a test that makes them fire: {sorted(given - fired)}"
