"""适当性: the money and the targets match — a 成本 indicator states an amount, and the amounts add up
to the table's funds (平罗's 纪检监察事务工作经费: cost 66万元 for 66 万元 of funds)."""

from decimal import Decimal

from indicators.checks.measurability import MONEY_COST_LEVEL2
from indicators.checks.registry import Problem, rule
from indicators.checks.wording import amount_text, money_unit, quoted, row_label, rows_text
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature

# Amounts in 万元 are printed to two decimals, so a cost within half a hundredth of 万元 (50 元) of the
# funds reconciles: 平罗's 32952 元 is 3.2952 万元 against funds printed as 3.30.
TOLERANCE = Decimal("0.005")


@rule(
    "cost_not_amount",
    title="成本指标值不是金额",
    severity=Severity.ERROR,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def cost_not_amount(data, row, context):
    parsed = row.parsed
    if row.level2 not in MONEY_COST_LEVEL2 or parsed.number is None or money_unit(parsed.unit) is not None:
        return
    if parsed.unit == "%":
        what = f"是百分比（{quoted(row.value_text)}）而不是金额"
    elif parsed.unit:
        what = f"的计量单位{quoted(parsed.unit)}不是金额单位"
    else:
        what = f"{quoted(row.value_text)}没有金额单位"
    funds = f"{amount_text(data.funds_total)} 万元" if data.funds_total is not None else "本项目的资金"
    yield Problem(
        f"{row_label(row)}是成本指标，指标值{what}，无法与年度资金核对。",
        f"填写这一项的成本金额，例如按年度资金总额填“{funds}”，或写“≤ {funds}”控制成本。",
    )


def _cost_rows(data):
    """(row, amount in 万元, is an upper bound) for each 成本 row that states a total amount."""
    for row in data.indicators:
        parsed = row.parsed
        if row.level2 not in MONEY_COST_LEVEL2 or parsed.number is None:
            continue
        unit = money_unit(parsed.unit)
        if unit is None or not unit[1]:  # not money, or a unit price (元/人) that does not sum
            continue
        yield row, parsed.number * unit[0], parsed.nature in (Nature.LE, Nature.LT)


@rule(
    "cost_not_reconciled",
    title="成本与年度资金不符",
    severity=Severity.WARNING,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.VALUE_MISMATCH,
)
def cost_not_reconciled(data, context):
    """The stated costs add up to the funds; one row stating the whole amount also reconciles, since a
    table may give the total beside its parts. Upper bounds (≤ 20 万元) only need to stay within."""
    rows = list(_cost_rows(data))
    if not rows or data.funds_total is None:
        return
    total = data.funds_total
    amount = sum(value for _, value, _ in rows)
    if all(bound for _, _, bound in rows):
        if amount <= total + TOLERANCE:
            return
    elif abs(amount - total) <= TOLERANCE or any(abs(value - total) <= TOLERANCE for _, value, _ in rows):
        return
    listed = "、".join(f"{row_label(row)}{quoted(row.value_text)}" for row, _, _ in rows[:4])
    relation = "超过" if amount > total else "少于"
    yield Problem(
        f"成本指标（{rows_text([row for row, _, _ in rows])}）合计 {amount_text(amount)} 万元，"
        f"{relation}年度资金总额 {amount_text(total)} 万元：{listed}。",
        f"核对成本测算：各项成本之和应与年度资金总额 {amount_text(total)} 万元一致；"
        "注意金额单位（元与万元相差一万倍）。",
    )
