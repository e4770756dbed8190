"""What the home page reads of whole-department targets: each target with the buttons its user may use."""

from projects import permissions, workflow
from projects.models import ReviewAction

HOME_BUTTONS = {ReviewAction.SUBMIT: "提交审核", ReviewAction.WITHDRAW: "撤回"}
DECISIONS = frozenset({ReviewAction.PASS, ReviewAction.RETURN, ReviewAction.APPROVE})


def targets_with_actions(user, targets):
    """Each target with what ``user`` may do on it from the home page: ``can_edit``, ``buttons``
    ((action, label) posted to the target's action URL; 调整 asks for its reason on the detail page)
    and ``can_review``. One query for the whole list, however long (see workflow_context)."""
    targets = list(targets)
    context = workflow.workflow_context(user, targets)
    for target in targets:
        actions = workflow.available_actions(user, target, context)
        target.can_edit = permissions.can_edit_department_target(user, target)
        target.buttons = [(action, HOME_BUTTONS[action]) for action in actions if action in HOME_BUTTONS]
        target.can_review = any(action in DECISIONS for action in actions)
    return targets
