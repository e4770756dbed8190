"""部门整体绩效目标 in a browser: draft → submit → returned with a row comment → fixed → resubmitted →
approved → adjustment v2 with its reason, with the checks shown beside its rows."""

import pytest

from projects.models import Department, DepartmentTarget, TableStatus
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target(demo):
    department = Department.objects.get(name="平罗县纪律检查委员会")
    target = factories.stored_target(department)
    row = target.indicators.get(name="参训人员满意度")
    row.set_value("≥ 95%")
    row.save()
    return target


def as_user(browser, live_server, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(40000)  # the slack CI needs beside two suites on two cores
    page.on("dialog", lambda dialog: dialog.accept())  # OK to each confirmation, as a user going on would
    log_in(page, live_server, username)
    return page


def status(target):
    return DepartmentTarget.objects.get(pk=target.pk).status


def test_a_department_target_goes_round_the_loop_with_its_checks_beside_the_rows(browser, live_server, target):
    url = f"{live_server.url}/department-targets/{target.pk}"
    unit = as_user(browser, live_server, "pl_unit")
    unit.goto(f"{live_server.url}/?year=2024")
    unit.click("text=2024 年部门整体绩效目标")
    assert "逐行检查结果" in unit.content() and "检查结果" in unit.content()
    unit.click("button:has-text('提交审核')")
    assert "已提交" in unit.content()
    assert status(target) == TableStatus.DEPARTMENT_REVIEW

    department = as_user(browser, live_server, "pl_dept")
    department.goto(f"{live_server.url}/reviews/")
    department.click("section.awaiting-targets a:has-text('审核')")
    row = department.locator("tr.target-row", has=department.locator("text=举办业务培训期数"))
    row.locator("select").select_option(label="不够细化量化")
    row.locator("textarea").fill("请写明每期培训的天数")
    department.check("#action-return")
    department.select_option("#reason", label="不够细化量化")
    department.click("text=提交审核结论")
    assert "已退回" in department.content()
    assert status(target) == TableStatus.RETURNED

    unit.goto(f"{url}/edit/")
    assert "请写明每期培训的天数" in unit.content()
    unit.fill("input[name$='-value_text'][value='≥ 4 期']", "≥ 4 期（每期 3 天）")
    unit.click("button:has-text('保存草稿') >> nth=0")
    assert "已保存部门整体绩效目标" in unit.content()
    unit.goto(f"{url}/")
    unit.click("button:has-text('提交审核')")
    assert status(target) == TableStatus.DEPARTMENT_REVIEW

    department.goto(f"{url}/review/")
    department.check("#action-pass")
    department.click("text=提交审核结论")
    finance = as_user(browser, live_server, "pl_finance")
    finance.goto(f"{live_server.url}/reviews/")
    finance.click("section.awaiting-targets a:has-text('审核')")
    finance.check("#action-approve")
    finance.click("text=提交审核结论")
    assert "已批复" in finance.content()
    assert status(target) == TableStatus.APPROVED

    unit.goto(f"{url}/")
    unit.click("summary:has-text('发起调整')")
    unit.fill("#adjust-reason", "年中增加巡察整改任务")
    unit.click("button:has-text('确认发起调整')")
    assert "第 2 版为草稿" in unit.content()
    second = DepartmentTarget.objects.get(department=target.department, year=2024, version=2)
    assert second.status == TableStatus.DRAFT and status(target) == TableStatus.APPROVED
    unit.goto(f"{live_server.url}/department-targets/{second.pk}/")
    assert "调整理由：年中增加巡察整改任务" in unit.content()
    unit.screenshot(path="/tmp/e2e-target-v2.png", full_page=True)
