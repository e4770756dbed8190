"""Query budgets: each page makes the same number of SQL queries for a little data and for a lot, and no
more than its budget. A query per row (N+1) or per table shows up here as a count that grows with the
data, long before it shows up in a province's database (bench/bench_pages.py measures the time).

Pages whose budgets are tested elsewhere at two sizes: the editor and detail pages by number of rows
(test_editor), the department reviewer's queue and the review page by rows (test_review_views), the
lists and the finance officer's dashboard (test_overview, indicators/test_overview)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, Level2
from perfgoals.roles import Role
from projects import views, workflow
from projects.excel import export_tables
from projects.models import DepartmentTarget, ProjectTable, ReviewComment, ReviewRecord, TableStatus
from tests import factories
from tests.html_forms import form_data

SMALL, LARGE = 4, 40


def queries(client, url, data=None, *, method="get", status=200):
    """The number of SQL queries one request makes (its response must have ``status``)."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == status, (url, response.status_code)
    return len(captured.captured_queries)


# The navigation's two counts (unread notifications; for a reviewer, what waits in their queue), one
# query, and the home page's deadlines, one more, whatever the data (issue 17).
NAVIGATION_COUNTS = 2


def same_at_both_sizes(counts, budget):
    budget += NAVIGATION_COUNTS
    small, large = counts
    assert small == large, f"{small} queries for little data, {large} for a lot"
    assert large <= budget, f"{large} queries, budget {budget}"


# Home: the landing page of every role


@pytest.mark.parametrize("role", [Role.UNIT_STAFF, Role.DEPARTMENT_REVIEWER, Role.FINANCE_OFFICER])
def test_home_page_costs_the_same_for_few_and_many_tables(client, reference_data, role):
    counts = []
    for size in (SMALL, 3 * views.HOME_PAGE_SIZE):  # many pages of the region's tables
        region, tables = factories.overview_region(size, departments=2, units_per_department=1)
        unit = tables[0].unit
        scope = {Role.UNIT_STAFF: {"unit": unit}, Role.DEPARTMENT_REVIEWER: {"department": unit.department}}.get(role, {"region": region})
        client.force_login(factories.user(role, **scope))
        counts.append(queries(client, reverse("projects:home"), {"year": 2024}))
    same_at_both_sizes(counts, 9)


# The editor and detail of a returned table, every row commented by the reviewer


def returned_table(rows):
    department = factories.department()
    unit = factories.unit(department)
    table = factories.stored_table(unit, status=TableStatus.RETURNED)
    level2 = Level2.objects.get(level1__framework=table.framework, name="数量指标")
    Indicator.objects.bulk_create(
        Indicator(project=table, level2=level2, name=f"新增指标{number}", value_text=f"{number} 个", order=100 + number)
        for number in range(rows)
    )
    reviewer = factories.user(Role.DEPARTMENT_REVIEWER, department=department)
    record = ReviewRecord.objects.create(
        project=table, actor=reviewer, action="return", from_status=TableStatus.DEPARTMENT_REVIEW,
        to_status=TableStatus.RETURNED, reason="not_quantified", round=1,
    )
    ReviewComment.objects.bulk_create(
        ReviewComment(record=record, indicator=row, indicator_uid=row.uid, reason="not_quantified", text="请量化")
        for row in table.indicators.all()
    )
    return table, factories.user(Role.UNIT_STAFF, unit=unit)


def test_editor_of_a_returned_table_costs_the_same_for_few_and_many_commented_rows(client, reference_data):
    pages = {"get": [], "post": [], "detail": []}
    for size in (SMALL, LARGE):
        table, staff = returned_table(size)
        client.force_login(staff)
        url = reverse("projects:project_edit", args=[table.pk])
        pages["get"].append(queries(client, url))
        data = form_data(client.get(url).content.decode())
        pages["post"].append(queries(client, url, data, method="post", status=302))
        pages["detail"].append(queries(client, reverse("projects:project_detail", args=[table.pk])))
    same_at_both_sizes(pages["get"], 19)  # 19: last year's self-evaluations and monitoring reports
    same_at_both_sizes(pages["post"], 35)
    same_at_both_sizes(pages["detail"], 13)


def test_saving_a_changed_row_costs_the_same_as_saving_none(client, reference_data):
    """Only changed rows are written, in one bulk update: one changed row or twenty cost the same."""
    counts = []
    for changed in (1, 20):
        table, staff = returned_table(30)
        client.force_login(staff)
        url = reverse("projects:project_edit", args=[table.pk])
        data = form_data(client.get(url).content.decode())
        names = sorted(key for key in data if key.startswith("ind-") and key.endswith("-note"))
        for key in names[:changed]:
            data[key] = "已按审核意见修改"
        counts.append(queries(client, url, data, method="post", status=302))
        assert table.indicators.filter(note="已按审核意见修改").count() == changed
    same_at_both_sizes(counts, 36)


