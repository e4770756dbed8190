"""What the navigation bar shows, as booleans: templates never work out roles themselves."""

from indicators.library.permissions import can_manage_library
from projects import permissions
from projects.desk.notify import unread_count


def waiting_count(user):
    """What waits for this reviewer (tables and department targets in their queue), for 待我审核's badge."""
    if not permissions.can_review(user):
        return 0
    from projects.review import awaiting, awaiting_targets

    return awaiting(user).count() + awaiting_targets(user).count()


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
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
            "unread": unread_count(user),
            "waiting": waiting_count(user),
        }
    }
