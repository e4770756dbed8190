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
