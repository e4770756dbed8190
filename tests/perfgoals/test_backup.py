"""A backup restored into an empty database holds every table, indicator, review record and history entry."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from indicators.models import Indicator
from projects import workflow
from projects.models import AuditEvent, ProjectTable, ReviewRecord
from perfgoals.backup import KEY_TABLES


@pytest.fixture
def restore_target(tmp_path):
    """An empty database of the kind under test, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"perfgoals_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings.get("USER") or ""
    host = settings.get("HOST") or "127.0.0.1"
    yield f"postgres://{user}@{host}:{settings.get('PORT') or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def source_counts():
    return {
        "projects_projecttable": ProjectTable.objects.count(),
        "indicators_indicator": Indicator.objects.count(),
        "projects_reviewrecord": ReviewRecord.objects.count(),
        "projects_historicalprojecttable": ProjectTable.history.count(),
        "indicators_historicalindicator": Indicator.history.count(),
        "projects_auditevent": AuditEvent.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_everything_in_it(restore_target, tmp_path, capsys):
    call_command("setup_demo", verbosity=0)
    users = get_user_model().objects
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    workflow.project_submit(project=table, by=users.get(username="pl_unit"))
    workflow.project_return(project=table, by=users.get(username="pl_finance"), reason="not_quantified", comment="请细化")
    call_command("export_tables", "--format", "json", "-o", str(tmp_path / "export.json"), verbosity=0)
    expected = source_counts()
    assert all(expected[name] > 0 for name in KEY_TABLES), expected

    backup_file = tmp_path / "perfgoals.backup"
    call_command("backup", str(backup_file))
    call_command("restore", str(backup_file), "--database-url", restore_target)
    assert "恢复完成：项目绩效目标表 15 条" in capsys.readouterr().out

    from perfgoals.backup import counts

    assert counts(restore_target) == expected


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_database_that_is_not_empty(restore_target, tmp_path):
    call_command("setup_demo", verbosity=0)
    backup_file = tmp_path / "perfgoals.backup"
    call_command("backup", str(backup_file))
    call_command("restore", str(backup_file), "--database-url", restore_target)
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(backup_file), "--database-url", restore_target)


def test_a_missing_backup_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "nothing.backup"), "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}")


def restored_session_count(database_url):
    from perfgoals.backup import target_settings

    vendor, settings_dict = target_settings(database_url)
    if vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(settings_dict["NAME"]) as db:
            return db.execute("SELECT count(*) FROM django_session").fetchone()[0]
    import psycopg2

    with psycopg2.connect(dbname=settings_dict["NAME"], host=settings_dict.get("HOST") or None, user=settings_dict.get("USER") or None) as db:
        with db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_session")
            return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_readable_by_the_service_only_and_holds_no_live_session(client, restore_target, tmp_path):
    """A key read from a restored backup logged in to the live server; backups were world-readable."""
    from django.contrib.sessions.models import Session

    call_command("setup_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    assert Session.objects.count() == 1
    backup_file = tmp_path / "perfgoals.backup"
    call_command("backup", str(backup_file))
    assert oct(backup_file.stat().st_mode & 0o777) == "0o600"
    call_command("restore", str(backup_file), "--database-url", restore_target)
    assert restored_session_count(restore_target) == 0
    assert Session.objects.count() == 1  # the live server's sessions are untouched
