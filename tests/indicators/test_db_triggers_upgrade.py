"""An existing SQLite database upgrades: the framework triggers (indicators/db_constraints.py) must not stop a
migration that rebuilds projects_projecttable, and are back, working, after it."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def migrate(database, *target):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", *target, "--noinput", "-v", "0"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
    )


def test_a_database_with_its_triggers_installed_upgrades_through_a_migration_that_rebuilds_the_table(tmp_path):
    database = tmp_path / "upgrade.sqlite3"
    older = migrate(database, "projects", "0025")  # before 0026 adds a field to projects_projecttable
    assert older.returncode == 0, older.stderr
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    assert len(sqlite3.connect(database).execute(triggers).fetchall()) == 4  # installed, as a running site has them
    upgraded = migrate(database)
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    connection = sqlite3.connect(database)
    assert [name for (name,) in connection.execute(triggers)] == [
        "indicator_framework_on_insert",
        "indicator_framework_on_update",
        "projects_departmenttarget_framework_keeps_indicators",
        "projects_projecttable_framework_keeps_indicators",
    ]
    columns = [row[1] for row in connection.execute("PRAGMA table_info(projects_projecttable)")]
    assert "funds_breakdown" in columns
