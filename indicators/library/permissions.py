"""Who sees and edits which library.

=====================  ==============================  ==========================================
library                who sees it                     who edits it
=====================  ==============================  ==========================================
通用（国家）            every signed-in user with a role  the administrator
某地行业库（region）     the users of that region         that region's finance officer
某部门个性库             the users of that region         the department's reviewer proposes (待确认),
                                                         the region's finance officer confirms
=====================  ==============================  ==========================================

Usage figures (how many approved tables used an entry, their common values) are counted over the
approved tables of the user's own region only, and shown as counts of tables: no unit, table or
other region is ever named. Last year's value is the user's own unit's row.
"""

from django.db.models import Q

from indicators.library.models import EntryStatus, LibraryEntry
from perfgoals.roles import Role
from perfgoals.scope import scope_of


def entries_visible_to(user):
    """The entries ``user`` may read: the national library and the libraries of their region."""
    scope = scope_of(user)
    entries = LibraryEntry.objects.all()
    if scope.sees_everything:
        return entries
    if not scope.role or scope.region_id is None:
        return entries.none()
    return entries.filter(Q(region__isnull=True) | Q(region_id=scope.region_id))


def can_pick_from_library(user):
    """每个有角色的用户都能在编辑页从指标库挑选指标。"""
    return scope_of(user).role is not None


def can_manage_library(user):
    """The library page (lists, import, export) is for the finance bureau and the administrator;
    department reviewers see it too, to propose their department's entries."""
    return scope_of(user).role in (Role.ADMINISTRATOR, Role.FINANCE_OFFICER, Role.DEPARTMENT_REVIEWER)


def can_edit_entry(user, entry):
    """Whether ``user`` may change (edit, retire) this entry."""
    scope = scope_of(user)
    if scope.sees_everything:
        return True
    if entry.region_id is None:
        return False
    if scope.role == Role.FINANCE_OFFICER:
        return entry.region_id == scope.region_id
    if scope.role == Role.DEPARTMENT_REVIEWER:
        return entry.department_id == scope.department_id and entry.state == EntryStatus.PROPOSED
    return False


def can_confirm_entry(user, entry):
    """A department's proposal is confirmed (or promoted to the region's sector library) by the
    finance officer of its region."""
    scope = scope_of(user)
    return entry.region_id is not None and (
        scope.sees_everything or (scope.role == Role.FINANCE_OFFICER and entry.region_id == scope.region_id)
    )


def new_entry_owner(user):
    """(region, department) an entry created by ``user`` belongs to, or None if they may not create."""
    scope = scope_of(user)
    if scope.sees_everything:
        return (None, None)
    if scope.role == Role.FINANCE_OFFICER and scope.region_id:
        return (scope.region, None)
    if scope.role == Role.DEPARTMENT_REVIEWER and scope.department_id:
        return (scope.department.region, scope.department)
    return None
