"""A production installation needs the reference data and one administrator, and must not carry the
demo accounts whose passwords the repository publishes."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from perfgoals.roles import Role
from projects.checks import demo_accounts_check
from projects.models import ProjectTable
from tests.perfgoals.test_production import PRODUCTION_ENV, manage

DEMO_NAMES = {"admin", "pl_unit", "pl_branch", "pl_dept", "pl_finance", "dz_unit", "dz_branch", "dz_dept", "dz_finance"}


def test_setup_production_loads_the_reference_data_and_one_administrator_and_no_demo_account(db, capsys):
    from indicators.models import Framework

    call_command("setup_production", "--noinput", "--username", "czj_admin")
    output = capsys.readouterr().out
    users = get_user_model().objects.all()
    assert [user.username for user in users] == ["czj_admin"]
    admin = users.get()
    assert admin.is_superuser and admin.groups.get().name == Role.ADMINISTRATOR.label
    password = output.split("只显示这一次，请登录后立即修改）：")[1].strip()
    assert admin.check_password(password) and len(password) >= 16
    assert set(Framework.objects.values_list("code", flat=True)) >= {"2015", "2021"}
    assert {group.name for group in __import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.all()} == {
        role.label for role in Role
    }


def test_setup_production_run_again_changes_no_password(db, capsys):
    call_command("setup_production", "--noinput")
    first = get_user_model().objects.get(username="admin").password
    call_command("setup_production", "--noinput")
    assert get_user_model().objects.get(username="admin").password == first
    assert "已存在，未修改其密码" in capsys.readouterr().out


def test_after_setup_production_a_unit_can_create_a_table(client, db):
    """After deploy + setup_production on an empty database, creating a table was a 500: no frameworks."""
    from tests import factories

    call_command("setup_production", "--noinput")
    unit = factories.unit()
    user = factories.user(Role.UNIT_STAFF, unit=unit)
    client.force_login(user)
    response = client.get(reverse("projects:project_create"))
    assert response.status_code == 200


def test_setup_demo_refuses_in_production_unless_told(db, settings):
    settings.PERFGOALS_PRODUCTION = True
    with pytest.raises(CommandError, match="setup_production"):
        call_command("setup_demo", verbosity=0)
    assert not get_user_model().objects.exists()
    call_command("setup_demo", "--allow-production-demo", verbosity=0)
    assert set(get_user_model().objects.values_list("username", flat=True)) == DEMO_NAMES


def test_the_deploy_check_warns_while_a_demo_account_keeps_its_published_password(seeded):
    warning, = demo_accounts_check()
    assert warning.id == "perfgoals.W001" and "admin" in warning.msg and "pl_unit" in warning.msg
    for user in get_user_model().objects.filter(username__in=DEMO_NAMES):
        user.set_password("a-new-and-private-password-2026")
        user.save()
    assert demo_accounts_check() == []


def test_check_deploy_names_the_demo_accounts(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert manage("migrate", "--noinput", "-v0", DATABASE_URL=url).returncode == 0
    assert manage("setup_demo", "-v0", DATABASE_URL=url, **PRODUCTION_ENV).returncode != 0
    assert manage("setup_demo", "-v0", "--allow-production-demo", DATABASE_URL=url, **PRODUCTION_ENV).returncode == 0
    result = manage("check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=url, **PRODUCTION_ENV)
    assert result.returncode != 0 and "perfgoals.W001" in result.stdout + result.stderr


def test_setup_production_asks_the_password_twice_and_asks_again_when_they_differ(db, monkeypatch, capsys):
    answers = iter(["Czj-private-2026!", "Czj-private-2026?", "Czj-private-2026!", "Czj-private-2026!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("setup_production", "--username", "czj_admin")
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert get_user_model().objects.get(username="czj_admin").check_password("Czj-private-2026!")


def test_setup_production_refuses_a_weak_password_and_creates_no_one(db, monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "123456")
    with pytest.raises(CommandError, match="未建立管理员"):
        call_command("setup_production")
    assert "密码不符合要求" in capsys.readouterr().err
    assert not get_user_model().objects.exists()
