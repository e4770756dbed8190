"""A self-evaluation as scored: the funds rows with their 执行率, each indicator's computed, self and
reviewed score with its working, the total and the grade. The form, the detail page, the print, the
Excel export, the checks and the overview all read this one reckoning."""

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.values import Nature, parse_value
from projects.evaluation import scoring

FUND_ROWS = (
    ("total", "年度资金总额"),
    ("fiscal", "其中：本年财政拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
)
FUND_COLUMNS = (("initial", "年初预算数"), ("full", "全年预算数"), ("executed", "全年执行数"))


@dataclass
class FundRow:
    key: str
    label: str
    initial: Decimal | None
    full: Decimal | None
    executed: Decimal | None
    rate: Decimal | None


@dataclass
class ItemRow:
    item: object
    row: int
    target: object  # ParsedValue of 年度指标值
    actual: object  # ParsedValue of 实际完成值
    computed: scoring.Score
    self_score: Decimal | None  # what the unit stands by: its override, its band choice, or the computed
    final: Decimal | None  # the reviewed score where finance changed it, else the self score

    @property
    def quantitative(self):
        return self.target.number is not None and self.target.nature != Nature.QUALITATIVE

    @property
    def overridden(self):
        return self.quantitative and self.item.unit_score is not None and self.item.unit_score != self.computed.points

    @property
    def needs_reason(self):
        """The unit's own score differs from the computed one and no reason is given yet: the row stays
        flagged on the form and the submission is refused (checks: override_without_reason)."""
        return self.overridden and not self.item.unit_reason.strip()

    @property
    def beside(self):
        """“自评 10.00 分 · 按规则 9.00 分” for a row whose own score differs from the computed one."""
        if not self.overridden:
            return ""
        return f"自评 {scoring.points(self.item.unit_score)} 分 · 按规则 {self.computed.points} 分"

    @property
    def reviewed(self):
        return self.item.reviewed_score is not None


@dataclass
class Sheet:
    evaluation: object
    funds: list
    execution: scoring.Score
    items: list = field(default_factory=list)

    @property
    def self_total(self):
        return self._total(lambda row: row.self_score)

    @property
    def total(self):
        return self._total(lambda row: row.final)

    def _total(self, score_of):
        parts = [self.execution.points, *(score_of(row) for row in self.items)]
        if any(part is None for part in parts):
            return None
        return scoring.points(sum(parts, Decimal(0)))

    @property
    def printed_self_total(self):
        """The sum a printed total should be: the printed 预算执行率得分 where the file printed one (its
        own figure, checked against its 执行率 apart), else the computed one, plus each self score."""
        printed = self.evaluation.printed_execution
        if printed is None:
            return self.self_total
        parts = [printed, *(row.self_score for row in self.items)]
        return None if any(part is None for part in parts) else scoring.points(sum(parts, Decimal(0)))

    @property
    def execution_beside(self):
        """“表上 9.50 分 · 按规则 8.00 分” where an imported file printed another execution score."""
        return printed_beside(self.evaluation.printed_execution, self.execution.points)

    @property
    def rate_beside(self):
        printed, computed = self.evaluation.printed_rate, self.rate
        if printed is None or printed == computed:
            return ""
        return f"表上 {scoring.points(printed)}% · 按规则 {'—' if computed is None else f'{computed}%'}"

    @property
    def total_beside(self):
        return printed_beside(self.evaluation.printed_total, self.self_total)

    @property
    def grade_beside(self):
        printed, computed = self.evaluation.printed_grade, self.self_grade
        if not printed or printed == computed:
            return ""
        return f"表上 {printed} · 按规则 {computed or '—'}"

    @property
    def grade(self):
        return scoring.grade_of(self.total)

    @property
    def self_grade(self):
        return scoring.grade_of(self.self_total)

    @property
    def rate(self):
        return self.funds[0].rate

    @property
    def level1_weights(self):
        """Each 一级's points as the rows add up, beside 预算执行's."""
        totals = {"预算执行": self.execution.weight}
        for row in self.items:
            totals[row.item.level1] = totals.get(row.item.level1, Decimal(0)) + row.item.weight
        return totals


def printed_beside(printed, computed):
    """Both figures, the file's first, where they differ: 表上 9.50 分 · 按规则 8.00 分 (else "")."""
    if printed is None or printed == computed:
        return ""
    return f"表上 {scoring.points(printed)} 分 · 按规则 {'—' if computed is None else f'{computed} 分'}"


def sheet_of(evaluation, items=None):
    """Score ``evaluation`` (``items``: its EvaluationItems in order; read when not given)."""
    funds = []
    for key, label in FUND_ROWS:
        values = {column: getattr(evaluation, f"{key}_{column}") for column, _ in FUND_COLUMNS}
        funds.append(FundRow(key, label, **values, rate=scoring.execution_rate(values["executed"], values["full"])))
    execution = scoring.execution_score(funds[0].rate, evaluation.round.weight_execution)
    if items is None:
        items = evaluation.items.order_by("order", "id")
    rows = []
    for number, item in enumerate(items, 1):
        target, actual = parse_value(item.target_text), parse_value(item.actual_text)
        quantitative = target.number is not None and target.nature != Nature.QUALITATIVE
        chosen = None if quantitative else item.unit_score
        if not quantitative and chosen is not None and item.band and item.unit_reason.strip():
            low, high = scoring.band_range(item.band, item.weight)
            if not low <= chosen <= high:
                chosen = None  # an override outside the band, with its reason: the band's own score is the computed one
        computed = scoring.indicator_score(target, actual, item.weight, band=item.band, chosen=chosen)
        self_score = item.unit_score if item.unit_score is not None else computed.points
        final = item.reviewed_score if item.reviewed_score is not None else self_score
        rows.append(ItemRow(item, number, target, actual, computed, self_score, final))
    return Sheet(evaluation, funds, execution, rows)
