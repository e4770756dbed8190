"""双监控 warnings of a monitoring report, explained like the target checks (message, row, suggestion).

错误 block the submission (what the annex requires filled, and an unlikely target without its reason
and 纠偏措施); 警告 are what the finance bureau reads: money behind the plan, an indicator expected to
miss or behind time. Each report gets a light: 红 when a target will miss or nothing was spent, 黄
for any other warning, 绿 otherwise.
"""

from decimal import Decimal

from indicators.checks.engine import CheckResult
from indicators.checks.registry import Finding
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature, parse_value
from projects.models import Light, Likelihood, MonitoringReport
from projects.monitoring.services import plan_at, rate, report_lines

# The warnings that make a report red: the finance bureau must act on these tables.
RED_RULES = frozenset({"expected_misses", "judged_impossible", "zero_execution"})


def _finding(rule, severity, message, suggestion, row=None, line=None, opinion=Opinion.OTHER):
    return Finding(
        rule=rule,
        severity=severity,
        criterion=Criterion.FEASIBILITY,
        opinion=opinion,
        message=message,
        suggestion=suggestion,
        row=row,
        indicator_uid=str(line.indicator.uid) if line is not None else None,
    )


def misses(expected, target):
    """Whether the parsed ``expected`` value falls short of the parsed ``target`` (respecting ≥ ≤ ＝ ＞ ＜),
    or None when the two cannot be compared (定性, no number, another unit)."""
    if expected.number is None or target.number is None or target.nature in ("", Nature.QUALITATIVE):
        return None
    if expected.unit != target.unit:
        return None
    value, goal = expected.number, target.number
    return {
        Nature.GE: value < goal,
        Nature.GT: value <= goal,
        Nature.LE: value > goal,
        Nature.LT: value >= goal,
        Nature.EQ: value != goal,
    }[target.nature]


def funds_findings(report, plan, margin):
    """The money part: 执行数 filled, nothing spent at the cut-off, execution behind the plan."""
    cutoff = report.monitoring_round.cutoff_month
    if report.spent_total is None:
        yield _finding(
            "execution_missing",
            Severity.ERROR,
            f"年度资金总额的1–{cutoff}月执行数未填写。",
            "按国库集中支付系统的支出数填写截至月底的执行数（万元），没有支出填 0。",
        )
        return
    if report.budget_total and report.spent_total == 0:
        yield _finding(
            "zero_execution",
            Severity.WARNING,
            f"截至{cutoff}月底年度资金总额执行数为 0。",
            "说明资金未支出的原因；如年内无法支出，应申请调整或由财政收回资金。",
        )
        return
    executed = rate(report.spent_total, report.budget_total)
    if executed is not None and executed < plan.percent - margin:
        yield _finding(
            "execution_behind_plan",
            Severity.WARNING,
            f"执行率 {executed}% 低于计划进度 {plan.percent}%（{plan.source}），相差 {plan.percent - executed} 个百分点，超过预警幅度 {margin} 个百分点。",
            "在总体目标执行情况中说明支出滞后的原因，并在有关指标行写明纠偏措施。",
        )


