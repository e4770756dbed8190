"""The demo shows the department's step (issue 17, point 4): each demo department has a unit besides its
本级, with its own user, whose submission waits for the department's reviewers before the finance bureau."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects import workflow
from projects.models import TableStatus
from perfgoals.scope import scope_of
from tests import factories


def test_each_demo_department_has_a_subordinate_unit_with_its_own_user(seeded):
    for username, department in (("pl_branch", "平罗县纪律检查委员会"), ("dz_branch", "纪律检查委员会")):
        unit = scope_of(get_user_model().objects.get(username=username)).unit
        assert unit.department.name == department and not unit.is_department_office


def test_a_subordinate_units_table_waits_for_the_department_before_the_finance_bureau(seeded):
    User = get_user_model()
    branch = User.objects.get(username="pl_branch")
    table = factories.stored_table(scope_of(branch).unit, year=2023, name="派驻组演示项目")
    workflow.project_submit(project=table, by=branch)
    table.refresh_from_db()
    assert table.status == TableStatus.DEPARTMENT_REVIEW

    def queue(username):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client.get(reverse("projects:review_queue"), {"year": 2023}).content.decode()

    assert "派驻组演示项目" in queue("pl_dept")
    assert "派驻组演示项目" not in queue("pl_finance")
    workflow.project_pass(project=table, by=User.objects.get(username="pl_dept"))
    assert "派驻组演示项目" in queue("pl_finance")


def test_setup_demo_run_twice_keeps_one_subordinate_unit_each(seeded):
    from django.core.management import call_command

    from projects.models import Unit

    call_command("setup_demo", verbosity=0)
    assert Unit.objects.filter(name__contains="派驻第九纪检监察组").count() == 2
