"""Issue 17 in the browser: a unit sees its deadline (days left) and the notification of its return; the
finance bureau chases late units from the progress page and sets deadlines on its management page; an
approval is revoked from the detail page with a reason. With DESK_SHOTS=<folder> screenshots are saved."""

import datetime
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from projects import workflow
from projects.models import Deadline, Notification, ProjectTable, Region, TableStatus, Unit
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DESK_SHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def user(name):
    return get_user_model().objects.get(username=name)


def new_page(browser):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(40000)  # the slack CI needs beside two suites on two cores
    return page


def test_a_unit_sees_its_deadline_and_the_notification_of_its_return(browser, live_server, demo):
    pingluo = Region.objects.get(code="640221")
    Deadline.objects.create(
        region=pingluo, year=2023, kind="targets", due=timezone.localdate() + datetime.timedelta(days=6), note="以财政局收到为准"
    )
    table = factories.stored_table(Unit.objects.get(name="平罗县纪委监委派驻第九纪检监察组"), year=2023, name="派驻组办案经费")
    workflow.project_submit(project=table, by=user("pl_branch"))
    workflow.project_return(project=table, by=user("pl_dept"), reason="not_quantified", comment="产出数量指标请写明场次")
    page = new_page(browser)
    log_in(page, live_server, "pl_branch")
    page.goto(f"{live_server.url}/?year=2023")
    deadline = page.locator("[data-deadline=targets]")
    assert "项目绩效目标表报送截止" in deadline.inner_text() and "还有 6 天" in deadline.inner_text()
    assert page.locator("[data-unread]").inner_text() == "1"
    shot(page, "home_unit_deadline.png")
    page.click(".notification-link")
    item = page.locator("[data-notification=return]")
    assert "派驻组办案经费" in item.inner_text() and "不够细化量化" in item.inner_text() and "产出数量指标请写明场次" in item.inner_text()
    shot(page, "notifications.png")
    item.locator("text=查看").click()
    page.wait_for_load_state("networkidle")
    assert re.search(rf"/tables/{table.pk}/$", page.url)
    assert page.locator("[data-unread]").count() == 0


def test_the_finance_bureau_chases_late_units_from_the_progress_page(browser, live_server, demo):
    ProjectTable.objects.filter(year=2023).update(status=TableStatus.DRAFT)
    page = new_page(browser)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/overview/departments/?year=2023")
    shot(page, "progress_chase.png")
    page.click("text=催报未提交的单位")
    page.wait_for_load_state("networkidle")
    assert asked and "催报" in asked[0] and "平罗县纪委监委派驻第九纪检监察组" in asked[0]
    assert "已向" in page.locator(".alert").first.inner_text()
    assert Notification.objects.filter(user=user("pl_branch"), kind="reminder").exists()
    assert not Notification.objects.filter(user__username__startswith="dz_").exists()


def test_the_management_page_sets_a_deadline_that_units_see(browser, live_server, demo):
    page = new_page(browser)
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/people/")
    shot(page, "management_page.png")
    page.click("text=报送截止日期")
    page.select_option("#id_kind", "monitoring")
    page.fill("#id_year", "2023")
    page.fill("#id_due", (timezone.localdate() + datetime.timedelta(days=20)).isoformat())
    page.click("text=保存")
    page.wait_for_load_state("networkidle")
    assert "绩效运行监控" in page.locator("table").inner_text()
    shot(page, "deadlines_page.png")
    unit = new_page(browser)
    log_in(unit, live_server, "pl_unit")
    unit.goto(f"{live_server.url}/?year=2023")
    assert "还有 20 天" in unit.locator("[data-deadline=monitoring]").inner_text()


