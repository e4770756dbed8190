"""Database triggers for the one invariant a foreign key cannot express: an indicator's 二级 comes from
the framework of the table it belongs to, and a table cannot switch framework under its indicators.

They are (re)installed after every migrate: SQLite drops a table's triggers when a migration rebuilds
the table, so a migration of their own would not keep them. On SQLite they are also dropped before
every migrate: a migration that rebuilds projects_projecttable (adding a field does) renames a copy
into its place, and SQLite refuses that rename while a trigger on another table (indicators_indicator)
names the table being replaced; an existing database could not be upgraded.
"""


MESSAGE = "indicator level2 is not in the framework of its table"

_INDICATOR_FRAMEWORK = (
    "(SELECT l1.framework_id FROM indicators_level2 l2 JOIN indicators_level1 l1 ON l1.id = l2.level1_id "
    "WHERE l2.id = NEW.level2_id)"
)
_OWNER_FRAMEWORK = (
    "COALESCE((SELECT framework_id FROM projects_projecttable WHERE id = NEW.project_id), "
    "(SELECT framework_id FROM projects_departmenttarget WHERE id = NEW.department_target_id))"
)


def _mismatched_indicator(table, owner_column):
    return (
        f"SELECT 1 FROM indicators_indicator i JOIN indicators_level2 l2 ON l2.id = i.level2_id "
        f"JOIN indicators_level1 l1 ON l1.id = l2.level1_id "
        f"WHERE i.{owner_column} = NEW.id AND l1.framework_id <> NEW.framework_id"
    )


SQLITE = [
    *[
        f"""CREATE TRIGGER IF NOT EXISTS indicator_framework_on_{event.lower()}
        BEFORE {event} ON indicators_indicator FOR EACH ROW
        WHEN {_INDICATOR_FRAMEWORK} IS NOT {_OWNER_FRAMEWORK}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        for event in ("INSERT", "UPDATE")
    ],
    *[
        f"""CREATE TRIGGER IF NOT EXISTS {table}_framework_keeps_indicators
        BEFORE UPDATE OF framework_id ON {table} FOR EACH ROW
        WHEN EXISTS ({_mismatched_indicator(table, owner)})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        for table, owner in (
            ("projects_projecttable", "project_id"),
            ("projects_departmenttarget", "department_target_id"),
        )
    ],
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION perfgoals_indicator_framework_check() RETURNS trigger AS $$
    BEGIN
        IF {_INDICATOR_FRAMEWORK} IS DISTINCT FROM {_OWNER_FRAMEWORK} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER indicator_framework_check
    BEFORE INSERT OR UPDATE ON indicators_indicator
    FOR EACH ROW EXECUTE FUNCTION perfgoals_indicator_framework_check()""",
    *[
        f"""CREATE OR REPLACE FUNCTION perfgoals_{table}_framework_check() RETURNS trigger AS $$
        BEGIN
            IF NEW.framework_id IS DISTINCT FROM OLD.framework_id AND EXISTS ({_mismatched_indicator(table, owner)}) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""
        for table, owner in (
            ("projects_projecttable", "project_id"),
            ("projects_departmenttarget", "department_target_id"),
        )
    ],
    *[
        f"""CREATE OR REPLACE TRIGGER {table}_framework_check
        BEFORE UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION perfgoals_{table}_framework_check()"""
        for table in ("projects_projecttable", "projects_departmenttarget")
    ],
]


SQLITE_TRIGGERS = (
    "indicator_framework_on_insert",
    "indicator_framework_on_update",
    "projects_projecttable_framework_keeps_indicators",
    "projects_departmenttarget_framework_keeps_indicators",
)


def uninstall(using="default", **kwargs):
    """pre_migrate receiver: on SQLite, drop the triggers for the migrations to run (install puts them back)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install(using="default", **kwargs):
    """post_migrate receiver: create the triggers if the tables exist."""
    from django.db import connections

    connection = connections[using]
    if "indicators_indicator" not in connection.introspection.table_names():
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
