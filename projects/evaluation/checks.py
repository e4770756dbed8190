"""Checks of a self-evaluation for the inflation published self-evaluations show (DOMAIN §4.2),
explained like the target checks: each finding says what is wrong, on which row, and what to do.

A finding of severity 错误 stops the submission (the gate reads ``blocks_submission``); a 警告 is
shown to the unit and to its reviewers.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from indicators.values import Nature
from perfgoals.formatting import decimal_text
from projects.evaluation import scoring
from projects.evaluation.sheet import FUND_COLUMNS, sheet_of

ERROR, WARNING = "错误", "警告"
PHRASES = ("达成预期", "达到预期", "完成目标", "效果明显", "效果显著", "显著提高", "明显提升", "已完成", "全部完成", "达标")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    suggestion: str = ""
    row: int | None = None

    @property
    def blocks_submission(self):
        return self.severity == ERROR


@dataclass(frozen=True)
class EvaluationCheck:
    findings: list

    @property
    def blocks_submission(self):
        return any(finding.blocks_submission for finding in self.findings)


def evaluation_findings(evaluation, sheet=None):
    """Every finding of ``evaluation``'s stored content (or of ``sheet``, already worked out)."""
    sheet = sheet or sheet_of(evaluation)
    findings = [*_fund_findings(sheet), *_row_findings(sheet), *_whole_findings(sheet)]
    return EvaluationCheck(findings)


def _fund_findings(sheet):
    evaluation = sheet.evaluation
    total, *parts = sheet.funds
    for column, label in FUND_COLUMNS:
        whole = getattr(total, column)
        values = [getattr(part, column) for part in parts if getattr(part, column) is not None]
        if whole is not None and values and sum(values, Decimal(0)) != whole:
            yield Finding(
                "funds_sum",
                ERROR,
                f"资金情况“{label}”列：年度资金总额 {whole} 万元不等于本年财政拨款、上年结转资金、其他资金之和 {sum(values)} 万元。",
                "请核对各项资金，使合计等于各项之和。",
            )
    if total.full is None:
        yield Finding("funds_missing", ERROR, "资金情况：年度资金总额的全年预算数未填写，不能计算执行率。", "请填写全年预算数（含年中调整）。")
    elif total.executed is None:
        yield Finding("funds_missing", ERROR, "资金情况：年度资金总额的全年执行数未填写，不能计算执行率。", "请按国库支付数填写全年执行数。")
    rate = sheet.rate
    if rate is not None and rate > 100:
        yield Finding(
            "execution_over_budget",
            WARNING,
            f"资金情况：全年执行数超出全年预算数（执行率 {rate}%）。",
            "请核对执行数；超支部分不加分。",
        )
    threshold = evaluation.round.execution_reason_below
    if rate is not None and rate < threshold and not evaluation.execution_reason.strip():
        yield Finding(
            "execution_reason_missing",
            ERROR,
            f"资金情况：执行率 {rate}% 低于 {decimal_text(threshold)}%，未说明原因。",
            "请在“执行率偏低原因”中说明资金未支出的原因。",
        )


def _row_findings(sheet):
    executed = sheet.funds[0].executed
    for row in sheet.items:
        item, where = row.item, f"第 {row.row} 行“{row.item.name}”"
        actual = item.actual_text.strip()
        if not actual:
            yield Finding("actual_missing", ERROR, f"{where}：实际完成值未填写。", "请填写全年实际完成的数值或情况。", row.row)
            continue
        if row.quantitative:
            if row.actual.number is None:
                phrase = any(word in actual for word in PHRASES)
                yield Finding(
                    "actual_is_phrase",
                    ERROR,
                    f"{where}：年度指标值是数值“{item.target_text}”，实际完成值却写作“{actual}”"
                    + ("，是一句套话" if phrase else "")
                    + "，无法据此计分。",
                    f"请填写实际完成的数值，单位与指标值相同（{row.target.unit or '无单位'}）。",
                    row.row,
                )
            elif row.actual.unit != row.target.unit:
                yield Finding(
                    "unit_mismatch",
                    ERROR,
                    f"{where}：实际完成值的单位“{row.actual.unit or '无'}”与年度指标值的单位“{row.target.unit or '无'}”不一致。",
                    "请换算为指标值的单位后填写。",
                    row.row,
                )
        if actual == item.target_text.strip():
            yield Finding(
                "actual_repeats_target",
                WARNING,
                f"{where}：实际完成值与年度指标值一字不差（“{actual}”），看不出实际完成了多少。",
                "请填写实际完成的数值或具体情况。",
                row.row,
            )
        if row.quantitative and row.overridden and not item.unit_reason.strip():
            yield Finding(
                "override_without_reason",
                ERROR,
                f"{where}：自评得分 {item.unit_score} 分与按完成值计算的 {row.computed.points} 分不同，未说明理由。",
                "请说明改分理由，或清空自评得分采用计算得分。",
                row.row,
            )
        if not row.quantitative and item.band and item.unit_score is not None and row.computed.points is None and not item.unit_reason.strip():
            yield Finding("score_outside_band", ERROR, f"{where}：{row.computed.working}", "请在档次范围内取分，或说明理由。", row.row)
        if row.quantitative and row.computed.points is not None and row.computed.lost and row.self_score == item.weight:
            yield Finding(
                "full_marks_missed",
                WARNING,
                f"{where}：实际完成值未达到目标（按完成值应得 {row.computed.points} 分），自评却给了满分 {item.weight} 分。",
                "满分只给达到目标的指标；请按完成值计分或说明理由。",
                row.row,
            )
        if row.self_score is not None and row.self_score < item.weight and not item.deviation.strip():
            yield Finding(
                "deviation_missing",
                ERROR,
                f"{where}：失分 {item.weight - row.self_score} 分，未填写偏差原因分析及改进措施。",
                "请分析未完成的原因并写明改进措施。",
                row.row,
            )
        cost = "成本" in item.level2 or "成本" in item.level1
        if (
            cost
            and row.target.unit == "万元"
            and row.target.nature in (Nature.LE, Nature.LT, Nature.EQ)
            and executed is not None
            and executed > row.target.number
            and row.self_score == item.weight
        ):
            yield Finding(
                "cost_full_beside_overspend",
                ERROR,
                f"{where}：成本指标“{item.target_text}”得满分，但全年执行数 {executed} 万元已超出。",
                "成本超出目标时应按 目标 ÷ 实际 计分，请核对实际完成值和得分。",
                row.row,
            )


