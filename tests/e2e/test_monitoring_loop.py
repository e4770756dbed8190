"""In-year monitoring in a browser: the finance bureau opens a round; a unit fills the report of an
approved seed table with one indicator judged 完全不可能, is refused a submission without its reason,
adds it and submits; the department returns it with a row comment; the unit fixes and resubmits; the
finance officer sees it red on the round's overview with its reason and orders its adjustment, which
gives the unit the table's next version to revise. Screenshots are saved to
$PERFGOALS_SHOTS (default /tmp) as monitoring_*.png."""

import os
from decimal import Decimal

import pytest

from projects.models import Department, MonitoringReport, ProjectTable, TableStatus
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("PERFGOALS_SHOTS", "/tmp")


@pytest.fixture
def approved_branch_table(demo):
    """特邀监察员经费, approved, under a unit of the department that is not its office, with its staff."""
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department, name="平罗县纪委监委派驻第一纪检监察组")
    table = ProjectTable.objects.get(name="特邀监察员经费")
    ProjectTable.objects.filter(pk=table.pk).update(unit=unit, status=TableStatus.APPROVED)
    account = factories.user("unit_staff", unit=unit, username="pz_unit")
    account.set_password("perfgoals-demo")
    account.save()
    return ProjectTable.objects.get(pk=table.pk)


