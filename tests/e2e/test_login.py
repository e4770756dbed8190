import pytest

from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_unit_staff_log_in_and_find_their_seeded_tables(page, live_server, demo):
    log_in(page, live_server, "pl_unit")
    assert page.locator("h1").inner_text() == "项目支出绩效目标表 中共平罗县纪律检查委员会本级"
    rows = page.locator("tbody tr")
    assert rows.count() == 5
    assert "纪检监察事务工作经费" in page.content()
    page.click("text=退出")
    page.wait_for_url("**/login/")
