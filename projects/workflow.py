"""The review workflow (审核流程): the one place a project table's status changes.

谁申请资金，谁编制目标；谁批复预算，谁批复目标. A unit submits its table; the supervising department
(主管部门) passes it up or returns it; the finance bureau (财政) approves it (批复) or returns it. A returned
table goes back to its unit, editable, and is resubmitted into the same loop. An approved table is never
edited: the unit starts an adjustment (调整), which makes the next version as a draft copy that goes round
the same loop; when it is approved the old version becomes 已调整.

``TRANSITIONS`` is the one table of what may happen; each action is one function that locks the row
(``select_for_update``), checks the actor's role and scope and the table's state against that table,
writes the new status and exactly one ReviewRecord, and raises WorkflowError (a Chinese message) when it
refuses, having changed nothing. Nothing else in the code assigns a status (tests/projects/test_workflow.py
scans the source to prove it).
"""

from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from indicators.checks.services import project_recheck
from indicators.models import FindingExplanation, Indicator
from perfgoals.faults import database_failed
from perfgoals.history import create_with_history
from perfgoals.roles import Role, role_of
from perfgoals.text import unstorable_message
from projects.models import (
    DepartmentTarget,
    Grade,
    Opinion,
    ProjectGoal,
    ProjectTable,
    ReviewAction,
    ReviewComment,
    ReviewRecord,
    SpendingCheckpoint,
    TableStatus,
)
from projects.scope import scope_of

# What simple-history records as the reason of a status change made here: the history page shows such
# changes through their ReviewRecord rather than a second time as a field change.
WORKFLOW_CHANGE_REASON = "审核流程"


class WorkflowError(Exception):
    """An action was refused. ``str()`` is the message for the user; ``problems`` lists the details
    (the 错误 findings when a submission is refused), each a Chinese sentence."""

    def __init__(self, message, problems=()):
        self.problems = list(problems)
        super().__init__(message)


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    role: str


_S = TableStatus
_A = ReviewAction

# (action, from status) → to status and the one role that may take it. The unit's submission goes to
# the department first; _first_review() skips that step for a unit that is its own department office
# or has no department. A withdrawal from 待财政审核 is only of such a skipped submission.
TRANSITIONS = {
    (_A.SUBMIT, _S.DRAFT): Transition(_A.SUBMIT, _S.DRAFT, _S.DEPARTMENT_REVIEW, Role.UNIT_STAFF),
    (_A.SUBMIT, _S.RETURNED): Transition(_A.SUBMIT, _S.RETURNED, _S.DEPARTMENT_REVIEW, Role.UNIT_STAFF),
    (_A.WITHDRAW, _S.DEPARTMENT_REVIEW): Transition(_A.WITHDRAW, _S.DEPARTMENT_REVIEW, _S.DRAFT, Role.UNIT_STAFF),
    (_A.WITHDRAW, _S.FINANCE_REVIEW): Transition(_A.WITHDRAW, _S.FINANCE_REVIEW, _S.DRAFT, Role.UNIT_STAFF),
    (_A.PASS, _S.DEPARTMENT_REVIEW): Transition(_A.PASS, _S.DEPARTMENT_REVIEW, _S.FINANCE_REVIEW, Role.DEPARTMENT_REVIEWER),
    (_A.RETURN, _S.DEPARTMENT_REVIEW): Transition(_A.RETURN, _S.DEPARTMENT_REVIEW, _S.RETURNED, Role.DEPARTMENT_REVIEWER),
    (_A.RETURN, _S.FINANCE_REVIEW): Transition(_A.RETURN, _S.FINANCE_REVIEW, _S.RETURNED, Role.FINANCE_OFFICER),
    (_A.APPROVE, _S.FINANCE_REVIEW): Transition(_A.APPROVE, _S.FINANCE_REVIEW, _S.APPROVED, Role.FINANCE_OFFICER),
    # The approved version keeps its status; the record and the new draft belong to the new version.
    (_A.ADJUST, _S.APPROVED): Transition(_A.ADJUST, _S.APPROVED, _S.DRAFT, Role.UNIT_STAFF),
}

# Grades after which a table does not go on (DOMAIN §3.4): 中 is returned and revised, 差 stays out.
_GRADES_THAT_RETURN = {Grade.FAIR, Grade.POOR}


