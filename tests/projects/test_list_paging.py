"""The target-table list and the 待我审核 queue at province scale (issue 20): a page's rows are chosen by
their ids in the table's order, then read whole, so the database sorts the region's ids, not the
region's rows joined to everything they show; and the region's list sorted by score reads its own
scores from an index of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfgoals.roles import Role
from projects.models import ProjectTable
from projects.overview import with_review_counts
from tests import factories


@pytest.fixture
def region_tables(reference_data):
    region, tables = factories.overview_region(60, departments=3, units_per_department=2)
    return region, tables


def expected_names(region, *order):
    tables = with_review_counts(ProjectTable.objects.filter(region=region)).order_by(*order, "department__name", "unit__name", "name", "version", "id")
    return [table.name for table in tables]


@pytest.mark.parametrize(
    "sort, order",
    [("-quality_score", ("-quality_score",)), ("funds_total", ("funds_total",)), ("-rounds", ("-rounds",)), ("", ("-year",))],
)
def test_every_page_of_the_list_holds_the_rows_of_the_sorted_list_in_order(client, region_tables, sort, order):
    region, _ = region_tables
    client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
    shown = []
    for page in (1, 2, 3):
        response = client.get(reverse("projects:project_list"), {"sort": sort, "page": page} if sort else {"page": page})
        assert response.status_code == 200
        shown += [row.record.name for row in response.context["table"].page.object_list]
    assert shown == expected_names(region, *order)


def test_the_page_rows_are_read_through_their_ids_not_by_sorting_whole_rows(client, region_tables):
    region, _ = region_tables
    client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("projects:project_list"), {"sort": "-quality_score", "page": 2})
    assert response.status_code == 200
    [rows_query] = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT "projects_projecttable"."id"') and '"projects_unit"."name" ASC' in query["sql"]
    ]
    # the whole rows (with their unit, department and counts) are read for the page's ids, chosen in a
    # subquery by the same order; the outer query itself is not cut at 25 rows of the whole region
    assert "LIMIT 25 OFFSET 25)" in rows_query
    assert not rows_query.rstrip().endswith("OFFSET 25")


def test_the_region_has_an_index_for_its_list_sorted_by_score(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ProjectTable._meta.db_table)
    assert constraints["project_region_score"]["columns"] == ["region_id", "quality_score"]
    assert constraints["project_region_score"]["index"]


def test_the_home_page_reads_its_fifty_tables_by_their_ids(client, reference_data):
    region, _ = factories.overview_region(120, departments=3, units_per_department=2)
    client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("projects:home"), {"year": 2024, "page": 2})
    assert response.status_code == 200
    expected = list(
        ProjectTable.objects.filter(region=region, year=2024)
        .order_by("department__name", "unit__name", "id")
        .values_list("name", flat=True)
    )
    returned = set(ProjectTable.objects.filter(region=region, status="returned").values_list("name", flat=True))
    expected = [name for name in expected if name in returned] + [name for name in expected if name not in returned]
    assert [table.name for table, _ in response.context["rows"]] == expected[50:100]
    [rows_query] = [query["sql"] for query in captured.captured_queries if '"auth_user"."username"' in query["sql"] and "projects_projecttable" in query["sql"].split(" FROM ")[1]]
    assert "LIMIT 50 OFFSET 50)" in rows_query