def line_findings(number, line, cutoff):
    """One indicator row: filled as the annex requires, expected against 年度指标值, its judgement explained."""
    name = line.indicator.name or "（未命名指标）"
    where = f"“{name}”"
    target = parse_value(line.indicator.value_text)
    if not line.progress_text.strip():
        yield _finding("progress_missing", Severity.ERROR, f"{where}的1–{cutoff}月执行情况未填写。", "填写截至月底实际完成的数量或情况。", number, line)
    if not line.expected_text.strip():
        yield _finding("expected_missing", Severity.ERROR, f"{where}的全年预计完成情况未填写。", "填写预计全年能完成的值，写法与年度指标值相同。", number, line)
    if not line.likelihood:
        yield _finding("likelihood_missing", Severity.ERROR, f"{where}的完成目标可能性未选择。", "选择 确定能、有可能 或 完全不可能。", number, line)
    if line.likelihood in (Likelihood.POSSIBLE, Likelihood.IMPOSSIBLE):
        missing = [label for label, text in (("原因说明", line.explanation), ("纠偏措施", line.measures)) if not text.strip()]
        if missing:
            yield _finding(
                "unlikely_unexplained",
                Severity.ERROR,
                f"{where}判断为“{Likelihood(line.likelihood).label}”完成，但没有填写{'和'.join(missing)}。",
                "写明不能完成的原因和将采取的纠偏措施；如确实无法完成，应申请调整目标。",
                number,
                line,
            )
    if line.likelihood == Likelihood.IMPOSSIBLE:
        yield _finding(
            "judged_impossible",
            Severity.WARNING,
            f"单位判断{where}全年完全不可能完成（年度指标值 {line.indicator.value_text}）。",
            "财政和主管部门应督促纠偏，或启动调整、收回资金。",
            number,
            line,
        )
    expected = parse_value(line.expected_text)
    missed = misses(expected, target) if line.expected_text.strip() else None
    if missed:
        yield _finding(
            "expected_misses",
            Severity.WARNING,
            f"{where}全年预计完成 {line.expected_text.strip()}，达不到年度指标值 {line.indicator.value_text}。",
            "说明偏差原因并写明纠偏措施；“完成目标可能性”不应选“确定能”。",
            number,
            line,
            Opinion.VALUE_MISMATCH,
        )
        if line.likelihood == Likelihood.CERTAIN:
            yield _finding(
                "certain_but_misses",
                Severity.WARNING,
                f"{where}选择“确定能”完成，但全年预计完成值达不到年度指标值。",
                "核对全年预计完成情况，或把完成目标可能性改为“有可能”或“完全不可能”。",
                number,
                line,
            )
    if missed is False and line.reasons:
        yield _finding(
            "reason_without_deviation",
            Severity.WARNING,
            f"{where}预计能达到年度指标值，却勾选了偏差原因（{'、'.join(line.reason_labels)}）。",
            "没有偏差时不勾选偏差原因。",
            number,
            line,
        )
    progress = parse_value(line.progress_text)
    if (
        target.nature in (Nature.GE, Nature.GT, Nature.EQ)
        and target.number
        and target.unit not in ("%", "")
        and progress.number is not None
        and progress.unit == target.unit
    ):
        share = Decimal(100) * progress.number / target.number
        due = Decimal(100) * cutoff / 12
        if share < due / 2:
            yield _finding(
                "progress_behind_time",
                Severity.WARNING,
                f"{where}1–{cutoff}月完成 {line.progress_text.strip()}，仅为年度指标值的 {share:.0f}%，而时间已过 {due:.0f}%。",
                "核实进度，说明滞后的原因和纠偏措施。",
                number,
                line,
            )


def report_findings(report, lines=None):
    """Every finding of ``report`` afresh (``lines``: its lines with their indicators, loaded)."""
    lines = report_lines(report) if lines is None else lines
    cutoff = report.monitoring_round.cutoff_month
    plan = plan_at(list(report.table.spending_plan.all()), cutoff)
    findings = list(funds_findings(report, plan, report.monitoring_round.margin))
    for number, line in enumerate(lines, 1):
        findings.extend(line_findings(number, line, cutoff))
    # A monitoring report is not scored like a target table: its light says how it stands.
    return CheckResult(findings=findings, score=None, grade="")


def light_of(findings):
    """红 / 黄 / 绿 and the warnings that gave it, in order (red ones first)."""
    warnings = [finding for finding in findings if finding.severity == Severity.WARNING]
    red = [finding for finding in warnings if finding.rule in RED_RULES]
    if red:
        return Light.RED, [finding.message for finding in red + [f for f in warnings if f not in red]]
    if warnings:
        return Light.YELLOW, [finding.message for finding in warnings]
    return Light.GREEN, []


def report_recheck(report):
    """Check ``report`` afresh and keep its light (what the gate runs on submission)."""
    result = report_findings(report)
    light, reasons = light_of(result.findings)
    MonitoringReport.objects.filter(pk=report.pk).update(light=light, light_reasons="\n".join(reasons))
    report.light, report.light_reasons = light, "\n".join(reasons)
    return result

