"""Rules that read last year's results (DOMAIN §4.2, issue 19 point 3): a target set below what was
already achieved last year, a target copied unchanged after a year that missed it, an indicator that
missed last year and is silently dropped, a table whose self-evaluation was 差 submitted again unchanged.

Last year reaches the rules as plain data (LastYearData in CheckContext.last_year), built by
projects.memory from the self-evaluation of last year's table of the same project; without it (no
table last year, or no self-evaluation of it) these rules say nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.checks.registry import Problem, rule
from indicators.checks.wording import normalized, row_label
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature, parse_value

_RISING = {Nature.GE, Nature.GT, Nature.EQ}
_FALLING = {Nature.LE, Nature.LT}


@dataclass(frozen=True)
class LastYearRow:
    """One 三级 row of last year's self-evaluation: its target, what was achieved and its score.
    ``uid`` is the uid of last year's approved row (a copied row of this year points at it)."""

    level2: str
    name: str
    target_text: str = ""
    actual_text: str = ""
    score: Decimal | None = None
    weight: Decimal | None = None
    uid: str | None = None

    @property
    def missed(self):
        """Last year's target was not reached: the row lost points, or its actual falls short."""
        if self.score is not None and self.weight is not None:
            return self.score < self.weight
        target, actual = parse_value(self.target_text), parse_value(self.actual_text)
        if target.number is None or actual.number is None or target.unit != actual.unit:
            return False
        if target.nature in (Nature.GE, Nature.GT):
            return actual.number < target.number
        if target.nature in _FALLING:
            return actual.number > target.number
        return False


@dataclass(frozen=True)
class LastYearData:
    """Last year's table of the same project as its self-evaluation scored it.

    ``year``: last year; ``grade``: the self-evaluation's grade (优/良/中/差, "" while unscored);
    ``funds_total``: last year's 年度资金总额 (万元); ``signature``: the set of (二级, 三级, 指标值)
    of last year's table, to tell a table resubmitted without change; ``links``: {this year's row uid:
    last year's row uid} for the rows copied from last year (a row renamed since still finds its own)."""

    year: int
    rows: tuple = ()
    grade: str = ""
    total: Decimal | None = None
    funds_total: Decimal | None = None
    signature: frozenset = frozenset()
    links: dict = field(default_factory=dict, compare=False)
    by_uid: dict = field(init=False, repr=False, compare=False)
    by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "by_uid", {row.uid: row for row in self.rows if row.uid})
        object.__setattr__(self, "by_name", {(row.level2, normalized(row.name)): row for row in self.rows})

    def row_for(self, row):
        """Last year's row for this year's ``row``: the one it was copied from, else the same 二级 and name."""
        source = self.by_uid.get(self.links.get(row.uid))
        if source is not None:
            return source
        return self.by_name.get((row.level2, normalized(row.name)))


def table_signature(rows):
    """What 'unchanged' compares: the (二级, 三级, 指标值) of every row, names and values normalized."""
    return frozenset((level2, normalized(name), normalized(value)) for level2, name, value in rows)


def _last_year(context):
    return getattr(context, "last_year", None)


def _last_row(context, row):
    """(last year's results, the row of them ``row`` continues), or (…, None) when there is none."""
    last_year = _last_year(context)
    return last_year, (last_year.row_for(row) if last_year is not None else None)


def _comparable(target, actual):
    return target.number is not None and actual.number is not None and target.unit == actual.unit


@rule(
    "target_below_last_actual",
    title="指标值低于上年实际完成值",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def target_below_last_actual(data, row, context):
    last_year, last = _last_row(context, row)
    if last is None:
        return
    target, actual = row.parsed, parse_value(last.actual_text)
    if not _comparable(target, actual):
        return
    if target.nature in _RISING and target.number < actual.number:
        word = "低于"
    elif target.nature in _FALLING and target.number > actual.number:
        word = "宽于"  # a ceiling (≤) set above what was already kept to
    else:
        return
    yield Problem(
        f"{row_label(row)}的指标值“{row.value_text.strip()}”{word}{last_year.year}年的实际完成值"
        f"“{last.actual_text.strip()}”：目标定得比已经做到的还低。",
        "按上年实际完成情况提高目标；确有原因（资金减少、任务调整）的，请说明。",
    )


@rule(
    "target_copied_after_miss",
    title="上年未完成的指标原样照抄",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.OTHER,
    row_level=True,
)
def target_copied_after_miss(data, row, context):
    last_year, last = _last_row(context, row)
    if last is None or not last.missed or not row.value_text.strip():
        return
    if normalized(row.value_text) != normalized(last.target_text):
        return
    score = f"，得分 {last.score}/{last.weight}" if last.score is not None and last.weight is not None else ""
    yield Problem(
        f"{row_label(row)}{last_year.year}年定为“{last.target_text.strip()}”，实际只完成"
        f"“{last.actual_text.strip() or '（未填）'}”{score}；今年的指标值原样照抄。",
        "分析上年未完成的原因，写明今年的改进措施并据此确定指标值；目标确实合理的，请说明。",
    )


@rule(
    "weak_indicator_dropped",
    title="上年未完成的指标今年不再设置",
    severity=Severity.INFO,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.INCOMPLETE,
)
def weak_indicator_dropped(data, context):
    last_year = _last_year(context)
    if last_year is None or not data.indicators:
        return
    kept = {(row.level2, normalized(row.name)) for row in data.indicators}
    dropped = [row for row in last_year.rows if row.missed and (row.level2, normalized(row.name)) not in kept]
    if dropped:
        names = "、".join(f"“{row.name}”（{row.level2}，目标 {row.target_text or '未填'}，实际 {row.actual_text or '未填'}）" for row in dropped)
        yield Problem(
            f"{last_year.year}年未完成的指标{names}今年没有再设置。",
            "未完成的任务仍需完成的，请保留该指标；确已不再需要的，请在绩效目标中说明原因。",
        )


@rule(
    "poor_evaluation_unchanged",
    title="上年自评为差的表原样再报",
    severity=Severity.WARNING,
    criterion=Criterion.FEASIBILITY,
    opinion=Opinion.OTHER,
)
def poor_evaluation_unchanged(data, context):
    last_year = _last_year(context)
    if last_year is None or last_year.grade != "差" or not data.indicators:
        return
    signature = table_signature((row.level2, row.name, row.value_text) for row in data.indicators)
    if signature != last_year.signature:
        return
    total = f"（{last_year.total} 分）" if last_year.total is not None else ""
    yield Problem(
        f"这张表{last_year.year}年的绩效自评为“差”{total}，今年的三级指标和指标值与上年完全相同。",
        "对照上年自评发现的问题修改指标和指标值，写明改进措施后再提交。",
    )
