"""The self-evaluations waiting for a reviewer, listed in the reviewers' 待我审核 queue beside the tables."""

from projects import permissions
from projects.models import SelfEvaluation
from projects.review import with_submissions


def awaiting_evaluations(user):
    """A department reviewer's 待主管部门审核 self-evaluations of their department, a finance officer's
    待财政审核 ones of their region (to 抽查 and 改分); nothing for anyone else. Oldest submission first,
    each annotated with ``rounds`` and ``submitted_at``."""
    status = permissions.awaited_status(user)
    if status is None:
        return SelfEvaluation.objects.none()
    evaluations = SelfEvaluation.objects.visible_to(user).filter(status=status)
    return with_submissions(evaluations.select_related("round", "project__unit", "project__department"), "self_evaluation").order_by(
        "submitted_at", "id"
    )
