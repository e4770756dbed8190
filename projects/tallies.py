"""Keeping the unit-year tallies (projects.models.tallies) equal to the tables they count.

A write of a table, of its findings or of its review records *touches* its unit and year: the parts of
that unit-year's tallies it can change (``TABLES``, ``FINDINGS``, ``TIMELINE``) are recomputed from the
source rows, with the same rules the pages used to apply to the tables (``in_force()``, distinct tables
per day…), by one INSERT … SELECT (or UPDATE) per part over the unit-year's tables (index (unit, year)). A part's
cost therefore follows one unit's tables of one year, never the region's or the province's.

When: the model signals (and the writers that bypass them, by calling ``touched``) collect the touched
unit-years; inside a ``deferred()`` block (the editor's save, each workflow action, an import, a
recheck) they are refreshed once each when the block ends, still inside the writer's transaction, so a
reader never sees the tables without their tallies and one save that writes a table, its rows and its
findings costs one refresh. ``transaction.on_commit`` would run after the commit: another request could
read the new tables with the old tallies, and a failure there would leave them apart for good. Outside
``deferred()`` a touch refreshes at once, in the transaction of the write (or its own).

Concurrency: a refresh first locks the units' rows (``select_for_update``, in id order), so two
transactions writing tables of one unit refresh one after the other, the second reading what the first
committed (PostgreSQL, READ COMMITTED: each statement sees the commits made before it started).
"""

import threading
from collections import Counter
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Exists, FilteredRelation, FloatField, Func, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from indicators.models import CheckFinding
from projects.models import FindingTally, ProjectTable, ReviewAction, ReviewRecord, TableStatus, TableTally, TimelineTally, Unit
from projects.models.tables import TALLIED_FIELDS
from projects.models.tallies import SCORE_BANDS

TABLES, REVIEWS, FINDINGS, TIMELINE = "tables", "reviews", "findings", "timeline"
ALL = frozenset((TABLES, REVIEWS, FINDINGS, TIMELINE))
# Statuses 催报 counts as submitted (projects.desk.deadlines.SUBMITTED): every version, not only the one in force.
SUBMITTED = (TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED, TableStatus.SUPERSEDED)
STATUS_SUFFIXES = {
    TableStatus.DRAFT: "draft",
    TableStatus.DEPARTMENT_REVIEW: "department_review",
    TableStatus.FINANCE_REVIEW: "finance_review",
    TableStatus.RETURNED: "returned",
    TableStatus.APPROVED: "approved",
}
GRADE_SUFFIXES = {"excellent": "excellent", "good": "good", "fair": "fair", "poor": "poor", "": "unchecked"}

_state = threading.local()


class Mean(Func):
    """``total / count`` in SQL, a float as Avg() over the tables gave; NULL without a count."""

    arity = 2
    output_field = FloatField()
    template = "(CAST(%(expressions)s, 0))"
    arg_joiner = " AS DOUBLE PRECISION) / NULLIF("

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, arg_joiner=" AS REAL) / NULLIF(", **extra)


def _pending():
    if not hasattr(_state, "pending"):
        _state.pending, _state.deltas, _state.depth, _state.paused = {}, {}, 0, False
    return _state


# The SELECTs that compute a year's tallies of some units (all units when ``unit_ids`` is None).


def _tables_of(year, unit_ids):
    tables = ProjectTable.objects.filter(year=year).order_by()
    return tables if unit_ids is None else tables.filter(unit_id__in=unit_ids)


def _in_force(tables):
    """The ids of ``tables`` in force: ProjectTable.objects.in_force() asked of these tables alone. That
    one finds the adjustments under way among every table of the province (its lists are narrowed
    first); here each table looks up its own previous version, so a refresh reads one unit's tables."""
    return (
        tables.exclude(status=TableStatus.SUPERSEDED)
        .filter(Q(previous_version__isnull=True) | ~Q(previous_version__status=TableStatus.APPROVED))
        .values("pk")
    )


