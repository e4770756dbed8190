"""The review workflow (审核流程): the one place a document's status changes.

谁申请资金，谁编制目标；谁批复预算，谁批复目标. A unit submits its document; the supervising department
(主管部门) passes it up or returns it; the finance bureau (财政) approves it (批复) or returns it. A returned
document goes back to its unit, editable, and is resubmitted into the same loop. An approved document
is never edited: the unit starts an adjustment (调整), with its reason, which makes the next version as a
draft copy that goes round the same loop; when it is approved the old version becomes 已调整. An
administrator who must correct an approved document does it through a recorded correction (更正).

- kinds: the kinds of document (project tables, whole-department targets) and each one's transitions;
- gate: the locked action functions every kind goes through, and the one status assignment;
- this module: the named actions views and services call, and the bulk action of the queue.
"""

from django.db import DatabaseError

from perfgoals.faults import database_failed
from projects.models import ReviewAction
from projects.workflow import gate
from projects.workflow.gate import (
    WORKFLOW_CHANGE_REASON,
    WorkflowContext,
    WorkflowError,
    available_actions,
    workflow_context,
)
from projects.workflow.kinds import (
    DEPARTMENT_TARGET_TRANSITIONS,
    KINDS,
    PROJECT_TRANSITIONS,
    Transition,
    kind_of,
    register,
    skips_department_review,
)

# The project table's transitions, as the tests and pages have always named them.
TRANSITIONS = PROJECT_TRANSITIONS

__all__ = [
    "BULK_ACTIONS",
    "DEPARTMENT_TARGET_TRANSITIONS",
    "KINDS",
    "TRANSITIONS",
    "Transition",
    "WORKFLOW_CHANGE_REASON",
    "WorkflowContext",
    "WorkflowError",
    "available_actions",
    "document_amend",
    "document_correct",
    "document_revoke",
    "document_start_adjustment",
    "kind_of",
    "project_approve",
    "project_pass",
    "project_return",
    "project_start_adjustment",
    "project_submit",
    "project_withdraw",
    "projects_bulk",
    "register",
    "skips_department_review",
    "target_approve",
    "target_pass",
    "target_return",
    "target_start_adjustment",
    "target_submit",
    "target_withdraw",
    "workflow_context",
]


def project_submit(*, project, by, comment=""):
    """单位提交：草稿或已退回的表送主管部门审核（部门本级或无主管部门的单位直接送财政）。

    Refused while the quality checks find any 错误; ``problems`` then lists each with its row. The
    checks run afresh on the stored table, and their result is kept only if the submission goes
    through. The record keeps a snapshot of the table as submitted."""
    return gate.submit(project, by=by, comment=comment)


def project_withdraw(*, project, by, comment=""):
    """单位撤回：还没有人审核的提交可以撤回为草稿。Once the department has passed it, it is too late."""
    return gate.withdraw(project, by=by, comment=comment)


def project_pass(*, project, by, comment="", grade="", comments=()):
    """主管部门审核通过，送财政审核。A grade of 中 or 差 means the table should be returned instead."""
    return gate.review(ReviewAction.PASS, project, by=by, comment=comment, grade=grade, comments=comments)


def project_return(*, project, by, reason, comment="", grade="", comments=()):
    """主管部门或财政退回：必须给出一条标准监审意见作为理由（“其他”还须写明问题）。
    The table goes back to its unit as 已退回, editable, and is resubmitted into the same loop."""
    return gate.review(ReviewAction.RETURN, project, by=by, comment=comment, grade=grade, reason=reason, comments=comments)


def project_approve(*, project, by, comment="", grade="", comments=(), approval=None):
    """财政批复。谁批复预算，谁批复目标. Approving an adjustment marks the version it replaces 已调整.
    ``approval``: what the approval says (approval_number 批复文号, approval_date 批复日期, approved_amount
    批复金额), kept on its record and printed on the approved form."""
    return gate.review(ReviewAction.APPROVE, project, by=by, comment=comment, grade=grade, comments=comments, approval=approval)


def project_start_adjustment(*, project, by, comment=""):
    """单位发起调整：已批复的表不再修改，而是复制为下一版草稿，走同一审核流程。``comment`` is the
    adjustment's reason, required.

    The approved version stays as it is, read-only and visible, until the new one is approved. The
    new version copies the header, goals, spending plan and indicator rows (each row's copied_from is
    the approved row, so a reviewer sees what changed) and the unit's explanations of warnings.
    Returns the new version; its ReviewRecord is the one record of this action."""
    return gate.start_adjustment(project, by=by, reason=comment)


