"""Nothing changes an approved document outside the gate: the admin shows it read-only, and an
administrator corrects it through a recorded correction (更正) with a reason."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Indicator
from projects.models import ProjectTable, ReviewAction, ReviewRecord, TableStatus
from projects.workflow import project_approve, project_submit
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def approved_table(seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")  # the office's own: straight to finance
    project_submit(project=table, by=user("pl_unit"))
    project_approve(project=table, by=user("pl_finance"))
    table.refresh_from_db()
    assert table.status == TableStatus.APPROVED
    return table


def admin_client(client):
    client.force_login(user("admin"))
    return client


def test_the_admin_refuses_to_change_an_approved_tables_money(client, approved_table):
    """The finding of the issue: 年度资金总额 120 → 130 saved in the admin after 批复."""
    admin_client(client)
    url = reverse("admin:projects_projecttable_change", args=[approved_table.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="funds_total"' not in html  # shown, not editable
    assert "更正页面" in html
    before = approved_table.funds_total
    response = client.post(url, {"name": approved_table.name, "funds_total": "999"})
    assert response.status_code == 403
    approved_table.refresh_from_db()
    assert approved_table.funds_total == before


def test_the_admin_refuses_to_change_or_add_rows_of_an_approved_table(client, approved_table):
    admin_client(client)
    row = approved_table.indicators.first()
    response = client.post(reverse("admin:indicators_indicator_change", args=[row.pk]), {"name": "改过的名称"})
    assert response.status_code == 403
    assert Indicator.objects.get(pk=row.pk).name == row.name
    response = client.post(
        reverse("admin:indicators_indicator_add"),
        {"project": approved_table.pk, "level2": row.level2_id, "name": "新增一行", "value_text": "≥ 1 次", "order": 99},
    )
    assert response.status_code == 200 and "project" in response.context["adminform"].form.errors
    assert not Indicator.objects.filter(name="新增一行").exists()


def test_the_admin_still_changes_a_draft_but_never_its_status(client, seeded):
    admin_client(client)
    table = factories.stored_table(factories.unit())
    page = client.get(reverse("admin:projects_projecttable_change", args=[table.pk])).content.decode()
    assert 'name="name"' in page and 'name="status"' not in page and 'name="version"' not in page


def test_an_administrator_corrects_an_approved_table_through_a_recorded_action(client, approved_table):
    admin_client(client)
    url = reverse("projects:project_correct", args=[approved_table.pk])
    form = client.get(url)
    assert form.status_code == 200 and "更正理由" in form.content.decode()
    fields = {name: getattr(approved_table, name) or "" for name in ("name", "code", "period", "funds_total", "funds_fiscal", "funds_other", "fund_use")}
    refused = client.post(url, {**fields, "funds_total": "130", "reason": ""})
    assert refused.status_code == 400 and "请写明更正理由" in refused.content.decode()
    assert ProjectTable.objects.get(pk=approved_table.pk).funds_total == approved_table.funds_total
    done = client.post(url, {**fields, "funds_total": "130", "funds_fiscal": "130", "reason": "批复文件所列金额为 130 万元"})
    assert done.status_code == 302
    table = ProjectTable.objects.get(pk=approved_table.pk)
    assert table.funds_total == Decimal("130") and table.status == TableStatus.APPROVED
    record = ReviewRecord.objects.get(project=table, action=ReviewAction.CORRECT)
    assert record.actor == user("admin") and record.comment.startswith("批复文件所列金额为 130 万元")
    assert f"年度资金总额（万元）：{approved_table.funds_total} → 130" in record.comment
    assert table.checked_at > approved_table.checked_at  # rechecked after the correction
    history = client.get(reverse("projects:project_history", args=[table.pk])).content.decode()
    assert "更正" in history and "批复文件所列金额为 130 万元" in history


def test_only_an_administrator_may_correct_and_only_what_is_approved(client, seeded, approved_table):
    client.force_login(user("pl_finance"))
    assert client.get(reverse("projects:project_correct", args=[approved_table.pk])).status_code == 403
    draft = factories.stored_table(factories.unit())
    admin_client(client)
    response = client.get(reverse("projects:project_correct", args=[draft.pk]))
    assert response.status_code == 302 and response.url == reverse("projects:project_detail", args=[draft.pk])
