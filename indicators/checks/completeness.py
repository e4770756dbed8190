"""完整性: the table has what a target table must have — goals, the framework's mandatory 二级,
outputs, benefits, satisfaction, funds that add up and a spending plan that reaches 100%."""

from decimal import Decimal

from indicators.checks.data import LEVEL1_BENEFIT, LEVEL1_OUTPUT, LEVEL1_SATISFACTION
from indicators.checks.registry import Problem, rule
from indicators.checks.wording import amount_text, normalized, quoted
from indicators.models import Criterion, Opinion, Severity


@rule(
    "goals_missing",
    title="缺少年度绩效目标",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.INCOMPLETE,
)
def goals_missing(data, context):
    if not any(goal.strip() for goal in data.goals):
        yield Problem(
            "未填写年度总体目标。",
            "用一两句话写明本年度用这笔资金要完成什么、达到什么效果，例如“完成××项工作，覆盖××人，使××提高到××%”。",
        )


# Goals built only from the project's own name and these filler characters say nothing the name does not.
_GOAL_FILLER = set("经费资金保障工作专项项目等各类年度及和的") | set("0123456789０１２３４５６７８９")


@rule(
    "goals_repeat_name",
    title="绩效目标只是重复项目名称",
    severity=Severity.WARNING,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.OTHER,
)
def goals_repeat_name(data, context):
    name_chars = set(normalized(data.name))
    if not name_chars:
        return
    hollow = [goal for goal in data.goals if goal.strip() and set(normalized(goal)) <= name_chars | _GOAL_FILLER]
    if hollow and len(hollow) == len([goal for goal in data.goals if goal.strip()]):
        shown = "、".join(quoted(goal) for goal in hollow[:3])
        yield Problem(
            f"年度总体目标{shown}只是重复项目名称“{data.name}”，没有说明要完成的工作和达到的效果。",
            "写明本年度的产出（做什么、做多少、何时完成）和效果（对谁、带来什么变化），与下面的三级指标对应。",
        )


@rule(
    "level2_missing",
    title="缺少必填二级指标",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.INCOMPLETE,
)
def level2_missing(data, context):
    """Every mandatory 二级 of the framework except 满意度, which satisfaction_missing judges because a
    table may state that it has no direct beneficiaries."""
    present = {(row.level1, row.level2) for row in data.indicators}
    for spec in data.framework.level2s:
        if not spec.is_mandatory or spec.level1 == LEVEL1_SATISFACTION or (spec.level1, spec.name) in present:
            continue
        kind = "必填硬性指标" if spec.is_hard else "必填指标"
        yield Problem(
            f"{spec.level1}下缺少{spec.name}（{kind}）。",
            f"在{spec.level1}/{spec.name}下至少填写一条与本项目直接相关、可以衡量的三级指标。",
        )


@rule(
    "output_missing",
    title="缺少产出指标",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.ADD_OUTPUT,
)
def output_missing(data, context):
    if not any(row.level1 == LEVEL1_OUTPUT for row in data.indicators):
        yield Problem(
            "表中没有产出指标。",
            "增加产出指标，写明本项目完成的工作量（数量）、达到的标准（质量）和完成时间（时效）。",
        )


@rule(
    "benefit_missing",
    title="缺少效益指标",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.ADD_BENEFIT,
)
def benefit_missing(data, context):
    if not any(row.level1 == LEVEL1_BENEFIT for row in data.indicators):
        yield Problem(
            "表中没有效益指标。",
            "增加效益指标，写明项目实施后对经济、社会、生态或长远发展带来的可衡量变化。",
        )


@rule(
    "satisfaction_missing",
    title="缺少满意度指标",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.ADD_SATISFACTION,
)
def satisfaction_missing(data, context):
    if data.no_direct_beneficiaries:
        return
    if not any(row.level1 == LEVEL1_SATISFACTION for row in data.indicators):
        yield Problem(
            "表中没有满意度指标，也没有注明本项目无直接服务对象。",
            "增加服务对象满意度指标（例如“服务对象满意度 ≥90%”）；确无直接服务对象的，勾选“无直接服务对象”。",
        )


@rule(
    "funds_missing",
    title="未填写年度资金总额",
    severity=Severity.ERROR,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.OTHER,
)
def funds_missing(data, context):
    if data.funds_total is None:
        yield Problem("未填写年度资金总额。", "按预算填写年度资金总额及其中财政拨款、其他资金（万元）。")