@dataclass(frozen=True)
class WorkflowContext:
    """What available_actions needs to know about the user, computed once for a whole list.

    ``adjusted`` holds the ids of tables that already have a next version; None means unknown, and
    available_actions then asks the database for the one approved table it is given."""

    role: str | None
    unit_id: int | None = None
    department_id: int | None = None
    region_id: int | None = None
    adjusted: frozenset | None = None


def workflow_context(user, projects=None):
    """The context for ``user``; with ``projects`` (the rows of a list), one query finds which of them
    already have an adjustment under way, so available_actions needs no query per row."""
    scope = scope_of(user) if user.is_authenticated else None
    adjusted = None
    if projects is not None:
        ids = [project.pk for project in projects if project.status == TableStatus.APPROVED]
        adjusted = frozenset(
            ProjectTable.objects.filter(previous_version__in=ids).values_list("previous_version_id", flat=True)
            if ids
            else ()
        )
    return WorkflowContext(
        role=role_of(user),
        unit_id=scope.unit_id if scope else None,
        department_id=scope.department_id if scope else None,
        region_id=scope.region_id if scope else None,
        adjusted=adjusted,
    )


def skips_department_review(unit):
    """A unit that is itself the 主管部门 (部门本级), or has none, sends its tables straight to finance."""
    return unit.is_department_office or unit.department_id is None


def _first_review(unit):
    return TableStatus.FINANCE_REVIEW if skips_department_review(unit) else TableStatus.DEPARTMENT_REVIEW


def _in_scope(context, project):
    if context.role == Role.UNIT_STAFF:
        return context.unit_id is not None and project.unit_id == context.unit_id
    if context.role == Role.DEPARTMENT_REVIEWER:
        return context.department_id is not None and project.department_id == context.department_id
    if context.role == Role.FINANCE_OFFICER:
        return context.region_id is not None and project.region_id == context.region_id
    return False


_SCOPE_WORDS = {
    Role.UNIT_STAFF: "这张表不属于您的单位",
    Role.DEPARTMENT_REVIEWER: "这张表不属于您所在主管部门的单位",
    Role.FINANCE_OFFICER: "这张表不在您负责的行政区划内",
}


def _refusal(action, project, context):
    """Why ``context``'s user may not take ``action`` on ``project`` now, or None if they may.

    Reads only the project, its unit (for the skipped department step) and the context: no query."""
    label = ReviewAction(action).label
    roles = {transition.role for transition in TRANSITIONS.values() if transition.action == action}
    if context.role not in roles:
        who = "或".join(Role(role).label for role in sorted(roles))
        return f"只有{who}可以{label}这张表。"
    if not _in_scope(context, project):
        return f"{_SCOPE_WORDS[context.role]}，您不能{label}。"
    transition = TRANSITIONS.get((action, project.status))
    if transition is None or transition.role != context.role:
        return f"这张表当前为“{TableStatus(project.status).label}”，不能{label}。"
    if action == ReviewAction.WITHDRAW and project.status == TableStatus.FINANCE_REVIEW:
        if not skips_department_review(project.unit):
            return "主管部门已审核通过，审核已经开始，不能撤回。"
    if action == ReviewAction.ADJUST and context.adjusted is not None and project.pk in context.adjusted:
        return "这张表已有正在调整的新版本，请在新版本上修改。"
    return None


def available_actions(user, project, context=None):
    """The actions (ReviewAction values, in TRANSITIONS order) ``user`` may take on ``project`` now,
    for the buttons a page shows. Pass ``workflow_context(user, rows)`` in a list, and load the rows
    with their ``unit``: then no row costs a query. A submission is offered even while the checks find
    错误; taking it then lists them."""
    context = context or workflow_context(user)
    actions = []
    for (action, source), _transition in TRANSITIONS.items():
        if source != project.status or action in actions:
            continue
        if _refusal(action, project, context) is not None:
            continue
        if action == ReviewAction.ADJUST and context.adjusted is None and _has_next_version(project):
            continue
        actions.append(str(action))
    return actions


def _has_next_version(project):
    return ProjectTable.objects.filter(previous_version=project).exists()