def _table_rows(year, unit_ids):
    """One row per unit (with a table of the year when ``unit_ids`` is None): TableTally's columns but
    the last review (``_last_review``)."""
    tables = _tables_of(year, unit_ids)
    units = Unit.objects.order_by()
    units = units.filter(Exists(tables.filter(unit=OuterRef("pk")))) if unit_ids is None else units.filter(pk__in=unit_ids)
    # The unit's tables of the year, every version, joined once with their previous version; in force
    # (as ProjectTable.objects.in_force() tells) is a condition on the joined row, written into each
    # figure, so no figure runs a subquery per table.
    live = ~Q(mine__status=TableStatus.SUPERSEDED) & (
        Q(mine__previous_version__isnull=True) | ~Q(mine__previous_version__status=TableStatus.APPROVED)
    )

    def count(**condition):
        return Count("mine", filter=live & Q(**condition))

    def money(**condition):
        return Sum("mine__funds_total", filter=live & Q(**condition))

    columns = {"tables": count(), "money": money()}
    for status, suffix in STATUS_SUFFIXES.items():
        columns[f"tables_{suffix}"] = count(mine__status=status)
        columns[f"money_{suffix}"] = money(mine__status=status)
    for grade, suffix in GRADE_SUFFIXES.items():
        columns[f"graded_{suffix}"] = count(mine__quality_grade=grade)
        columns[f"graded_money_{suffix}"] = money(mine__quality_grade=grade)
    for low, high in SCORE_BANDS:
        columns[f"band_{low}"] = count(mine__quality_score__gte=low, mine__quality_score__lte=high)
    columns["score_sum"] = Coalesce(Sum("mine__quality_score", filter=live), 0)
    columns["score_count"] = Count("mine__quality_score", filter=live)
    columns["submitted"] = Count("mine", filter=Q(mine__status__in=SUBMITTED))  # every version, for 催报
    columns["last_edit"] = Max("mine__updated_at", filter=live)
    # The department and region the tables carry (given them from their unit when they were created, and
    # kept when an administrator later moves the unit): the scopes the lists see them in. A unit-year
    # without tables takes its unit's.
    columns["tally_region"] = Coalesce(Max("mine__region_id"), "region_id")
    columns["tally_department"] = Coalesce(Max("mine__department_id"), "department_id")
    mine = FilteredRelation("project_tables", condition=Q(project_tables__year=year))
    return units.annotate(mine=mine).values("pk").annotate(year=Value(year), **columns)


def _last_review(year, unit_ids):
    """The time of the last review record of the units' tables of the year (every version), set on their
    tally rows: one UPDATE, a subquery per row. Apart from the counts, as joining the records would
    repeat the tables, and a subquery beside the counts would run once per table."""
    last = ReviewRecord.objects.filter(project__unit=OuterRef("unit"), project__year=year).order_by("-at").values("at")[:1]
    tallies = TableTally.objects.filter(year=year)
    (tallies if unit_ids is None else tallies.filter(unit_id__in=unit_ids)).update(last_review=Subquery(last))


def _scope_of_tables():
    """The region and department of a group of a unit's rows, from their tables (see _table_rows)."""
    return {"tally_region": Max("project__region_id"), "tally_department": Max("project__department_id")}


def _finding_rows(year, unit_ids):
    """Per unit and rule: the findings of the unit's tables in force, and how many tables have them."""
    live = _in_force(_tables_of(year, unit_ids))
    return (
        CheckFinding.objects.filter(project__in=live)
        .order_by()
        .values("project__unit_id", "rule")
        .annotate(year=Value(year), findings=Count("pk"), tables=Count("project", distinct=True), **_scope_of_tables())
    )


def _timeline_rows(year, unit_ids):
    """Per unit, action and day: the tables in force first submitted (round 1) or approved that day,
    each once however many records it has that day."""
    live = _in_force(_tables_of(year, unit_ids))
    return (
        ReviewRecord.objects.filter(project__in=live)
        .filter(Q(action=ReviewAction.SUBMIT, round=1) | Q(action=ReviewAction.APPROVE))
        .order_by()
        .annotate(day=TruncDate("at"))
        .values("project__unit_id", "action", "day")
        .annotate(year=Value(year), tables=Count("project", distinct=True), **_scope_of_tables())
    )


# Each SELECT's output names and the tally column it fills.
RENAMED = {
    "pk": "unit_id",
    "project__unit_id": "unit_id",
    "tally_region": "region_id",
    "tally_department": "department_id",
}
PARTS = {TABLES: (TableTally, _table_rows), FINDINGS: (FindingTally, _finding_rows), TIMELINE: (TimelineTally, _timeline_rows)}


# Stand-ins for the year and the unit ids while a SELECT is compiled once per shape (_compiled): values
# a year or a unit id may hold (out of a field's range Django leaves the condition out), which no other
# parameter of those SELECTs (statuses, grades, score bands up to 100) equals.
YEAR_MARK = 32_001
UNIT_MARK = 2_000_000_000
_shapes = {}


