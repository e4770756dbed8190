import os
import subprocess
import sys

from django.conf import settings


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


def test_language_and_time_zone_are_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
