"""The monitoring report as a document kind of the one workflow gate (projects.workflow).

Its loop is the targets' (unit submits → department passes or returns → finance approves or returns),
without an adjustment (a report is of one cut-off; a table that will miss is adjusted itself) and
without an administrator's correction (a report is returned and corrected by its unit instead).
Row comments point at the approved table's indicator rows, which the report's lines mirror.
"""

from django.urls import reverse

from perfgoals.roles import Role
from projects.desk.notify import Subject
from projects.models import Light, MonitoringReport, ReviewAction, TableStatus
from projects.monitoring.checks import report_recheck
from projects.monitoring.services import adjustment_under_way, table_in_force
from projects.workflow.gate import adjusting_message
from projects.workflow.kinds import (
    REVIEW_LOOP,
    DocumentKind,
    first_review_of_unit,
    register,
    transitions_table,
    unit_scope_words,
)

# The loop without 发起调整 and 更正; a unit that is its own department goes straight to finance.
# From a red report the finance bureau decides 要求调整 or 收回资金; the decision is a record on the
# report, whose status stays. 要求调整 also starts the adjustment of the table in force (its next
# version, a draft for the unit, the decision's comment as its reason: gate.decide).
DECISION_STATUSES = (TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED)
MONITORING_TRANSITIONS = transitions_table(
    *(row for row in REVIEW_LOOP if row[0] not in (ReviewAction.ADJUST, ReviewAction.CORRECT)),
    *(
        (action, status, status, Role.FINANCE_OFFICER)
        for action in (ReviewAction.ORDER_ADJUST, ReviewAction.RECOVER)
        for status in DECISION_STATUSES
    ),
)


def decision_refusal(action, report):
    """要求调整 and 收回资金 are for a report whose light is red (a target will miss, nothing spent);
    要求调整 not while the table is already being adjusted (one query, for that action only)."""
    if action in (ReviewAction.ORDER_ADJUST, ReviewAction.RECOVER) and report.light != Light.RED:
        return f"只有红灯的监控表才能{ReviewAction(action).label}；这份监控表为“{report.get_light_display() or '未检查'}”。"
    if action == ReviewAction.ORDER_ADJUST:
        following = adjustment_under_way(report.table)
        if following is not None:
            return adjusting_message(report.table, following)
    return None


def report_snapshot(report):
    """What a submission record keeps: the figures and every line as submitted."""
    lines = report.lines.select_related("indicator").order_by("indicator__order", "indicator__id")
    return {
        "round": report.monitoring_round_id,
        "table": str(report.table.uid),
        "funds": {
            name: str(getattr(report, name)) if getattr(report, name) is not None else None
            for name in ("budget_total", "budget_fiscal", "budget_other", "spent_total", "spent_fiscal", "spent_other")
        },
        "goal_progress": report.goal_progress,
        "lines": [
            {
                "indicator": str(line.indicator.uid),
                "name": line.indicator.name,
                "progress": line.progress_text,
                "expected": line.expected_text,
                "reasons": list(line.reasons),
                "likelihood": line.likelihood,
                "explanation": line.explanation,
                "measures": line.measures,
            }
            for line in lines
        ],
    }


def report_subject(report):
    return Subject(
        f"{report.monitoring_round.name}“{report.table.name or '未命名项目'}”的绩效运行监控表",
        reverse("projects:monitoring_report", args=[report.pk]),
        (report.table.unit_id,),
    )


MONITORING_REPORT = register(
    DocumentKind(
        model=MonitoringReport,
        record_field="monitoring_report",
        indicator_field="project",
        noun="这份监控表",
        short_noun="监控表",
        transitions=MONITORING_TRANSITIONS,
        scope_words=unit_scope_words("这份监控表"),
        first_review=first_review_of_unit(lambda report: report.table.unit),
        recheck=report_recheck,
        snapshot=report_snapshot,
        lock_related=("table__unit", "table__region", "monitoring_round"),
        owns_indicator=lambda report, indicator: indicator.project_id == report.table_id,
        refusal=decision_refusal,
        subject=report_subject,
        ordered_adjustment_of=lambda report: table_in_force(report.table),
    )
)
