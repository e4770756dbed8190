"""The pages a first-time user of each role lands on, and a printed approved form with its approval line and
signature block (issue 17). With DESK_SHOTS=<folder> the test saves screenshots there."""

import os

import pytest
from django.contrib.auth import get_user_model

from projects import workflow
from projects.models import Unit
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DESK_SHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("username", ["pl_unit", "pl_branch", "pl_dept", "pl_finance", "admin"])
def test_each_roles_home_page_opens_in_chinese(browser, live_server, demo, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    log_in(page, live_server, username, "perfgoals-admin" if username == "admin" else "perfgoals-demo")
    assert page.locator("h1").first.inner_text().startswith("项目支出绩效目标表")
    years = page.locator("select#year option").all_inner_texts()
    assert years == sorted(years, reverse=True)
    shot(page, f"home_{username}.png")


def test_a_printed_approved_form_carries_the_approval_and_the_signature_block(browser, live_server, demo):
    User = get_user_model()
    table = factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2023, name="打印示例项目")
    workflow.project_submit(project=table, by=User.objects.get(username="pl_unit"))
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/tables/{table.pk}/review/")
    page.check("#action-approve")
    page.fill("#approval-number", "平财预〔2023〕12号")
    page.fill("#approval-date", "2023-03-15")
    shot(page, "review_approval.png")
    page.click("text=提交审核结论")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/tables/{table.pk}/")
    page.emulate_media(media="print")
    block = page.locator(".signature-block")
    assert block.is_visible()
    assert "批复文号：平财预〔2023〕12号" in block.inner_text() and "单位负责人" in block.inner_text()
    shot(page, "printed_form.png")
