"""The gate: the one place a document's status changes, for every kind of document.

Each kind (projects.workflow.kinds) has its table of transitions: (action, from status) → to status and
the one role that may take it. Each action is one function here that locks the document's row
(``select_for_update``), checks the actor's role and scope and the document's state against that
table, writes the new status and exactly one ReviewRecord, and raises WorkflowError (a Chinese
message) when it refuses, having changed nothing. Nothing else in the code assigns a status
(tests/projects/test_workflow.py scans the source to prove it).
"""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from perfgoals.roles import Role, role_of
from perfgoals.text import unstorable_message
from projects import tallies
from projects.models import Grade, Opinion, ReviewAction, ReviewComment, ReviewRecord, TableStatus
from perfgoals.scope import scope_of
from projects.desk import notify
from projects.workflow.kinds import kind_of

# What simple-history records as the reason of a status change made here: the history page shows such
# changes through their ReviewRecord rather than a second time as a field change.
WORKFLOW_CHANGE_REASON = "审核流程"

# Grades after which a document does not go on (DOMAIN §3.4): 中 is returned and revised, 差 stays out.
_GRADES_THAT_RETURN = {Grade.FAIR, Grade.POOR}


class WorkflowError(Exception):
    """An action was refused. ``str()`` is the message for the user; ``problems`` lists the details
    (the 错误 findings when a submission is refused), each a Chinese sentence."""

    def __init__(self, message, problems=()):
        self.problems = list(problems)
        super().__init__(message)


@dataclass(frozen=True)
class WorkflowContext:
    """What available_actions needs to know about the user, computed once for a whole list.

    ``adjusted`` holds the ids of documents that already have a next version; None means unknown, and
    available_actions then asks the database for the one approved document it is given."""

    role: str | None
    scope: object = None
    adjusted: frozenset | None = None


def workflow_context(user, documents=None):
    """The context for ``user``; with ``documents`` (the rows of a list, all of one kind), one query
    finds which of them already have an adjustment under way, so available_actions needs no query per row."""
    scope = scope_of(user) if user.is_authenticated else None
    adjusted = None
    if documents is not None:
        documents = list(documents)
        ids = [document.pk for document in documents if document.status == TableStatus.APPROVED]
        adjusted = frozenset()
        if ids and kind_of(documents[0]).versioned:
            model = type(documents[0])
            adjusted = frozenset(model.objects.filter(previous_version__in=ids).values_list("previous_version_id", flat=True))
    return WorkflowContext(role=role_of(user), scope=scope, adjusted=adjusted)


def _covers(context, document):
    return context.scope is not None and not context.scope.sees_everything and context.scope.covers(document)


def refusal(action, document, context):
    """Why ``context``'s user may not take ``action`` on ``document`` now, or None if they may.

    Reads only the document, what its kind's scope path needs (loaded with it) and the context."""
    kind = kind_of(document)
    label = ReviewAction(action).label
    roles = {transition.role for transition in kind.transitions.values() if transition.action == action}
    if context.role not in roles:
        who = "或".join(Role(role).label for role in sorted(roles)) or "任何人"
        return f"只有{who}可以{label}{kind.noun}。"
    if context.role == Role.ADMINISTRATOR:
        in_scope = context.scope is not None
    else:
        in_scope = _covers(context, document)
    if not in_scope:
        return f"{kind.scope_words.get(context.role, kind.noun + '不在您的范围内')}，您不能{label}。"
    transition = kind.transitions.get((action, document.status))
    if transition is None or transition.role != context.role:
        return f"{kind.noun}当前为“{TableStatus(document.status).label}”，不能{label}。"
    extra = kind.refusal(action, document) if kind.refusal else None
    if extra:
        return extra
    if action == ReviewAction.ADJUST and context.adjusted is not None and document.pk in context.adjusted:
        return f"{kind.noun}已有正在调整的新版本，请在新版本上修改。"
    return None


def available_actions(user, document, context=None):
    """The actions (ReviewAction values, in the kind's transition order) ``user`` may take on
    ``document`` now, for the buttons a page shows. Pass ``workflow_context(user, rows)`` in a list,
    and load the rows with what their scope path reads: then no row costs a query. A submission is
    offered even while the checks find 错误; taking it then lists them. A correction (an
    administrator's) has a page of its own, which the detail page links to."""
    context = context or workflow_context(user)
    kind = kind_of(document)
    actions = []
    for (action, source), _transition in kind.transitions.items():
        if source != document.status or action in actions:
            continue
        if refusal(action, document, context) is not None:
            continue
        if action == ReviewAction.ADJUST and context.adjusted is None and _has_next_version(document):
            continue
        actions.append(str(action))
    return actions


