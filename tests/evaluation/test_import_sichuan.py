"""Import of a self-evaluation in the Sichuan layout, from a workbook drawn as such files come (merged
labels and scores, labels broken over lines or carrying their unit, a printed 合计 and 自评等级, with
and without a 合计 row among the funds): every amount, indicator and score read is asserted."""

from decimal import Decimal as D

import pytest

from projects.evaluation.checks import evaluation_findings
from projects.evaluation.importing import evaluation_import
from projects.evaluation.sheet import sheet_of
from projects.models import SelfEvaluation
from tests.evaluation.helpers import evaluation_world
from tests.evaluation.sichuan import COMPUTED, EXECUTION, RATE, sichuan_workbook

pytestmark = pytest.mark.django_db

CELL = "工作表“自评表”单元格"


@pytest.fixture
def evaluation(seeded):
    _table, evaluation_round, _people = evaluation_world()
    return evaluation_round.evaluations.get()


@pytest.mark.parametrize(
    "total_row, printed_execution, printed_total",
    [(False, 9, 96), (True, 9.5, 97)],
    ids=["sources-only", "with-a-total-row"],
)
def test_every_figure_of_a_sichuan_file_is_read(evaluation, total_row, printed_execution, printed_total):
    data, header = sichuan_workbook(
        evaluation.project.name, total_row=total_row, printed_execution=printed_execution, printed_total=printed_total
    )
    plan = evaluation_import(evaluation=evaluation, data=data)
    assert (plan.layout.key, plan.sheet_title) == ("sichuan", "自评表")
    again = SelfEvaluation.objects.get(pk=evaluation.pk)

    # Funds: 财政资金 is fiscal; 财政专户管理资金 + 单位资金 + 其他资金 are 其他; the total is the 合计 row
    # where there is one, else the sum of the sources; nothing is carried over.
    amounts = {
        name: getattr(again, name)
        for name in [f"{row}_{column}" for row in ("total", "fiscal", "carryover", "other") for column in ("initial", "full", "executed")]
    }
    assert amounts == {
        "total_initial": D("20"), "total_full": D("20"), "total_executed": D("18.5"),
        "fiscal_initial": D("18"), "fiscal_full": D("18"), "fiscal_executed": D("17"),
        "carryover_initial": None, "carryover_full": None, "carryover_executed": None,
        "other_initial": D("2"), "other_full": D("2"), "other_executed": D("1.5"),
    }  # fmt: skip

    # The texts under and beside their merged labels.
    assert again.goal_actual == "全年培训 4 期 190 人次"
    assert (again.conclusion, again.problems, again.measures) == ("项目完成较好", "一期培训延后", "提前排期")
    assert (again.project_leader, again.finance_leader) == ("王五", "赵六")

    # The printed figures and where they were read: the score merged down the fund rows (its first
    # cell), the rate only from the 合计 row (财政资金's own 94.44% is not the project's rate).
    assert again.printed_execution == D(str(printed_execution))
    assert again.printed_rate == (RATE if total_row else None)
    assert (again.printed_total, again.printed_grade) == (D(printed_total), "优")
    assert again.printed_cells == {
        "execution": f"{CELL} H6",
        **({"rate": f"{CELL} F6"} if total_row else {}),
        "total": f"{CELL} I{header + 9}",
        "grade": f"{CELL} C{header + 10}",
    }

    # Every indicator: 完成值 with its 度量单位 (a number typed as text, a percentage of a fraction),
    # the band a qualitative score falls in, the printed score kept where it is not the computed one,
    # with the reason the row gives, and the deviation text.
    items = list(again.items.order_by("order").values_list("actual_text", "band", "unit_score", "unit_reason", "deviation"))
    reason = "考核题目较往年偏难，按难度折算已达目标"
    assert items == [
        ("4期", "", None, "", ""),
        ("190人次", "", D("10"), "", ""),
        ("96%", "", None, "", ""),
        ("11 月 20 日完成", "partly", D("7"), "", "一期延后；明年提前排期"),
        ("18.5万元", "", None, "", ""),
        ("80分", "", D("15"), reason, reason),
        ("3年", "", None, "", ""),
        ("93%", "", None, "", ""),
    ]
    assert [(row.score, row.weight) for row in plan.rows] == [
        (D(10), D(10)), (D(10), D(10)), (D(10), D(10)), (D(7), D(10)), (D(10), D(10)), (D(15), D(15)), (D(15), D(15)), (D(10), D(10))
    ]  # fmt: skip
    assert [row.cell for row in plan.rows] == [f"{CELL} I{header + offset}" for offset in range(1, 9)]

    sheet = sheet_of(again)
    assert (sheet.rate, sheet.execution.points) == (RATE, EXECUTION)
    assert tuple(row.computed.points for row in sheet.items) == COMPUTED
    assert [row.self_score for row in sheet.items] == [D(10), D(10), D(10), D(7), D(10), D(15), D(15), D(10)]
    assert sheet.self_total == D("96.25")

    assert plan.differences == [
        f"预算执行率得分：表上 {printed_execution} 分，按执行率计算为 9.25 分。",
        f"{CELL} I{header + 2}：第 2 行“培训基层干部人次”表上得分 10 分，按完成值计算为 9.50 分（作为单位改分保存，须填写改分理由）。",
        f"{CELL} I{header + 6}：第 6 行“参训人员业务考核平均分”表上得分 15 分，按完成值计算为 14.12 分（作为单位改分保存，理由取自单元格 J{header + 6}）。",
        f"总分：表上 {printed_total} 分，各项得分之和为 96.25 分。",
    ]
    assert plan.needs_reason == [
        f"第 2 行“培训基层干部人次”（{CELL} I{header + 2}）：表上 10 分，按完成值计算为 9.50 分，文件中没有说明理由：导入后须在填写页写明改分理由，否则不能提交。"
    ]

    findings = {finding.rule: finding.message for finding in evaluation_findings(again).findings}
    assert findings["override_without_reason"] == "第 2 行“培训基层干部人次”：自评得分 10.00 分与按完成值计算的 9.50 分不同，未说明理由。"
    if total_row:
        # 9.5 printed beside 92.5%: 9.25, or 9.3 as printed to one decimal, not 9.5; and 97 is not 9.5 + 87.
        assert findings["printed_execution_not_rate"] == (
            f"{CELL} H6：预算执行率得分 9.5 分与旁边的执行率 92.5%（单元格 F6）不符，92.5% × 10 分 = 9.25 分。"
        )
        assert findings["printed_total_not_sum"] == (
            f"{CELL} I{header + 9}：填报的总分 97 分不等于表上的预算执行率得分与各指标得分之和（为 96.50 分）。"
        )
    else:
        # 9 is 92.5% of 10 points as printed without decimals, and 96 is 9 + 87: the file adds up.
        assert "printed_execution_not_rate" not in findings
        assert "printed_total_not_sum" not in findings
