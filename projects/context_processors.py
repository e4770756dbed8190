"""What the navigation bar shows, as booleans: templates never work out roles themselves."""

from indicators.library.permissions import can_manage_library
from projects import permissions
from django.contrib.auth import get_user_model
from django.db.models import Func, IntegerField, Subquery
from django.db.models.functions import Coalesce


def _count(queryset):
    """``SELECT COUNT(*)`` of ``queryset`` as a scalar subquery (no GROUP BY: COUNT is a plain Func here).

    The count reads ``queryset``'s own filters and nothing else (the queues group no rows), so that
    PostgreSQL counts a queue from its (status, region) or (status, department) index alone, not by
    looking up every id of the region's tables through another index."""
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def badge_counts(user):
    """The navigation's two counts in one query: unread notifications, and for a reviewer what waits
    in their queue (tables and department targets)."""
    from projects.models import Notification
    from projects.review import awaiting, awaiting_targets

    counts = {"unread": _count(Notification.objects.filter(user=user, read_at__isnull=True))}
    if permissions.can_review(user):
        counts["tables"] = _count(awaiting(user))
        counts["targets"] = _count(awaiting_targets(user))
    row = get_user_model().objects.filter(pk=user.pk).values(**counts).first() or {}
    return row.get("unread", 0), row.get("tables", 0) + row.get("targets", 0)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    # once a request, however many templates it renders with the request's context
    if not hasattr(request, "_badge_counts"):
        request._badge_counts = badge_counts(user)
    unread, waiting = request._badge_counts
    return {
        "nav": {
            "overview": permissions.can_view_overview(user),
            "review_queue": permissions.can_review(user),
            "import": permissions.can_import(user),
            "department_progress": permissions.can_view_department_progress(user),
            "library": can_manage_library(user),
            "publication": permissions.can_view_publication_register(user) or permissions.unit_of(user) is not None,
            "evaluation": permissions.can_view_overview(user),
            "people": permissions.can_manage_people(user),
            "unread": unread,
            "waiting": waiting,
        }
    }
