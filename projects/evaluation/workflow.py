"""The self-evaluation as a kind of document of the one workflow gate: the unit submits, its
department 复核 (passes or returns), the finance bureau 抽查 (approves or returns). Registered when
the app is ready (projects.apps)."""

from django.urls import reverse

from perfgoals.roles import Role
from projects.desk.notify import Subject
from projects.evaluation.checks import evaluation_findings
from projects.evaluation.sheet import sheet_of
from projects.models import ReviewAction, SelfEvaluation, TableStatus
from projects.workflow.kinds import (
    UNIT_REPORT_TRANSITIONS,
    DocumentKind,
    first_review_of_unit,
    register,
    transitions_table,
    unit_scope_words,
    withdrawal_refusal_of_unit,
)

# The unit report's loop, and 改分: in 财政抽查 the finance officer may change a row's score (with a
# reason), the self-evaluation staying 待财政审核 until it is approved or returned.
EVALUATION_TRANSITIONS = {
    **UNIT_REPORT_TRANSITIONS,
    **transitions_table(
        (ReviewAction.RESCORE, TableStatus.FINANCE_REVIEW, TableStatus.FINANCE_REVIEW, Role.FINANCE_OFFICER),
    ),
}

def _unit(evaluation):
    return evaluation.project.unit


def evaluation_snapshot(evaluation):
    """What a submission record keeps: the figures and each row's scores as submitted."""
    sheet = sheet_of(evaluation)
    return {
        "funds": {row.key: [str(row.initial or ""), str(row.full or ""), str(row.executed or "")] for row in sheet.funds},
        "execution_score": str(sheet.execution.points),
        "items": [
            {"name": row.item.name, "actual": row.item.actual_text, "self": str(row.self_score), "final": str(row.final)}
            for row in sheet.items
        ],
        "self_total": str(sheet.self_total),
        "total": str(sheet.total),
        "grade": sheet.grade,
        # What an imported file printed, where it did: the submission keeps it beside the reckoning.
        "printed": {
            "execution": str(evaluation.printed_execution or ""),
            "rate": str(evaluation.printed_rate or ""),
            "total": str(evaluation.printed_total or ""),
            "grade": evaluation.printed_grade,
        },
    }


def evaluation_subject(evaluation):
    return Subject(
        f"{evaluation.round.year} 年“{evaluation.project.name or '未命名项目'}”绩效自评",
        reverse("projects:evaluation_detail", args=[evaluation.pk]),
        (evaluation.project.unit_id,),
    )


SELF_EVALUATION = register(
    DocumentKind(
        model=SelfEvaluation,
        record_field="self_evaluation",
        indicator_field="self_evaluation",
        noun="这份自评",
        short_noun="自评",
        transitions=EVALUATION_TRANSITIONS,
        scope_words=unit_scope_words("这份自评"),
        first_review=first_review_of_unit(_unit),
        recheck=evaluation_findings,
        snapshot=evaluation_snapshot,
        lock_related=("project__unit", "round"),
        refusal=withdrawal_refusal_of_unit(_unit, "主管部门已复核通过，不能撤回。"),
        subject=evaluation_subject,
    )
)
