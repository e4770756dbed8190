"""The list of target tables and departments' progress (projects/overview.py): scope, filters, sorting,
paging, exports of exactly the filtered rows, and a fixed number of queries at any size."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from perfgoals.roles import Role
from projects.models import Department, ProjectTable, TableStatus
from tests import factories
from tests.overview_helpers import Export, all_pages, five_tables, listed, queries_of

PAGES = [
    "projects:dashboard",
    "projects:project_list",
    "projects:department_progress",
    "projects:indicator_list",
    "projects:finding_list",
]


def url(name):
    return reverse(name)


@pytest.fixture
def data(reference_data):
    return five_tables()


@pytest.fixture
def finance_client(client, data):
    client.force_login(data.finance)
    return client


def names(response):
    return set(listed(response))


# Who may open what


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_login_from_every_overview_page(client, db, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_a_role_is_refused_every_overview_page(client, db, name):
    client.force_login(get_user_model().objects.create_user("nobody", password="x-pass-123"))
    assert client.get(url(name)).status_code == 403


def test_unit_staff_are_refused_the_departments_progress(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    assert client.get(url("projects:department_progress")).status_code == 403


@pytest.mark.parametrize("username", ["pl_unit", "pl_dept", "pl_finance", "admin"])
@pytest.mark.parametrize("name", PAGES)
def test_each_role_opens_every_overview_page_it_may_use(client, seeded, name, username):
    client.force_login(get_user_model().objects.get(username=username))
    expected = 403 if (username, name) == ("pl_unit", "projects:department_progress") else 200
    assert client.get(url(name)).status_code == expected


def test_the_navigation_offers_the_overview_to_every_role_and_the_progress_to_reviewers(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    page = client.get(reverse("projects:home")).content.decode()
    assert url("projects:dashboard") in page and url("projects:department_progress") in page
    assert url("projects:finding_list") in page
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    page = client.get(reverse("projects:home")).content.decode()
    assert url("projects:dashboard") in page and url("projects:project_list") in page
    assert url("projects:department_progress") not in page


# Scope


def test_a_finance_officer_lists_only_the_tables_of_their_region(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    listed_names = all_pages(client, url("projects:project_list"), {})
    assert "县委巡查专项经费" in listed_names
    assert "安保经费" not in listed_names
    assert len(listed_names) == ProjectTable.objects.filter(region__code="640221").count()


def test_a_unit_lists_only_its_own_tables(client, data):
    client.force_login(data.staff2)
    response = client.get(url("projects:project_list"))
    assert names(response) == {data.t2.name, data.t4.name, data.t5.name}


def test_a_filter_naming_another_region_lists_nothing(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    other = Department.objects.get(region__code="130682")
    for params in ({"region": other.region_id}, {"department": other.pk}, {"unit": other.units.first().pk}):
        response = client.get(url("projects:project_list"), params)
        assert response.status_code == 200
        assert listed(response) == []
        assert "筛选条件有误" in response.content.decode()


# Filters of the target table list


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "2023"}, {"t4", "t6"}),
        ({"department": "d1"}, {"t1", "t3"}),
        ({"unit": "u2"}, {"t2", "t4", "t5"}),
        ({"status": "approved"}, {"t1", "t4", "t6"}),
        ({"status": "in_review"}, {"t5"}),
        ({"grade": "poor"}, {"t5"}),
        ({"grade": "none"}, {"t3"}),
        ({"score_min": "60", "score_max": "90"}, {"t2", "t4", "t6"}),
        ({"amount_min": "10", "amount_max": "60"}, {"t2", "t4"}),
        ({"framework": "2021"}, {"t2"}),
        ({"rounds_min": "2"}, {"t4"}),
        ({"returned": "yes"}, {"t2", "t4"}),
        ({"returned": "no"}, {"t1", "t3", "t5", "t6"}),
        ({"return_reason": "split"}, {"t2"}),
        ({"return_reason": "incomplete"}, {"t4"}),
        ({"submitted_after": "2024-03-02", "submitted_before": "2024-03-31"}, {"t2"}),
        ({"approved_before": "2024-03-31"}, {"t1", "t4"}),
        ({"q": "办公"}, {"t3"}),
        ({"q": "乙局 培训"}, {"t2"}),
        ({"year": "2024", "department": "d2", "status": "returned"}, {"t2"}),
    ],
)
def test_each_filter_of_the_table_list_selects_exactly_its_tables(finance_client, data, params, expected):
    from indicators.models import Framework

    objects = {"d1": data.d1.pk, "d2": data.d2.pk, "u2": data.u2.pk, "2021": Framework.objects.get(code="2021").pk}
    params = {key: objects.get(value, value) for key, value in params.items()}
    response = finance_client.get(url("projects:project_list"), params)
    assert names(response) == {getattr(data, key).name for key in expected}


def test_the_table_list_shows_rounds_and_returns_and_sorts_by_any_column(finance_client, data):
    response = finance_client.get(url("projects:project_list"), {"sort": "-funds_total"})
    assert listed(response) == [data.t1.name, data.t4.name, data.t2.name, data.t5.name, data.t3.name, data.t6.name]
    rows = {row.record.name: row.record for row in response.context["table"].paginated_rows}
    assert (rows[data.t4.name].rounds, rows[data.t4.name].returns) == (2, 1)
    assert (rows[data.t3.name].rounds, rows[data.t3.name].returns) == (0, 0)
    response = finance_client.get(url("projects:project_list"), {"sort": "quality_score"})
    scores = [row.record.quality_score for row in response.context["table"].paginated_rows]
    assert [score for score in scores if score is not None] == [40, 65, 80, 85, 95]


def test_the_table_list_pages_and_names_the_filters_in_use(finance_client, data):
    response = finance_client.get(url("projects:project_list"), {"per_page": 2, "year": "2024"})
    table = response.context["table"]
    assert table.paginator.num_pages == 2 and len(listed(response)) == 2
    page = response.content.decode()
    assert "共 <strong class=\"result-count\">4</strong> 条" in page
    assert "预算年度：2024 年" in page


# Exports


def test_the_export_holds_exactly_the_filtered_rows_of_every_page_in_the_sort_order(finance_client, data):
    params = {"year": "2024", "sort": "-funds_total", "per_page": 2}
    on_screen = all_pages(finance_client, url("projects:project_list"), params)
    export = Export(finance_client.get(url("projects:project_list"), {**params, "export": "xlsx"}))
    assert export.column("项目名称") == on_screen == [data.t1.name, data.t2.name, data.t5.name, data.t3.name]
    assert export.column("年度资金总额（万元）") == [100, 20, 8, 5]
    assert export.column("状态") == ["已批复", "已退回", "待主管部门审核", "草稿"]
    assert export.column("审核等级") == ["优", "中", "差", None]
    assert export.title == "项目绩效目标表清单（筛选条件：预算年度：2024 年）"
    assert export.sheet.freeze_panes == "A3"
    assert export.headers[:4] == ["预算年度", "项目名称", "主管部门", "实施单位"]


def test_a_units_export_holds_only_its_own_tables(client, data):
    client.force_login(data.staff2)
    export = Export(client.get(url("projects:project_list"), {"export": "xlsx"}))
    assert set(export.column("项目名称")) == {data.t2.name, data.t4.name, data.t5.name}


def test_unit_staff_are_not_offered_department_and_unit_columns_or_filters(client, data):
    client.force_login(data.staff2)
    response = client.get(url("projects:project_list"))
    assert {"department", "unit"}.isdisjoint(response.context["filter"].form.fields)
    assert {"department", "unit"}.isdisjoint(column.name for column in response.context["table"].columns)
    export = Export(client.get(url("projects:project_list"), {"export": "xlsx"}))
    assert "主管部门" not in export.headers and "实施单位" not in export.headers
    # Asked for anyway, another unit's tables still do not appear.
    assert names(client.get(url("projects:project_list"), {"unit": data.u1.pk})) == names(response)


def test_the_filtered_tables_export_as_official_forms_one_sheet_each(finance_client, data):
    import io

    from openpyxl import load_workbook

    response = finance_client.get(url("projects:project_list"), {"year": "2024", "unit": data.u1.pk, "export": "forms"})
    assert response.status_code == 200
    sheets = [sheet.title for sheet in load_workbook(io.BytesIO(response.content)).worksheets if sheet.sheet_state == "visible"]
    assert sheets[0] == "汇总" and len(sheets) == 3
    assert {title.split(".", 1)[1] for title in sheets[1:]} == {data.t1.name, data.t3.name}
    page = finance_client.get(url("projects:project_list"), {"year": "2024"}).content.decode()
    assert "export=forms&amp;layout=dingzhou" in page and "定州式" in page


def test_an_invalid_filter_exports_an_empty_list(finance_client, data):
    other = factories.region()
    export = Export(finance_client.get(url("projects:project_list"), {"region": other.pk, "export": "xlsx"}))
    assert export.rows == []


# Departments' progress


def progress_rows(response):
    return {row.record.name: row.record for row in response.context["table"].paginated_rows}


def test_departments_progress_counts_tables_and_money_in_each_state(finance_client, data):
    rows = progress_rows(finance_client.get(url("projects:department_progress"), {"year": "2024"}))
    assert set(rows) == {"甲局", "乙局", "丙局"}
    first, second, third = rows["甲局"], rows["乙局"], rows["丙局"]
    assert (first.expected, first.total, first.drafted, first.in_review, first.returned, first.approved) == (0, 2, 1, 0, 0, 1)
    assert (second.expected, second.total, second.drafted, second.in_review, second.returned, second.approved) == (1, 2, 0, 1, 1, 0)
    assert (third.expected, third.total) == (1, 0)
    assert (first.money_total, first.money_draft, first.money_approved) == (Decimal(105), Decimal(5), Decimal(100))
    assert (second.money_in_review, second.money_returned, second.money_approved) == (Decimal(8), Decimal(20), None)
    assert float(first.average_score) == 95 and float(second.average_score) == 52.5
    assert third.average_score is None and third.last_activity is None
    # The last activity is the later of the last edit and the last review action.
    assert second.last_activity == max(data.t5.updated_at, data.t2.updated_at, data.t5.reviews.get().at)


def test_departments_progress_defaults_to_the_latest_year(finance_client, data):
    response = finance_client.get(url("projects:department_progress"))
    assert progress_rows(response)["乙局"].total == 2
    assert "预算年度：2024 年" in response.content.decode()


def test_departments_progress_counts_an_adjusted_table_once(finance_client, data):
    ProjectTable.objects.filter(pk=data.t1.pk).update(status=TableStatus.SUPERSEDED)
    factories.project_table(data.u1, name=data.t1.name, year=2024, version=2, previous_version=data.t1,
                            status=TableStatus.APPROVED, funds_total=Decimal("90"))
    first = progress_rows(finance_client.get(url("projects:department_progress"), {"year": "2024"}))["甲局"]
    assert (first.total, first.approved, first.money_approved) == (2, 1, Decimal(90))


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        ("not_started", {"丙局"}),
        ("behind", {"丙局"}),
        ("unsubmitted", {"甲局", "乙局"}),
        ("all_approved", set()),
    ],
)
def test_departments_progress_filters_by_progress(finance_client, data, progress, expected):
    response = finance_client.get(url("projects:department_progress"), {"year": "2024", "progress": progress})
    assert set(progress_rows(response)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 3),
        ({"q": "乙"}, 1),
        ({"progress": "unsubmitted"}, 2),
        ({"progress": "not_started", "q": "乙"}, 0),
    ],
)
def test_departments_progress_pages_count_exactly_the_departments_listed(finance_client, data, params, expected):
    """Without a progress filter the pages count the departments themselves, not their figures: the
    count must still be the rows the list holds, page after page."""
    response = finance_client.get(url("projects:department_progress"), {"year": "2024", "per_page": 1, **params})
    table = response.context["table"]
    assert table.paginator.count == expected
    names = all_pages(finance_client, url("projects:department_progress"), {"year": "2024", "per_page": 1, **params})
    assert len(names) == len(set(names)) == expected


def test_a_department_reviewer_sees_only_their_departments_progress(client, data):
    client.force_login(factories.user(Role.DEPARTMENT_REVIEWER, department=data.d2))
    rows = progress_rows(client.get(url("projects:department_progress"), {"year": "2024"}))
    assert set(rows) == {"乙局"}


def test_departments_progress_marks_departments_behind_last_year(finance_client, data):
    page = finance_client.get(url("projects:department_progress"), {"year": "2024"}).content.decode()
    row = page[page.index("丙局") - 400 : page.index("丙局")]
    assert "table-warning" in row


def test_departments_progress_links_counts_to_the_filtered_table_list(finance_client, data):
    page = finance_client.get(url("projects:department_progress"), {"year": "2024"}).content.decode()
    link = f"{url('projects:project_list')}?year=2024&amp;department={data.d2.pk}&amp;status=returned"
    assert link in page
    response = finance_client.get(url("projects:project_list"), {"year": 2024, "department": data.d2.pk, "status": "returned"})
    assert names(response) == {data.t2.name}


def test_departments_progress_export_holds_exactly_the_listed_departments(finance_client, data):
    params = {"year": "2024", "progress": "unsubmitted", "sort": "-money_total"}
    export = Export(finance_client.get(url("projects:department_progress"), {**params, "export": "xlsx"}))
    assert export.column("主管部门") == [str(data.d1), str(data.d2)]
    assert export.column("资金合计（万元）") == [105, 28]
    assert export.column("批复金额") == [100, None]
    assert "预算年度：2024 年" in export.title and "进度：有未提交的表（草稿或已退回）" in export.title


# A fixed number of queries at any size


LIST_PAGES = ["projects:project_list", "projects:department_progress", "projects:dashboard"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_each_page_makes_the_same_number_of_queries_for_few_and_many_tables(
    client, reference_data, django_assert_max_num_queries, name
):
    small_region, _ = factories.overview_region(4)
    large_region, _ = factories.overview_region(60, departments=6)
    counts = []
    for region in (small_region, large_region):
        client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
        with django_assert_max_num_queries(16):
            count, response = queries_of(client, url(name), {"year": 2024})
        counts.append(count)
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["projects:project_list", "projects:department_progress"])
def test_each_export_makes_the_same_number_of_queries_for_few_and_many_tables(
    client, reference_data, django_assert_max_num_queries, name
):
    small_region, _ = factories.overview_region(4)
    large_region, _ = factories.overview_region(60, departments=6)
    counts = []
    for region in (small_region, large_region):
        client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
        with django_assert_max_num_queries(12):
            count, response = queries_of(client, url(name), {"year": 2024, "export": "xlsx"})
        counts.append(count)
    assert counts[0] == counts[1]
