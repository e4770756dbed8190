"""A finance officer and a unit at the overview: filter each list, sort it, page through it, export it,
and find in the workbook exactly the rows they had on screen; click a chart and land on its list."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from perfgoals.xlsx import FIRST_DATA_ROW, HEADER_ROW, TITLE_ROW
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def others(demo):
    """What the demo users must or must not see beyond the seeds: in 平罗 a second unit of the same
    department with a table and a finding; in 定州 three more departments, two with last year's tables."""
    from projects.models import Department, Region
    from tests import factories

    pingluo = Region.objects.get(code="640221")
    neighbour = factories.unit(Department.objects.get(region=pingluo), name="平罗县纪委派驻纪检监察组")
    table = factories.project_table(neighbour, year=2023, name="派驻组办案经费", funds_total=Decimal("7"))
    factories.indicator(table, "满意度指标", "服务对象满意度指标", name="派驻组满意度", value="100%")
    factories.finding(table, rule="vague_wording", message="派驻组的表里的问题")
    dingzhou = Region.objects.get(code="130682")
    for number, (last_year, this_year) in enumerate(((2, 1), (3, 0), (0, 2)), 1):
        department = factories.department(dingzhou, name=f"定州测试局{number}")
        unit = factories.unit(department, name=f"定州测试局{number}本级", is_department_office=True)
        for year, count in ((2021, last_year), (2022, this_year)):
            for index in range(count):
                factories.project_table(unit, year=year, name=f"测试局{number}项目{year}-{index}", funds_total=Decimal(number + index))
    return {"neighbour_table": table.name}


def cells(page, header):
    """The text of one column on the current page, by its header."""
    headers = [text.strip() for text in page.locator("table.list-table thead th").all_inner_texts()]
    index = headers.index(header) + 1
    return [text.strip() for text in page.locator(f"table.list-table tbody tr td:nth-child({index})").all_inner_texts()]


def every_page(page, *headers):
    """The columns on every page, clicking 下一页 until there is none: one list, or a dict by header."""
    values = {header: cells(page, header) for header in headers}
    while page.locator("li.next a").count():
        page.click("li.next a")
        page.wait_for_load_state("networkidle")
        for header in headers:
            values[header] += cells(page, header)
    return values[headers[0]] if len(headers) == 1 else values


