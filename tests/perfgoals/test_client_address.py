"""Behind the documented proxy, the client's address is the one the proxy saw: a client can neither
forge the audit log's address nor lock another person's account, and junk in X-Forwarded-For is
ignored rather than a server error."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from perfgoals.clientip import client_address
from projects.models import AuditEvent

PROXY = "127.0.0.1"


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(settings):
    settings.PERFGOALS_PROXY_COUNT = 0
    assert client_address(request_from("10.0.0.9", "1.2.3.4")) == "10.0.0.9"


def test_behind_one_proxy_the_address_the_proxy_appended_is_the_client(settings):
    settings.PERFGOALS_PROXY_COUNT = 1
    # nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address nginx saw.
    assert client_address(request_from(PROXY, "6.6.6.6, 10.20.30.40")) == "10.20.30.40"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address(settings):
    settings.PERFGOALS_PROXY_COUNT = 1
    settings.PERFGOALS_TRUSTED_PROXIES = ["127.0.0.0/8"]
    assert client_address(request_from("10.9.9.9", "1.2.3.4")) == "10.9.9.9"
    assert client_address(request_from(PROXY, "1.2.3.4")) == "1.2.3.4"


@pytest.mark.parametrize("junk", ["unknown", "999.1.1.1", "", "  ,  ", "<script>", "1.2.3"])
def test_a_malformed_forwarded_for_falls_back_to_the_proxy_address(settings, junk):
    settings.PERFGOALS_PROXY_COUNT = 1
    assert client_address(request_from(PROXY, junk)) == PROXY


def login(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address
    )


def test_the_audit_log_records_the_client_behind_the_proxy_not_a_forged_one(client, seeded, settings):
    settings.PERFGOALS_PROXY_COUNT = 1
    login(client, "pl_unit", "perfgoals-demo", "8.8.8.8, 10.1.2.3")
    event = AuditEvent.objects.get(kind="login")
    assert event.address == "10.1.2.3"


@pytest.mark.parametrize("junk", ["unknown", "999.1.1.1"])
def test_a_malformed_forwarded_for_does_not_break_logging_in(client, seeded, settings, junk):
    settings.PERFGOALS_PROXY_COUNT = 1
    response = login(client, "pl_unit", "perfgoals-demo", junk)
    assert response.status_code == 302
    assert AuditEvent.objects.get(kind="login").address == PROXY


def test_wrong_passwords_from_one_client_do_not_lock_the_account_for_another(client, seeded, settings):
    settings.PERFGOALS_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        login(client, "admin", "wrong", "203.0.113.7")
    assert login(client, "admin", "perfgoals-admin", "203.0.113.7").status_code != 302
    response = login(client, "admin", "perfgoals-admin", "10.1.2.3")
    assert response.status_code == 302 and response.url == reverse("projects:home")
