"""The whole review loop in a browser: submit, pass, return with a row comment, fix, resubmit, diff,
approve, read-only, adjustment to version 2 while version 1 stays visible."""

import pytest

from projects.models import Department, ProjectTable, TableStatus
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def branch_table(demo):
    """特邀监察员经费, moved to a unit under the department that is not its office, with its staff."""
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department, name="平罗县纪委监委派驻第一纪检监察组")
    table = ProjectTable.objects.get(name="特邀监察员经费")
    ProjectTable.objects.filter(pk=table.pk).update(unit=unit)
    account = factories.user("unit_staff", unit=unit, username="pz_unit")
    account.set_password("perfgoals-demo")
    account.save()
    return ProjectTable.objects.get(pk=table.pk)


def as_user(browser, live_server, username):
    """A signed-in page that answers every confirmation with OK, as a user going on would; the questions
    asked are kept in ``page.dialogs``."""
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(40000)  # the slack CI needs beside two suites on two cores
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
    log_in(page, live_server, username)
    return page


def test_a_table_goes_round_the_whole_review_loop(browser, live_server, branch_table):
    url = f"{live_server.url}/tables/{branch_table.pk}"
    unit = as_user(browser, live_server, "pz_unit")
    unit.goto(f"{url}/")
    unit.click("button:has-text('提交审核')")
    assert "已提交" in unit.content()
    assert unit.dialogs[-1].startswith("确定提交审核“特邀监察员经费”？")

    department = as_user(browser, live_server, "pl_dept")
    department.goto(f"{live_server.url}/reviews/")
    department.click("text=特邀监察员经费")
    department.check("#action-pass")
    department.click("text=提交审核结论")
    assert "已通过" in department.content()

    finance = as_user(browser, live_server, "pl_finance")
    finance.goto(f"{live_server.url}/reviews/")
    finance.click("text=特邀监察员经费")
    row = finance.locator("tr.review-row", has=finance.locator("text=参与督查工作次数"))
    row.locator("select").select_option(label="不够细化量化")
    row.locator("textarea").fill("督查次数应写明计划次数，不少于 4 次")
    finance.check("#action-return")
    finance.select_option("#reason", label="不够细化量化")
    finance.click("text=提交审核结论")
    assert "已退回" in finance.content()

    unit.goto(f"{live_server.url}/?year=2023")
    assert "退回理由：不够细化量化" in unit.content()
    unit.goto(f"{url}/edit/")
    editor_row = unit.locator("tr.indicator-row", has=unit.locator("text=督查次数应写明计划次数"))
    assert editor_row.count() == 1
    editor_row.locator("input[name$='-value_text']").fill("≥ 4 次")
    unit.click("button:has-text('保存草稿') >> nth=0")
    assert "已保存" in unit.content()
    unit.goto(f"{url}/")
    unit.click("button:has-text('提交审核')")

    department.goto(f"{live_server.url}/reviews/")
    department.click("text=特邀监察员经费")
    diff = department.locator(".diff-panel").inner_text()
    assert "≥ 1 次" in diff and "≥ 4 次" in diff
    department.check("#action-pass")
    department.click("text=提交审核结论")

    finance.goto(f"{url}/review/")
    finance.check("#action-approve")
    finance.click("text=提交审核结论")
    assert "已批复" in finance.content()
    assert ProjectTable.objects.get(pk=branch_table.pk).status == TableStatus.APPROVED

    unit.goto(f"{url}/")
    assert unit.locator("a:has-text('编辑')").count() == 0
    response = unit.goto(f"{url}/edit/")
    assert response.status == 403
    unit.goto(f"{url}/")
    unit.click("summary:has-text('发起调整')")
    unit.fill("#adjust-reason", "年中追加预算，监察员培训增加 2 次")
    unit.click("button:has-text('确认发起调整')")
    assert "第 2 版为草稿" in unit.content()
    assert unit.dialogs[-1].startswith("确定对“特邀监察员经费”发起调整？")
    second = ProjectTable.objects.get(name="特邀监察员经费", version=2)
    assert second.status == TableStatus.DRAFT
    assert "原批复：≥ 4 次" in unit.content()
    unit.goto(f"{live_server.url}/tables/{second.pk}/")
    assert "调整理由：年中追加预算，监察员培训增加 2 次" in unit.content()
    unit.goto(f"{url}/")
    assert "已批复" in unit.content() and "第 1 版" in unit.content()
    for page in (unit, department, finance):
        page.context.close()
