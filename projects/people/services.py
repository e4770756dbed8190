"""The work of the management page that spans models: a user with role and data range saved in one
step, passwords made once and shown once, unlocking an account locked by too many failed logins."""

import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from projects import audit
from perfgoals.roles import Role
from projects.models import AuditEvent, Department, Region, Unit, UserScope
from projects.permissions import accounts_managed_by, managed_region_id, scope_field_of

# Letters and digits that cannot be misread when a password is read out or copied by hand (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12


def password_generate():
    """A one-time password: 12 random letters and digits, never stored in clear."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def managed_regions(user):
    region_id = managed_region_id(user)
    regions = Region.objects.all()
    return regions if region_id is None else regions.filter(pk=region_id)


def managed_departments(user):
    region_id = managed_region_id(user)
    departments = Department.objects.select_related("region")
    return departments if region_id is None else departments.filter(region_id=region_id)


def managed_units(user):
    region_id = managed_region_id(user)
    units = Unit.objects.select_related("region", "department")
    return units if region_id is None else units.filter(region_id=region_id)


def managed_users(user):
    """The accounts ``user`` may edit: every one for an administrator; for a finance officer the accounts
    whose data range lies in their region, administrators excepted."""
    users = get_user_model().objects.select_related("scope__region", "scope__department", "scope__unit").prefetch_related("groups")
    return accounts_managed_by(user, users).order_by("username")


def locked_usernames(usernames):
    """Which of ``usernames`` are locked out now (too many failed logins within the cool-off time)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames), failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def scope_fields(*, role, region=None, department=None, unit=None):
    """The data range a role keeps: a unit (with its department and region) for unit staff, a department
    (with its region) for its reviewers, a region for the finance bureau, nothing for an administrator."""
    field = scope_field_of(role)
    if field == "unit":
        return {"region": unit.region, "department": unit.department, "unit": unit}
    if field == "department":
        return {"region": department.region, "department": department, "unit": None}
    if field == "region":
        return {"region": region, "department": None, "unit": None}
    return None


@transaction.atomic
def user_save(*, account=None, by, username, name, role, region=None, department=None, unit=None, is_active=True):
    """新建或修改一个用户：账号、姓名、角色（用户组）和数据范围一次保存。新建的用户得到一个一次性密码，
    只返回这一次（库里只存散列）。 Returns (account, password or None)."""
    User = get_user_model()
    password = None
    if account is None:
        password = password_generate()
        account = User.objects.create_user(username=username, password=password)
    account.username = username
    account.first_name = name
    account.is_active = is_active
    account.save()
    account.groups.remove(*Group.objects.filter(name__in=[r.label for r in Role]))
    account.groups.add(Group.objects.get_or_create(name=Role(role).label)[0])
    fields = scope_fields(role=role, region=region, department=department, unit=unit)
    if fields is None:
        UserScope.objects.filter(user=account).delete()
    else:
        UserScope.objects.update_or_create(user=account, defaults=fields)
    audit.record(
        AuditEvent.Kind.PEOPLE, user=by, action="新建用户" if password else "修改用户", account=username,
        role=Role(role).label, scope=str(unit or department or region or "全部"),
    )
    return account, password


def user_reset_password(*, account, by):
    """重置密码：生成新的一次性密码（只显示一次），同时解除登录锁定。"""
    password = password_generate()
    account.set_password(password)
    account.save(update_fields=["password"])
    axes_reset(username=account.username)
    audit.record(AuditEvent.Kind.PEOPLE, user=by, action="重置密码", account=account.username)
    return password


def user_unlock(*, account, by):
    """解除锁定：删除该用户名的失败登录记录（django-axes），用户可以立即重新登录。Returns how many records went."""
    removed = axes_reset(username=account.username)
    audit.record(AuditEvent.Kind.PEOPLE, user=by, action="解除锁定", account=account.username, removed=removed)
    return removed

