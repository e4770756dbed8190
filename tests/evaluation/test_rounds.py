"""Opening a round, the prefilled self-evaluations, their checks and their way through the gate."""

import datetime
from decimal import Decimal as D

import pytest

from projects.evaluation.checks import evaluation_findings
from projects.evaluation.services import RoundError, evaluation_rescore, round_open
from projects.evaluation.sheet import sheet_of
from projects.models import MonitoringLine, MonitoringReport, MonitoringRound, ProjectTable, ReviewAction, SelfEvaluation, TableStatus
from projects.workflow import WorkflowError, gate
from tests import factories
from tests.evaluation.helpers import approved_table, evaluation_world, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(seeded):
    return evaluation_world()


def rules(evaluation):
    return {finding.rule for finding in evaluation_findings(SelfEvaluation.objects.get(pk=evaluation.pk)).findings}


def test_a_round_gives_each_approved_table_in_force_one_prefilled_self_evaluation(world):
    table, evaluation_round, _people = world
    draft = factories.stored_table(table.unit, name="未批复的项目")
    evaluation = SelfEvaluation.objects.get(round=evaluation_round)
    assert not SelfEvaluation.objects.filter(project=draft).exists()
    assert evaluation.project == table
    assert (evaluation.total_initial, evaluation.total_full, evaluation.fiscal_full) == (D("20"), D("20"), D("20"))
    assert "举办业务培训 4 期" in evaluation.goal_expected
    items = list(evaluation.items.order_by("order"))
    assert [item.target_text for item in items][:2] == ["≥ 4 期", "≥ 200 人次"]
    # 产出 50 over its 5 rows, 效益 30 over 2, 满意度 10 over 1: the indicators add up to 90.
    assert [item.weight for item in items] == [D(10)] * 5 + [D(15)] * 2 + [D(10)]


def test_a_region_has_one_round_a_year_and_weights_must_add_up(world):
    table, evaluation_round, people = world
    with pytest.raises(RoundError, match="已经开启"):
        round_open(region=table.region, year=table.year, due_date=datetime.date(2025, 3, 31), by=people["finance"])
    with pytest.raises(RoundError, match="合计应为 100 分，现为 95 分"):
        round_open(
            region=table.region,
            year=2030,
            due_date=datetime.date(2031, 3, 31),
            by=people["finance"],
            weights={"预算执行": D(10), "产出指标": D(50), "效益指标": D(30), "满意度指标": D(5)},
        )


def test_an_adjustment_under_way_leaves_the_approved_version_to_be_evaluated(seeded):
    unit = factories.unit()
    approved = approved_table(unit)
    ProjectTable.objects.create(
        region=unit.region, department=unit.department, unit=unit, year=approved.year, name=approved.name,
        framework=approved.framework, version=2, previous_version=approved,
    )
    finance = factories.user("finance_officer", region=unit.region)
    evaluation_round = round_open(region=unit.region, year=approved.year, due_date=datetime.date(2025, 3, 31), by=finance)
    assert list(evaluation_round.evaluations.values_list("project", flat=True)) == [approved.pk]


def test_a_filled_self_evaluation_scores_execution_and_indicators_to_a_grade(world):
    _table, evaluation_round, _people = world
    evaluation = fill(evaluation_round.evaluations.get())
    sheet = sheet_of(evaluation)
    assert sheet.rate == D("95.00")
    assert sheet.execution.points == D("9.50")
    assert sheet.total == D("99.50")
    assert sheet.grade == "优"


def test_checks_find_the_usual_inflation(world):
    _table, evaluation_round, _people = world
    evaluation = fill(evaluation_round.evaluations.get(), executed=D("25"))
    items = list(evaluation.items.order_by("order"))
    items[1].actual_text = "达成预期指标"
    items[2].actual_text = "96 人"
    items[0].actual_text, items[0].unit_score = "3 期", D(10)  # missed, yet full marks, without a reason
    for item in items[:3]:
        item.save()
    evaluation.fiscal_executed = D("20")
    evaluation.save()
    found = rules(evaluation)
    assert {"actual_is_phrase", "unit_mismatch", "override_without_reason", "full_marks_missed"} <= found
    assert "funds_sum" in found  # 25 ≠ 20 + nothing
    assert "cost_full_beside_overspend" in found  # ≤ 20 万元 at full marks beside 25 万元 spent
    assert "execution_over_budget" in found


def test_every_indicator_at_full_marks_is_doubted(world):
    _table, evaluation_round, _people = world
    evaluation = fill(evaluation_round.evaluations.get())
    assert "all_full_marks" in rules(evaluation)


def test_points_lost_need_a_reason_and_low_execution_needs_one(world):
    _table, evaluation_round, _people = world
    evaluation = fill(evaluation_round.evaluations.get(), executed=D("12"))
    item = evaluation.items.order_by("order").first()
    item.actual_text = "3 期"
    item.save()
    found = evaluation_findings(evaluation).findings
    messages = {finding.rule: finding for finding in found}
    assert messages["deviation_missing"].row == 1
    assert "失分 2.50 分" in messages["deviation_missing"].message
    assert "执行率 60.00% 低于 90%" in messages["execution_reason_missing"].message