def _compiled(select, year, unit_ids):
    """(column names, SQL, parameters) of ``select(year, unit_ids)``. A write refreshes the same few
    shapes over and over (one unit, one year), and building and compiling the SELECT of 40 figures
    costs more than running it: each shape is compiled once, with stand-ins for the year and the unit
    ids, then given the real ones."""
    key = (select, len(unit_ids), connection.vendor)
    shape = _shapes.get(key)
    if shape is None:
        rows = select(YEAR_MARK, [UNIT_MARK - index for index in range(len(unit_ids))])
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
        shape = _shapes[key] = ([*rows.query.values_select, *rows.query.annotation_select], sql, params)
    names, sql, params = shape
    real = {YEAR_MARK: year, **{UNIT_MARK - index: unit_id for index, unit_id in enumerate(unit_ids)}}
    return names, sql, [real.get(param, param) if type(param) is int else param for param in params]


def _insert_from(model, select, year, unit_ids, upsert=False):
    """INSERT INTO the tally table the rows of ``select(year, unit_ids)`` (a values() queryset), in one
    statement: the figures go from the tables to the tallies without passing through Python. With
    ``upsert``, a unit-year that has its row already gets it overwritten (ON CONFLICT, on PostgreSQL and
    SQLite alike)."""
    if unit_ids is None:
        rows = select(year, None)
        names = [*rows.query.values_select, *rows.query.annotation_select]
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
    else:
        names, sql, params = _compiled(select, year, unit_ids)
    columns = [model._meta.get_field(RENAMED.get(name, name)).column for name in names]
    quoted = [connection.ops.quote_name(column) for column in columns]
    statement = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(quoted)}) {sql}"
    if upsert:
        keys = {"unit_id", "year"}
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for column, name in zip(columns, quoted) if column not in keys)
        statement += f" ON CONFLICT (unit_id, year) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _write(year, unit_ids, parts):
    """Recompute ``parts`` of these units' tallies of ``year`` (the units locked by the caller)."""
    if TABLES in parts:
        # One row per unit, zero when its tables are gone: an upsert, no delete.
        _insert_from(TableTally, _table_rows, year, unit_ids, upsert=True)
    if REVIEWS in parts:
        _last_review(year, unit_ids)
    for part in (FINDINGS, TIMELINE):
        if part in parts:
            model, select = PARTS[part]
            model.objects.filter(year=year, unit_id__in=unit_ids).delete()
            _insert_from(model, select, year, unit_ids)


def _lock(unit_ids):
    """Lock the units' rows in id order, one statement: writers of the same units wait here for each
    other. A database without row locks (SQLite) lets one transaction write at a time already: the
    writer holds the database's write lock since its first write, so there is nothing to wait for."""
    if connection.features.has_select_for_update:
        list(Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk").values_list("pk", flat=True))


def refresh(unit_ids, year, parts=ALL):
    """Recompute the tallies of these units (ids) in ``year`` under their row locks, in the current
    transaction (or one of its own)."""
    unit_ids = sorted(set(unit_ids))
    with transaction.atomic(savepoint=False):
        _lock(unit_ids)
        _write(year, unit_ids, parts)


def _flush(state):
    pending, state.pending = state.pending, {}
    deltas, state.deltas = state.deltas, {}
    # A unit-year recounted from its findings needs no delta on top.
    deltas = {key: delta for key, delta in deltas.items() if FINDINGS not in pending.get(key, ())}
    by_year = {}
    for (unit_id, year), parts in pending.items():
        by_year.setdefault((year, frozenset(parts)), set()).add(unit_id)
    if not by_year and not deltas:
        return
    with transaction.atomic(savepoint=False):
        _lock({unit for units in by_year.values() for unit in units} | {unit for unit, _ in deltas})
        for (year, parts), units in sorted(by_year.items(), key=lambda item: (item[0][0], sorted(item[0][1]))):
            _write(year, sorted(units), parts)
        if deltas:
            _add_findings(deltas)


def _add_findings(deltas):
    """Add the findings writer's changes to the finding tallies, one upsert: {(unit id, year): (region
    id, department id, {rule: [findings, tables]})}. A rule whose count falls to zero keeps its row at
    zero until the unit-year is next recounted; readers leave such rows out."""
    rows = [
        (unit_id, region_id, department_id, year, rule, findings, tables)
        for (unit_id, year), (region_id, department_id, rules) in sorted(deltas.items())
        for rule, (findings, tables) in sorted(rules.items())
        if findings or tables
    ]
    if not rows:
        return
    table = connection.ops.quote_name(FindingTally._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, region_id, department_id, year, rule, findings, tables) VALUES {values} "
            f"ON CONFLICT (unit_id, year, rule) DO UPDATE SET findings = {table}.findings + EXCLUDED.findings, "
            f"tables = {table}.tables + EXCLUDED.tables",
            [value for row in rows for value in row],
        )


