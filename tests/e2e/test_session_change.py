"""A unit's staff type into the editor, log in again in another tab, then press 保存: the save is
refused with a Chinese page, and the editor, opened again, sends the kept draft and saves it."""

import pytest

from projects.models import ProjectTable
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_typed_content_survives_a_re_login_in_another_tab(page, live_server, demo):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    log_in(page, live_server, "pl_unit")
    editor = f"{live_server.url}/tables/{table.pk}/edit/"
    page.goto(editor)
    page.fill("#id_fund_use", "用于纪检监察业务培训和案件查办（重新登录前输入）")

    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.click("text=退出")
    other.wait_for_load_state("networkidle")
    log_in(other, live_server, "pl_unit")  # a new session: the editor's form token is now stale
    assert other.url == f"{live_server.url}/"
    other.close()

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[type=submit][form=editor]")
    page.wait_for_load_state("networkidle")
    assert "页面已过期" in page.content()
    table.refresh_from_db()
    assert "重新登录前输入" not in table.fund_use

    page.goto(editor)
    page.get_by_text("恢复并保存").click()
    page.wait_for_load_state("networkidle")
    table.refresh_from_db()
    assert table.fund_use == "用于纪检监察业务培训和案件查办（重新登录前输入）"

    page.goto(editor)  # the draft was sent: nothing is offered again
    assert page.get_by_text("恢复并保存").count() == 0
