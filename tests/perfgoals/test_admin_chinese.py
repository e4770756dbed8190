"""The Django admin is Chinese for the system administrator (issue 17): no English left on its index,
the user and group forms (permission names, the add-user note) or django-axes' pages, whatever
language the browser asks for; the filter widget's JavaScript strings are Chinese too."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

# Words that may stay: product, protocol and key names (按住 Control 键或 Mac 上的 Command 键), and
# what the sample rows hold (a user name, axes' "unknown" user agent of a test client).
ALLOWED = {"Excel", "HTTP Accept", "rsaquo", "sha", "Django", "perfgoals", "Control", "Command", "admin", "unknown"}


def english_words(response):
    # <bdi> holds data, not wording: the password hash's algorithm, and its salt's and hash's first
    # characters, random letters such as "cdfdfd"
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<bdi>.*?</bdi>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    text = re.sub(r"&[a-z]+;", " ", text)
    found = {word.strip() for word in re.findall(r"(?<![\w_])[A-Za-z][A-Za-z' ’]{4,}", text)}
    return sorted(word for word in found if word and not any(allowed in word for allowed in ALLOWED))


@pytest.fixture
def admin_client(client, seeded):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    "page",
    ["admin:index", "admin:auth_user_add", "admin:auth_group_add", "admin:app_list/axes", "admin:axes_accessattempt_changelist", "admin:axes_accesslog_changelist"],
)
def test_admin_pages_show_no_english_to_an_english_browser(admin_client, page):
    if "/" in page:
        name, label = page.split("/")
        url = reverse(name, kwargs={"app_label": label})
    else:
        url = reverse(page)
    response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert english_words(response) == []


def test_a_users_permissions_are_listed_in_chinese(admin_client):
    account = get_user_model().objects.get(username="pl_unit")
    response = admin_client.get(reverse("admin:auth_user_change", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "Can add" not in page and "Can view" not in page
    assert "登录保护 | 可以查看登录日志" in page and "绩效目标表 | 可以修改" in page
    assert english_words(response) == []


def test_the_filter_widgets_words_are_chinese(admin_client):
    catalog = admin_client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "\\u53ef\\u9009\\u7684" in catalog or "可选的" in catalog  # 可选的%s (Available %s)
    assert "Choose %s by selecting them" in catalog  # the key, with its Chinese value
    assert "\\u5728\\u5de6\\u4fa7" in catalog or "在左侧选中" in catalog