def findings_replaced(table, before, after):
    """The findings writer replaced ``table``'s findings of rules ``before`` with those of ``after``
    (lists of rule codes, one per finding): its unit-year's finding tallies change by the difference,
    without recounting the unit's other tables. Only a table known to be in force from its own row (no
    previous version, not 已调整) is added up so; one with a previous version gets its unit-year
    recounted (whether it is in force depends on that version), and an 已调整 one counts nowhere."""
    state = _pending()
    if state.paused or table.status == TableStatus.SUPERSEDED:
        return
    if table.previous_version_id is not None:
        touched(table.unit_id, table.year, {FINDINGS})
        return
    old, new = Counter(before), Counter(after)
    _, _, rules = state.deltas.setdefault((table.unit_id, table.year), (table.region_id, table.department_id, {}))
    for rule in old.keys() | new.keys():
        change = rules.setdefault(rule, [0, 0])
        change[0] += new[rule] - old[rule]
        change[1] += (new[rule] > 0) - (old[rule] > 0)
    if state.depth == 0:
        _flush(state)


def touched(unit_id, year, parts=ALL):
    """A write changed (or may have changed) ``parts`` of the tallies of ``unit_id`` in ``year``."""
    state = _pending()
    if state.paused or unit_id is None or year is None:
        return
    state.pending.setdefault((unit_id, year), set()).update(parts)
    if state.depth == 0:
        _flush(state)


@contextmanager
def deferred():
    """Collect the touched unit-years of the block and refresh each once at its end, inside the
    transaction the block runs in (open it inside the writer's ``transaction.atomic()``). Nests: the
    outermost block refreshes. A block left by an exception refreshes nothing (its transaction is
    rolled back with the writes)."""
    state = _pending()
    state.depth += 1
    try:
        yield
    except BaseException:
        state.depth -= 1
        if state.depth == 0:
            state.pending, state.deltas = {}, {}
        raise
    state.depth -= 1
    if state.depth == 0:
        _flush(state)


@contextmanager
def paused():
    """No tally is kept while the block writes (the benchmark generator's bulk writes); the caller
    rebuilds them afterwards."""
    state = _pending()
    was, state.paused = state.paused, True
    try:
        yield
    finally:
        state.paused = was


def _years():
    return sorted(set(ProjectTable.objects.order_by().values_list("year", flat=True).distinct()))


def rebuild():
    """Every tally recomputed from the tables: one INSERT … SELECT per part and year."""
    with transaction.atomic():
        for model, _ in PARTS.values():
            model.objects.all().delete()
        for year in _years():
            for part in (TABLES, FINDINGS, TIMELINE):
                model, select = PARTS[part]
                _insert_from(model, select, year, None)
            _last_review(year, None)


def rebuild_if_missing(**kwargs):
    """post_migrate: a database that has tables but no tally at all (one migrated to the tallies from an
    earlier version, or filled past the application) gets them counted, so the overview never opens on
    zeros after an upgrade. Runs with the models as the code has them, after every migration applied."""
    if ProjectTable.objects.exists() and not TableTally.objects.exists():
        rebuild()


def _comparable(model, rows):
    keys = {field.attname for field in model._meta.concrete_fields} - {"id"}
    result = {}
    for row in rows:
        row = {RENAMED.get(name, name): value for name, value in row.items()}
        if model is TableTally and not row["tables"] and not row["submitted"] and row["last_review"] is None:
            continue  # a unit-year whose tables are gone: its zero row counts nothing
        if model is FindingTally and not row["findings"]:
            continue  # a rule whose findings are gone, until the unit-year is recounted
        row = {name: value for name, value in row.items() if name in keys}
        key = (row["unit_id"], row["year"])
        result.setdefault(key, set()).add(tuple(sorted((name, _normal(value)) for name, value in row.items())))
    return result


