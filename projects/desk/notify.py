"""站内通知: who hears of what happened to a document, 审核意见 on its rows, 催报 and approaching deadlines.

The gate calls ``record_written`` for every ReviewRecord it writes, with the Subject its document kind
declares (projects.workflow.kinds: the document's name, its page and the units whose staff hear of it;
for a department's whole-department targets, its own office): a return, an approval or a revoked
approval is told to them, and so is each review comment, linked to the row it is about, and an
adjustment a reviewer orders (``adjustment_ordered``). A notification
is always written in the app; it is also mailed through Django's email backend when
PERFGOALS_NOTIFY_BY_EMAIL is on (by default when EMAIL_HOST is set) to each user who has an address."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction

from projects.permissions import UNIT_STAFF_GROUP
from projects.models import Notification, NotificationKind, Opinion, ReviewAction

log = logging.getLogger(__name__)

_TOLD = {
    ReviewAction.RETURN: NotificationKind.RETURN,
    ReviewAction.APPROVE: NotificationKind.APPROVE,
    ReviewAction.REVOKE: NotificationKind.REVOKE,
}


@dataclass(frozen=True)
class Subject:
    """What a notification says of a document: its name as a sentence reads it (2024 年“某项目”), its
    page, and the units whose staff hear of it."""

    name: str
    link: str
    units: tuple

    def row_link(self, indicator_uid):
        """The document's page, scrolled to the row of ``indicator_uid`` (each row's id is row-<uid>)."""
        return f"{self.link}#row-{indicator_uid}" if indicator_uid else self.link


def unit_staff_of_any():
    """Every active unit staff member."""
    return get_user_model().objects.filter(is_active=True, groups__name=UNIT_STAFF_GROUP)


def unit_staff(units):
    """The active unit staff whose data range is one of ``units``."""
    return unit_staff_of_any().filter(scope__unit__in=units).distinct()


def actor_name(user):
    return user.get_full_name() or user.first_name or user.username


def record_written(record, subject_of, comments=()):
    """The gate wrote ``record`` (with its ``comments``): tell the units of its document of a return, an
    approval or a revoked approval, and of each comment, linked to its row. ``subject_of()`` gives the
    document's Subject (None: nobody is told); it is asked only when there is something to tell."""
    if record.action not in _TOLD and not comments:
        return []
    subject = subject_of() if subject_of is not None else None
    staff = list(unit_staff(subject.units)) if subject is not None else []
    if not staff:
        return []
    actor = actor_name(record.actor)
    made = []
    # The comments first, so that the list (newest first) shows the return or approval above its comments.
    for comment in comments:
        made += send(
            staff,
            kind=NotificationKind.COMMENT,
            title=_comment_title(subject.name, comment),
            body=f"{actor}（{record.get_action_display()}时）：{comment.get_reason_display()}"
            + (f"；{comment.text}" if comment.text else ""),
            link=subject.row_link(comment.indicator_uid),
            by=record.actor,
        )
    kind = _TOLD.get(record.action)
    if kind is not None:
        title, body = _decision(record, subject.name)
        made += send(staff, kind=kind, title=title, body=f"{actor}：{body}" if body else actor, link=subject.link, by=record.actor)
    return made


def _decision(record, name):
    if record.action == ReviewAction.RETURN:
        reason = Opinion(record.reason).label if record.reason else ""
        body = "；".join(part for part in (f"退回理由：{reason}" if reason else "", record.comment) if part)
        return f"{name}被退回，请修改后重新提交", body
    if record.action == ReviewAction.APPROVE:
        body = "；".join(
            part for part in (f"批复文号：{record.approval_number}" if record.approval_number else "", record.comment) if part
        )
        return f"{name}已批复", body
    return f"{name}的批复已撤销，重新进入财政审核", f"撤销理由：{record.comment}"


def _comment_title(name, comment):
    if comment.indicator is None:
        return f"{name}收到审核意见（整表）"
    return f"{name}的“{comment.indicator.name[:40]}”一行收到审核意见"


def adjustment_ordered(subject, *, version, by, reason):
    """A reviewer's 要求调整 started version ``version`` (a draft) of the document ``subject`` tells of:
    tell its units' staff, with the reason, as a review comment (审核意见) linking to the version to revise."""
    if subject is None:
        return []
    title = f"财政要求调整{subject.name}，已生成第 {version} 版草稿，请修改后提交"
    return send(unit_staff(subject.units), kind=NotificationKind.COMMENT, title=title, body=f"{actor_name(by)}：{reason}", link=subject.link, by=by)


def send(users, *, kind, title, body="", link="", by=None):
    """One notification per user; mailed as well when configured. Returns the notifications."""
    users = list(users)
    title = _fitted(title, Notification._meta.get_field("title").max_length)
    made = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, title=title, body=body, link=link, sent_by=by) for user in users]
    )
    if settings.PERFGOALS_NOTIFY_BY_EMAIL:
        addresses = [user.email for user in users if user.email]
        if addresses:
            transaction.on_commit(lambda: _mail(title, body, link, addresses))
    return made


def _fitted(text, length):
    """``text`` cut to ``length`` characters, its end marked (a project's name alone may fill a title)."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _mail(title, body, link, addresses):
    """One message per address (no one sees who else was told), the link made absolute with
    PERFGOALS_SITE_URL when it is set."""
    where = f"{settings.PERFGOALS_SITE_URL.rstrip('/')}{link}" if link and settings.PERFGOALS_SITE_URL else link
    text = "\n\n".join(part for part in (body, where) if part)
    try:
        send_mass_mail([(f"【预算绩效】{title}", text, None, [address]) for address in addresses])
    except Exception:  # a mail server down must not undo what the user did; the in-app notice stays
        log.exception("notification mail to %s failed", addresses)


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
