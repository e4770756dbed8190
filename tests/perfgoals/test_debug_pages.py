"""Chinese 404 and 500 pages under DEBUG too (issue 17, point 7): `make run` runs with DEBUG on, and a
mistyped or out-of-scope address showed Django's English page listing every URL."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_a_mistyped_address_gets_the_chinese_page_not_the_url_list(client, db, debug):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "找不到页面" in page and "URLconf" not in page and "Django tried these URL patterns" not in page


def test_an_out_of_scope_table_gets_the_chinese_page(seeded, debug):
    from projects.models import ProjectTable

    table = ProjectTable.objects.filter(region__code="130682").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    response = client.get(f"/tables/{table.pk}/")
    assert response.status_code == 404 and "找不到页面" in response.content.decode()
    assert "Traceback" not in response.content.decode() and "Page not found" not in response.content.decode()


def test_a_missing_slash_is_still_added_under_debug(client, db, debug):
    response = client.get("/login")
    assert response.status_code == 301 and response["Location"] == "/login/"


@pytest.mark.urls("tests.perfgoals.error_urls")
def test_a_failure_gets_the_chinese_error_page_and_the_traceback_goes_to_the_log(db, debug, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/test-failure/")
    assert response.status_code == 500 and "系统出错" in response.content.decode()
    assert any("a failure for the error page test" in str(record.exc_info) for record in caplog.records)
