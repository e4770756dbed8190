import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "jx.czj.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://jx.czj.example.gov.cn",
    "BEHIND_TLS_PROXY": "1",
}


# Left out of a production process's environment: the development settings, and the switch the browser
# tests set for their whole session (Django's check --deploy rightly refuses it, async.E001).
NOT_IN_PRODUCTION = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_under_the_documented_production_settings(tmp_path):
    # A database of its own: the checkout's db.sqlite3 of `make run` holds the demo accounts, which the
    # deploy check rightly warns about (perfgoals.W001, tests/perfgoals/test_setup_production.py).
    database = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    assert manage("migrate", "--noinput", "-v0", DATABASE_URL=database).returncode == 0
    result = manage("check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=database, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_complains_when_https_is_switched_off_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout and "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


def test_health_check_answers_with_the_database(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_pages_forbid_framing_and_inline_scripts(client, db):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy


def test_no_template_carries_an_inline_script_or_event_handler():
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []


def test_sessions_expire_and_cookies_are_http_only():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