def target_submit(*, target, by, comment=""):
    """部门本级提交部门整体绩效目标，送主管部门审核。Refused while its checks find any 错误."""
    return gate.submit(target, by=by, comment=comment)


def target_withdraw(*, target, by, comment=""):
    """部门本级撤回还没有人审核的部门整体绩效目标。"""
    return gate.withdraw(target, by=by, comment=comment)


def target_pass(*, target, by, comment="", grade="", comments=()):
    """主管部门审核通过部门整体绩效目标，送财政审核。"""
    return gate.review(ReviewAction.PASS, target, by=by, comment=comment, grade=grade, comments=comments)


def target_return(*, target, by, reason, comment="", grade="", comments=()):
    """主管部门或财政退回部门整体绩效目标，须给出标准监审意见。"""
    return gate.review(ReviewAction.RETURN, target, by=by, comment=comment, grade=grade, reason=reason, comments=comments)


def target_approve(*, target, by, comment="", grade="", comments=(), approval=None):
    """财政批复部门整体绩效目标，``approval`` (批复文号, 批复日期, 批复金额) as for a project table."""
    return gate.review(ReviewAction.APPROVE, target, by=by, comment=comment, grade=grade, comments=comments, approval=approval)


def target_start_adjustment(*, target, by, reason):
    """部门本级发起调整：复制为下一版草稿，须说明调整理由。"""
    return gate.start_adjustment(target, by=by, reason=reason)


def document_start_adjustment(*, document, by, reason):
    """发起调整 of any versioned document (a project table, a department target), with its reason."""
    return gate.start_adjustment(document, by=by, reason=reason)


def document_correct(*, document, by, reason, changes):
    """管理员更正已批复的表或目标（须说明理由，逐项记录原值和新值）。"""
    return gate.correct(document, by=by, reason=reason, changes=changes)


def document_amend(action, document, *, by, reason, change):
    """A reviewer's change of a document under review, with its reason, that leaves its status (a
    self-evaluation's 改分): ``change(locked document)`` returns the line its record keeps."""
    return gate.amend(action, document, by=by, reason=reason, change=change)


def document_revoke(*, document, by, reason):
    """财政撤销批复：已批复的表或目标回到待财政审核，须说明理由，记入审核记录。"""
    return gate.revoke(document, by=by, reason=reason)


def document_action(action, document, *, by, reason="", comment="", grade="", comments=()):
    """Any review action but an adjustment or a correction, by its name: what the pages and the bulk
    action of the queue call. A reviewer's 要求调整 on a monitoring report also starts the adjustment
    of its table in force (gate.decide)."""
    if action == ReviewAction.SUBMIT:
        return gate.submit(document, by=by, comment=comment)
    if action == ReviewAction.WITHDRAW:
        return gate.withdraw(document, by=by, comment=comment)
    if action in (ReviewAction.PASS, ReviewAction.RETURN, ReviewAction.APPROVE):
        return gate.review(action, document, by=by, comment=comment, grade=grade, reason=reason, comments=comments)
    if action in (ReviewAction.ORDER_ADJUST, ReviewAction.RECOVER):
        return gate.decide(action, document, by=by, comment=comment)
    raise ValueError(f"document_action cannot run {action!r}")


BULK_ACTIONS = (ReviewAction.SUBMIT, ReviewAction.WITHDRAW, ReviewAction.PASS, ReviewAction.RETURN, ReviewAction.APPROVE)


def projects_bulk(*, action, projects, by, reason="", comment="", grade=""):
    """批量提交、通过、退回或批复：each document in its own transaction, so one refusal stops nothing.

    Returns (document, ReviewRecord or None, Chinese message or None) for each, in order. An
    adjustment is started one document at a time, so it is not offered here."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"projects_bulk cannot run {action!r}; use one of {[str(a) for a in BULK_ACTIONS]}")
    outcomes = []
    for document in projects:
        try:
            outcomes.append((document, document_action(action, document, by=by, reason=reason, comment=comment, grade=grade), None))
        except WorkflowError as refused:
            outcomes.append((document, None, str(refused)))
        except DatabaseError:
            # This document's transaction was rolled back; the others are independent and go on.
            outcomes.append((document, None, database_failed(f"taking the bulk action {action!r}")))
    return outcomes
