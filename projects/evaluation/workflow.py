"""The self-evaluation as a kind of document of the one workflow gate: the unit submits, its
department 复核 (passes or returns), the finance bureau 抽查 (approves or returns). Registered when
the app is ready (projects.apps)."""

from perfgoals.roles import Role
from projects.evaluation.checks import evaluation_findings
from projects.evaluation.sheet import sheet_of
from projects.models import ReviewAction, SelfEvaluation, TableStatus
from projects.workflow.kinds import DocumentKind, Transition, register, skips_department_review

_S, _A = TableStatus, ReviewAction

SELF_EVALUATION_TRANSITIONS = {
    (action, source): Transition(action, source, target, role)
    for action, source, target, role in (
    (_A.SUBMIT, _S.DRAFT, _S.DEPARTMENT_REVIEW, Role.UNIT_STAFF),
    (_A.SUBMIT, _S.RETURNED, _S.DEPARTMENT_REVIEW, Role.UNIT_STAFF),
    (_A.WITHDRAW, _S.DEPARTMENT_REVIEW, _S.DRAFT, Role.UNIT_STAFF),
    (_A.WITHDRAW, _S.FINANCE_REVIEW, _S.DRAFT, Role.UNIT_STAFF),
    (_A.PASS, _S.DEPARTMENT_REVIEW, _S.FINANCE_REVIEW, Role.DEPARTMENT_REVIEWER),
    (_A.RETURN, _S.DEPARTMENT_REVIEW, _S.RETURNED, Role.DEPARTMENT_REVIEWER),
    (_A.RETURN, _S.FINANCE_REVIEW, _S.RETURNED, Role.FINANCE_OFFICER),
    (_A.APPROVE, _S.FINANCE_REVIEW, _S.APPROVED, Role.FINANCE_OFFICER),
    )
}


def _first_review(evaluation):
    """Like its table: a 部门本级 unit (or one without a department) goes straight to finance."""
    return TableStatus.FINANCE_REVIEW if skips_department_review(evaluation.project.unit) else TableStatus.DEPARTMENT_REVIEW


def _refusal(action, evaluation):
    if action == ReviewAction.WITHDRAW and evaluation.status == TableStatus.FINANCE_REVIEW:
        if not skips_department_review(evaluation.project.unit):
            return "主管部门已复核通过，不能撤回。"
    return None


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
    }


def _not_versioned(*_args):
    raise NotImplementedError("a self-evaluation is not adjusted as a new version")


SELF_EVALUATION = register(
    DocumentKind(
        model=SelfEvaluation,
        record_field="self_evaluation",
        indicator_field="self_evaluation",
        noun="这份自评",
        short_noun="自评",
        transitions=SELF_EVALUATION_TRANSITIONS,
        scope_words={
            Role.UNIT_STAFF: "这份自评不属于您的单位",
            Role.DEPARTMENT_REVIEWER: "这份自评不属于您所在主管部门的单位",
            Role.FINANCE_OFFICER: "这份自评不在您负责的行政区划内",
        },
        first_review=_first_review,
        recheck=evaluation_findings,
        snapshot=evaluation_snapshot,
        copy_next_version=_not_versioned,
        differs_from_previous=lambda evaluation: True,
        correctable=(),
        lock_related=("project__unit", "round"),
        refusal=_refusal,
    )
)
