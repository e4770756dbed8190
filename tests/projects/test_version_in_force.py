"""After 发起调整, a project has an approved version 1 and a draft version 2: every total, count and chart
counts it once, as the version in force (version 1 until version 2 is approved, then version 2)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.findings import project_recheck
from projects.models import ProjectTable, TableStatus
from tests import factories


def figures(client):
    """What the finance officer's overview pages say about 平罗 2023."""
    dashboard = client.get(reverse("projects:dashboard"), {"year": 2023}).context
    progress = client.get(reverse("projects:department_progress"), {"year": 2023}).context
    (department,) = [row.record for row in progress["table"].paginated_rows if row.record.total]
    indicators = client.get(reverse("projects:indicator_list"), {"year": 2023}).context["table"]
    findings = client.get(reverse("projects:finding_list"), {"year": 2023}).context["table"]
    return {
        "tables": dashboard["figures"]["tables"],
        "money": dashboard["figures"]["money"],
        "approved": dashboard["figures"]["approved"],
        "status_chart": sum(item["value"] for item in dashboard["charts"]["status"]["data"]),
        "department_total": department.total,
        "department_money": department.money_total,
        "indicator_rows": indicators.paginator.count,
        "findings": findings.paginator.count,
    }


def adjust(table, **changes):
    """Version 2 of an approved table, its rows copied, as 发起调整 leaves it."""
    copy = factories.project_table(
        table.unit,
        year=table.year,
        name=table.name,
        version=table.version + 1,
        previous_version=table,
        funds_total=changes.get("funds_total", table.funds_total),
        funds_fiscal=changes.get("funds_total", table.funds_fiscal),
    )
    for row in table.indicators.select_related("level2__level1"):
        factories.indicator(copy, row.level2.level1.name, row.level2.name, name=row.name, value=row.value_text, order=row.order)
    project_recheck(project=copy)
    return copy


@pytest.fixture
def finance(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    return client


def test_an_adjustment_under_way_does_not_count_the_project_twice(finance):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    before = figures(finance)
    adjust(table, funds_total=table.funds_total + 10)
    assert figures(finance) == before


def test_once_the_adjustment_is_approved_the_new_version_counts_instead(finance):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    before = figures(finance)
    copy = adjust(table, funds_total=table.funds_total + 10)
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.SUPERSEDED)
    ProjectTable.objects.filter(pk=copy.pk).update(status=TableStatus.APPROVED)
    after = figures(finance)
    assert after["tables"] == before["tables"] and after["department_total"] == before["department_total"]
    assert after["money"] == before["money"] + 10 and after["department_money"] == before["department_money"] + 10
    assert after["indicator_rows"] == before["indicator_rows"]


def test_the_table_list_still_shows_both_versions_of_the_document(finance):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    adjust(table)
    listed = finance.get(reverse("projects:project_list"), {"year": 2023, "q": table.name}).context["table"]
    versions = sorted(row.record.version for row in listed.paginated_rows if row.record.name == table.name)
    assert versions == [1, 2]
