"""A unit's staff at the keyboard: create, fill, save, reload; bad input; two people at once; 复制上年; print."""

import re

import pytest

from projects.models import ProjectTable
from tests.e2e.conftest import editor_ready, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# (一级, 二级, 三级, 指标值) — at least one row under every 一级 of the 2015 framework.
ROWS = [
    ("产出指标", "数量指标", "举办培训班", "≥ 3 期"),
    ("产出指标", "数量指标", "培训人数", "≥ 200 人次"),
    ("产出指标", "质量指标", "培训合格率", "≥95%"),
    ("产出指标", "时效指标", "培训完成时间", "2024 年底"),
    ("产出指标", "成本指标", "培训经费", "12.5万元"),
    ("效益指标", "社会效益指标", "干部依规履职能力", "明显提升"),
    ("效益指标", "可持续影响指标", "培训成果持续应用", "≥ 3 年"),
    ("效益指标", "经济效益指标", "节约外出培训费用", "≥ 2 万元"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%"),
    ("满意度指标", "服务对象满意度指标", "派驻机构满意度", "≥ 85 %"),
]


def group(page, level2_name):
    return page.locator("tbody.indicator-group", has=page.locator(".level2-name", has_text=level2_name)).first


def add_row(page, level2_name, name, value):
    editor_ready(page)
    group(page, level2_name).locator("button.add-row").click()
    row = group(page, level2_name).locator("tr.indicator-row").last
    row.locator("textarea[name$='-name']").fill(name)
    row.locator("input[name$='-value_text']").fill(value)
    return row


def test_a_unit_creates_a_table_with_ten_indicators_saves_reloads_and_finds_every_value(page, live_server, demo):
    log_in(page, live_server, "pl_unit")
    page.click("text=新建")
    page.fill("#id_name", "纪检干部教育培训经费")
    page.fill("#id_year", "2024")
    page.fill("#id_period", "1 年")
    page.fill("#id_funds_total", "12.5")
    page.fill("#id_funds_fiscal", "12.5")
    assert "与年度资金总额一致" in page.locator(".funds-check").inner_text()
    page.click("button.add-goal[data-prefix='goals']")
    page.locator("li.goal-item textarea").first.fill("举办纪检干部培训班 3 期，培训 200 人次。")
    for _, level2, name, value in ROWS[:-1]:
        add_row(page, level2, name, value)
    # The last row is added from the keyboard: Ctrl+Enter in a row adds the next one below it.
    last = group(page, "服务对象满意度指标").locator("tr.indicator-row").last
    last.locator("textarea[name$='-name']").press("Control+Enter")
    new = group(page, "服务对象满意度指标").locator("tr.indicator-row").last
    page.keyboard.type(ROWS[-1][2])
    new.locator("input[name$='-value_text']").fill(ROWS[-1][3])
    # 指标值 is shown parsed as it is typed.
    parsed = new.locator(".parsed")
    parsed.locator("text=≥").wait_for()
    assert "85" in parsed.inner_text() and "%" in parsed.inner_text()
    page.click("button:has-text('保存草稿') >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "已保存" in page.content()

    page.reload()
    for level1, level2, name, value in ROWS:
        row = group(page, level2).locator("tr.indicator-row", has=page.locator(f"text={name}"))
        assert row.count() == 1, name
        assert row.locator("input[name$='-value_text']").input_value() == value
    assert page.input_value("#id_funds_total") == "12.5"
    table = ProjectTable.objects.get(name="纪检干部教育培训经费")
    stored = {(row.level2.level1.name, row.level2.name, row.name, row.value_text) for row in table.indicators.select_related("level2__level1")}
    assert stored == set(ROWS)


def test_a_bad_money_value_is_refused_beside_its_cell_and_the_rest_is_kept(page, live_server, demo):
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/tables/{table.pk}/edit/")
    page.fill("#id_name", "县委巡察专项经费（修订）")
    page.fill("#id_funds_total", "四十四")
    add_row(page, "数量指标", "巡察整改督办", "≥ 2 次")
    page.click("button:has-text('保存草稿') >> nth=0")
    page.wait_for_load_state("networkidle")
    cell = page.locator("#id_funds_total").locator("xpath=..")
    assert "应为数字" in cell.inner_text()
    assert page.input_value("#id_funds_total") == "四十四"
    assert page.input_value("#id_name") == "县委巡察专项经费（修订）"
    assert page.locator("textarea:has-text('巡察整改督办')").count() == 1
    table.refresh_from_db()
    assert table.name == "县委巡查专项经费" and table.funds_total == 44


def test_two_people_edit_the_same_table_and_the_second_save_is_refused_with_nothing_lost(browser, live_server, demo):

    table = ProjectTable.objects.get(name="特邀监察员经费")
    first = browser.new_context(locale="zh-CN").new_page()
    second = browser.new_context(locale="zh-CN").new_page()
    for page in (first, second):
        log_in(page, live_server, "pl_unit")
        page.goto(f"{live_server.url}/tables/{table.pk}/edit/")
    first.fill("#id_period", "2 年")
    first.click("button:has-text('保存草稿') >> nth=0")
    first.wait_for_load_state("networkidle")
    assert "已保存" in first.content(), [e.inner_text() for e in first.locator(".invalid-feedback").all()]

    second.fill("#id_fund_use", "特邀监察员交通及通讯补助")
    second.click("button:has-text('保存草稿') >> nth=0")
    second.wait_for_load_state("networkidle")
    conflict = second.locator(".conflict").inner_text()
    assert "保存被拒绝" in conflict and "平罗纪委本级填报人" in conflict
    assert second.input_value("#id_fund_use") == "特邀监察员交通及通讯补助"
    table.refresh_from_db()
    assert table.period == "2 年" and table.fund_use == ""
    first.context.close()
    second.context.close()


def test_copy_last_year_shows_last_years_value_beside_this_years(page, live_server, demo):
    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/?year=2024")
    page.click("text=复制上年")
    row = page.locator("tr", has=page.locator("text=纪检监察事务工作经费"))
    row.locator("button").click()
    page.wait_for_load_state("networkidle")
    satisfaction = group(page, "服务对象满意度指标").locator("tr.indicator-row").first
    satisfaction.locator("input[name$='-value_text']").fill("≥97%")
    assert "上年：≥95%" in satisfaction.inner_text()
    assert ProjectTable.objects.filter(name="纪检监察事务工作经费", year=2024).count() == 1


@pytest.mark.parametrize(("layout", "heading"), [("pingluo", "部门项目支出预算绩效目标表"), ("dingzhou", "安保经费绩效目标表")])
def test_the_print_view_renders_both_layouts_on_a4(page, live_server, demo, layout, heading, tmp_path):
    name = "纪检监察事务工作经费" if layout == "pingluo" else "安保经费"
    user = "pl_unit" if layout == "pingluo" else "dz_unit"
    table = ProjectTable.objects.get(name=name)
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/tables/{table.pk}/?layout={layout}")
    page.emulate_media(media="print")
    assert page.locator(".form-title").inner_text() == heading
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("text=打印").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)  # A4 portrait


@pytest.mark.parametrize("typed", ["abc", "1e3"])
def test_a_money_cell_that_is_no_number_is_outlined_and_named_beside_itself_as_it_is_typed(page, live_server, demo, typed):
    """Issue 17: the message for 年度资金总额 appeared under 其他资金 and the cell was not outlined."""
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/tables/{table.pk}/edit/")
    page.fill("#id_funds_total", typed)
    total = page.locator("#id_funds_total")
    assert "is-invalid" in total.get_attribute("class")
    own_cell = total.locator("xpath=..").inner_text()
    assert f"“年度资金总额”应为数字" in own_cell and f"“{typed}”不是金额" in own_cell
    assert "年度资金总额" not in page.locator("#id_funds_other").locator("xpath=..").inner_text()
    page.fill("#id_funds_total", "44")
    assert "is-invalid" not in total.get_attribute("class")
    assert page.locator(".money-live").count() == 0


def test_the_live_check_panel_names_an_amount_that_is_no_number_instead_of_calling_it_empty(page, live_server, demo):
    """Issue 17: the server's live check said 未填写 when "abc" was typed as 年度资金总额."""
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/tables/{table.pk}/edit/")
    page.fill("#id_funds_total", "abc")
    findings = page.locator(".check-panel .table-findings")
    findings.locator("text=不是金额").wait_for()
    assert "“年度资金总额”应为数字" in findings.inner_text() and "“abc”" in findings.inner_text()
    assert "未填写年度资金总额" not in findings.inner_text()
    assert "有错误" in page.locator(".check-panel .live-status").inner_text()


def test_the_second_level_select_shows_its_longest_name_whole(page, live_server, demo):
    """Issue 17: the 二级 select cut off 服务对象满意度指标 (on a laptop's screen)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/tables/{table.pk}/edit/")
    # The row moves to its group when its 二级 changes: keep hold of the element itself.
    select = page.locator("select.level2-select").first.element_handle()
    select.select_option(label="服务对象满意度指标")
    text, room, needed = select.evaluate(
        """(el) => {
            const style = getComputedStyle(el);
            const context = document.createElement("canvas").getContext("2d");
            context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const text = el.options[el.selectedIndex].text;
            const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return [text, inner, context.measureText(text).width];
        }"""
    )
    assert text == "服务对象满意度指标"
    assert needed <= room, f"the option needs {needed}px, the select shows {room}px"