def _printed_findings(sheet):
    """The figures an imported file printed, against the figures printed beside them: a 预算执行率得分
    that does not follow from its 执行率 (rounded as printed: 9.3 follows from 92.5%), and a total that
    is not the sum of its printed parts. Each finding names the cell the figure was read from."""
    evaluation = sheet.evaluation
    cells = evaluation.printed_cells or {}
    printed_execution = evaluation.printed_execution
    weight = sheet.execution.weight
    rate = evaluation.printed_rate if evaluation.printed_rate is not None else sheet.rate
    if printed_execution is not None and rate is not None:
        exact = min(Decimal(rate) / 100 * weight, weight) if rate >= 0 else Decimal(0)
        if not _follows(printed_execution, exact):
            where = cells.get("execution", "表上")
            if evaluation.printed_rate is not None:
                rate_cell = cells.get("rate", "")
                beside = f"旁边的执行率 {decimal_text(rate)}%" + (f"（{rate_cell[rate_cell.find('单元格'):]}）" if rate_cell else "")
            else:
                beside = f"执行率 {rate}%（表上未印执行率，按全年执行数 ÷ 全年预算数）"
            yield Finding(
                "printed_execution_not_rate",
                ERROR,
                f"{where}：预算执行率得分 {decimal_text(printed_execution)} 分与{beside}不符，"
                f"{decimal_text(rate)}% × {decimal_text(weight)} 分 = {scoring.points(exact)} 分。",
                "预算执行率得分 = 执行率 × 分值（以分值为上限）；请核对执行率和得分后重新导入，或在填写页保存以按规则计分。",
            )
    printed = evaluation.printed_total
    parts = sheet.printed_self_total
    if printed is not None and printed != parts:
        execution = "表上的预算执行率得分" if printed_execution is not None else "预算执行率得分"
        found = "有得分无法计算" if parts is None else f"为 {parts} 分"
        where = f"{cells['total']}：" if "total" in cells else ""
        yield Finding(
            "printed_total_not_sum",
            ERROR,
            f"{where}填报的总分 {decimal_text(printed)} 分不等于{execution}与各指标得分之和（{found}）。",
            "总分应由各项得分相加得出；请核对各项得分后重新导入，或在表上直接填写。",
        )


def _follows(printed, exact):
    """Whether ``printed`` is ``exact`` rounded half up to the decimals printed (at most two)."""
    printed = scoring.points(printed)
    decimals = max(0, min(2, -Decimal(printed).normalize().as_tuple().exponent))
    step = Decimal(1).scaleb(-decimals)
    return Decimal(exact).quantize(step, rounding=ROUND_HALF_UP) == printed


def _whole_findings(sheet):
    rows = sheet.items
    evaluation = sheet.evaluation
    printed = evaluation.printed_total
    yield from _printed_findings(sheet)
    if evaluation.printed_grade and printed is not None and evaluation.printed_grade != scoring.grade_of(printed):
        yield Finding(
            "printed_grade_not_total",
            WARNING,
            f"{(evaluation.printed_cells or {}).get('grade', '')}{'：' if (evaluation.printed_cells or {}).get('grade') else ''}"
            f"填报的自评等级“{evaluation.printed_grade}”与填报的总分 {decimal_text(printed)} 分不符（应为“{scoring.grade_of(printed)}”）。",
            "优 ≥ 90 分，良 80–89 分，中 60–79 分，差 < 60 分。",
        )
    if len(rows) >= 3 and all(row.self_score is not None and row.self_score == row.item.weight for row in rows):
        yield Finding(
            "all_full_marks",
            WARNING,
            f"全部 {len(rows)} 个三级指标都自评满分。",
            "逐项对照实际完成值核实；全部满分的自评会被重点抽查。",
        )