@rule(
    "funds_mismatch",
    title="资金总额与来源合计不符",
    severity=Severity.ERROR,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.OTHER,
)
def funds_mismatch(data, context):
    if data.funds_total is None or (data.funds_fiscal is None and data.funds_other is None):
        return
    fiscal = Decimal(0) if data.funds_fiscal is None else data.funds_fiscal
    other = Decimal(0) if data.funds_other is None else data.funds_other
    if fiscal + other != data.funds_total:
        yield Problem(
            f"年度资金总额 {amount_text(data.funds_total)} 万元不等于财政拨款 {amount_text(fiscal)} 万元"
            f"与其他资金 {amount_text(other)} 万元之和 {amount_text(fiscal + other)} 万元。",
            "核对预算：年度资金总额应等于财政拨款加其他资金。",
        )


@rule(
    "funds_breakdown_mismatch",
    title="资金来源明细各项之和与小计不符",
    severity=Severity.WARNING,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.OTHER,
)
def funds_breakdown_mismatch(data, context):
    """A line of the printed tree of sources (财政拨款小计, 自有资金, 年度资金总额) equals the sum of the
    lines under it, and the lines at the top add up to 年度资金总额 (after a correction of the amounts
    the tree may be stale); parts that are all empty are not judged. The three amounts stay the table's
    money: a tree that does not add up is a warning to correct or clear the lines, not a refusal."""
    lines = data.funds_breakdown
    for line in lines:
        parts = [part for part in lines if part.parent == line.number]
        if line.amount is None or not parts or all(part.amount is None for part in parts):
            continue
        total = sum((part.amount for part in parts if part.amount is not None), Decimal(0))
        if total == line.amount:
            continue
        yield Problem(
            f"资金来源明细第 {line.number} 行“{line.label}” {amount_text(line.amount)} 万元不等于其下各行"
            f"（{_named_lines(parts)}）之和 {amount_text(total)} 万元。",
            f"核对“{line.label}”及其下各行的金额，使各项之和等于小计；年度资金总额、财政拨款、其他资金以表中三项金额为准。",
        )
    top = [line for line in lines if line.parent is None]
    if data.funds_total is None or not top or all(line.amount is None for line in top):
        return
    total = sum((line.amount for line in top if line.amount is not None), Decimal(0))
    if total != data.funds_total:
        yield Problem(
            f"资金来源明细最上一级（{_named_lines(top)}）合计 {amount_text(total)} 万元，"
            f"与年度资金总额 {amount_text(data.funds_total)} 万元不一致。",
            "按年度资金总额核对或更正资金来源明细；明细已过时的，可在编辑页清除。",
        )


def _named_lines(lines):
    return "、".join(f"“{line.label}” {amount_text(line.amount) if line.amount is not None else '未填'}" for line in lines)


@rule(
    "spending_plan_decreasing",
    title="资金支出计划累计比例下降",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.OTHER,
)
def spending_plan_decreasing(data, context):
    """The plan is cumulative: a later month can never show less spent than an earlier one."""
    previous = None
    for month, percent in data.spending_plan:
        if percent is None:
            continue
        if previous is not None and percent < previous[1]:
            yield Problem(
                f"资金支出计划是累计比例，{month}月底的 {amount_text(percent)}% 低于{previous[0]}月底的 {amount_text(previous[1])}%。",
                "按累计口径填写：每个时点填到该月底为止累计支出占全年资金的百分比，后面的时点不小于前面的时点。",
            )
        previous = (month, percent)


@rule(
    "spending_plan_incomplete",
    title="资金支出计划未到 100%",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.OTHER,
)
def spending_plan_incomplete(data, context):
    """Checked only where a plan was given: the Pingluo form has no spending plan at all."""
    filled = [(month, percent) for month, percent in data.spending_plan if percent is not None]
    if not data.spending_plan:
        return
    if not filled:
        yield Problem("资金支出计划各时点均未填写比例。", "填写各时点累计支出比例，最后一个时点（一般为 12 月底）应为 100%。")
        return
    month, percent = filled[-1]
    if percent != 100:
        yield Problem(
            f"资金支出计划最后一个时点（{month}月底）累计支出为 {amount_text(percent)}%，不是 100%。",
            "一年期项目的资金应在年内支出完毕：最后一个时点（一般为 12 月底）填 100%。",
        )
