"""Field-level history with django-simple-history, including rows written in bulk.

simple-history records a row when it is saved or deleted one at a time (its signals), and its
``bulk_*_with_history`` helpers record rows written in bulk. The editors and the import write rows in
bulk to keep a fixed number of queries, so they go through the helpers here, which also record bulk
deletions in one insert and put the acting user on every record. Without an explicit user the user of
the current request (simple-history's middleware) is used, as simple-history does for single saves.

Fenced to django-simple-history 3.x (written against 3.13.0; pyproject.toml keeps it below 4). Beyond
its documented helpers this module relies on: the layout of a history table (an auto-numbered
history_id, the tracked fields under their own columns, history_date, history_change_reason,
history_type and history_user), which the INSERT … SELECT of create_with_history writes by hand; the
historical model's ``tracked_fields``; the attributes simple-history reads from a row for its own
user, time and reason (``_history_user``, ``_history_date``, ``_change_reason``); the request its
middleware leaves on ``HistoricalRecords.context``; and ``post_delete(instance, using=None, **kwargs)``
being the receiver it connects for deletions. tests/test_library_fences.py fails when any of these
changes.
"""

import contextvars

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

_deleting_in_bulk = contextvars.ContextVar("perfgoals_deleting_in_bulk", default=False)

# The reason on the first records given to rows that existed before history was switched on
# (projects/migrations/0005_field_history_baseline.py): a starting point, not a change anyone made.
BASELINE_REASON = "启用修改记录时已有的内容"


class TrackedHistory(HistoricalRecords):
    """HistoricalRecords that stays quiet while delete_with_history deletes rows it has already
    recorded, so a bulk delete costs one insert for its records instead of one per row."""

    def post_delete(self, instance, using=None, **kwargs):
        if _deleting_in_bulk.get():
            return
        super().post_delete(instance, using=using, **kwargs)


def acting_user(by=None):
    """``by``, or the signed-in user of the request being served, or None (a command)."""
    if by is not None:
        return by
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def create_with_history(objs, *, by=None, reason="", at=None, batch_size=None):
    """bulk_create the unsaved ``objs`` (all of one model) and record each as created. Returns them.

    The creation records are copied by the database from the rows just inserted (one INSERT … SELECT
    per batch of ids) instead of being built as objects in Python and inserted again value by value:
    the same records ('+', the acting user, ``at``, ``reason``, every tracked field) for a fraction of
    the cost when an import creates tens of thousands of rows. Rows that carry a user, time or reason
    of their own (``_history_user`` …) go through simple-history's helper, which honours them."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    user = acting_user(by)
    at = at or timezone.now()
    using = router.db_for_write(model)
    if (
        not _copyable(model)
        or any(_PER_ROW_HISTORY.intersection(vars(obj)) for obj in objs)
        or not connections[using].features.can_return_rows_from_bulk_insert  # the rows' ids are needed
    ):
        return bulk_create_with_history(
            objs, model, batch_size=batch_size, default_user=user, default_change_reason=reason, default_date=at
        )
    with transaction.atomic(using=using, savepoint=False):
        model._default_manager.using(using).bulk_create(objs, batch_size=batch_size)
        _copy_to_history(model, [obj.pk for obj in objs], using=using, user=user, reason=reason, at=at)
    return objs


# What simple-history reads from a row itself, over the user, time and reason given for all rows.
_PER_ROW_HISTORY = frozenset({"_history_user", "_history_date", "_change_reason"})
_HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user")


def _copyable(model):
    """Whether the creation records of ``model`` can be copied from its rows: history is on, and the
    history table holds exactly the tracked columns, an auto-numbered history_id and the four
    columns of who, when, why and what (no custom fields of simple-history's options to fill)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return False
    history = model.history.model
    expected = {field.name for field in history.tracked_fields} | set(_HISTORY_COLUMNS) | {"history_id"}
    concrete = {field.name for field in history._meta.concrete_fields}
    return concrete == expected and history._meta.pk.name == "history_id" and history._meta.pk.db_returning


def _copy_to_history(model, ids, *, using, user, reason, at):
    """Insert a '+' record of each row of ``model`` in ``ids``, with its values as stored."""
    connection = connections[using]
    fixed = [
        model.history.model._meta.get_field("history_date").get_db_prep_save(at, connection),
        reason,
        "+",
        user.pk if user is not None else None,
    ]
    size = min(1000, (connection.features.max_query_params or 1000) - len(fixed))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), size):
            chunk = ids[start:start + size]
            cursor.execute(_copy_statement(model, connection, len(chunk)), fixed + chunk)


def _copy_statement(model, connection, count):
    """The INSERT … SELECT that copies ``count`` rows of ``model`` into its history table; its
    parameters are the four values of _HISTORY_COLUMNS, then the rows' ids."""
    quote = connection.ops.quote_name
    history = model.history.model
    tracked = history.tracked_fields
    targets = [quote(field.column) for field in tracked]
    targets += [quote(history._meta.get_field(name).column) for name in _HISTORY_COLUMNS]
    sources = [quote(model._meta.get_field(field.name).column) for field in tracked]
    pk = quote(model._meta.pk.column)
    return (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(sources)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {pk} IN ({', '.join(['%s'] * count)}) ORDER BY {pk}"
    )


def update_with_history(objs, fields, *, by=None, reason="", at=None, batch_size=None):
    """bulk_update ``fields`` of ``objs`` (all of one model) and record each as changed."""
    objs = list(objs)
    if not objs:
        return 0
    return bulk_update_with_history(
        objs,
        type(objs[0]),
        list(fields),
        batch_size=batch_size,
        default_user=acting_user(by),
        default_change_reason=reason,
        default_date=at or timezone.now(),
    )


def record_changes(objs, *, by=None, reason="", at=None):
    """Record ``objs`` (all of one model, already written, e.g. by bulk_update) as changed, for when
    only some of the rows a bulk_update wrote were really changed by the user."""
    objs = list(objs)
    if not objs:
        return
    type(objs[0]).history.bulk_history_create(
        objs, update=True, default_user=acting_user(by), default_change_reason=reason, default_date=at or timezone.now()
    )


def delete_with_history(queryset, *, by=None, reason="", at=None):
    """Delete the rows of ``queryset``, first recording each as deleted with its last values, in a
    fixed number of queries however many rows there are. For rows whose own tracked children would
    be deleted with them (a whole table), delete one at a time instead, so the children are recorded."""
    rows = list(queryset.all())  # a copy: the caller's queryset is left unevaluated
    if not rows:
        return 0
    model = type(rows[0])
    history = model.history.model
    user = acting_user(by)
    at = at or timezone.now()
    history.objects.bulk_create(
        [
            history(
                history_date=at,
                history_type="-",
                history_user=user,
                history_change_reason=reason,
                **{field.attname: getattr(row, field.attname) for field in history.tracked_fields},
            )
            for row in rows
        ]
    )
    token = _deleting_in_bulk.set(True)
    try:
        deleted, _ = model._default_manager.filter(pk__in=[row.pk for row in rows]).delete()
    finally:
        _deleting_in_bulk.reset(token)
    return deleted
