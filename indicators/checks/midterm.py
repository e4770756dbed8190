"""可行性 of the mid-term half (财预〔2015〕88号's 中期目标 beside 年度目标): the implementation period
holds the year, so its money is not less than the year's, and a quantity that adds up over the years
(a count, an amount) does not have a mid-term target below the year's."""

from indicators.checks.measurability import MONEY_COST_LEVEL2, QUANTITY_LEVEL2
from indicators.checks.registry import Problem, rule
from indicators.checks.wording import amount_text, quoted, row_label
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature

# Natures whose number is a target to reach or a amount to hold: ≥ / ＞ / ＝ count up over the years.
_CUMULATIVE_NATURES = {Nature.EQ, Nature.GE, Nature.GT}


@rule(
    "midterm_funds_below_annual",
    title="中期资金少于年度资金",
    severity=Severity.ERROR,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.OTHER,
)
def midterm_funds_below_annual(data, context):
    """The implementation period's money includes this year's: 中期资金总额 below 年度资金总额 is a slip
    (the two columns swapped, or 元 and 万元 mixed)."""
    if data.midterm_funds_total is None or data.funds_total is None or data.midterm_funds_total >= data.funds_total:
        return
    yield Problem(
        f"中期资金总额 {amount_text(data.midterm_funds_total)} 万元少于年度资金总额 {amount_text(data.funds_total)} 万元，"
        "而实施期的资金包含本年度的资金。",
        "核对两栏是否填反、金额单位（元与万元）是否一致；中期资金总额应不少于年度资金总额。",
    )


@rule(
    "midterm_value_below_annual",
    title="中期指标值小于年度指标值",
    severity=Severity.INFO,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def midterm_value_below_annual(data, row, context):
    """A 数量 or 成本 target is cumulative: the mid-term value (the whole period) below the year's (one
    year of it) in the same unit is most likely the two columns swapped. Rates (%) are not cumulative."""
    if row.level2 not in QUANTITY_LEVEL2 | MONEY_COST_LEVEL2 or not row.midterm_value_text:
        return
    annual, midterm = row.parsed, row.midterm_parsed
    if annual.number is None or midterm.number is None or annual.unit != midterm.unit or annual.unit in ("%", "％"):
        return
    if annual.nature not in _CUMULATIVE_NATURES or midterm.nature not in _CUMULATIVE_NATURES:
        return
    if midterm.number >= annual.number:
        return
    yield Problem(
        f"{row_label(row)}是累计的{row.level2.removesuffix('指标')}指标，中期指标值{quoted(row.midterm_value_text)}"
        f"小于年度指标值{quoted(row.value_text)}。",
        "中期指标值是整个实施期的目标，通常不小于年度指标值；请核对两栏是否填反。",
    )
