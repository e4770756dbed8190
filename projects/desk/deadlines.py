"""Deadlines per region, year and document kind, as each home page shows them (days left)."""

from dataclasses import dataclass

from django.utils import timezone

from projects.models import Deadline
from projects.permissions import region_of


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
