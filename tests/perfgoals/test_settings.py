import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def run_settings(**env):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="perfgoals.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_production_without_secret_key_refuses_to_start_with_a_clear_message():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "未设置" in result.stderr


def test_production_with_a_secret_key_starts():
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False"]


def test_database_url_switches_to_postgresql():
    result = run_settings(DATABASE_URL="postgres://perfgoals@127.0.0.1:5432/perfgoals")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_postgresql_connections_ask_for_no_jit_unless_db_jit_is_set():
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DB_JIT"}}
    url = "postgres://perfgoals@127.0.0.1:5432/perfgoals?options=-c%20statement_timeout%3D5000"

    def options(**env):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
            env={**environment, "DJANGO_SETTINGS_MODULE": "perfgoals.settings", "DATABASE_URL": url, **env},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert options() == "{'options': '-c statement_timeout=5000 -c jit=off'}"  # the URL's own options kept
    assert "jit" not in options(DB_JIT="1")


@pytest.mark.postgresql
def test_a_page_query_on_postgresql_is_never_compiled_to_machine_code(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_language_and_time_zone_are_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_the_system_checks_migrate_runs_print_no_warning():
    from django.core import checks

    messages = checks.run_checks(databases=["default"])
    assert [f"{message.id}: {message.msg}" for message in messages if not message.is_silenced()] == []
