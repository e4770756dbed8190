"""The four roles. A role is a Django group; what a user may see is their Scope (perfgoals.scope)."""

from django.db import models


class Role(models.TextChoices):
    UNIT_STAFF = "unit_staff", "单位填报人"
    DEPARTMENT_REVIEWER = "department_reviewer", "主管部门审核人"
    FINANCE_OFFICER = "finance_officer", "财政审核人"
    ADMINISTRATOR = "administrator", "管理员"


ROLE_BY_GROUP_NAME = {role.label: role for role in Role}


def role_of(user):
    """The user's role: the first of their groups that names a role; superusers are administrators."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    cached = getattr(user, "_perfgoals_role", None)
    if cached is None:
        names = [group.name for group in user.groups.all()]
        cached = next((ROLE_BY_GROUP_NAME[name] for name in names if name in ROLE_BY_GROUP_NAME), "")
        user._perfgoals_role = cached
    return cached or None


def has_role(user):
    """Whether ``user`` has one of the four roles (a signed-in user without one sees nothing)."""
    return role_of(user) is not None


def is_unit_staff(user):
    """单位填报人: the lists leave out the columns that only tell units apart."""
    return role_of(user) == Role.UNIT_STAFF
