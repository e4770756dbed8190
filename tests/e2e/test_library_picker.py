"""A unit picks indicators from the library in the editor, sees how approved tables set them, saves,
and the rows keep their link; the finance bureau's library page. With LIBRARY_SHOTS=<folder> the test
also saves screenshots of the picker and the library page there."""

import os

import pytest

from indicators.library.models import LibraryEntry
from indicators.library.reference import load_common_library
from indicators.library.usage import usage_refresh
from indicators.models import Indicator
from projects.models import ProjectTable, TableStatus, Unit
from tests import factories
from tests.e2e.conftest import editor_ready, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("LIBRARY_SHOTS")


def approved_tables(unit, settings):
    """Approved tables of the unit's region setting library entries: [(entry name, [values])]."""
    for entry_name, values in settings:
        entry = LibraryEntry.objects.get(name=entry_name, region=None, level2__level1__framework__code="2015")
        for value in values:
            table = factories.project_table(unit, year=2023, status=TableStatus.APPROVED)
            row = Indicator(project=table, level2=entry.level2, name=entry.name, library_entry=entry)
            row.set_value(value)
            row.save()


def group(page, level2_name):
    return page.locator("tbody.indicator-group", has=page.locator(".level2-name", has_text=level2_name)).first


def pick(page, level2_name, entry_name):
    group(page, level2_name).locator("button.library-pick").click()
    choice = page.locator("#library-picker li.library-choice", has=page.locator(".library-entry-name", has_text=entry_name)).first
    choice.wait_for()
    return choice


@pytest.fixture
def library(demo):
    load_common_library()
    unit = Unit.objects.get(name="中共平罗县纪律检查委员会本级")
    approved_tables(
        unit,
        [
            ("培训人次", ["≥ 200 人次", "≥200人次", "≥ 300 人次"]),
            ("培训合格率", ["≥ 95%", "≥95%", "≥ 95%", "≥ 90%"]),
            ("参训人员满意度", ["≥ 90%", "≥ 90%", "≥ 85%"]),
        ],
    )
    usage_refresh()


def test_a_unit_picks_three_indicators_from_the_library_sees_their_figures_and_saves_the_links(page, live_server, library):
    log_in(page, live_server, "pl_unit")
    page.click("text=新建")
    page.fill("#id_name", "纪检干部教育培训经费")
    page.fill("#id_year", "2024")

    choice = pick(page, "数量指标", "培训人次")
    assert "已批复 3 张表使用" in choice.inner_text() and "≥200人次: 2 张" in choice.inner_text()
    choice.click()
    choice = pick(page, "质量指标", "培训合格率")
    assert "≥95%: 3 张, ≥90%: 1 张" in choice.inner_text()
    assert "核心" in choice.inner_text()  # a core indicator of 会议培训, read from the project's name
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "library_picker.png"), full_page=False)
    choice.click()
    pick(page, "服务对象满意度指标", "参训人员满意度").click()

    quality = group(page, "质量指标").locator("tr.indicator-row").last
    hint = quality.locator(".library-hint")
    assert "≥95%: 3 张" in hint.inner_text() and "单位：%" in hint.inner_text()
    hint.locator(".value-chip").first.click()  # the most common value, a click away
    assert quality.locator("input[name$='-value_text']").input_value() == "≥95%"
    group(page, "数量指标").locator("tr.indicator-row").last.locator("input[name$='-value_text']").fill("≥ 250 人次")
    group(page, "服务对象满意度指标").locator("tr.indicator-row").last.locator("input[name$='-value_text']").fill("≥ 90%")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "library_rows.png"), full_page=False)
    page.click("button:has-text('保存草稿') >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "已保存" in page.content()

    table = ProjectTable.objects.get(name="纪检干部教育培训经费")
    linked = {row.name: (row.library_entry.name if row.library_entry else None, row.value_text) for row in table.indicators.select_related("library_entry")}
    assert linked == {
        "培训人次": ("培训人次", "≥ 250 人次"),
        "培训合格率": ("培训合格率", "≥95%"),
        "参训人员满意度": ("参训人员满意度", "≥ 90%"),
    }
    page.reload()
    assert group(page, "质量指标").locator(".library-linked").count() == 1


def test_the_finance_bureau_sees_the_library_with_usage_counts(page, live_server, library):
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/library/?q=培训")
    text = page.locator("table.list-table").inner_text()
    assert "培训合格率" in text and "≥95%: 3 张, ≥90%: 1 张" in text
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "library_page.png"), full_page=False)


def test_typing_a_name_offers_the_library_and_changing_the_name_afterwards_drops_the_link(page, live_server, library):
    log_in(page, live_server, "pl_unit")
    page.click("text=新建")
    page.fill("#id_name", "纪检干部教育培训经费")
    editor_ready(page)
    group(page, "服务对象满意度指标").locator("button.add-row").click()
    row = group(page, "服务对象满意度指标").locator("tr.indicator-row").last
    row.locator("textarea[name$='-name']").press_sequentially("参训", delay=30)
    choice = page.locator("#library-picker li.library-choice", has=page.locator(".library-entry-name", has_text="参训人员满意度")).first
    choice.wait_for()
    assert "≥90%: 2 张" in choice.inner_text()
    choice.click()
    link = row.locator("input[name$='-library_entry']")
    assert row.locator("textarea[name$='-name']").input_value() == "参训人员满意度" and link.input_value()
    row.locator("textarea[name$='-name']").press_sequentially("（线上）", delay=30)
    assert link.input_value() == ""


def test_suggestions_close_when_the_name_is_left_and_never_cover_the_next_button(page, live_server, library):
    log_in(page, live_server, "pl_unit")
    page.click("text=新建")
    page.fill("#id_name", "纪检干部教育培训经费")
    editor_ready(page)
    group(page, "服务对象满意度指标").locator("button.add-row").click()
    row = group(page, "服务对象满意度指标").locator("tr.indicator-row").last
    row.locator("textarea[name$='-name']").press_sequentially("参训", delay=30)
    picker = page.locator("#library-picker")
    picker.locator("li.library-choice").first.wait_for()
    picker.locator(".library-picker-title").click()  # a press on the picker's own text keeps it open
    assert picker.is_visible()
    row.locator("textarea[name$='-name']").focus()
    page.keyboard.press("Tab")  # the user moves on from the keyboard: no click anywhere closes the picker
    picker.wait_for(state="hidden", timeout=5000)
    rows = group(page, "服务对象满意度指标").locator("tr.indicator-row")
    before = rows.count()
    group(page, "服务对象满意度指标").locator("button.add-row").click(timeout=5000)
    assert rows.count() == before + 1