def _has_next_version(document):
    return type(document).objects.filter(previous_version=document).exists()


def _locked(document):
    """The document as stored now, locked until the end of the transaction: a concurrent action on it
    waits here and then sees the status this one wrote."""
    kind = kind_of(document)
    return kind.model.objects.select_for_update(of=("self",)).select_related(*kind.lock_related).get(pk=document.pk)


def _last_record(document):
    return document.reviews.select_related("actor").order_by("-at", "-id").first()


def _open_with_reason(action, document, by, reason, missing, label):
    """Inside the caller's transaction, for an action that must say why: the locked document, its last
    record and the authorized transition; refused (``missing``) without a reason, or with one too long
    to keep (named ``label``)."""
    locked = _locked(document)
    last = _last_record(locked)
    transition = _authorize(action, locked, by, last)
    if not reason:
        raise WorkflowError(missing)
    _storable(reason, label)
    return locked, last, transition


def _actor_name(user):
    return user.get_full_name() or user.first_name or user.username


def _authorize(action, document, by, last):
    """Refuse unless ``by`` may take ``action`` on the locked ``document``. When it has moved on
    (someone acted first), say who did what and when, so the second reviewer knows why."""
    kind = kind_of(document)
    context = workflow_context(by)
    refused = refusal(action, document, context)
    if refused is None:
        return kind.transitions[(action, document.status)]
    transition = kind.transitions.get((action, document.status))
    wrong_state = transition is None or transition.role != context.role
    if wrong_state and last is not None and _covers(context, document):
        when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")
        refused = (
            f"{_actor_name(last.actor)} 已于 {when} {last.get_action_display()}了{kind.noun}，"
            f"{refused}请刷新页面查看最新状态。"
        )
    raise WorkflowError(refused)


def _set_status(document, status, by):
    """The one assignment of a document's status, on the locked row. A review is not an edit:
    updated_at and updated_by stay; the revision moves on, so an editor page opened before this action
    can no longer save over it."""
    document.status = status
    document.revision += 1
    document._history_user = by
    document._change_reason = WORKFLOW_CHANGE_REASON
    document.save(update_fields=["status", "revision"])


def _storable(text, what="意见"):
    """Refuse a comment holding characters that cannot be stored or exported (perfgoals.text)."""
    message = unstorable_message(text, what)
    if message:
        raise WorkflowError(message)


def _grade(grade):
    if grade and grade not in Grade.values:
        raise WorkflowError(f"审核等级“{grade}”无效，应为 优、良、中、差 之一。")
    return grade or ""


def _comments(document, comments):
    """Row and whole-document comments as unsaved ReviewComments; refuses rows of another document."""
    kind = kind_of(document)
    parsed = []
    for number, item in enumerate(comments or (), 1):
        indicator = item.get("indicator")
        reason = item.get("reason") or ""
        if reason not in Opinion.values:
            raise WorkflowError(f"第 {number} 条审核意见的监审意见“{reason}”不是标准意见。")
        if indicator is not None and not _owns(kind, document, indicator):
            raise WorkflowError(f"第 {number} 条审核意见所指的三级指标不在{kind.noun}上。")
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


def _owns(kind, document, indicator):
    if kind.owns_indicator is not None:
        return kind.owns_indicator(document, indicator)
    return getattr(indicator, f"{kind.indicator_field}_id") == document.pk


APPROVAL_FIELDS = ("approval_number", "approval_date", "approved_amount")


def _write(document, transition, by, last, *, source, comment="", grade="", reason="", comments=(), snapshot=None, approval=None):
    """The one ReviewRecord (with its comments) of this action, from status ``source``; an approval's
    批复文号, 批复日期 and 批复金额 (``approval``) on it."""
    current_round = last.round if last is not None else 0
    record = ReviewRecord.objects.create(
        **{kind_of(document).record_field: document},
        actor=by,
        action=transition.action,
        from_status=source,
        to_status=transition.target,
        grade=grade,
        reason=reason,
        comment=(comment or "").strip(),
        round=current_round + 1 if transition.action == ReviewAction.SUBMIT else current_round,
        snapshot=snapshot,
        **{name: value for name, value in (approval or {}).items() if name in APPROVAL_FIELDS},
    )
    for item in comments:
        item.record = record
    ReviewComment.objects.bulk_create(comments)
    # A return, an approval, a revoked approval and each review comment are told to the unit.
    kind = kind_of(document)
    notify.record_written(record, (lambda: kind.subject(document)) if kind.subject else None, comments)
    return record