def test_the_loop_submit_return_fix_and_approve_with_a_changed_score_keeps_both(world):
    _table, evaluation_round, people = world
    evaluation = evaluation_round.evaluations.get()
    with pytest.raises(WorkflowError) as refused:
        gate.submit(evaluation, by=people["staff"])
    assert any("实际完成值未填写" in problem for problem in refused.value.problems)
    fill(evaluation)
    gate.submit(evaluation, by=people["staff"])
    assert evaluation.status == TableStatus.DEPARTMENT_REVIEW
    with pytest.raises(WorkflowError, match="只有主管部门审核人"):
        gate.review(ReviewAction.PASS, evaluation, by=people["finance"])
    gate.review(ReviewAction.RETURN, evaluation, by=people["reviewer"], reason="other", comment="满意度请附调查问卷")
    assert evaluation.status == TableStatus.RETURNED
    gate.submit(evaluation, by=people["staff"])
    item = evaluation.items.order_by("order").first()
    with pytest.raises(WorkflowError, match="当前为“待主管部门审核”，不能改分"):
        evaluation_rescore(evaluation=evaluation, item=item, score=D(8), reason="签到表只有 3 期", by=people["finance"])
    gate.review(ReviewAction.PASS, evaluation, by=people["reviewer"])
    with pytest.raises(WorkflowError, match="只有财政审核人可以改分"):
        evaluation_rescore(evaluation=evaluation, item=item, score=D(8), reason="签到表只有 3 期", by=people["reviewer"])
    with pytest.raises(WorkflowError, match="改分必须说明理由"):
        evaluation_rescore(evaluation=evaluation, item=item, score=D(8), reason=" ", by=people["finance"])
    evaluation_rescore(evaluation=evaluation, item=item, score=D(8), reason="签到表只有 3 期", by=people["finance"])
    gate.review(ReviewAction.APPROVE, evaluation, by=people["finance"])
    stored = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert stored.status == TableStatus.APPROVED
    actions = [record.action for record in evaluation.reviews.order_by("at", "id")]
    assert actions == ["submit", "return", "submit", "pass", "rescore", "approve"]
    rescore = evaluation.reviews.get(action="rescore")
    assert rescore.from_status == rescore.to_status == TableStatus.FINANCE_REVIEW
    assert rescore.comment == "第 1 行“举办业务培训期数”：自评 10.00 分 → 复核 8.00 分\n理由：签到表只有 3 期"
    row = sheet_of(stored).items[0]
    assert (row.self_score, row.final) == (D("10.00"), D("8.00"))  # both kept
    assert evaluation.reviews.first().snapshot["grade"] == "优"


def test_sichuans_variant_keeps_the_tables_own_weights_when_they_add_up(seeded):
    # 四川: 预算执行 10 + 绩效指标 90, each indicator with its weight on the approved table.
    unit = factories.unit()
    table = approved_table(unit)
    weights = [D(20), D(15), D(10), D(5), D(10), D(10), D(10), D(10)]
    for row, weight in zip(table.indicators.order_by("order"), weights):
        row.weight = weight
        row.save()
    finance = factories.user("finance_officer", region=unit.region)
    evaluation_round = round_open(region=unit.region, year=table.year, due_date=datetime.date(2025, 3, 31), by=finance)
    assert [item.weight for item in evaluation_round.evaluations.get().items.order_by("order")] == weights


def test_a_self_evaluation_starts_from_the_tables_last_submitted_monitoring_report(seeded):
    department = factories.department()
    unit = factories.unit(department)
    table = approved_table(unit)
    finance = factories.user("finance_officer", region=department.region)
    rows = list(table.indicators.order_by("order"))

    def report(name, month, status, **fields):
        monitoring_round = MonitoringRound.objects.create(
            region=department.region, year=table.year, name=name, cutoff_month=month, due_date=datetime.date(table.year, month, 28), created_by=finance
        )
        return MonitoringReport.objects.create(monitoring_round=monitoring_round, table=table, status=status, **fields)

    july = report("1–7月监控", 7, TableStatus.APPROVED, budget_total=D("22"), budget_fiscal=D("20"), budget_other=D("2"), goal_progress="已培训 2 期")
    MonitoringLine.objects.create(report=july, indicator=rows[0], progress_text="2 期", expected_text="4 期")
    MonitoringLine.objects.create(
        report=july, indicator=rows[1], progress_text="80 人次", expected_text="180 人次", reasons=["staff"],
        explanation="基层干部抽调防汛", measures="四季度加开一期",
    )
    MonitoringLine.objects.create(report=july, indicator=rows[2], progress_text="", expected_text="")
    report("1–10月监控", 10, TableStatus.DRAFT, goal_progress="草稿不算")  # not submitted: not read

    evaluation_round = round_open(region=department.region, year=table.year, due_date=datetime.date(2025, 3, 31), by=finance)
    evaluation = evaluation_round.evaluations.get()
    assert (evaluation.total_full, evaluation.fiscal_full, evaluation.other_full) == (D("22"), D("20"), D("2"))
    assert evaluation.total_initial == D("20")  # 年初预算数 stays the approved table's
    assert evaluation.total_executed is None  # spent by July is not the year's execution
    assert evaluation.goal_actual == "已培训 2 期（据1–7月监控）"
    items = list(evaluation.items.order_by("order"))
    assert [item.actual_text for item in items[:3]] == ["4 期", "180 人次", ""]
    assert items[1].deviation == "原因：人员保障，基层干部抽调防汛；纠偏措施：四季度加开一期（据1–7月监控）"
    assert items[0].deviation == ""
    assert sheet_of(evaluation).items[1].computed.points == D("9.00")  # scored from the carried value


def test_without_a_monitoring_report_the_self_evaluation_starts_from_the_approved_table(world):
    _table, evaluation_round, _people = world
    evaluation = evaluation_round.evaluations.get()
    assert (evaluation.total_full, evaluation.goal_actual) == (D("20"), "")
    assert not evaluation.items.exclude(actual_text="").exists()
