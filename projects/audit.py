"""The audit log: who logged in, failed to, logged out, exported or imported, when, from where and
within which scope. Views and commands call ``record``; logins come from Django's auth signals."""

from perfgoals.clientip import client_address
from perfgoals.roles import role_of
from projects.models import AuditEvent
from perfgoals.scope import scope_of


def scope_text(user):
    """The user's role and data scope as a reviewer reads it, e.g. 单位填报人：中共平罗县纪律检查委员会本级."""
    if user is None or not user.is_authenticated:
        return ""
    role = role_of(user)
    scope = scope_of(user)
    where = ""
    if scope is not None:
        where = str(scope.unit or scope.department or scope.region or "")
    label = role.label if role else "无角色"
    return f"{label}：{where}" if where else label


def record(kind, *, request=None, user=None, username="", **detail):
    """Write one audit event. ``detail`` holds what was exported or imported (layout, counts, file name)."""
    user = user if user is not None else getattr(request, "user", None)
    known = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        kind=kind,
        user=known,
        username=username or (known.get_username() if known else ""),
        scope=scope_text(known),
        address=client_address(request),
        detail=detail,
    )


def on_login(sender, request, user, **kwargs):
    record("login", request=request, user=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    record("login_failed", request=request, username=str(credentials.get("username", ""))[:150])


def on_list_exported(sender, request, detail, **kwargs):
    record("export", request=request, **detail)
