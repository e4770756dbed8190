"""The finance bureau's management page in a browser: an administrator creates a unit user in one form,
who logs in with the one-time password and sees only their unit; a sheet of 20 users imports after a
preview and a confirmation. With PEOPLE_SHOTS=<folder> the test saves screenshots there."""

import os
import re

import pytest
from openpyxl import Workbook

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("PEOPLE_SHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_an_administrator_creates_a_unit_user_who_logs_in_and_sees_only_their_unit(browser, live_server, demo):
    admin = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    log_in(admin, live_server, "admin", "perfgoals-admin")
    admin.click("text=用户与单位")
    shot(admin, "people_home.png")
    admin.click("text=新建用户")
    admin.fill("#id_username", "pl_new")
    admin.fill("#id_name", "平罗纪委新填报人")
    admin.select_option("#id_role", label="单位填报人")
    admin.select_option("#id_unit", label="平罗县 · 中共平罗县纪律检查委员会本级")
    shot(admin, "people_user_form.png")
    admin.click("button:has-text('保存')")
    assert "只显示这一次" in admin.content()
    shot(admin, "people_password.png")
    password = admin.locator("#one-time-passwords code").inner_text()

    newcomer = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    log_in(newcomer, live_server, "pl_new", password)
    assert newcomer.locator("h1").inner_text() == "项目支出绩效目标表 中共平罗县纪律检查委员会本级"
    assert "纪检监察事务工作经费" in newcomer.content()
    assert "安保经费" not in newcomer.content()


def test_a_sheet_of_twenty_users_imports(browser, live_server, demo, tmp_path):
    book = Workbook()
    units = book.active
    units.title = "单位"
    units.append(["区划代码", "主管部门", "单位名称", "单位代码", "部门本级"])
    units.append(["640221", "平罗县纪律检查委员会", "平罗县纪委监委派驻第二纪检监察组", "", "否"])
    users = book.create_sheet("用户")
    users.append(["用户名", "姓名", "角色", "区划代码", "主管部门", "预算单位"])
    for n in range(1, 21):
        users.append([f"pz{n:02}", f"派驻组填报人{n}", "单位填报人", "640221", "", "平罗县纪委监委派驻第二纪检监察组"])
    path = tmp_path / "人员.xlsx"
    book.save(path)

    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/people/")
    page.click("text=从 Excel 批量导入")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('上传并预览')")
    assert page.locator("#preview-users tbody tr").count() == 20
    shot(page, "people_preview.png")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#one-time-passwords")
    assert dialogs and "20 个用户" in dialogs[0]
    codes = page.locator("#one-time-passwords code").all_inner_texts()
    assert len(codes) == 20 and all(re.fullmatch(r"[A-Za-z0-9]{12}", code) for code in codes)
    assert "已导入 0 个主管部门、1 个预算单位、20 个用户" in page.content()