def _normal(value):
    """Amounts compare by value (1.5 and 1.500000 are one sum)."""
    return value.normalize() if hasattr(value, "normalize") else value


def drift():
    """The (unit id, year) pairs whose stored tallies differ from a fresh count of their tables, sorted."""
    differing = set()
    years = set(_years()) | set(TableTally.objects.values_list("year", flat=True).distinct())
    for model, select in PARTS.values():
        stored, fresh = {}, {}
        for year in years:
            rows = select(year, None)
            if model is TableTally:
                last = ReviewRecord.objects.filter(project__unit=OuterRef("pk"), project__year=year).order_by("-at").values("at")[:1]
                rows = rows.annotate(last_review=Subquery(last))
            fresh.update(_comparable(model, rows))
            stored.update(_comparable(model, model.objects.filter(year=year).values()))
        differing.update(key for key in stored.keys() | fresh.keys() if stored.get(key) != fresh.get(key))
    return sorted(differing)


# What a write can change, told by the model signals. Findings and review records are deleted only with
# their table (whose own post_delete refreshes its unit-year) or by the findings writer (which calls
# touched): no post_delete receiver for them, which would make every cascade load the rows it deletes.

# A table's fields the tallies read, and those whose change can move a table in or out of force (an
# approved version's next version is out of force, a superseded one is out).
IN_FORCE_STATUSES = {TableStatus.APPROVED, TableStatus.SUPERSEDED}


def _was(table):
    # From __dict__: a table loaded with only() must not query its deferred fields here.
    values = table.__dict__
    return (values.get("unit_id"), values.get("year"), values.get("status"), values.get("previous_version_id"))


def remember_table(sender, instance, **kwargs):
    """post_init: what the table was when loaded, so its save knows whether it moved or changed status."""
    instance._tally_was = _was(instance)


def table_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    now = _was(instance)
    before = getattr(instance, "_tally_was", None)
    instance._tally_was = now
    if update_fields is not None and not TALLIED_FIELDS & set(update_fields):
        return
    if created or before is None or None in before[:2]:
        touched(now[0], now[1])
        return
    if before[:2] != now[:2]:
        touched(before[0], before[1])
        touched(now[0], now[1])
        return
    status_moved = before[2] != now[2] and {before[2], now[2]} & IN_FORCE_STATUSES
    touched(now[0], now[1], ALL if status_moved or before[3] != now[3] else {TABLES})


def table_deleted(sender, instance, **kwargs):
    touched(instance.unit_id, instance.year)


def tables_written(sender, unit_years, fields, **kwargs):
    """A queryset's update() or bulk_create() of tables (projects.models.tables.tables_written)."""
    moving = fields is None or bool(fields & {"unit", "unit_id", "year", "status", "previous_version", "previous_version_id"})
    for unit_id, year in unit_years:
        touched(unit_id, year, ALL if moving else {TABLES})


def _unit_year_of(row):
    """The unit and year of the table a finding or record is about, from the loaded table if any."""
    table = row._state.fields_cache.get("project")
    if table is not None:
        return table.unit_id, table.year
    return ProjectTable.objects.filter(pk=row.project_id).values_list("unit_id", "year").first() or (None, None)


def finding_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        touched(*_unit_year_of(instance), {FINDINGS})


def record_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.project_id is None:
        return
    dated = instance.action == ReviewAction.APPROVE or (instance.action == ReviewAction.SUBMIT and instance.round == 1)
    touched(*_unit_year_of(instance), {REVIEWS, TIMELINE} if dated else {REVIEWS})


def connect():
    """Called from ProjectsConfig.ready."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_init, post_migrate, post_save

    from projects.models.tables import tables_written as written

    written.connect(tables_written, sender=ProjectTable, dispatch_uid="tally_tables_written")
    post_init.connect(remember_table, sender=ProjectTable, dispatch_uid="tally_remember_table")
    post_save.connect(table_saved, sender=ProjectTable, dispatch_uid="tally_table_saved")
    post_delete.connect(table_deleted, sender=ProjectTable, dispatch_uid="tally_table_deleted")
    post_save.connect(finding_saved, sender=CheckFinding, dispatch_uid="tally_finding_saved")
    post_save.connect(record_saved, sender=ReviewRecord, dispatch_uid="tally_record_saved")
    post_migrate.connect(rebuild_if_missing, sender=apps.get_app_config("projects"), dispatch_uid="tally_rebuild_if_missing")
