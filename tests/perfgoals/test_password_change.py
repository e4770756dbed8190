"""Every signed-in user can change their own password, in Chinese, without an administrator."""

from django.contrib.auth import get_user_model
from django.urls import reverse


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_unit_user_changes_their_password_and_signs_in_with_the_new_one(client, seeded):
    user = get_user_model().objects.get(username="pl_unit")
    client.force_login(user)
    page = client.get(reverse("projects:home"))
    assert reverse("password_change") in page.content.decode()
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and "修改密码" in form.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": "perfgoals-demo", "new_password1": "Jixiao-2026-xin", "new_password2": "Jixiao-2026-xin"},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Jixiao-2026-xin")


def test_a_wrong_old_password_changes_nothing_and_says_so_in_chinese(client, seeded):
    user = get_user_model().objects.get(username="pl_unit")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Jixiao-2026-xin", "new_password2": "Jixiao-2026-xin"},
    )
    assert response.status_code == 200 and "旧密码" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("perfgoals-demo")
