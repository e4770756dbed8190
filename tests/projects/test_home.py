import pytest
from django.urls import reverse


def test_login_page_is_in_chinese(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and "登录" in page


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("projects:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_password_is_refused_with_a_chinese_message(client, seeded):
    page = client.post(reverse("login"), {"username": "pl_unit", "password": "wrong"}).content.decode()
    assert "请输入一个正确的用户名和密码" in page


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("pl_unit", "纪检监察事务工作经费", "安保经费"),
        ("pl_finance", "县委巡查专项经费", "安保经费"),
        ("dz_dept", "安保经费", "县委巡查专项经费"),
        ("admin", "纪检监察事务工作经费", None),
    ],
)
def test_demo_users_log_in_and_see_only_their_scope(client, seeded, username, sees, does_not_see):
    password = "perfgoals-admin" if username == "admin" else "perfgoals-demo"
    response = client.post(reverse("login"), {"username": username, "password": password}, follow=True)
    page = response.content.decode()
    assert sees in page
    if does_not_see:
        assert does_not_see not in page


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(client, seeded):
    for _ in range(5):
        client.post(reverse("login"), {"username": "pl_unit", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "pl_unit", "password": "perfgoals-demo"})
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_accounts_can_still_log_in_during_a_lockout(client, seeded):
    for _ in range(5):
        client.post(reverse("login"), {"username": "pl_unit", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "pl_dept", "password": "perfgoals-demo"})
    assert response.status_code == 302


# A finance officer's home lists a whole region's year: fifty tables a page, returned ones first,
# with the count of each status linking to the filtered list.


def region_home(client, count):
    from perfgoals.roles import Role
    from tests import factories

    region, tables = factories.overview_region(count, departments=2, units_per_department=1)
    client.force_login(factories.user(Role.FINANCE_OFFICER, region=region))
    return tables


def listed_names(page):
    import re

    return re.findall(r">(批量项目\d+)</a>", page)


def test_finance_officers_home_shows_fifty_tables_a_page_returned_first(client, reference_data):
    tables = region_home(client, 120)
    first = client.get(reverse("projects:home"), {"year": 2024}).content.decode()
    names = listed_names(first)
    assert len(names) == 50
    returned = {table.name for table in tables if table.status == "returned"}
    assert set(names[: len(returned)]) == returned
    assert "第 1–50 张，共 120 张（第 1/3 页）" in first
    assert 'href="?year=2024&amp;page=2" rel="next"' in first

    last = client.get(reverse("projects:home"), {"year": 2024, "page": 3}).content.decode()
    assert len(listed_names(last)) == 20
    everything = names + listed_names(client.get(reverse("projects:home"), {"year": 2024, "page": 2}).content.decode())
    everything += listed_names(last)
    assert sorted(everything) == sorted(table.name for table in tables)


def test_a_page_past_the_end_or_not_a_number_shows_a_real_page(client, reference_data):
    region_home(client, 60)
    past = client.get(reverse("projects:home"), {"year": 2024, "page": 99})
    assert past.status_code == 200 and len(listed_names(past.content.decode())) == 10
    garbage = client.get(reverse("projects:home"), {"year": 2024, "page": "二"})
    assert garbage.status_code == 200 and len(listed_names(garbage.content.decode())) == 50


def test_reviewers_home_counts_each_status_and_links_to_the_filtered_list(client, reference_data):
    region_home(client, 120)
    page = client.get(reverse("projects:home"), {"year": 2024}).content.decode()
    for status, label in [("draft", "草稿"), ("returned", "已退回"), ("approved", "已批复")]:
        assert f'href="{reverse("projects:project_list")}?year=2024&amp;status={status}">{label} 24</a>' in page


def test_a_unit_with_few_tables_sees_no_page_links_or_status_counts(client, seeded):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="pl_unit"))
    page = client.get(reverse("projects:home"), {"year": 2023}).content.decode()
    assert "纪检监察事务工作经费" in page
    assert "分页" not in page and "status-summary" not in page