def _sync(document, locked):
    """Let the caller's instance show the status and revision just written."""
    document.status = locked.status
    document.revision = locked.revision


def _problems(findings):
    return [
        (f"第 {finding.row} 行：" if finding.row else "")
        + finding.message
        + (f"（{finding.suggestion}）" if finding.suggestion else "")
        for finding in findings
    ]


def submit(document, *, by, comment=""):
    """The unit submits a draft or returned document into review.

    Refused while the quality checks find any 错误 (``problems`` then lists each with its row), and
    for an adjustment that changes nothing from the version it adjusts. The checks run afresh on the
    stored document. The record keeps a snapshot of the document as submitted."""
    kind = kind_of(document)
    with transaction.atomic(), tallies.deferred():
        locked = _locked(document)
        last = _last_record(locked)
        transition = _authorize(ReviewAction.SUBMIT, locked, by, last)
        _storable(comment)
        errors = [finding for finding in kind.recheck(locked).findings if finding.blocks_submission]
        if errors:
            raise WorkflowError(f"智能审核发现 {len(errors)} 个错误，请修改后再提交。", _problems(errors))
        if kind.previous_version_id(locked) is not None and not kind.differs_from_previous(locked):
            raise WorkflowError(
                f"第 {locked.version} 版与已批复的第 {locked.version - 1} 版没有任何不同，调整没有内容，不能提交。"
                "请先修改需要调整的内容；如不再需要调整，请删除这一版。"
            )
        target = kind.first_review(locked)
        transition = type(transition)(transition.action, transition.source, target, transition.role)
        source = locked.status
        _set_status(locked, transition.target, by)
        record = _write(locked, transition, by, last, source=source, comment=comment, snapshot=kind.snapshot(locked))
    _sync(document, locked)
    return record


def withdraw(document, *, by, comment=""):
    """The unit withdraws a submission nobody has reviewed yet; it becomes a draft again."""
    with transaction.atomic(), tallies.deferred():
        locked = _locked(document)
        last = _last_record(locked)
        transition = _authorize(ReviewAction.WITHDRAW, locked, by, last)
        _storable(comment)
        if last is None or last.action != ReviewAction.SUBMIT:
            raise WorkflowError("审核已经开始，不能撤回。")
        source = locked.status
        _set_status(locked, transition.target, by)
        record = _write(locked, transition, by, last, source=source, comment=comment)
    _sync(document, locked)
    return record


def review(action, document, *, by, comment="", grade="", reason="", comments=(), approval=None):
    """A reviewer passes, returns or approves. A return needs a standard reason (监审意见; 其他 needs
    the problem written out); a grade of 中 or 差 means return, not pass or approve. Approving an
    adjustment marks the version it replaces 已调整."""
    kind = kind_of(document)
    with transaction.atomic(), tallies.deferred():
        locked = _locked(document)
        last = _last_record(locked)
        transition = _authorize(action, locked, by, last)
        _storable(comment)
        grade = _grade(grade)
        if action != ReviewAction.RETURN and grade in _GRADES_THAT_RETURN:
            raise WorkflowError(f"评为“{Grade(grade).label}”的{kind.short_noun}应退回修改，不能{ReviewAction(action).label}。")
        parsed = _comments(locked, comments)
        if action == ReviewAction.RETURN:
            if not reason:
                raise WorkflowError("退回必须说明理由。")
            if reason not in Opinion.values:
                raise WorkflowError(f"退回理由“{reason}”不是标准监审意见。")
            explained = (comment or "").strip() or any(item.text for item in parsed)
            if reason == Opinion.OTHER and not explained:
                raise WorkflowError("退回理由为“其他”时，请在意见中写明具体问题。")
        if action == ReviewAction.APPROVE and kind.previous_version_id(locked):
            previous = kind.model.objects.select_for_update(of=("self",)).get(pk=locked.previous_version_id)
            if previous.status == TableStatus.APPROVED:
                _set_status(previous, TableStatus.SUPERSEDED, by)
        source = locked.status
        _set_status(locked, transition.target, by)
        record = _write(
            locked, transition, by, last, source=source, comment=comment, grade=grade, reason=reason, comments=parsed,
            approval=approval if action == ReviewAction.APPROVE else None,
        )
    _sync(document, locked)
    return record


