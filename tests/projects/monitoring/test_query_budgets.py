"""Query budgets of the monitoring pages: the same number of SQL queries for a little data and for a lot."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals.roles import Role
from projects.models import ProjectTable, TableStatus
from projects.monitoring import services
from projects.monitoring.checks import report_recheck
from tests import factories
from tests.projects.test_query_budgets import queries, same_at_both_sizes

pytestmark = pytest.mark.django_db
SMALL, LARGE = 3, 30


def round_of(size):
    region = factories.region()
    department = factories.department(region)
    units = [factories.unit(department, name=f"单位{region.code}-{number}") for number in range(2)]
    for number in range(size):
        table = factories.stored_table(units[number % 2], name=f"项目{number}")
        ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    finance = factories.user(Role.FINANCE_OFFICER, region=region)
    monitoring_round = services.round_open(
        region=region, year=2024, name="7月监控", cutoff_month=7, due_date=datetime.date(2024, 8, 15), by=finance
    )
    for report in monitoring_round.reports.all():
        report_recheck(report)  # every report red or with errors: each listed with its reasons
    return monitoring_round, finance, units[0]


@pytest.mark.parametrize("name", ["round", "rounds", "reports", "reports_unit"])
def test_monitoring_lists_cost_the_same_for_few_and_many_tables(client, reference_data, name):
    counts = []
    for size in (SMALL, LARGE):
        monitoring_round, finance, unit = round_of(size)
        user = factories.user(Role.UNIT_STAFF, unit=unit) if name == "reports_unit" else finance
        client.force_login(user)
        url = {
            "round": reverse("projects:monitoring_round", args=[monitoring_round.pk]),
            "rounds": reverse("projects:monitoring_rounds"),
        }.get(name, reverse("projects:monitoring_reports"))
        counts.append(queries(client, url, {"light": "all"} if name == "round" else {}))
    same_at_both_sizes(counts, 14)


def report_of(rows):
    """The one report of a round over one approved table of ``rows`` indicator rows, and its unit's staff."""
    region = factories.region()
    unit = factories.unit(factories.department(region))
    table = factories.stored_table(
        unit, rows=[("产出指标", "数量指标", f"指标{number}", f"≥ {number + 1} 次") for number in range(rows)], funds=Decimal("10")
    )
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    finance = factories.user(Role.FINANCE_OFFICER, region=region)
    monitoring_round = services.round_open(
        region=region, year=2024, name="7月监控", cutoff_month=7, due_date=datetime.date(2024, 8, 15), by=finance
    )
    return monitoring_round.reports.get(), factories.user(Role.UNIT_STAFF, unit=unit)


@pytest.mark.parametrize(
    ("page", "budget"),
    [("projects:monitoring_report", 20), ("projects:monitoring_report_edit", 20), ("projects:monitoring_report_import", 12)],
)
def test_a_report_page_costs_the_same_for_few_and_many_indicator_rows(client, reference_data, page, budget):
    counts = []
    for size in (SMALL, LARGE):
        report, staff = report_of(size)
        client.force_login(staff)
        counts.append(queries(client, reverse(page, args=[report.pk])))
    same_at_both_sizes(counts, budget)


@pytest.mark.parametrize("step", ["page", "preview"])
def test_the_execution_import_costs_the_same_for_few_and_many_tables(client, reference_data, settings, tmp_path, step):
    import io

    from openpyxl import Workbook

    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    counts = []
    for size in (SMALL, LARGE):
        monitoring_round, finance, _unit = round_of(size)
        client.force_login(finance)
        url = reverse("projects:monitoring_execution", args=[monitoring_round.pk])
        if step == "page":
            counts.append(queries(client, url))
            continue
        workbook = Workbook()
        workbook.active.append(["项目名称", "执行数"])
        for number in range(size):
            workbook.active.append([f"项目{number}", number])
        workbook.active.append(["没有这个项目", 1])
        upload = io.BytesIO()
        workbook.save(upload)
        upload.seek(0)
        upload.name = "执行数.xlsx"
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"file": upload})
        assert response.status_code == 200 and len(response.context["extract"].matches) == size
        counts.append(len(captured))
    same_at_both_sizes(counts, 14)


def test_the_round_overview_past_one_page_costs_what_one_page_costs(client, reference_data):
    from projects.monitoring.views import PAGE_SIZE

    counts = []
    for size in (SMALL, PAGE_SIZE + 5):
        monitoring_round, finance, _unit = round_of(size)
        client.force_login(finance)
        url = reverse("projects:monitoring_round", args=[monitoring_round.pk])
        counts.append(queries(client, url, {"light": "all", "page": 2 if size > PAGE_SIZE else 1}))
    same_at_both_sizes(counts, 14)
