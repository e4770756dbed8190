"""Who sees which rows: one Scope per signed-in user, and one way to ask it.

A unit's staff see their unit, a department's reviewers the units of their department, a finance
officer the region, an administrator everything; a user without a role or without a data range sees
nothing. Every list, page, export, import, queue and workflow check asks the same Scope: ``filter``
narrows a queryset (its QuerySet class names the paths from its rows to the unit, department and
region), ``covers`` answers for one loaded row without a query.
"""

from dataclasses import dataclass

from perfgoals.roles import Role, role_of

# The attribute of a Scope that each role's path compares against.
_KEY_OF_ROLE = {
    Role.UNIT_STAFF: "unit_id",
    Role.DEPARTMENT_REVIEWER: "department_id",
    Role.FINANCE_OFFICER: "region_id",
}


@dataclass(frozen=True)
class Scope:
    """A user's role and data range (their UserScope row, or None)."""

    role: str | None
    record: object = None

    @property
    def unit(self):
        return self.record.unit if self.record is not None else None

    @property
    def department(self):
        return self.record.department if self.record is not None else None

    @property
    def region(self):
        return self.record.region if self.record is not None else None

    @property
    def unit_id(self):
        return self.record.unit_id if self.record is not None else None

    @property
    def department_id(self):
        return self.record.department_id if self.record is not None else None

    @property
    def region_id(self):
        return self.record.region_id if self.record is not None else None

    @property
    def office_department_id(self):
        """The department whose own office (部门本级) the user's unit is, or None: its staff fill the
        department's whole-department targets."""
        unit = self.unit if self.role == Role.UNIT_STAFF else None
        return unit.department_id if unit is not None and unit.is_department_office else None

    @property
    def sees_everything(self):
        return self.role == Role.ADMINISTRATOR

    def _path_and_key(self, paths):
        """The row path and the scope value it must equal for this role, or None when the role has none.
        A path is a lookup (compared with the role's own unit, department or region) or a pair
        (lookup, Scope attribute) when it compares with something else (office_department_id)."""
        path = paths.get(self.role)
        if path is None:
            return None
        path, key = path if isinstance(path, tuple) else (path, _KEY_OF_ROLE[self.role])
        value = getattr(self, key)
        return (path, value) if value else None

    def filter(self, queryset):
        """The rows of ``queryset`` this user may see (its class declares ``scope_paths``)."""
        if self.sees_everything:
            return queryset
        found = self._path_and_key(queryset.scope_paths)
        if found is None:
            return queryset.none()
        path, value = found
        return queryset.filter(**{path: value})

    def covers(self, row):
        """Whether this user may see the loaded ``row``, by the same paths ``filter`` uses. Costs no query
        for a path of foreign keys already loaded; a path ending in a to-many relation asks the database."""
        if self.sees_everything:
            return True
        found = self._path_and_key(type(row)._default_manager.get_queryset().scope_paths)
        if found is None:
            return False
        path, value = found
        *hops, last = path.split("__")
        for hop in hops:
            row = getattr(row, hop)
        if last == "pk":
            return row.pk == value
        if hasattr(row, f"{last}_id"):
            return getattr(row, f"{last}_id") == value
        return getattr(row, last).filter(pk=value).exists()  # a to-many relation (a department's units)

    def __bool__(self):
        """True when the user has a data range (a UserScope row): templates ask ``{% if scope %}``."""
        return self.record is not None

    def __str__(self):
        return str(self.record) if self.record is not None else ""


def _record_of(user):
    """The user's UserScope row with its region, department and unit, in one query (pages ask for the
    region's working year and the unit's name on every request), or None."""
    rows = user._meta.get_field("scope").related_model.objects
    return rows.select_related("region", "department", "unit").filter(user=user).first()


def scope_of(user):
    """The Scope of ``user``, worked out once per request's user object."""
    cached = getattr(user, "_perfgoals_scope", None)
    if cached is not None:
        return cached
    role = role_of(user) if user is not None else None
    record = None
    if role is not None:
        record = _record_of(user)
    scope = Scope(role=role, record=record)
    if user is not None and user.is_authenticated:
        user._perfgoals_scope = scope
    return scope