# The finance officer's queue


def test_finance_officers_queue_costs_the_same_for_few_and_many_tables(client, reference_data):
    counts = []
    for size in (SMALL, LARGE):
        region, _ = factories.overview_region(size, departments=2)
        client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
        counts.append(queries(client, reverse("projects:review_queue"), {"per_page": 100}))
    same_at_both_sizes(counts, 10)


# The review page and the history of a table sent back and forth


def table_reviewed(rounds):
    """A clean table of a branch unit, submitted ``rounds`` times through the workflow and returned
    with a row comment after each submission but the last, then edited once per round in the editor."""
    department = factories.department()
    unit = factories.unit(department)
    table = factories.stored_table(unit)
    staff = factories.user(Role.UNIT_STAFF, unit=unit)
    reviewer = factories.user(Role.DEPARTMENT_REVIEWER, department=department)
    row = table.indicators.first()
    for number in range(rounds):
        workflow.project_submit(project=table, by=staff)
        if number < rounds - 1:
            workflow.project_return(
                project=table, by=reviewer, reason="not_quantified",
                comments=[{"indicator": row, "reason": "not_quantified", "text": f"第 {number + 1} 轮意见"}],
            )
    return table, staff, reviewer


def test_review_and_history_pages_cost_the_same_for_one_round_and_many(client, reference_data):
    review, history = [], []
    for rounds in (2, 6):
        table, staff, reviewer = table_reviewed(rounds)
        client.force_login(reviewer)
        review.append(queries(client, reverse("projects:project_review", args=[table.pk])))
        client.force_login(staff)
        history.append(queries(client, reverse("projects:project_history", args=[table.pk])))
    same_at_both_sizes(review, 16)
    same_at_both_sizes(history, 15)


# Lists and the dashboard as each role sees them


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("projects:project_list", {"year": 2024, "status": "in_review", "sort": "-funds_total"}),
        ("projects:project_list", {"returned": "yes", "sort": "-rounds"}),
        ("projects:dashboard", {"year": 2024}),
    ],
)
@pytest.mark.parametrize("role", [Role.UNIT_STAFF, Role.DEPARTMENT_REVIEWER])
def test_lists_and_dashboard_cost_the_same_for_few_and_many_tables_in_every_role(client, reference_data, name, params, role):
    counts = []
    for size in (SMALL, LARGE):
        region, tables = factories.overview_region(size, departments=2, units_per_department=1)
        scope = {"unit": tables[0].unit} if role == Role.UNIT_STAFF else {"department": tables[0].department}
        client.force_login(factories.user(role, **scope))
        counts.append(queries(client, reverse(name), params))
    same_at_both_sizes(counts, 16)


# The import preview


def test_import_preview_costs_a_few_queries_per_table_of_the_file(client, seeded):
    """Not yet a fixed count: reading a file still finds each table's stored version (projects.excel)
    and the dry run looks up each table's name and rows (projects.interchange), four queries a table.
    This budget keeps it at that until those lookups are made per file."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="pl_unit"))
    tables = ProjectTable.objects.filter(region__code="640221").order_by("pk")
    counts = []
    for chosen in (tables[:1], tables):
        content = export_tables(ProjectTable.objects.filter(pk__in=[t.pk for t in chosen]), DepartmentTarget.objects.none(), "pingluo")
        response = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile("tables.xlsx", io.BytesIO(content).getvalue())})
        assert response.status_code == 302
        counts.append(queries(client, response["Location"]))
    one, five = counts
    assert one <= 36 + NAVIGATION_COUNTS, one
    assert five - one <= 4 * 4, f"{(five - one) / 4:.1f} queries per extra table"


# Excel export (tracker issue 8)


def test_excel_export_costs_the_same_for_few_and_many_tables(reference_data):
    """An export reads its tables, their rows, goals and spending plans a few queries per part of
    EXPORT_CHUNK tables (projects.excel.export_parts), never a query per table or per row."""
    unit = factories.unit()
    tables = [factories.stored_table(unit, name=f"培训经费{number}") for number in range(LARGE)]
    counts = []
    for chosen in (tables[:SMALL], tables):
        with CaptureQueriesContext(connection) as captured:
            export_tables(ProjectTable.objects.filter(pk__in=[t.pk for t in chosen]), DepartmentTarget.objects.none(), "pingluo")
        counts.append(len(captured.captured_queries))
    same_at_both_sizes(counts, 10)
