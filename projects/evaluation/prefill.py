"""What a self-evaluation takes from the table's last monitoring report (绩效运行监控, projects.monitoring),
where one exists: the 全年预算数 as adjusted, the 总体目标 progress, and per 三级 indicator the year's
expected completion as the 实际完成值 to start from and the deviation's reasons and measures.

Read from the models only (projects.models), so evaluation does not depend on the monitoring pages.
The amounts spent by the monitoring's cut-off are not the year's execution, so they are not carried."""

from projects.models import MonitoringLine, MonitoringReport, TableStatus

# A report counts once its unit has submitted it: a draft may be half typed.
SUBMITTED = (TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED)


def last_monitoring_report(table):
    """The latest submitted monitoring report of ``table`` (the latest cut-off month of its year), or None."""
    return (
        MonitoringReport.objects.filter(table=table, status__in=SUBMITTED, monitoring_round__year=table.year)
        .select_related("monitoring_round")
        .order_by("-monitoring_round__cutoff_month", "-monitoring_round__created_at", "-pk")
        .first()
    )


def monitoring_prefill(table):
    """The SelfEvaluation fields, and under "actuals" and "deviations" the per-indicator texts (by the
    approved row's uid), that the last monitoring report of ``table`` supplies; {} without one."""
    report = last_monitoring_report(table)
    if report is None:
        return {}
    source = f"（据{report.monitoring_round.name}）"
    fields = {
        "total_full": report.budget_total,
        "fiscal_full": report.budget_fiscal,
        "other_full": report.budget_other,
        "goal_actual": f"{report.goal_progress.strip()}{source}" if report.goal_progress.strip() else "",
    }
    actuals, deviations = {}, {}
    for line in MonitoringLine.objects.filter(report=report).select_related("indicator"):
        uid = str(line.indicator.uid)
        actual = line.expected_text.strip() or line.progress_text.strip()
        if actual:
            actuals[uid] = actual
        parts = []
        reasons = "、".join(line.reason_labels)
        explanation = line.explanation.strip()
        if reasons or explanation:
            parts.append("原因：" + (f"{reasons}，{explanation}" if reasons and explanation else reasons or explanation))
        if line.measures.strip():
            parts.append("纠偏措施：" + line.measures.strip())
        if parts:
            deviations[uid] = f"{'；'.join(parts)}{source}"
    return {**fields, "actuals": actuals, "deviations": deviations}