def _locked(project):
    """The table as stored now, locked until the end of the transaction: a concurrent action on it
    waits here and then sees the status this one wrote."""
    return ProjectTable.objects.select_for_update(of=("self",)).select_related("unit").get(pk=project.pk)


def _last_record(table):
    return table.reviews.select_related("actor").order_by("-at", "-id").first()


def _actor_name(user):
    return user.get_full_name() or user.first_name or user.username


def _authorize(action, table, by, last):
    """Refuse unless ``by`` may take ``action`` on the locked ``table``. When the table has moved on
    (someone acted first), say who did what and when, so the second reviewer knows why."""
    context = workflow_context(by)
    refusal = _refusal(action, table, context)
    if refusal is None:
        return TRANSITIONS[(action, table.status)]
    transition = TRANSITIONS.get((action, table.status))
    wrong_state = transition is None or transition.role != context.role
    if wrong_state and last is not None and _in_scope(context, table):
        when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")
        refusal = (
            f"{_actor_name(last.actor)} 已于 {when} {last.get_action_display()}了这张表，"
            f"{refusal}请刷新页面查看最新状态。"
        )
    raise WorkflowError(refusal)


def _set_status(table, status, by):
    """The one assignment of a table's status, on the locked row. A review is not an edit: updated_at
    and updated_by stay; the revision moves on, so an editor page opened before this action can no
    longer save over it."""
    table.status = status
    table.revision += 1
    table._history_user = by
    table._change_reason = WORKFLOW_CHANGE_REASON
    table.save(update_fields=["status", "revision"])


def _storable(text, what="意见"):
    """Refuse a comment holding characters that cannot be stored or exported (perfgoals.text)."""
    message = unstorable_message(text, what)
    if message:
        raise WorkflowError(message)


def _grade(grade):
    if grade and grade not in Grade.values:
        raise WorkflowError(f"审核等级“{grade}”无效，应为 优、良、中、差 之一。")
    return grade or ""


def _comments(table, comments):
    """Row and whole-table comments as unsaved ReviewComments; refuses rows of another table."""
    parsed = []
    for number, item in enumerate(comments or (), 1):
        indicator = item.get("indicator")
        reason = item.get("reason") or ""
        if reason not in Opinion.values:
            raise WorkflowError(f"第 {number} 条审核意见的监审意见“{reason}”不是标准意见。")
        if indicator is not None and indicator.project_id != table.pk:
            raise WorkflowError(f"第 {number} 条审核意见所指的三级指标不在这张表上。")
        _storable(item.get("text"), f"第 {number} 条审核意见")
        parsed.append(
            ReviewComment(
                indicator=indicator,
                indicator_uid=indicator.uid if indicator is not None else None,
                reason=reason,
                text=(item.get("text") or "").strip(),
            )
        )
    return parsed


def _write(table, transition, by, last, *, source, comment="", grade="", reason="", comments=(), snapshot=None):
    """The one ReviewRecord (with its comments) of this action, from status ``source``."""
    current_round = last.round if last is not None else 0
    record = ReviewRecord.objects.create(
        project=table,
        actor=by,
        action=transition.action,
        from_status=source,
        to_status=transition.target,
        grade=grade,
        reason=reason,
        comment=(comment or "").strip(),
        round=current_round + 1 if transition.action == ReviewAction.SUBMIT else current_round,
        snapshot=snapshot,
    )
    for item in comments:
        item.record = record
    ReviewComment.objects.bulk_create(comments)
    return record


def _sync(project, table):
    """Let the caller's instance show the status just written."""
    project.status = table.status


def _snapshot(table):
    from projects.interchange import export_document

    document = export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())
    return document["project_tables"][0]


