"""相关性 (细化、量化): a value a reviewer can measure at year end — counts for 数量, amounts for 成本,
units on numbers, times or rates for 时效, and no vague verbs standing in for a target."""

import re

from indicators.checks.placeholders import filler_mark
from indicators.checks.registry import Problem, rule
from indicators.checks.wording import TIME_TEXT, TIME_UNITS, has_digit, quoted, row_label
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature

QUANTITY_LEVEL2 = {"数量指标"}
MONEY_COST_LEVEL2 = {"成本指标", "经济成本指标"}
TIMELINESS_LEVEL2 = {"时效指标"}


@rule(
    "quantity_qualitative",
    title="数量或成本指标用了定性值",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def quantity_qualitative(data, row, context):
    """A 定性 value that still counts things (13 个乡镇和 8 个派驻纪检监察组) is measurable and passes."""
    if row.level2 not in QUANTITY_LEVEL2 | MONEY_COST_LEVEL2:
        return
    if row.parsed.nature != Nature.QUALITATIVE or has_digit(row.value_text) or filler_mark(row.value_text):
        return
    expected = "金额（如“20 万元”）" if row.level2 in MONEY_COST_LEVEL2 else "数量和计量单位（如“≥ 4 次”“200 人”）"
    yield Problem(
        f"{row_label(row)}是{row.level2}，指标值{quoted(row.value_text)}却是定性描述，年底无法核对是否完成。",
        f"改为{expected}。",
    )


@rule(
    "unit_missing",
    title="定量指标值缺少计量单位",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.NOT_QUANTIFIED,
    row_level=True,
)
def unit_missing(data, row, context):
    if row.parsed.number is not None and not row.parsed.unit:
        yield Problem(
            f"{row_label(row)}的指标值{quoted(row.value_text)}只有数字，没有计量单位。",
            f"补上计量单位，例如{quoted(row.value_text.strip() + '%')}或{quoted(row.value_text.strip() + ' 次')}。",
        )


# An adverb of degree followed by a verb of change, or a bare verdict, with no measure beside it.
_VAGUE = re.compile(
    r"(?:进一步|明显|显著|有效|大幅|大大|不断|持续|逐步|全面|稳步|较大|一定程度上?|积极|切实|充分|极大|全力|高效|有所)"
    r"地?(?:提高|提升|改善|促进|增强|加强|改变|发挥|推进|保障|推动|优化|扩大|降低|减少|增加|好转)"
    r"|(?:效果|成效|作用|效益)(?:明显|显著|突出|提升|提高|良好)"
)


@rule(
    "vague_wording",
    title="指标值是模糊表述",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.NOT_QUANTIFIED,
    row_level=True,
)
def vague_wording(data, row, context):
    if has_digit(row.value_text):
        return
    match = _VAGUE.search(row.value_text)
    if match:
        yield Problem(
            f"{row_label(row)}的指标值{quoted(row.value_text)}是模糊表述（{quoted(match.group())}），"
            f"没有可以衡量的标准，年底无法判断是否达成。",
            "改为可衡量的目标：给出数值和单位（如“覆盖率 ≥ 90%”“投诉量下降 ≥ 10%”），"
            "或写明达成的具体标志（如“建立××制度并印发”）。",
        )


def _is_time_or_rate(row):
    parsed = row.parsed
    if parsed.number is not None and (parsed.unit == "%" or parsed.unit in TIME_UNITS):
        return True
    return bool(TIME_TEXT.search(row.value_text))


@rule(
    "timeliness_not_time",
    title="时效指标值不是时间或比率",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def timeliness_not_time(data, row, context):
    if row.level2 not in TIMELINESS_LEVEL2 or filler_mark(row.value_text) or _is_time_or_rate(row):
        return
    yield Problem(
        f"{row_label(row)}是时效指标，指标值{quoted(row.value_text)}既不是时间也不是比率。",
        f"写明完成时限（如“{data.year} 年 6 月底前”“30 个工作日内”）或按时完成的比率（如“按时完成率 ≥ 95%”）。",
    )
