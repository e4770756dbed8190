import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Indicator, Level2
from projects import workflow
from projects.models import Department, ProjectTable, ReviewAction, ReviewRecord, TableStatus
from tests import factories


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


@pytest.fixture
def branch(seeded):
    """A unit under 平罗县纪律检查委员会 that is not the department's own office, so its tables go
    through the 主管部门 first; it owns the seed table 特邀监察员经费 and has its own staff member."""
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department, name="平罗县纪委监委派驻第一纪检监察组")
    table = ProjectTable.objects.get(name="特邀监察员经费")
    ProjectTable.objects.filter(pk=table.pk).update(unit=unit)
    table.refresh_from_db()
    staff = factories.user("unit_staff", unit=unit, username="pz_unit")
    return table, staff


def submitted(table, staff):
    workflow.project_submit(project=table, by=staff)
    table.refresh_from_db()
    return table


# The trio


@pytest.mark.parametrize("name", ["projects:review_queue"])
def test_the_queue_needs_a_reviewer(client, seeded, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login(client, "pl_unit")
    assert client.get(reverse(name)).status_code == 403
    login(client, "pl_dept")
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["projects:project_review", "projects:project_history"])
def test_review_and_history_pages_are_scoped(client, branch, name):
    table, _ = branch
    url = reverse(name, args=[table.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login(client, "dz_finance")
    assert client.get(url).status_code == 404
    login(client, "pl_finance")
    assert client.get(url).status_code == 200


def test_unit_staff_cannot_open_the_review_page(client, branch):
    table, staff = branch
    client.force_login(staff)
    assert client.get(reverse("projects:project_review", args=[table.pk])).status_code == 403
    assert client.get(reverse("projects:project_history", args=[table.pk])).status_code == 200


# The queue


def test_the_queue_lists_only_tables_awaiting_this_reviewer(client, branch):
    table, staff = branch
    submitted(table, staff)
    login(client, "pl_dept")
    page = client.get(reverse("projects:review_queue")).content.decode()
    assert "特邀监察员经费" in page and "纪检监察事务工作经费" not in page
    login(client, "pl_finance")
    assert "特邀监察员经费" not in client.get(reverse("projects:review_queue")).content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_queue_runs_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries, count):
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department)
    staff = factories.user("unit_staff", unit=unit)
    # Tables as a submission leaves them: awaiting the department, with their submit record.
    tables = [factories.project_table(unit, name=f"项目{number}", status=TableStatus.DEPARTMENT_REVIEW) for number in range(count)]
    ReviewRecord.objects.bulk_create(
        ReviewRecord(project=table, actor=staff, action=ReviewAction.SUBMIT, from_status=TableStatus.DRAFT, to_status=TableStatus.DEPARTMENT_REVIEW, round=1)
        for table in tables
    )
    login(client, "pl_dept")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("projects:review_queue"), {"per_page": 100}).content.decode()
    assert page.count('name="selected"') == count


# The review page


def test_the_review_page_shows_findings_explanations_last_year_and_the_diff(client, branch):
    table, staff = branch
    submitted(table, staff)
    login(client, "pl_dept")
    workflow.project_return(project=table, by=get_user_model().objects.get(username="pl_dept"), reason="not_quantified")
    table.refresh_from_db()
    row = table.indicators.order_by("order").first()
    row.set_value("≥ 2 次")
    row.save()
    submitted(table, staff)
    page = client.get(reverse("projects:project_review", args=[table.pk])).content.decode()
    assert "与上次提交相比" in page and "≥ 1 次" in page and "≥ 2 次" in page
    assert "智能审核" in page and "审核结论" in page


