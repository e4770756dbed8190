"""One Scope per user decides which rows they see: filtering a queryset and asking about one loaded row
give the same answer, for every role and every kind of row."""

import pytest
from django.contrib.auth import get_user_model

from projects.models import Department, DepartmentTarget, ProjectTable
from perfgoals.scope import scope_of

USERS = ["admin", "pl_unit", "pl_dept", "pl_finance", "dz_unit", "dz_dept", "dz_finance"]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("model", [ProjectTable, DepartmentTarget, Department])
def test_filtering_and_asking_about_one_row_agree(seeded, username, model):
    user = get_user_model().objects.get(username=username)
    scope = scope_of(user)
    visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
    everything = list(model.objects.all())
    assert {row.pk for row in everything if scope.covers(row)} == visible
    if model is not DepartmentTarget or username.startswith("dz") or username == "admin":  # only 定州 has targets
        assert visible, f"{username} should see some {model.__name__} in the seed data"


def test_a_user_without_a_role_sees_nothing(seeded):
    nobody = get_user_model().objects.create_user("nobody", password="x-pass-123")
    scope = scope_of(nobody)
    assert not scope and scope.role is None
    assert not ProjectTable.objects.visible_to(nobody).exists()
    assert not any(scope.covers(table) for table in ProjectTable.objects.all())


def test_unit_staff_see_only_their_own_units_tables(seeded):
    user = get_user_model().objects.get(username="pl_unit")
    units = set(ProjectTable.objects.visible_to(user).values_list("unit__name", flat=True))
    assert units == {"中共平罗县纪律检查委员会本级"}