def project_submit(*, project, by, comment=""):
    """单位提交：草稿或已退回的表送主管部门审核（部门本级或无主管部门的单位直接送财政）。

    Refused while the quality checks find any 错误; ``problems`` then lists each with its row. The
    checks run afresh on the stored table, and their result is kept only if the submission goes
    through. The record keeps a snapshot of the table as submitted."""
    with transaction.atomic():
        table = _locked(project)
        last = _last_record(table)
        transition = _authorize(ReviewAction.SUBMIT, table, by, last)
        _storable(comment)
        result = project_recheck(project=table)
        errors = [finding for finding in result.findings if finding.blocks_submission]
        if errors:
            problems = [
                (f"第 {finding.row} 行：" if finding.row else "") + finding.message + (f"（{finding.suggestion}）" if finding.suggestion else "")
                for finding in errors
            ]
            raise WorkflowError(f"智能审核发现 {len(errors)} 个错误，请修改后再提交。", problems)
        transition = Transition(transition.action, transition.source, _first_review(table.unit), transition.role)
        source = table.status
        _set_status(table, transition.target, by)
        record = _write(table, transition, by, last, source=source, comment=comment, snapshot=_snapshot(table))
    _sync(project, table)
    return record


def project_withdraw(*, project, by, comment=""):
    """单位撤回：还没有人审核的提交可以撤回为草稿。Once the department has passed it, it is too late."""
    with transaction.atomic():
        table = _locked(project)
        last = _last_record(table)
        transition = _authorize(ReviewAction.WITHDRAW, table, by, last)
        _storable(comment)
        if last is None or last.action != ReviewAction.SUBMIT:
            raise WorkflowError("审核已经开始，不能撤回。")
        source = table.status
        _set_status(table, transition.target, by)
        record = _write(table, transition, by, last, source=source, comment=comment)
    _sync(project, table)
    return record


def _review(action, project, by, *, comment, grade, reason="", comments=()):
    with transaction.atomic():
        table = _locked(project)
        last = _last_record(table)
        transition = _authorize(action, table, by, last)
        _storable(comment)
        grade = _grade(grade)
        if action != ReviewAction.RETURN and grade in _GRADES_THAT_RETURN:
            raise WorkflowError(f"评为“{Grade(grade).label}”的表应退回修改，不能{ReviewAction(action).label}。")
        parsed = _comments(table, comments)
        if action == ReviewAction.RETURN:
            if not reason:
                raise WorkflowError("退回必须说明理由。")
            if reason not in Opinion.values:
                raise WorkflowError(f"退回理由“{reason}”不是标准监审意见。")
            explained = (comment or "").strip() or any(item.text for item in parsed)
            if reason == Opinion.OTHER and not explained:
                raise WorkflowError("退回理由为“其他”时，请在意见中写明具体问题。")
        if action == ReviewAction.APPROVE and table.previous_version_id:
            previous = ProjectTable.objects.select_for_update().get(pk=table.previous_version_id)
            if previous.status == TableStatus.APPROVED:
                _set_status(previous, TableStatus.SUPERSEDED, by)
        source = table.status
        _set_status(table, transition.target, by)
        record = _write(
            table, transition, by, last, source=source, comment=comment, grade=grade, reason=reason, comments=parsed
        )
    _sync(project, table)
    return record


def project_pass(*, project, by, comment="", grade="", comments=()):
    """主管部门审核通过，送财政审核。A grade of 中 or 差 means the table should be returned instead."""
    return _review(ReviewAction.PASS, project, by, comment=comment, grade=grade, comments=comments)


def project_return(*, project, by, reason, comment="", grade="", comments=()):
    """主管部门或财政退回：必须给出一条标准监审意见作为理由（“其他”还须写明问题）。
    The table goes back to its unit as 已退回, editable, and is resubmitted into the same loop."""
    return _review(ReviewAction.RETURN, project, by, comment=comment, grade=grade, reason=reason, comments=comments)


def project_approve(*, project, by, comment="", grade="", comments=()):
    """财政批复。谁批复预算，谁批复目标. Approving an adjustment marks the version it replaces 已调整."""
    return _review(ReviewAction.APPROVE, project, by, comment=comment, grade=grade, comments=comments)


