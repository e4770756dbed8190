"""可行性: targets that can actually be reached and were actually set — no rate above 100%, no value
stamped on every row, no indicator set copied from another of the unit's tables."""

import re
from collections import Counter
from decimal import Decimal

from indicators.checks.data import shared_counts
from indicators.checks.registry import Problem, rule
from indicators.checks.wording import amount_text, is_bounded_rate, is_satisfaction, normalized, quoted, row_label, rows_text
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature


def _percent(row):
    parsed = row.parsed
    return parsed.number if parsed.number is not None and parsed.unit == "%" else None


@rule(
    "impossible_percent",
    title="比率超过 100%",
    severity=Severity.ERROR,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def impossible_percent(data, row, context):
    """A 满意度 or 合格率 cannot pass 100%, and "≥100%" asks for more than all of it."""
    number = _percent(row)
    if number is None or not is_bounded_rate(row.name):
        return
    over = number > 100 or (number == 100 and row.parsed.nature == Nature.GT)
    at_least_all = number == 100 and row.parsed.nature == Nature.GE
    if over or at_least_all:
        yield Problem(
            f"{row_label(row)}是比率，最高只能是 100%，指标值{quoted(row.value_text)}不可能实现。",
            "按历史水平或行业标准设定一个可以达到的目标，例如“≥ 90%”或“≥ 95%”。",
        )


@rule(
    "percent_over_100",
    title="百分比超过 100",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def percent_over_100(data, row, context):
    """Above 100% is possible for growth (提升比 150%) but is usually a typo; rates are impossible_percent's."""
    number = _percent(row)
    if number is not None and number > 100 and not is_bounded_rate(row.name):
        yield Problem(
            f"{row_label(row)}的指标值{quoted(row.value_text)}超过 100%。",
            "核对是否多写了一位或把数量误填成了百分比；确为增长幅度的，在名称中写明“增长率”等口径。",
        )


# A name that states its own target: “验收合格率100%”, “群众满意度达到95%”.
_TARGET_IN_NAME = re.compile(r"(率|度|比例|占比)\s*(?:达到|达|为|不低于|≥|>=|=)?\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]")


@rule(
    "name_states_other_target",
    title="名称中写的目标与指标值不一致",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def name_states_other_target(data, row, context):
    """“合格率100%” with 指标值 “≥95%”: which of the two is the target cannot be told."""
    match = _TARGET_IN_NAME.search(row.name)
    number = _percent(row)
    if match is None or number is None:
        return
    stated = Decimal(match.group(2))
    if stated != number:
        yield Problem(
            f"{row_label(row)}的名称写明目标为 {amount_text(stated)}%，指标值却是{quoted(row.value_text)}，两者不一致。",
            f"名称只写衡量什么（如“{row.name[: match.start(2)].rstrip('达到为不低于≥>=')}”），目标只写在指标值里，并核对哪一个才是本年度的目标。",
        )


@rule(
    "satisfaction_full",
    title="满意度目标定为 100%",
    severity=Severity.INFO,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.OTHER,
    row_level=True,
)
def satisfaction_full(data, row, context):
    if is_satisfaction(row) and _percent(row) == 100 and row.parsed.nature in (Nature.EQ, Nature.LE):
        yield Problem(
            f"{row_label(row)}的满意度目标为 100%，要求每一位服务对象都满意，实际很难达到。",
            "满意度一般按调查结果设定为“≥ 90%”或“≥ 95%”。",
        )


# "The same value on most indicators": at least this many rows, and two thirds of them (real tables
# that were not set row by row keep a few different values, 80% missed them).
UNIFORM_MIN_ROWS = 5
UNIFORM_SHARE = (2, 3)


def _value_key(row):
    """100百分比, ≥100百分比 and 100% are one value: the number and unit, whatever the operator."""
    parsed = row.parsed
    if parsed.number is not None:
        return (parsed.number.normalize(), parsed.unit)
    return (normalized(row.value_text), "")


@rule(
    "uniform_values",
    title="三分之二以上的指标值都相同",
    severity=Severity.ERROR,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.VALUE_MISMATCH,
)
def uniform_values(data, context):
    rows = [row for row in data.indicators if row.value_text.strip()]
    if len(rows) < UNIFORM_MIN_ROWS:
        return
    (key, count), = Counter(_value_key(row) for row in rows).most_common(1)
    share, of = UNIFORM_SHARE
    if count * of < share * len(rows):
        return
    same = [row for row in rows if _value_key(row) == key]
    number, unit = key
    shown = f"{amount_text(number)}{unit}" if isinstance(number, Decimal) else same[0].value_text.strip()
    yield Problem(
        f"{len(rows)} 条指标中有 {count} 条（{rows_text(same)}）的指标值都是 {shown}（如{quoted(same[0].value_text)}），"
        f"数量、质量、时效、成本、效益各不相同的指标不会是同一个值，像是没有逐条设定目标。",
        "逐条设定目标：数量指标写数量和单位，成本指标写金额，时效指标写完成时间，质量和满意度写合理的比率。",
    )


# "Sharing the same indicator set": at least this many indicators, and this share of them in common.
COPY_MIN_ROWS = 4
COPY_SHARE = 0.8


@rule(
    "copied_indicator_set",
    title="与本单位其他项目的指标雷同",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.NOT_RELEVANT,
)
def copied_indicator_set(data, context):
    """Two different projects measured by the same 三级 names were filled in from one template."""
    if context is None:
        return
    names = {(row.level2, normalized(row.name)) for row in data.indicators if normalized(row.name)}
    if len(names) < COPY_MIN_ROWS:
        return
    alike = [
        sibling.name or "（未命名项目）"
        for sibling, shared in shared_counts(context.siblings, names)
        if len(sibling.indicator_names) >= COPY_MIN_ROWS
        and shared >= COPY_SHARE * (len(names) + len(sibling.indicator_names) - shared)  # of the union
    ]
    if alike:
        shown = "、".join(f"“{name}”" for name in sorted(alike)[:5]) + (f"等 {len(alike)} 个项目" if len(alike) > 5 else "")
        yield Problem(
            f"本表的三级指标与本单位同年度的{shown}几乎完全相同，不同项目的指标应反映各自的内容。",
            "根据本项目的资金用途和年度目标重新设定三级指标，写明本项目特有的产出和效果。",
        )