def test_an_approval_is_revoked_from_the_detail_page_with_a_reason(browser, live_server, demo):
    table = factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2023, name="撤销示例项目")
    workflow.project_submit(project=table, by=user("pl_unit"))
    workflow.project_approve(project=table, by=user("pl_finance"))
    page = new_page(browser)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/tables/{table.pk}/")
    page.click("summary:has-text('撤销批复')")
    page.fill("#revoke-reason", "批复金额与预算批复文件不符")
    page.click("text=确认撤销批复")
    page.wait_for_load_state("networkidle")
    assert asked and "撤销示例项目" in asked[0]
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW
    assert "已撤销" in page.locator(".alert").first.inner_text()


def test_an_approved_department_target_is_revoked_from_its_page_with_a_reason(browser, live_server, demo):
    from projects.models import Department, DepartmentTarget

    target = factories.stored_target(Department.objects.get(name="平罗县纪律检查委员会"), year=2023)
    workflow.target_submit(target=target, by=user("pl_unit"))
    workflow.target_pass(target=target, by=user("pl_dept"))
    workflow.target_approve(target=target, by=user("pl_finance"))
    page = new_page(browser)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/department-targets/{target.pk}/")
    page.click("summary:has-text('撤销批复')")
    assert page.locator("#revoke-reason").is_visible()
    # Without a reason the browser keeps the form: no question asked, nothing changed.
    page.click("text=确认撤销批复")
    assert not asked and DepartmentTarget.objects.get(pk=target.pk).status == TableStatus.APPROVED
    page.fill("#revoke-reason", "部门预算总额与预算批复文件不符")
    shot(page, "target_revoke.png")
    page.click("text=确认撤销批复")
    page.wait_for_load_state("networkidle")
    assert asked and "平罗县纪律检查委员会 2023 年部门整体绩效目标" in asked[0] and "撤销" in asked[0]
    assert DepartmentTarget.objects.get(pk=target.pk).status == TableStatus.FINANCE_REVIEW
    assert "已撤销" in page.locator(".alert").first.inner_text()
    assert page.locator("summary:has-text('撤销批复')").count() == 0
    shot(page, "target_revoked.png")
    office = new_page(browser)
    log_in(office, live_server, "pl_unit")
    office.goto(f"{live_server.url}/notifications/")
    item = office.locator("[data-notification=revoke]")
    assert "部门整体绩效目标的批复已撤销" in item.inner_text() and "部门预算总额与预算批复文件不符" in item.inner_text()


def test_a_unit_opens_a_row_comment_from_its_notifications_and_lands_on_the_row(browser, live_server, demo):
    table = factories.stored_table(Unit.objects.get(name="平罗县纪委监委派驻第九纪检监察组"), year=2023, name="派驻组办案经费")
    workflow.project_submit(project=table, by=user("pl_branch"))
    row = table.indicators.order_by("order").last()
    workflow.project_return(
        project=table, by=user("pl_dept"), reason="not_quantified", comment="请按行意见修改",
        comments=[{"indicator": row, "reason": "value_mismatch", "text": "满意度应写明调查方式和样本量"}],
    )
    Deadline.objects.create(region=Region.objects.get(code="640221"), year=2023, kind="targets", due=timezone.localdate() + datetime.timedelta(days=7))
    from projects.desk.deadlines import deadline_notices_send

    deadline_notices_send(thresholds=(7, 1))
    page = new_page(browser)
    log_in(page, live_server, "pl_branch")
    page.goto(f"{live_server.url}/?year=2023")
    assert page.locator("[data-unread]").inner_text() == "3"
    page.click(".notification-link")
    comment = page.locator("[data-notification=comment]")
    assert row.name in comment.inner_text() and "满意度应写明调查方式和样本量" in comment.inner_text()
    assert "还有 7 天截止" in page.locator("[data-notification=deadline]").inner_text()
    shot(page, "notifications_comment.png")
    comment.locator("text=查看").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/tables/{table.pk}/#row-{row.uid}")
    target = page.locator(f"#row-{row.uid}")
    assert row.name in target.inner_text()
    assert page.evaluate(f"document.querySelector('#row-{row.uid}').matches(':target')")
    shot(page, "comment_row.png")
