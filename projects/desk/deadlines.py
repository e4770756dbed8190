"""Deadlines per region, year and document kind: as each home page shows them (days left), and the
reminders sent as one approaches to the units that have not submitted (``deadline_notices_send``, run by
``manage.py notify_deadlines`` or its background task)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from projects.desk import notify
from projects.models import (
    Deadline,
    DeadlineNotice,
    DepartmentTarget,
    DocumentKindChoice,
    MonitoringReport,
    NotificationKind,
    ProjectTable,
    SelfEvaluation,
    TableStatus,
    Unit,
)
from projects.permissions import region_of

# Submitted: the document has left the unit (in review or approved). Waiting: still the unit's to send.
SUBMITTED = (TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED, TableStatus.SUPERSEDED)
WAITING = (TableStatus.DRAFT, TableStatus.RETURNED)


@dataclass(frozen=True)
class DeadlineShown:
    deadline: Deadline
    days_left: int

    @property
    def text(self):
        if self.days_left > 0:
            return f"还有 {self.days_left} 天"
        if self.days_left == 0:
            return "今天截止"
        return f"已过 {-self.days_left} 天"

    @property
    def css(self):
        if self.days_left < 0:
            return "danger"
        return "warning" if self.days_left <= 7 else "info"


def deadlines_for(user, year, today=None):
    """The deadlines of ``user``'s region for ``year``, soonest first, with the days left (an
    administrator, who has no region, sees none here: they set them on the management page)."""
    region = region_of(user)
    if region is None:
        return []
    today = today or timezone.localdate()
    rows = Deadline.objects.filter(region=region, year=year).select_related("region").order_by("due", "kind")
    return [DeadlineShown(row, (row.due - today).days) for row in rows]


@dataclass(frozen=True)
class Reported:
    """How a document kind with deadlines is reported: ``late(deadline)`` narrows the region's units to
    those that have not submitted it for the deadline's year; ``page`` is where the unit does it."""

    late: Callable
    page: str


def _no_table_submitted(deadline):
    submitted = ProjectTable.objects.filter(unit=OuterRef("pk"), year=deadline.year, status__in=SUBMITTED)
    return Unit.objects.filter(~Exists(submitted))


def _no_department_target_submitted(deadline):
    """Each department's own office (部门本级) fills its whole-department targets."""
    submitted = DepartmentTarget.objects.filter(department=OuterRef("department"), year=deadline.year, status__in=SUBMITTED)
    return Unit.objects.filter(is_department_office=True, department__isnull=False).filter(~Exists(submitted))


def _reports_waiting(deadline):
    """A monitoring round opens a report for every approved table; a unit is late while one of its reports
    of the deadline's year is still a draft or returned."""
    waiting = MonitoringReport.objects.filter(
        table__unit=OuterRef("pk"), monitoring_round__region=deadline.region_id, monitoring_round__year=deadline.year, status__in=WAITING
    )
    return Unit.objects.filter(Exists(waiting))


def _evaluations_waiting(deadline):
    waiting = SelfEvaluation.objects.filter(
        project__unit=OuterRef("pk"), round__region=deadline.region_id, round__year=deadline.year, status__in=WAITING
    )
    return Unit.objects.filter(Exists(waiting))


REPORTED = {
    DocumentKindChoice.TARGETS: Reported(_no_table_submitted, "projects:home"),
    DocumentKindChoice.DEPARTMENT_TARGETS: Reported(_no_department_target_submitted, "projects:home"),
    DocumentKindChoice.MONITORING: Reported(_reports_waiting, "projects:monitoring_reports"),
    DocumentKindChoice.EVALUATION: Reported(_evaluations_waiting, "projects:evaluation_list"),
}


def units_yet_to_submit(deadline):
    """The units of ``deadline``'s region, with at least one active unit staff member, that have not
    submitted the document kind it is for."""
    staffed = notify.unit_staff_of_any().filter(scope__unit=OuterRef("pk")).values("pk")
    units = REPORTED[deadline.kind].late(deadline).filter(region=deadline.region_id)
    return units.filter(Exists(staffed)).order_by("name")


def notice_days(days_left, thresholds):
    """The reminder due ``days_left`` days before a deadline: the smallest of ``thresholds`` (days ahead)
    not below it, or None (too early, or past). A run missed on the 7th day still reminds on the 6th,
    and the reminder of 1 day is sent even when the one of 7 days was."""
    if days_left < 0:
        return None
    due = [days for days in thresholds if days >= days_left]
    return min(due) if due else None


@dataclass(frozen=True)
class NoticeSent:
    deadline: Deadline
    unit: Unit
    days_ahead: int
    notified: int  # users


def deadline_notices_send(*, today=None, thresholds=None):
    """临近截止提醒: for each deadline within the notice days (settings PERFGOALS_DEADLINE_NOTICE_DAYS, e.g.
    7 and 1), each unit of its region that has not submitted that document kind is told (its unit staff,
    in the app and by mail when configured), once per deadline, unit and notice day however often this
    runs, by however many workers at once. Returns what was sent now."""
    today = today or timezone.localdate()
    thresholds = tuple(thresholds or settings.PERFGOALS_DEADLINE_NOTICE_DAYS)
    if not thresholds:
        return []
    sent = []
    upcoming = Deadline.objects.filter(due__gte=today, due__lte=today + timedelta(days=max(thresholds)))
    for deadline in upcoming.select_related("region").order_by("due", "region__code", "kind"):
        days_left = (deadline.due - today).days
        days_ahead = notice_days(days_left, thresholds)
        if days_ahead is None:
            continue
        for unit in units_yet_to_submit(deadline):
            with transaction.atomic():
                _notice, created = DeadlineNotice.objects.get_or_create(deadline=deadline, unit=unit, days_ahead=days_ahead)
                if not created:
                    continue
                made = notify.send(notify.unit_staff([unit.pk]), kind=NotificationKind.DEADLINE, **_words(deadline, unit, days_left))
            sent.append(NoticeSent(deadline, unit, days_ahead, len(made)))
    return sent


def _words(deadline, unit, days_left):
    what = f"{deadline.year} 年{deadline.get_kind_display()}"
    when = "今天截止" if days_left == 0 else f"还有 {days_left} 天截止"
    body = f"{unit.name}尚未提交 {what}，截止日期 {deadline.due:%Y-%m-%d}。" + (f"{deadline.note.rstrip('。')}。" if deadline.note else "")
    link = reverse(REPORTED[deadline.kind].page) + f"?year={deadline.year}"
    return {"title": f"{what}报送{when}（{deadline.due:%m月%d日}）", "body": body, "link": link}
