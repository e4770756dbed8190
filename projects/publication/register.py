"""The publication register: each approved document's entry, and who has published what by the deadline."""

from dataclasses import dataclass

from django.db.models import Count, Q

from projects.models import (
    DepartmentTarget,
    ProjectTable,
    Publication,
    PublicationDeadline,
    PublicationReminder,
    TableStatus,
)


@dataclass
class DepartmentProgress:
    """One department's line on the finance bureau's register page."""

    department: object
    approved: int = 0
    published: int = 0
    published_late: int = 0
    withheld: int = 0
    last_reminder: object = None
    deadline: object = None

    @property
    def unrecorded(self):
        return self.approved - self.published - self.withheld

    @property
    def done(self):
        return self.approved > 0 and self.unrecorded == 0

    @property
    def share(self):
        """公开率：已公开的占应公开（已批复且未登记为不公开）的比例，百分数。"""
        due = self.approved - self.withheld
        return round(100 * self.published / due) if due else None


def deadline_of(region, year):
    setting = PublicationDeadline.objects.filter(region=region, year=year).first()
    return setting.deadline if setting else None


def _counts(queryset, deadlines):
    """Per department: approved, published, published after its region's deadline, withheld."""
    published = Q(publication__published=True)
    late = Q(pk__in=[])
    for region, deadline in deadlines.items():
        late |= published & Q(department__region=region, publication__published_on__gt=deadline)
    return {
        row["department"]: row
        for row in queryset.values("department").annotate(
            approved=Count("pk", distinct=True),
            published=Count("pk", filter=published, distinct=True),
            late=Count("pk", filter=late, distinct=True),
            withheld=Count("pk", filter=Q(publication__published=False), distinct=True),
        )
    }


def department_progress(departments, year):
    """For each department (a queryset), its approved documents of ``year`` in force and how many of
    them are registered as published (and after its region's deadline), withheld, or not yet registered."""
    departments = list(departments.order_by("region__code", "code"))
    ids = [department.pk for department in departments]
    deadlines = dict(
        PublicationDeadline.objects.filter(year=year, region__in={d.region_id for d in departments}).values_list("region_id", "deadline")
    )
    tables = ProjectTable.objects.in_force().filter(year=year, status=TableStatus.APPROVED, department__in=ids)
    targets = DepartmentTarget.objects.in_force().filter(year=year, status=TableStatus.APPROVED, department__in=ids)
    counts = [_counts(tables, deadlines), _counts(targets, deadlines)]
    reminders = {}
    for reminder in PublicationReminder.objects.filter(department__in=ids, year=year).order_by("sent_at"):
        reminders[reminder.department_id] = reminder
    rows = []
    for department in departments:
        row = DepartmentProgress(
            department=department, last_reminder=reminders.get(department.pk), deadline=deadlines.get(department.region_id)
        )
        for found in counts:
            figures = found.get(department.pk)
            if figures:
                row.approved += figures["approved"]
                row.published += figures["published"]
                row.published_late += figures["late"]
                row.withheld += figures["withheld"]
        rows.append(row)
    return rows


def record(document, *, by, published, published_on=None, url="", withheld_reason="", withheld_basis=""):
    """Write ``document``'s register entry (one per document), replacing what was registered before."""
    key = "project" if isinstance(document, ProjectTable) else "department_target"
    entry, _ = Publication.objects.update_or_create(
        **{key: document},
        defaults={
            "published": published,
            "published_on": published_on if published else None,
            "url": url if published else "",
            "withheld_reason": "" if published else withheld_reason,
            "withheld_basis": "" if published else withheld_basis,
            "recorded_by": by,
        },
    )
    return entry


def remind(department, year, *, by, missing):
    return PublicationReminder.objects.create(department=department, year=year, sent_by=by, missing=missing)