def test_returning_without_a_reason_is_refused_and_keeps_the_typed_comments(client, branch):
    table, staff = branch
    submitted(table, staff)
    row = table.indicators.order_by("order").first()
    login(client, "pl_dept")
    response = client.post(
        reverse("projects:project_review", args=[table.pk]),
        {"action": "return", "comment": "请补充", f"reason-{row.pk}": "not_quantified", f"comment-{row.pk}": "次数太少"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "退回必须" in page and "次数太少" in page and "请补充" in page
    table.refresh_from_db()
    assert table.status == TableStatus.DEPARTMENT_REVIEW
    assert not ReviewRecord.objects.filter(project=table, action=ReviewAction.RETURN).exists()


def test_a_return_with_a_row_comment_reaches_the_unit_beside_the_row(client, branch):
    table, staff = branch
    submitted(table, staff)
    row = table.indicators.order_by("order").first()
    login(client, "pl_dept")
    response = client.post(
        reverse("projects:project_review", args=[table.pk]),
        {"action": "return", "reason": "not_quantified", "comment": "请细化", f"reason-{row.pk}": "value_mismatch", f"comment-{row.pk}": "督查次数应与计划一致"},
    )
    assert response.status_code == 302
    client.force_login(staff)
    home = client.get(reverse("projects:home"), {"year": 2023}).content.decode()
    assert "退回理由：不够细化量化" in home
    assert home.index("特邀监察员经费") < home.index("退回理由")
    editor = client.get(reverse("projects:project_edit", args=[table.pk])).content.decode()
    assert "督查次数应与计划一致" in editor and "指标与指标值不匹配" in editor


def test_the_department_passes_and_finance_approves_through_the_pages(client, branch):
    table, staff = branch
    submitted(table, staff)
    login(client, "pl_dept")
    assert client.post(reverse("projects:project_review", args=[table.pk]), {"action": "pass", "grade": "good"}).status_code == 302
    login(client, "pl_finance")
    assert client.post(reverse("projects:project_review", args=[table.pk]), {"action": "approve", "grade": "good"}).status_code == 302
    table.refresh_from_db()
    assert table.status == TableStatus.APPROVED
    client.force_login(staff)
    assert client.get(reverse("projects:project_edit", args=[table.pk])).status_code == 403


@pytest.mark.parametrize("rows", [5, 60])
def test_the_review_page_runs_a_fixed_number_of_queries(client, branch, django_assert_max_num_queries, rows):
    table, staff = branch
    level2 = Level2.objects.get(level1__framework__code="2015", name="数量指标")
    Indicator.objects.bulk_create([Indicator(project=table, level2=level2, name=f"新增{i}", value_text=f"{i} 个", order=100 + i) for i in range(rows)])
    submitted(table, staff)
    login(client, "pl_dept")
    with django_assert_max_num_queries(22):
        assert client.get(reverse("projects:project_review", args=[table.pk])).status_code == 200


# The unit's buttons


def test_submitting_a_table_with_errors_is_refused_listing_them(client, seeded):
    table = ProjectTable.objects.get(name="安保经费")
    login(client, "dz_unit")
    page = client.post(reverse("projects:project_action", args=[table.pk]), {"action": "submit"}, follow=True).content.decode()
    assert "错误" in page and "成本" in page
    table.refresh_from_db()
    assert table.status == TableStatus.DRAFT and not table.reviews.exists()


def test_a_department_office_submits_straight_to_finance_and_may_withdraw(client, seeded):
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    login(client, "pl_unit")
    page = client.get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    assert "提交审核" in page
    client.post(reverse("projects:project_action", args=[table.pk]), {"action": "submit"})
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW
    client.post(reverse("projects:project_action", args=[table.pk]), {"action": "withdraw"})
    table.refresh_from_db()
    assert table.status == TableStatus.DRAFT


def test_another_unit_cannot_submit_a_table(client, seeded):
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    login(client, "dz_unit")
    assert client.post(reverse("projects:project_action", args=[table.pk]), {"action": "submit"}).status_code == 404
    login(client, "pl_finance")
    client.post(reverse("projects:project_action", args=[table.pk]), {"action": "submit"})
    table.refresh_from_db()
    assert table.status == TableStatus.DRAFT


def test_an_adjustment_opens_version_two_in_the_editor_while_version_one_stays(client, branch):
    table, staff = branch
    submitted(table, staff)
    workflow.project_pass(project=table, by=get_user_model().objects.get(username="pl_dept"))
    workflow.project_approve(project=table, by=get_user_model().objects.get(username="pl_finance"))
    client.force_login(staff)
    response = client.post(reverse("projects:project_action", args=[table.pk]), {"action": "adjust", "comment": "年中追加预算"})
    second = ProjectTable.objects.get(name=table.name, version=2)
    assert response.url == reverse("projects:project_edit", args=[second.pk])
    table.refresh_from_db()
    assert table.status == TableStatus.APPROVED
    assert client.get(reverse("projects:project_detail", args=[table.pk])).status_code == 200


# Bulk


def test_bulk_approval_reports_each_refusal_and_approves_the_rest(client, seeded):
    tables = list(ProjectTable.objects.filter(region__code="640221").order_by("id")[:3])
    unit_staff = get_user_model().objects.get(username="pl_unit")
    for table in tables[:2]:
        workflow.project_submit(project=table, by=unit_staff)
    login(client, "pl_finance")
    response = client.post(
        reverse("projects:review_bulk"), {"action": "approve", "selected": [t.pk for t in tables]}, follow=True
    )
    page = response.content.decode()
    assert "已批复 2 张表" in page and "未处理" in page
    statuses = [ProjectTable.objects.get(pk=t.pk).status for t in tables]
    assert statuses == [TableStatus.APPROVED, TableStatus.APPROVED, TableStatus.DRAFT]


def test_bulk_return_needs_one_reason_for_all(client, seeded):
    table = ProjectTable.objects.filter(region__code="640221").first()
    workflow.project_submit(project=table, by=get_user_model().objects.get(username="pl_unit"))
    login(client, "pl_finance")
    page = client.post(reverse("projects:review_bulk"), {"action": "return", "selected": [table.pk]}, follow=True).content.decode()
    assert "未处理" in page
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW


def test_history_page_shows_review_records_and_field_changes(client, branch):
    table, staff = branch
    client.force_login(staff)
    from tests.projects.test_editor import editor_post

    client.post(reverse("projects:project_edit", args=[table.pk]), editor_post(table, period="2 年"))
    submitted(table, staff)
    page = client.get(reverse("projects:project_history", args=[table.pk])).content.decode()
    assert "提交" in page and "1 年" in page and "2 年" in page


@pytest.mark.parametrize(("username", "shown", "hidden"), [("pl_dept", "待我审核", "导入 Excel"), ("pl_unit", "导入 Excel", "待我审核")])
def test_the_navigation_offers_each_role_its_own_pages(client, seeded, username, shown, hidden):
    login(client, username)
    page = client.get(reverse("projects:home")).content.decode()
    assert shown in page and hidden not in page