def decide(action, document, *, by, comment):
    """A decision recorded on a document without changing its status (a kind's transition from a
    status to itself): the finance bureau's 要求调整 or 收回资金 on a monitoring report whose target
    will miss. ``comment`` (what is decided and why) is required.

    要求调整 on a kind that names the document it adjusts (``ordered_adjustment_of``: a report's
    table in force) also starts that adjustment, in the same transaction: the next version of the
    table, a draft for its unit, with ``comment`` as the adjustment's reason (see _order_adjustment).
    Returns the decision's record."""
    kind = kind_of(document)
    comment = (comment or "").strip()
    with transaction.atomic(), tallies.deferred():
        locked = _locked(document)
        last = _last_record(locked)
        transition = _authorize(action, locked, by, last)
        if transition.target != locked.status:
            raise ValueError(f"{action!r} is not a decision of {kind.short_noun}")
        if not comment:
            raise WorkflowError(f"{ReviewAction(action).label}必须写明决定的内容和理由。")
        _storable(comment)
        if action == ReviewAction.ORDER_ADJUST and kind.ordered_adjustment_of is not None:
            _order_adjustment(kind.ordered_adjustment_of(locked), by=by, reason=comment)
        record = _write(locked, transition, by, last, source=locked.status, comment=comment)
    return record


def _order_adjustment(document, *, by, reason):
    """Start the adjustment of ``document`` (a versioned document in force) that a reviewer's 要求调整
    orders, inside the decision's transaction. The decision's authorization stands for the unit's
    发起调整 (the reviewer covers the same unit); everything else is as start_adjustment: the locked
    row must be approved and not already being adjusted, the new version is a draft for its unit and
    its record keeps the reason. Returns the new version."""
    kind = kind_of(document)
    locked = _locked(document)
    name = f"“{getattr(locked, 'name', '') or '未命名项目'}”"
    transition = kind.transitions.get((ReviewAction.ADJUST, locked.status))
    if transition is None:
        raise WorkflowError(
            f"{name}（第 {locked.version} 版）当前为“{TableStatus(locked.status).label}”，不能发起调整；"
            "只有已批复的表可以调整。"
        )
    following = kind.model.objects.filter(previous_version=locked).first()
    if following is not None:
        raise WorkflowError(adjusting_message(locked, following))
    _storable(reason, "调整理由")
    copy = _adjust(kind, locked, by, reason, transition)
    notify.adjustment_ordered(kind.subject(copy) if kind.subject else None, version=copy.version, by=by, reason=reason)
    return copy


def adjusting_message(document, following):
    """Why a 要求调整 of ``document`` is refused while its next version ``following`` is under way."""
    name = getattr(document, "name", "") or "未命名项目"
    return (
        f"“{name}”已在调整中（第 {following.version} 版，{TableStatus(following.status).label}），不能再要求调整；"
        f"请单位在第 {following.version} 版上修改，或只记录收回资金的决定。"
    )


def _adjust(kind, locked, by, reason, transition):
    """The next version of the locked approved ``locked``, a draft, and its one ADJUST record keeping
    ``reason``; rechecked. What 发起调整 and a reviewer's 要求调整 both write."""
    copy = kind.copy_next_version(locked, by)
    ReviewRecord.objects.create(
        **{kind.record_field: copy},
        actor=by,
        action=ReviewAction.ADJUST,
        from_status=locked.status,
        to_status=transition.target,
        comment=reason,
        round=0,
    )
    kind.recheck(copy)
    return copy


def start_adjustment(document, *, by, reason):
    """The unit starts an adjustment (调整) of an approved document: it is never edited, but copied as
    the next version, a draft that goes round the same loop; the approved version stays in force until
    the new one is approved. ``reason`` (why the adjustment is needed) is required; it is the record's
    comment, shown on the new version and in its history. Returns the new version."""
    kind = kind_of(document)
    reason = (reason or "").strip()
    with transaction.atomic(), tallies.deferred():
        locked = _locked(document)
        last = _last_record(locked)
        transition = _authorize(ReviewAction.ADJUST, locked, by, last)
        following = kind.model.objects.filter(previous_version=locked).first()
        if following is not None:
            raise WorkflowError(f"{kind.noun}已有正在调整的第 {following.version} 版，请在那一版上修改。")
        if not reason:
            raise WorkflowError("发起调整必须说明调整理由（例如 预算追加、任务变化），理由会显示在新版本和审核记录中。")
        _storable(reason, "调整理由")
        copy = _adjust(kind, locked, by, reason, transition)
    return copy