def project_start_adjustment(*, project, by, comment=""):
    """单位发起调整：已批复的表不再修改，而是复制为下一版草稿，走同一审核流程。

    The approved version stays as it is, read-only and visible, until the new one is approved. The
    new version copies the header, goals, spending plan and indicator rows (each row's copied_from is
    the approved row, so a reviewer sees what changed) and the unit's explanations of warnings.
    Returns the new version; its ReviewRecord is the one record of this action."""
    with transaction.atomic():
        table = _locked(project)
        last = _last_record(table)
        transition = _authorize(ReviewAction.ADJUST, table, by, last)
        _storable(comment)
        following = ProjectTable.objects.filter(previous_version=table).first()
        if following is not None:
            raise WorkflowError(f"这张表已有正在调整的第 {following.version} 版，请在那一版上修改。")
        copy = _copy_as_next_version(table, by)
        ReviewRecord.objects.create(
            project=copy,
            actor=by,
            action=ReviewAction.ADJUST,
            from_status=table.status,
            to_status=transition.target,
            comment=(comment or "").strip(),
            round=0,
        )
        project_recheck(project=copy)
    return copy


def _copy_as_next_version(table, by):
    reason = f"{ReviewAction.ADJUST.label}（第 {table.version + 1} 版）"
    copy = ProjectTable(
        region_id=table.region_id,
        department_id=table.department_id,
        unit_id=table.unit_id,
        year=table.year,
        name=table.name,
        code=table.code,
        attribute_id=table.attribute_id,
        period=table.period,
        funds_total=table.funds_total,
        funds_fiscal=table.funds_fiscal,
        funds_other=table.funds_other,
        fund_use=table.fund_use,
        framework_id=table.framework_id,
        no_direct_beneficiaries=table.no_direct_beneficiaries,
        version=table.version + 1,
        previous_version=table,
        updated_by=by,
    )
    copy._history_user = by
    copy._change_reason = reason
    copy.save()
    create_with_history(
        [ProjectGoal(project=copy, kind=goal.kind, order=goal.order, text=goal.text) for goal in table.goals.all()],
        by=by,
        reason=reason,
    )
    create_with_history(
        [
            SpendingCheckpoint(project=copy, month=point.month, cumulative_percent=point.cumulative_percent)
            for point in table.spending_plan.all()
        ],
        by=by,
        reason=reason,
    )
    from projects.services import INDICATOR_FIELDS

    rows = list(table.indicators.all())
    copies = create_with_history(
        [Indicator(project=copy, copied_from=row, **{name: getattr(row, name) for name in INDICATOR_FIELDS}) for row in rows],
        by=by,
        reason=reason,
    )
    new_uid = {str(row.uid): str(new.uid) for row, new in zip(rows, copies)}
    FindingExplanation.objects.bulk_create(
        FindingExplanation(
            project=copy,
            rule=item.rule,
            indicator_uid=new_uid.get(item.indicator_uid, "") if item.indicator_uid else "",
            text=item.text,
            created_by=item.created_by,
        )
        for item in table.finding_explanations.all()
        if not item.indicator_uid or item.indicator_uid in new_uid
    )
    return copy


def _run(action, project, by, reason, comment, grade):
    if action == ReviewAction.SUBMIT:
        return project_submit(project=project, by=by, comment=comment)
    if action == ReviewAction.WITHDRAW:
        return project_withdraw(project=project, by=by, comment=comment)
    if action == ReviewAction.PASS:
        return project_pass(project=project, by=by, comment=comment, grade=grade)
    if action == ReviewAction.RETURN:
        return project_return(project=project, by=by, reason=reason, comment=comment, grade=grade)
    return project_approve(project=project, by=by, comment=comment, grade=grade)


BULK_ACTIONS = (ReviewAction.SUBMIT, ReviewAction.WITHDRAW, ReviewAction.PASS, ReviewAction.RETURN, ReviewAction.APPROVE)


def projects_bulk(*, action, projects, by, reason="", comment="", grade=""):
    """批量提交、通过、退回或批复：each table in its own transaction, so one refusal stops nothing.

    Returns (table, ReviewRecord or None, Chinese message or None) for each table, in order. An
    adjustment is started one table at a time, so it is not offered here."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"projects_bulk cannot run {action!r}; use one of {[str(a) for a in BULK_ACTIONS]}")
    outcomes = []
    for project in projects:
        try:
            outcomes.append((project, _run(action, project, by, reason, comment, grade), None))
        except WorkflowError as refused:
            outcomes.append((project, None, str(refused)))
        except DatabaseError:
            # This table's transaction was rolled back; the others are independent and go on.
            outcomes.append((project, None, database_failed(f"taking the bulk action {action!r}")))
    return outcomes
