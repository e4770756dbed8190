"""A bulk approval asks first, naming how many tables and which (issue 17, point 2); cancelling changes
nothing, and the bar has no action chosen until the reviewer picks one."""

import pytest
from django.contrib.auth import get_user_model

from projects import workflow
from projects.models import ProjectTable, TableStatus, Unit
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bulk_approval_asks_for_confirmation_naming_the_tables(page, live_server, demo):
    office = Unit.objects.get(name="中共平罗县纪律检查委员会本级")
    staff = get_user_model().objects.get(username="pl_unit")
    names = ["批量甲项目", "批量乙项目"]
    for name in names:
        table = factories.stored_table(office, year=2023, name=name)
        workflow.project_submit(project=table, by=staff)

    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/reviews/")
    assert page.locator("#bulk-action").input_value() == ""
    for name in names:
        page.locator(f"input[data-name='{name}']").check()

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.select_option("#bulk-action", label="批复")
    page.click("button:has-text('执行')")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("确定批复 2 张表？")
    assert all(name in asked[0] for name in names)
    assert set(ProjectTable.objects.filter(name__in=names).values_list("status", flat=True)) == {TableStatus.FINANCE_REVIEW}

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('执行')")
    page.wait_for_load_state("networkidle")
    assert "已批复 2 张表" in page.content()
    assert set(ProjectTable.objects.filter(name__in=names).values_list("status", flat=True)) == {TableStatus.APPROVED}