def export(page, tmp_path):
    with page.expect_download() as download:
        page.click("a[data-export=xlsx]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW)]
    # the 合计 row below a list with money columns (perfgoals.lists.TOTAL_LABEL) is not one of the rows
    total = rows.pop() if rows and any(isinstance(v, str) and v.startswith("合计") for v in rows[-1]) else None
    columns = {header: [row[i] for row in rows] for i, header in enumerate(headers)}
    columns["合计"] = dict(zip(headers, total, strict=True)) if total else None
    return sheet.cell(TITLE_ROW, 1).value, columns


def sort_by(page, header, times=1):
    for _ in range(times):
        page.click(f"table.list-table thead th a:text-is('{header}')")
        page.wait_for_load_state("networkidle")


def count_shown(page):
    return int(page.locator(".result-count").inner_text())


def open_list(page, live_server, path, per_page):
    page.goto(f"{live_server.url}{path}?per_page={per_page}")
    page.wait_for_load_state("networkidle")


def submit_filters(page):
    page.click("form.filter-bar button:text-is('筛选')")
    page.wait_for_load_state("networkidle")


# A finance officer


def test_a_finance_officer_filters_sorts_and_exports_the_table_list(page, live_server, others, tmp_path):
    # 定州's 2022 tables graded 中: four since the indicator library's core-indicator check (two of the
    # ten lack the core indicators of the category their names suggest, and are 差).
    log_in(page, live_server, "dz_finance")
    open_list(page, live_server, "/overview/tables/", per_page=3)
    page.select_option("#id_year", "2022")
    page.select_option("#id_grade", "fair")
    submit_filters(page)
    sort_by(page, "年度资金总额（万元）", times=2)  # largest first
    assert "sort=-funds_total" in page.url and count_shown(page) == 4
    names = every_page(page, "项目名称")
    assert len(names) == 4 and names[0] == "留置场所专项经费"
    title, sheet = export(page, tmp_path)
    assert sheet["项目名称"] == names
    assert sheet["审核等级"] == ["中"] * 4
    amounts = sheet["年度资金总额（万元）"]
    assert amounts == sorted(amounts, reverse=True)
    assert Decimal(str(sheet["合计"]["年度资金总额（万元）"])) == sum(Decimal(str(amount)) for amount in amounts)
    assert "预算年度：2022 年" in title and "审核等级：中" in title


def test_a_finance_officer_filters_sorts_and_exports_departments_progress(page, live_server, others, tmp_path):
    log_in(page, live_server, "dz_finance")
    page.click("text=查询统计")
    page.click("text=各部门报送进度")
    page.wait_for_load_state("networkidle")
    open_list(page, live_server, "/overview/departments/", per_page=2)
    page.select_option("#id_year", "2022")
    submit_filters(page)
    sort_by(page, "本年表数", times=2)
    columns = every_page(page, "主管部门", "本年表数")
    shown, totals = columns["主管部门"], [int(total) for total in columns["本年表数"]]
    assert len(shown) == 4 and totals == sorted(totals, reverse=True)
    title, sheet = export(page, tmp_path)
    assert sheet["主管部门"] == shown
    assert sheet["本年表数"] == totals
    assert sheet["上年表数"][shown.index("定州测试局2")] == 3


def test_a_finance_officer_finds_satisfaction_set_at_100_percent_and_exports_them(page, live_server, others, tmp_path):
    log_in(page, live_server, "dz_finance")
    open_list(page, live_server, "/overview/indicators/", per_page=4)
    page.select_option("#id_level1", "满意度指标")
    submit_filters(page)
    sort_by(page, "项目名称")
    names = every_page(page, "项目名称")
    assert count_shown(page) == len(names) == 10
    title, sheet = export(page, tmp_path)
    assert sheet["项目名称"] == names
    assert set(sheet["一级指标"]) == {"满意度指标"}
    # Narrowed to the rows that promise 100% or more: 定州's 纪委全会经费 writes ≥100百分比.
    page.select_option("#id_nature", "ge")
    page.fill("input[name=value_min]", "100")
    submit_filters(page)
    assert every_page(page, "项目名称") == ["纪委全会经费"]
    title, sheet = export(page, tmp_path)
    assert sheet["项目名称"] == ["纪委全会经费"] and sheet["数值"] == [100]
    assert "符号：≥" in title and "数值：≥ 100" in title


def test_a_finance_officer_lists_findings_most_frequent_first_and_exports_them(page, live_server, others, tmp_path):
    log_in(page, live_server, "dz_finance")
    open_list(page, live_server, "/overview/findings/", per_page=4)
    page.select_option("#id_severity", "warning")
    submit_filters(page)
    messages = every_page(page, "问题")
    title, sheet = export(page, tmp_path)
    assert sheet["问题"] == messages and len(messages) > 4
    assert sheet["同类发现数"] == sorted(sheet["同类发现数"], reverse=True)
    assert set(sheet["严重程度"]) == {"警告"}
    # Sorting by another column re-orders the same rows, on screen and in the workbook.
    page.goto(f"{live_server.url}/overview/findings/?per_page=4&severity=warning")
    sort_by(page, "项目名称")
    assert "sort=project" in page.url
    by_project = every_page(page, "项目名称")
    title, sheet = export(page, tmp_path)
    assert sheet["项目名称"] == by_project and sorted(by_project) == by_project


def test_a_finance_officer_sees_other_units_of_the_region(page, live_server, others, tmp_path):
    log_in(page, live_server, "pl_finance")
    open_list(page, live_server, "/overview/tables/", per_page=25)
    assert others["neighbour_table"] in every_page(page, "项目名称")


def test_a_finance_officer_clicks_a_bar_of_the_dashboard_and_lands_on_its_list(page, live_server, others):
    from projects.models import ProjectTable

    log_in(page, live_server, "dz_finance")
    page.click("nav >> text=总览")
    page.select_option("#year", "2022")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#chart-status.chart-ready canvas")
    # The 草稿 bar: ECharts says where its top is; click just inside it.
    x, y = page.evaluate(
        "() => { const chart = echarts.getInstanceByDom(document.getElementById('chart-status'));"
        " const value = chart.getOption().series[0].data[0].value;"
        " return chart.convertToPixel({seriesIndex: 0}, [0, value]); }"
    )
    box = page.locator("#chart-status").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y + 6)
    page.wait_for_url(re.compile(r"/overview/tables/\?.*status=draft"))
    drafts = ProjectTable.objects.filter(region__code="130682", year=2022, status="draft").count()
    assert count_shown(page) == drafts == 13  # 定州's ten seed tables and the test departments' three
    assert "状态：草稿" in page.inner_text(".list-summary")


