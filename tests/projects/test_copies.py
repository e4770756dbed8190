"""复制上年 for several tables at once."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Department, ProjectTable, TableStatus
from projects.workflow import project_approve, project_submit
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def department(seeded):
    department = Department.objects.get(name="平罗县纪律检查委员会")
    for table in ProjectTable.objects.filter(department=department, year=2023):
        project_submit(project=table, by=user("pl_unit"))
        project_approve(project=table, by=user("pl_finance"))
    return department


def test_a_unit_copies_several_of_last_years_tables_at_once_and_is_told_which_were_not(client, department):
    unit_tables = list(ProjectTable.objects.filter(unit__name="中共平罗县纪律检查委员会本级", year=2023).order_by("name"))
    other = factories.stored_table(factories.unit(department), name="别的单位的项目", year=2023)
    factories.stored_table(unit_tables[0].unit, name=unit_tables[0].name, year=2024)  # already there: refused
    client.force_login(user("pl_unit"))
    response = client.post(reverse("projects:project_copy_bulk"), {"table": [t.pk for t in unit_tables[:3]] + [other.pk]})
    assert response.status_code == 302
    copied = ProjectTable.objects.filter(year=2024, name__in=[t.name for t in unit_tables[1:3]], unit=unit_tables[0].unit)
    assert copied.count() == 2
    for copy in copied:
        source = next(t for t in unit_tables if t.name == copy.name)
        assert copy.copied_from == source and copy.status == TableStatus.DRAFT
        assert sorted(copy.indicators.values_list("copied_from_id", flat=True)) == sorted(source.indicators.values_list("pk", flat=True))
    assert not ProjectTable.objects.filter(year=2024, name="别的单位的项目").exists()
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any("已复制 2 张表" in text for text in texts)
    assert any(f"2024 年已有同名项目表“{unit_tables[0].name}”" in text for text in texts)
