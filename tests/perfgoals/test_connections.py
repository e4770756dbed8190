"""Database connections are kept between requests (DB_CONN_MAX_AGE), as a deployment wants them."""

import os
import subprocess
import sys

from django.conf import settings


def connection_settings(**env):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DB_CONN_MAX_AGE"}
    environment.update(env, DJANGO_SETTINGS_MODULE="perfgoals.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_connections_are_kept_for_a_minute_and_checked_before_reuse():
    assert connection_settings() == ["60", "True"]


def test_the_environment_can_turn_persistent_connections_off():
    assert connection_settings(DB_CONN_MAX_AGE="0") == ["0", "True"]