# A unit


def test_a_unit_filters_sorts_and_exports_only_its_own_tables(page, live_server, others, tmp_path):
    log_in(page, live_server, "pl_unit")
    open_list(page, live_server, "/overview/tables/", per_page=2)
    page.fill("#id_q", "经费")
    submit_filters(page)
    sort_by(page, "审核得分")
    names = every_page(page, "项目名称")
    assert len(names) == 5 and others["neighbour_table"] not in names
    title, sheet = export(page, tmp_path)
    assert sheet["项目名称"] == names
    assert sheet["审核得分"] == sorted(sheet["审核得分"])
    # Their own unit and department go without saying: neither column nor filter is offered.
    assert "实施单位" not in sheet and "主管部门" not in sheet
    assert page.locator("#id_unit").count() == 0 and page.locator("#id_department").count() == 0


def test_a_unit_exports_only_its_own_indicators_and_findings(page, live_server, others, tmp_path):
    from projects.models import ProjectTable

    own_tables = set(ProjectTable.objects.filter(unit__name="中共平罗县纪律检查委员会本级").values_list("name", flat=True))
    log_in(page, live_server, "pl_unit")
    open_list(page, live_server, "/overview/indicators/", per_page=10)
    page.select_option("#id_level1", "满意度指标")
    submit_filters(page)
    sort_by(page, "数值", times=2)
    indicators = every_page(page, "三级指标")
    assert indicators and "派驻组满意度" not in indicators
    title, sheet = export(page, tmp_path)
    assert sheet["三级指标"] == indicators
    assert set(sheet["项目名称"]) <= own_tables

    open_list(page, live_server, "/overview/findings/", per_page=10)
    page.select_option("#id_criterion", "relevance")
    submit_filters(page)
    sort_by(page, "项目名称")
    findings = every_page(page, "问题")
    assert len(findings) == 19 and "派驻组的表里的问题" not in findings
    title, sheet = export(page, tmp_path)
    assert sheet["问题"] == findings
    assert set(sheet["审核要点"]) == {"相关性"}
    assert set(sheet["项目名称"]) <= own_tables


def test_a_unit_sees_its_own_summary_and_no_departments_progress(page, live_server, others):
    log_in(page, live_server, "pl_unit")
    page.click("nav >> text=总览")
    page.wait_for_selector("#chart-status.chart-ready canvas")
    assert "本单位概况" in page.inner_text("h1")
    assert page.locator("#chart-groups").count() == 0
    page.click("text=查询统计")
    assert page.locator(".dropdown-menu >> text=各部门报送进度").count() == 0
    response = page.goto(f"{live_server.url}/overview/departments/")
    assert response.status == 403