def as_user(browser, live_server, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(40000)  # the slack CI needs beside two suites on two cores
    log_in(page, live_server, username)
    return page


def fill_report(page, *, impossible_reason):
    page.fill("input[name='report-spent_total']", "0")
    page.fill("textarea[name='report-goal_progress']", "已开展特邀监察员培训 1 次。")
    rows = page.locator("tr[data-line]")
    for number in range(rows.count()):
        row = rows.nth(number)
        row.locator("input[name$='-progress_text']").fill("按计划推进")
        row.locator("input[name$='-expected_text']").fill("按计划完成")
        row.locator("select[name$='-likelihood']").select_option(label="完全不可能" if number == 0 else "确定能")
    if impossible_reason:
        first = rows.nth(0)
        first.locator("textarea[name$='-explanation']").fill("特邀监察员换届，上半年未开展活动")
        first.locator("textarea[name$='-measures']").fill("下半年集中开展督查")
    page.click("button:has-text('保存')")


def test_a_monitoring_report_goes_round_the_loop_and_shows_red(browser, live_server, server_held, approved_branch_table, settings, tmp_path):
    from projects.models import TaskProgress
    from projects.monitoring.tasks import round_fill_task

    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    os.makedirs(SHOTS, exist_ok=True)
    finance = as_user(browser, live_server, "pl_finance")
    finance.goto(f"{live_server.url}/monitoring/rounds/")
    finance.fill("#id_year", "2023")
    finance.fill("#id_name", "2023年1-7月绩效运行监控")
    finance.fill("#id_cutoff_month", "7")
    finance.fill("#id_due_date", "2023-08-15")
    finance.click("button:has-text('发起')")
    # The reports are made in the background, not in the request; the overview says so until then.
    assert "正在后台" in finance.content() and "需要填报的监控表" in finance.content()
    assert not MonitoringReport.objects.exists()
    # The worker's part, run here: no request is answered meanwhile (server_held), so no page's query
    # meets the task's writes on the shared in-memory database.
    with server_held():
        round_fill_task.call(TaskProgress.objects.get(kind=TaskProgress.Kind.MONITORING_ROUND).pk)
    finance.reload()
    assert "正在后台" not in finance.content()
    report = MonitoringReport.objects.get(table=approved_branch_table)

    # The execution extract of the treasury system: previewed (the unmatched row named), confirmed, written
    # by a background task.
    from openpyxl import Workbook

    from projects.monitoring.tasks import execution_task

    workbook = Workbook()
    for row in (("2023年1-7月预算执行情况",), ("项目名称", "单位名称", "执行数"), ("特邀监察员经费", "", 0), ("不存在的项目", "某单位", 3)):
        workbook.active.append(list(row))
    extract = tmp_path / "执行数.xlsx"
    workbook.save(extract)
    finance.click("text=导入预算执行数")
    finance.set_input_files("input[name=file]", str(extract))
    finance.click("button:has-text('上传并预览')")
    assert "第 4 行：某单位 不存在的项目" in finance.locator("[data-unmatched]").inner_text()
    finance.screenshot(path=os.path.join(SHOTS, "monitoring_execution_preview.png"), full_page=True)
    finance.click("button:has-text('确认导入 1 张')")
    # The progress page polls its status every 1.5 s: the task runs between two polls, never during one.
    finance.wait_for_selector("#task-progress")
    with server_held():
        execution_task.call(TaskProgress.objects.get(kind=TaskProgress.Kind.EXECUTION).pk)
    finance.reload()
    assert "已写入执行数 1 张" in finance.content()
    assert MonitoringReport.objects.get(pk=report.pk).spent_total == 0

    unit = as_user(browser, live_server, "pz_unit")
    unit.goto(f"{live_server.url}/monitoring/reports/")
    unit.click("text=特邀监察员经费")
    unit.click("a:has-text('填写')")
    fill_report(unit, impossible_reason=False)
    assert "已保存" in unit.content()
    unit.click("button[value='submit']")
    assert "智能审核发现" in unit.content()
    assert "没有填写原因说明和纠偏措施" in unit.content()
    assert MonitoringReport.objects.get(pk=report.pk).status == TableStatus.DRAFT
    unit.click("a:has-text('填写')")
    fill_report(unit, impossible_reason=True)
    unit.click("button[value='submit']")
    assert "已提交" in unit.content()

    department = as_user(browser, live_server, "pl_dept")
    department.goto(f"{live_server.url}/monitoring/reports/{report.pk}/")
    department.select_option("#reason", label="其他")
    department.select_option("#row_indicator", index=1)
    department.fill("#row_text", "执行情况应写明已开展的督查次数")
    department.click("button[value='return']")
    assert "已退回" in department.content()

    unit.goto(f"{live_server.url}/monitoring/reports/{report.pk}/")
    assert "执行情况应写明已开展的督查次数" in unit.content()
    unit.click("a:has-text('填写')")
    unit.locator("tr[data-line] >> nth=0").locator("input[name$='-progress_text']").fill("已开展督查 1 次")
    unit.click("button:has-text('保存')")
    unit.click("button[value='submit']")
    assert MonitoringReport.objects.get(pk=report.pk).status == TableStatus.DEPARTMENT_REVIEW
    unit.screenshot(path=os.path.join(SHOTS, "monitoring_report.png"), full_page=True)
    unit.emulate_media(media="print")
    unit.screenshot(path=os.path.join(SHOTS, "monitoring_print.png"), full_page=True)
    unit.pdf(path=os.path.join(SHOTS, "monitoring_print.pdf"), prefer_css_page_size=True, print_background=True)

    finance.goto(f"{live_server.url}/monitoring/rounds/{report.monitoring_round_id}/")
    listed = finance.locator("table[data-reports]").inner_text()
    assert "特邀监察员经费" in listed and "红灯" in listed
    assert "完全不可能完成" in listed and "执行数为 0" in listed
    finance.screenshot(path=os.path.join(SHOTS, "monitoring_overview.png"), full_page=True)

    # From the red row the finance officer orders the target adjusted: recorded on the report, shown on
    # the row, and the table's adjustment started through the gate: its second version, a draft for the
    # unit, with the decision as its reason.
    red_row = finance.locator("table[data-reports] tr", has_text="特邀监察员经费")
    red_row.locator("input[name=comment]").fill("督查目标年内无法完成，请调整目标")
    red_row.locator("button[value='order_adjust']").click()
    assert "已为平罗县纪委监委派驻第一纪检监察组生成第 2 版草稿" in finance.content()
    assert "已要求调整" in finance.locator("table[data-reports]").inner_text()
    finance.click("table[data-reports] >> text=特邀监察员经费")
    assert "督查目标年内无法完成，请调整目标" in finance.locator("[data-records]").inner_text()
    assert "第 2 版（草稿）" in finance.locator("[data-adjustment]").inner_text()
    assert finance.locator("button[value='order_adjust']").count() == 0  # not twice
    finance.screenshot(path=os.path.join(SHOTS, "monitoring_adjustment_ordered.png"), full_page=True)
    finance.goto(f"{live_server.url}/monitoring/rounds/{report.monitoring_round_id}/")
    assert "已要求调整" in finance.locator("table[data-reports]").inner_text()
    assert MonitoringReport.objects.get(pk=report.pk).status == TableStatus.DEPARTMENT_REVIEW
    adjustment = ProjectTable.objects.get(previous_version=approved_branch_table)
    assert adjustment.version == 2 and adjustment.status == TableStatus.DRAFT
    assert ProjectTable.objects.get(pk=approved_branch_table.pk).status == TableStatus.APPROVED

    # The unit finds the new version with the finance bureau's reason, and may edit it.
    unit.emulate_media(media="screen")
    unit.goto(f"{live_server.url}/monitoring/reports/{report.pk}/")
    unit.click("[data-adjustment] >> text=第 2 版")
    assert "督查目标年内无法完成，请调整目标" in unit.content()
    assert unit.locator("a:has-text('编辑')").count() >= 1


def test_a_unit_fills_its_report_in_excel_and_imports_it(browser, live_server, approved_branch_table, settings, tmp_path):
    """Export → fill in Excel → import: previewed, confirmed, and the page shows what was typed in Excel;
    a refused file names its cell and changes nothing."""
    import datetime

    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from projects.monitoring import services

    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    os.makedirs(SHOTS, exist_ok=True)
    finance = get_user_model().objects.get(username="pl_finance")
    monitoring_round = services.round_open(
        region=approved_branch_table.region, year=approved_branch_table.year, name="7月监控", cutoff_month=7,
        due_date=datetime.date(2099, 8, 15), by=finance,
    )
    report = monitoring_round.reports.get(table=approved_branch_table)
    unit = as_user(browser, live_server, "pz_unit")
    unit.goto(f"{live_server.url}/monitoring/reports/{report.pk}/")
    with unit.expect_download() as download:
        unit.click("a:has-text('导出 Excel')")
    exported = tmp_path / "exported.xlsx"
    download.value.save_as(exported)
    workbook = load_workbook(exported)
    sheet = workbook.active
    line_rows = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 11).value]
    sheet.cell(6, 7).value = 0.6
    for number, row in enumerate(line_rows):
        sheet.cell(row, 5).value = "已完成一半" if number else "已开展督查 1 次"
        sheet.cell(row, 6).value = "按计划完成"
        sheet.cell(row, 8).value = "确定能"
    sheet.cell(line_rows[0], 8).value = "大概吧"
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)

    unit.click("a:has-text('从 Excel 导入')")
    unit.set_input_files("input[name=file]", str(filled))
    unit.click("button:has-text('上传并预览')")
    refused = unit.locator("[data-error]").inner_text()
    assert f"H{line_rows[0]} 单元格" in refused and "大概吧" in refused
    assert MonitoringReport.objects.get(pk=report.pk).spent_total is None

    sheet.cell(line_rows[0], 8).value = "确定能"
    workbook.save(filled)
    unit.set_input_files("input[name=file]", str(filled))
    unit.click("button:has-text('上传并预览')")
    preview = unit.locator("[data-preview]").inner_text()
    assert f"{len(line_rows)} 行指标将按文件更新" in preview and "执行数：年度资金总额（万元）" in preview
    assert "第 1 行 参与督查工作次数：执行情况、全年预计完成情况、完成目标可能性" in preview
    unit.screenshot(path=os.path.join(SHOTS, "monitoring_import_preview.png"), full_page=True)
    unit.click("button:has-text('确认导入')")
    assert "已从 Excel 导入监控表" in unit.content()
    assert "已开展督查 1 次" in unit.locator("table.indicators").inner_text()
    stored = MonitoringReport.objects.get(pk=report.pk)
    assert stored.spent_total == Decimal("0.6") and stored.lines.filter(likelihood="certain").count() == len(line_rows)