def revoke(document, *, by, reason):
    """The finance bureau takes back an approval (撤销批复), e.g. one given to the wrong table: the
    document goes back to 待财政审核, to be approved again or returned. A reason is required and kept
    on the record. Refused once an adjustment of it has been started (the new version builds on it);
    revoking the approval of an adjustment puts the version it replaced back in force."""
    kind = kind_of(document)
    reason = (reason or "").strip()
    with transaction.atomic(), tallies.deferred():
        locked, last, transition = _open_with_reason(
            ReviewAction.REVOKE, document, by, reason, "撤销批复必须说明理由（例如 批复对象有误、批复金额与预算批复不符）。", "撤销理由"
        )
        following = kind.model.objects.filter(previous_version=locked).first() if kind.versioned else None
        if following is not None:
            raise WorkflowError(
                f"{kind.noun}已有第 {following.version} 版正在调整，不能撤销批复；请先删除或处理那一版。"
            )
        previous_id = kind.previous_version_id(locked)
        if previous_id:
            previous = kind.model.objects.select_for_update(of=("self",)).get(pk=previous_id)
            if previous.status == TableStatus.SUPERSEDED:
                _set_status(previous, TableStatus.APPROVED, by)
        source = locked.status
        _set_status(locked, transition.target, by)
        record = _write(locked, transition, by, last, source=source, comment=reason)
    _sync(document, locked)
    return record


def correct(document, *, by, reason, changes):
    """An administrator corrects an approved document (e.g. a mistyped amount found after 批复): the
    only way an approved document changes outside review. ``changes`` maps header field names (of the
    kind's correctable fields) to new values; the fields are validated, the document rechecked, and
    one record keeps the reason and each field's old and new value. Refused without a reason or when
    nothing changes."""
    kind = kind_of(document)
    reason = (reason or "").strip()
    with transaction.atomic(), tallies.deferred():
        locked, last, transition = _open_with_reason(
            ReviewAction.CORRECT, document, by, reason, "更正已批复的内容必须说明理由（例如 批复文件所列金额与录入不一致）。", "更正理由"
        )
        unknown = sorted(set(changes) - set(kind.correctable))
        if unknown:
            raise WorkflowError(f"这些内容不能通过更正修改：{'、'.join(unknown)}。")
        before = {name: getattr(locked, name) for name in changes}
        altered = {name: value for name, value in changes.items() if value != before[name]}
        if not altered:
            raise WorkflowError("更正的内容与现有内容相同，没有需要更正的地方。")
        for name, value in altered.items():
            setattr(locked, name, value)
        try:
            locked.full_clean(exclude=[field.name for field in locked._meta.fields if field.name not in altered])
        except ValidationError as invalid:
            raise WorkflowError("更正的内容无效：" + "；".join(_invalid(locked, invalid))) from invalid
        locked.revision += 1
        locked._history_user = by
        locked._change_reason = f"{ReviewAction.CORRECT.label}：{reason}"
        locked.save(update_fields=[*altered, "revision"])
        lines = [
            f"{locked._meta.get_field(name).verbose_name}：{_shown(before[name])} → {_shown(value)}" for name, value in altered.items()
        ]
        record = _write(locked, transition, by, last, source=locked.status, comment=f"{reason}\n" + "\n".join(lines))
        kind.recheck(locked)
    _sync(document, locked)
    return record


def _invalid(document, error):
    """Each problem of a refused correction, naming its field in Chinese."""
    for name, texts in error.message_dict.items():
        label = document._meta.get_field(name).verbose_name if name != NON_FIELD_ERRORS else ""
        yield f"{label}：{'，'.join(texts)}" if label else "，".join(texts)


def _shown(value):
    return "（空）" if value in (None, "") else str(value)


def amend(action, document, *, by, reason, change):
    """A reviewer changes part of a document under review without moving it on (a self-evaluation's
    改分 in 财政抽查): allowed by the kind's transitions like any action, with a reason, on the locked
    row; ``change(locked)`` makes the change (raising WorkflowError to refuse) and returns the line the
    record keeps. The status stays; the revision moves on, so an editor opened before cannot save over."""
    reason = (reason or "").strip()
    with transaction.atomic(), tallies.deferred():
        label = ReviewAction(action).label
        locked, last, transition = _open_with_reason(action, document, by, reason, f"{label}必须说明理由。", f"{label}理由")
        line = change(locked)
        locked.revision += 1
        locked.save(update_fields=["revision"])
        record = _write(locked, transition, by, last, source=locked.status, comment=f"{line}\n理由：{reason}")
    _sync(document, locked)
    return record
