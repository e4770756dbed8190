"""站内通知: who hears of what happened to a document, and 催报.

The gate calls ``record_written`` for every ReviewRecord it writes: a return, an approval or a revoked
approval is told to the staff of the document's unit (for a department's whole-department targets,
its own office); so is an adjustment a reviewer orders (``adjustment_ordered``). A notification is always written in the app; it is also mailed through Django's
email backend when PERFGOALS_NOTIFY_BY_EMAIL is on and the user has an address."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from projects.permissions import UNIT_STAFF_GROUP
from projects.models import DepartmentTarget, Notification, NotificationKind, Opinion, ProjectTable, ReviewAction

log = logging.getLogger(__name__)

_TOLD = {
    ReviewAction.RETURN: NotificationKind.RETURN,
    ReviewAction.APPROVE: NotificationKind.APPROVE,
    ReviewAction.REVOKE: NotificationKind.REVOKE,
}


def unit_staff_of_any():
    """Every active unit staff member."""
    return get_user_model().objects.filter(is_active=True, groups__name=UNIT_STAFF_GROUP)


def unit_staff(units):
    """The active unit staff whose data range is one of ``units``."""
    return unit_staff_of_any().filter(scope__unit__in=units).distinct()


def _document_of(record):
    for name in ("project", "department_target"):
        document = getattr(record, name, None)
        if document is not None:
            return document
    return None


def _about(document):
    """(name, link, the units whose staff hear of it) for a project table or a department target."""
    if isinstance(document, ProjectTable):
        return (
            f"{document.year} 年“{document.name or '未命名项目'}”",
            reverse("projects:project_detail", args=[document.pk]),
            [document.unit_id],
        )
    if isinstance(document, DepartmentTarget):
        offices = document.department.units.filter(is_department_office=True).values_list("pk", flat=True)
        return (f"{document.year} 年{document.department.name}部门整体绩效目标", reverse("projects:target_detail", args=[document.pk]), list(offices))
    return None


def record_written(record):
    """The gate wrote ``record``: tell the document's unit of a return, an approval or a revoked approval."""
    kind = _TOLD.get(record.action)
    document = _document_of(record) if kind else None
    about = _about(document) if document is not None else None
    if about is None:
        return []
    name, link, units = about
    actor = record.actor.get_full_name() or record.actor.first_name or record.actor.username
    if record.action == ReviewAction.RETURN:
        title = f"{name}被退回，请修改后重新提交"
        reason = Opinion(record.reason).label if record.reason else ""
        body = "；".join(part for part in (f"退回理由：{reason}" if reason else "", record.comment) if part)
    elif record.action == ReviewAction.APPROVE:
        title = f"{name}已批复"
        body = "；".join(
            part
            for part in (
                f"批复文号：{record.approval_number}" if getattr(record, "approval_number", "") else "",
                record.comment,
            )
            if part
        )
    else:
        title = f"{name}的批复已撤销，重新进入财政审核"
        body = f"撤销理由：{record.comment}"
    return send(unit_staff(units), kind=kind, title=title, body=f"{actor}：{body}" if body else f"{actor}", link=link, by=record.actor)


def adjustment_ordered(document, *, by, reason):
    """A reviewer's 要求调整 started the next version ``document`` (a draft) for its unit: tell its staff,
    with the reason, as a review comment (审核意见) linking to the version to revise."""
    about = _about(document)
    if about is None:
        return []
    name, link, units = about
    actor = by.get_full_name() or by.first_name or by.username
    title = f"财政要求调整{name}，已生成第 {document.version} 版草稿，请修改后提交"
    return send(unit_staff(units), kind=NotificationKind.COMMENT, title=title, body=f"{actor}：{reason}", link=link, by=by)


def send(users, *, kind, title, body="", link="", by=None):
    """One notification per user; mailed as well when configured. Returns the notifications."""
    made = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, title=title, body=body, link=link, sent_by=by) for user in users]
    )
    if getattr(settings, "PERFGOALS_NOTIFY_BY_EMAIL", False):
        addresses = [user.email for user in users if user.email]
        if addresses:
            transaction.on_commit(lambda: _mail(title, body, link, addresses))
    return made


def _mail(title, body, link, addresses):
    try:
        send_mail(f"【预算绩效】{title}", f"{body}\n\n{link}".strip(), None, addresses)
    except Exception:  # a mail server down must not undo what the user did; the in-app notice stays
        log.exception("notification mail to %s failed", addresses)


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
