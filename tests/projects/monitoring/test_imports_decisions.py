"""Monitoring, issue 15 points 5–7: the budget execution import (matched, unmatched named, a bad file
writes nothing and names its cell), the filled report's Excel round trip, the finance bureau's
要求调整 / 收回资金 on a red report through the gate, and the round overview's pages."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from projects import workflow
from projects.models import Light, Likelihood, MonitoringReport, ReviewRecord, TableStatus, TaskProgress
from projects.monitoring.checks import report_recheck
from projects.monitoring.execution import BadExtract, apply_execution, read_extract
from projects.monitoring.report_import import BadReportFile, import_report
from projects.monitoring.tasks import execution_task
from tests.projects.monitoring.test_monitoring import approved, filled, open_round, world  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def task_folder(settings, tmp_path):
    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    return settings.PERFGOALS_TASK_DIR


def xlsx(rows, title_rows=(("2024年1-7月项目支出执行情况",), ("单位：万元",))):
    workbook = Workbook()
    sheet = workbook.active
    for row in (*title_rows, *rows):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def two_tables(world):
    first = approved(world["unit"], code="640221-0001")
    second = approved(world["unit"], name="村级组织运转经费")
    monitoring_round = open_round(world)
    return monitoring_round, first, second


# --- 预算执行数导入 ---------------------------------------------------------------------------


def test_execution_rows_match_by_code_then_unit_and_name_and_unmatched_rows_are_named(two_tables, world):
    monitoring_round, first, second = two_tables
    data = xlsx(
        [
            ("项目编码", "单位名称", "项目名称", "执行数", "财政拨款执行数"),
            ("640221-0001", "", "名称写错了的项目", 8, 8),
            ("", world["unit"].name, "村级组织运转经费", "12.5", ""),
            ("", "别的单位", "不存在的项目", 3, 3),
            ("", "", "合计", 23.5, 11),
        ]
    )
    extract = read_extract(monitoring_round, "执行.xlsx", data)
    by_report = {row[0]: [Decimal(value) if value is not None else None for value in row[1:]] for row in extract.matches}
    report_first = monitoring_round.reports.get(table=first)
    report_second = monitoring_round.reports.get(table=second)
    assert by_report == {report_first.pk: [8, 8, None], report_second.pk: [Decimal("12.5"), None, None]}
    assert extract.unmatched == ["第 6 行：别的单位 不存在的项目"]
    assert MonitoringReport.objects.filter(spent_total__isnull=False).count() == 0  # a preview writes nothing


def test_a_bad_cell_refuses_the_whole_file_naming_the_cell_and_nothing_is_written(two_tables, world):
    monitoring_round, _first, _second = two_tables
    data = xlsx(
        [
            ("项目名称", "执行数"),
            ("基层干部业务培训经费", 8),
            ("村级组织运转经费", "约十万"),
        ]
    )
    with pytest.raises(BadExtract) as refused:
        read_extract(monitoring_round, "执行.xlsx", data)
    assert "B5 单元格" in str(refused.value) and "“执行数”" in str(refused.value) and "约十万" in str(refused.value)
    with pytest.raises(BadExtract, match="B4 单元格.*为负数"):
        read_extract(monitoring_round, "执行.xlsx", xlsx([("项目名称", "执行数"), ("基层干部业务培训经费", -1)]))
    with pytest.raises(BadExtract, match="B4 单元格.*为空"):
        read_extract(monitoring_round, "执行.xlsx", xlsx([("项目名称", "执行数"), ("基层干部业务培训经费", None)]))
    with pytest.raises(BadExtract, match="没有找到表头"):
        read_extract(monitoring_round, "执行.xlsx", xlsx([("项目名称", "金额"), ("基层干部业务培训经费", 1)]))
    with pytest.raises(BadExtract, match="不是有效的 Excel"):
        read_extract(monitoring_round, "执行.xlsx", b"not a workbook")
    with pytest.raises(BadExtract, match="第 5 行与第 4 行对应同一张监控表"):
        read_extract(monitoring_round, "x.xlsx", xlsx([("项目名称", "执行数"), ("村级组织运转经费", 1), ("村级组织运转经费", 2)]))
    assert not MonitoringReport.objects.filter(spent_total__isnull=False).exists()


def test_a_csv_in_gbk_with_amounts_in_yuan_is_read(two_tables):
    monitoring_round, first, _second = two_tables
    data = "项目名称,执行数（元）\n基层干部业务培训经费,\"81,234.56\"\n".encode("gbk")
    extract = read_extract(monitoring_round, "执行.csv", data)
    assert extract.matches == [[monitoring_round.reports.get(table=first).pk, "8.123456", None, None]]


def test_applying_writes_only_reports_still_with_the_unit_and_rechecks_their_light(two_tables, world):
    monitoring_round, first, second = two_tables
    submitted = filled(monitoring_round.reports.get(table=second))
    workflow.document_action("submit", submitted, by=world["staff"])
    data = xlsx([("项目名称", "执行数"), ("基层干部业务培训经费", 0), ("村级组织运转经费", 5)])
    extract = read_extract(monitoring_round, "执行.xlsx", data)
    assert extract.submitted == [f"{world['unit'].name} 村级组织运转经费"] and len(extract.matches) == 1
    filled(monitoring_round.reports.get(table=first), spent=None)
    assert apply_execution(monitoring_round, extract.matches, by=world["finance"]) == 1
    written = monitoring_round.reports.get(table=first)
    assert written.spent_total == Decimal("0") and written.light == Light.RED and "执行数为 0" in written.light_reasons
    assert monitoring_round.reports.get(table=second).spent_total == Decimal("8")


def test_the_finance_officer_previews_then_confirms_and_a_task_writes_the_figures(two_tables, world, client, django_capture_on_commit_callbacks):
    monitoring_round, first, _second = two_tables
    client.force_login(world["finance"])
    url = reverse("projects:monitoring_execution", args=[monitoring_round.pk])
    data = xlsx([("项目名称", "执行数"), ("基层干部业务培训经费", 9), ("不存在的项目", 3)])
    upload = io.BytesIO(data)
    upload.name = "执行数.xlsx"
    preview = client.post(url, {"file": upload})
    text = preview.content.decode()
    assert preview.status_code == 200 and "第 5 行：不存在的项目" in text and "确认导入 1 张" in text
    assert not MonitoringReport.objects.filter(spent_total__isnull=False).exists()
    token = preview.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, {"token": token, "name": "执行数.xlsx", "confirm": "1"})
    progress = TaskProgress.objects.get(kind=TaskProgress.Kind.EXECUTION)
    assert confirmed.url == reverse("projects:task_progress", args=[progress.pk])
    execution_task.call(progress.pk)
    assert monitoring_round.reports.get(table=first).spent_total == Decimal("9")
    page = client.get(confirmed.url).content.decode()
    assert "已写入执行数 1 张" in page and "未匹配：第 5 行：不存在的项目" in page
    bad = io.BytesIO(xlsx([("项目名称", "执行数"), ("基层干部业务培训经费", "x")]))
    bad.name = "坏.xlsx"
    refused = client.post(url, {"file": bad})
    assert refused.status_code == 400 and "B4 单元格" in refused.content.decode()


def test_only_the_finance_bureau_imports_execution(two_tables, world, client):
    monitoring_round = two_tables[0]
    client.force_login(world["staff"])
    assert client.get(reverse("projects:monitoring_execution", args=[monitoring_round.pk])).status_code == 403



def test_an_expired_upload_a_missing_file_and_a_file_too_large_are_refused_in_chinese(two_tables, world, client, settings):
    monitoring_round = two_tables[0]
    url = reverse("projects:monitoring_execution", args=[monitoring_round.pk])
    client.force_login(world["finance"])
    expired = client.post(url, {"token": "0" * 32, "name": "执行数.xlsx", "confirm": "1"}, follow=True)
    assert "上传的文件已过期，请重新上传。" in expired.content.decode()
    missing = client.post(url, {})
    assert missing.status_code == 400 and "请选择要上传的文件。" in missing.content.decode()
    settings.PERFGOALS_MAX_UPLOAD_BYTES = 1024
    large = client.post(url, {"file": io.BytesIO(xlsx([("项目名称", "执行数")] + [("项目", 1)] * 300))})
    assert large.status_code == 400 and "超过上限" in large.content.decode()
    assert not TaskProgress.objects.exists() and MonitoringReport.objects.filter(spent_total__isnull=False).count() == 0

# --- 监控表 Excel 往返 ------------------------------------------------------------------------


def exported(client, report):
    return client.get(reverse("projects:monitoring_report_export_xlsx", args=[report.pk])).content


def test_a_report_exported_then_imported_unchanged_stays_identical(world, client):
    from projects.monitoring.workflow import report_snapshot

    approved(world["unit"])
    report = filled(open_round(world).reports.get(), spent="8.5", likelihood=Likelihood.POSSIBLE, explanation="场地", measures="线上", reasons=["funding"])
    before = report_snapshot(report)
    client.force_login(world["staff"])
    assert import_report(report, "监控表.xlsx", exported(client, report), by=world["staff"]) == 0
    assert report_snapshot(MonitoringReport.objects.get(pk=report.pk)) == before


def test_a_report_filled_in_excel_is_imported_by_row_ids(world, client):
    approved(world["unit"])
    report = open_round(world).reports.get()
    client.force_login(world["staff"])
    workbook = load_workbook(io.BytesIO(exported(client, report)))
    sheet = workbook.active
    rows = [row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 11).value and row > 1]
    assert sheet.column_dimensions["K"].hidden
    # The unit reorders two rows in Excel: the hidden ids still put each value on its own indicator.
    first, second = rows[0], rows[1]
    for column in range(1, 12):
        a, b = sheet.cell(first, column).value, sheet.cell(second, column).value
        sheet.cell(first, column).value, sheet.cell(second, column).value = b, a
    sheet.cell(6, 7).value = 7.5
    sheet.cell(rows[0] - 0, 5).value = "完成 1 期"
    sheet.cell(rows[0], 8).value = "完全不可能"
    sheet.cell(rows[0], 7).value = "经费保障、其他"
    sheet.cell(rows[0], 9).value = "场地无法落实"
    sheet.cell(rows[0], 10).value = "改为线上"
    goals_row = next(row for row in range(1, 20) if sheet.cell(row, 1).value == "年度总体目标") + 1
    sheet.cell(goals_row, 6).value = "已培训 1 期"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert import_report(report, "监控表.xlsx", buffer.getvalue(), by=world["staff"]) == 1
    report = MonitoringReport.objects.get(pk=report.pk)
    assert report.spent_total == Decimal("7.5") and report.goal_progress == "已培训 1 期" and report.light
    moved_uid = sheet.cell(rows[0], 11).value
    line = report.lines.get(indicator__uid=moved_uid)
    assert (line.progress_text, line.likelihood, line.reasons, line.measures) == ("完成 1 期", "impossible", ["funding", "other"], "改为线上")
    assert report.lines.exclude(pk=line.pk).filter(progress_text="").count() == report.lines.count() - 1


def test_a_bad_cell_in_the_filled_report_writes_nothing_and_is_named(world, client):
    approved(world["unit"])
    report = open_round(world).reports.get()
    client.force_login(world["staff"])
    workbook = load_workbook(io.BytesIO(exported(client, report)))
    sheet = workbook.active
    line_row = next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 11).value)
    sheet.cell(line_row, 5).value = "完成 1 期"
    sheet.cell(line_row, 8).value = "大概能"
    sheet.cell(6, 7).value = "八万"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(BadReportFile) as refused:
        import_report(report, "监控表.xlsx", buffer.getvalue(), by=world["staff"])
    assert any(f"H{line_row} 单元格" in problem and "大概能" in problem for problem in refused.value.problems)
    sheet.cell(line_row, 8).value = "确定能"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(BadReportFile) as refused:
        import_report(report, "监控表.xlsx", buffer.getvalue(), by=world["staff"])
    assert any(problem.startswith("G6 单元格") and "应为数字" in problem for problem in refused.value.problems)
    assert not report.lines.exclude(progress_text="").exists() and MonitoringReport.objects.get(pk=report.pk).spent_total is None


def test_another_reports_file_is_refused_and_the_import_page_previews_first(world, client):
    approved(world["unit"])
    approved(world["unit"], name="村级组织运转经费")
    monitoring_round = open_round(world)
    mine = monitoring_round.reports.get(table__name="基层干部业务培训经费")
    other = monitoring_round.reports.get(table__name="村级组织运转经费")
    client.force_login(world["staff"])
    with pytest.raises(BadReportFile, match="是另一份监控表"):
        import_report(mine, "x.xlsx", exported(client, other), by=world["staff"])
    url = reverse("projects:monitoring_report_import", args=[mine.pk])
    upload = io.BytesIO(exported(client, mine))
    upload.name = "监控表.xlsx"
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    done = client.post(url, {"token": preview.context["token"], "confirm": "1"})
    assert done.status_code == 302
    client.force_login(world["finance"])
    assert client.get(url).status_code == 403


# --- 红灯表：要求调整、收回资金 ---------------------------------------------------------------


def red_submitted(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get(), spent="0")
    report_recheck(report)
    workflow.document_action("submit", report, by=world["staff"])
    return MonitoringReport.objects.get(pk=report.pk)


def test_the_finance_officer_orders_an_adjustment_of_a_red_report_through_the_gate(world, client):
    report = red_submitted(world)
    assert report.light == Light.RED
    assert {"order_adjust", "recover"} <= set(workflow.available_actions(world["finance"], report))
    assert "order_adjust" not in workflow.available_actions(world["staff"], report)
    with pytest.raises(workflow.WorkflowError, match="必须写明决定的内容和理由"):
        workflow.document_action("order_adjust", report, by=world["finance"])
    with pytest.raises(workflow.WorkflowError, match="只有财政审核人"):
        workflow.document_action("recover", report, by=world["reviewer"], comment="收回")
    record = workflow.document_action("order_adjust", report, by=world["finance"], comment="请将培训期数调整为 2 期")
    assert record.from_status == record.to_status == TableStatus.DEPARTMENT_REVIEW
    assert MonitoringReport.objects.get(pk=report.pk).status == TableStatus.DEPARTMENT_REVIEW
    client.force_login(world["finance"])
    overview = client.get(reverse("projects:monitoring_round", args=[report.monitoring_round_id])).content.decode()
    assert "已要求调整" in overview
    detail = client.get(reverse("projects:monitoring_report", args=[report.pk])).content.decode()
    assert "要求调整" in detail and "请将培训期数调整为 2 期" in detail
    response = client.post(
        reverse("projects:monitoring_report_action", args=[report.pk]), {"action": "recover", "comment": "年内无法支出，收回 20 万元"}
    )
    assert response.status_code == 302
    assert ReviewRecord.objects.filter(monitoring_report=report, action="recover").exists()
    overview = client.get(reverse("projects:monitoring_round", args=[report.monitoring_round_id])).content.decode()
    assert "已决定收回资金" in overview


def test_ordering_an_adjustment_starts_the_next_version_of_the_table_for_its_unit(world, client):
    """要求调整 from a red report is the target loop's 发起调整 of the table in force: a draft second
    version for the unit, the decision's comment as its reason, recorded on the report and the table."""
    from projects import permissions
    from projects.models import Notification, ProjectTable

    report = red_submitted(world)
    table = report.table
    client.force_login(world["finance"])
    overview = reverse("projects:monitoring_round", args=[report.monitoring_round_id]) + "?light=red"
    # One click from the red row of the round's overview, which it comes back to.
    response = client.post(
        reverse("projects:monitoring_report_action", args=[report.pk]),
        {"action": "order_adjust", "comment": "培训期数年内无法完成，请调整为 2 期", "next": overview},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == overview
    page = response.content.decode()
    assert f"已为{world['unit'].name}生成第 2 版草稿" in page and "已要求调整" in page
    version = ProjectTable.objects.get(previous_version=table)
    assert version.version == 2 and version.status == TableStatus.DRAFT and version.unit_id == table.unit_id
    assert version.indicators.count() == table.indicators.count()
    assert ProjectTable.objects.get(pk=table.pk).status == TableStatus.APPROVED  # in force until the new one is approved
    adjust = ReviewRecord.objects.get(project=version, action="adjust")
    assert adjust.actor == world["finance"] and adjust.comment == "培训期数年内无法完成，请调整为 2 期"
    decision = ReviewRecord.objects.get(monitoring_report=report, action="order_adjust")
    assert decision.comment == "培训期数年内无法完成，请调整为 2 期"
    assert MonitoringReport.objects.get(pk=report.pk).status == TableStatus.DEPARTMENT_REVIEW
    assert "这张表正在调整" in client.get(reverse("projects:monitoring_report", args=[report.pk])).content.decode()
    assert permissions.can_edit(world["staff"], version)
    told = Notification.objects.get(user=world["staff"])
    assert "要求调整" in told.title and "培训期数年内无法完成" in told.body
    assert told.link == reverse("projects:project_detail", args=[version.pk])
    history = client.get(reverse("projects:project_detail", args=[version.pk])).content.decode()
    assert "培训期数年内无法完成，请调整为 2 期" in history


def test_an_adjustment_is_not_ordered_twice_nor_while_the_unit_is_already_adjusting(world, client):
    from projects.models import ProjectTable

    report = red_submitted(world)
    workflow.project_start_adjustment(project=report.table, by=world["staff"], comment="预算追加")
    assert "order_adjust" not in workflow.available_actions(world["finance"], report)
    assert "recover" in workflow.available_actions(world["finance"], report)
    with pytest.raises(workflow.WorkflowError, match="已在调整中（第 2 版，草稿），不能再要求调整"):
        workflow.document_action("order_adjust", report, by=world["finance"], comment="请调整")
    assert not ReviewRecord.objects.filter(monitoring_report=report, action="order_adjust").exists()
    assert ProjectTable.objects.filter(previous_version=report.table).count() == 1
    client.force_login(world["finance"])
    response = client.post(
        reverse("projects:monitoring_report_action", args=[report.pk]),
        {"action": "order_adjust", "comment": "请调整", "next": "https://elsewhere.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("projects:monitoring_report", args=[report.pk])  # never off the site
    assert "已在调整中" in response.content.decode()
    # 收回资金 stays a decision recorded on the report, whatever the table's versions.
    workflow.document_action("recover", report, by=world["finance"], comment="年内无法支出，收回 20 万元")
    assert ProjectTable.objects.filter(previous_version=report.table).count() == 1


def test_a_second_order_from_another_rounds_report_is_refused_by_the_gate(world):
    """The table is locked and looked at again inside the gate: a report of another round ordering the
    same table's adjustment after the first finds it under way."""
    from projects.models import ProjectTable

    first = red_submitted(world)
    import datetime

    from projects.monitoring import services

    later = services.round_open(
        region=world["region"], year=2024, name="2024年9月监控", cutoff_month=9, due_date=datetime.date(2024, 10, 15), by=world["finance"]
    )
    second = filled(later.reports.get(), spent="0")
    report_recheck(second)
    workflow.document_action("submit", second, by=world["staff"])
    second = MonitoringReport.objects.get(pk=second.pk)
    workflow.document_action("order_adjust", first, by=world["finance"], comment="请调整")
    with pytest.raises(workflow.WorkflowError, match="已在调整中"):
        workflow.gate._order_adjustment(second.table, by=world["finance"], reason="再次调整")
    with pytest.raises(workflow.WorkflowError, match="已在调整中"):
        workflow.document_action("order_adjust", second, by=world["finance"], comment="再次调整")
    assert ProjectTable.objects.filter(previous_version=first.table).count() == 1


def test_the_ordered_adjustment_is_of_the_version_in_force(world):
    """A report keeps the version its round covered; once an adjustment of it is approved, 要求调整
    adjusts that newer version."""
    from projects.models import ProjectTable

    report = red_submitted(world)
    version2 = workflow.project_start_adjustment(project=report.table, by=world["staff"], comment="预算追加")
    ProjectTable.objects.filter(pk=report.table_id).update(status=TableStatus.SUPERSEDED)
    ProjectTable.objects.filter(pk=version2.pk).update(status=TableStatus.APPROVED)
    workflow.document_action("order_adjust", report, by=world["finance"], comment="请再调整")
    version3 = ProjectTable.objects.get(previous_version=version2)
    assert version3.version == 3 and version3.status == TableStatus.DRAFT


def test_a_report_that_is_not_red_cannot_be_adjusted_or_recovered(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get())
    report_recheck(report)
    workflow.document_action("submit", report, by=world["staff"])
    report = MonitoringReport.objects.get(pk=report.pk)
    assert report.light == Light.GREEN
    assert "recover" not in workflow.available_actions(world["finance"], report)
    with pytest.raises(workflow.WorkflowError, match="只有红灯的监控表才能收回资金"):
        workflow.document_action("recover", report, by=world["finance"], comment="收回")


def test_a_draft_red_report_has_no_decision_yet(world):
    approved(world["unit"])
    report = filled(open_round(world).reports.get(), spent="0")
    report_recheck(report)
    with pytest.raises(workflow.WorkflowError, match="当前为“草稿”"):
        workflow.document_action("order_adjust", report, by=world["finance"], comment="调整")


# --- 总览分页 ---------------------------------------------------------------------------------


def test_the_round_overview_is_paged(world, client):
    from projects.monitoring.views import PAGE_SIZE

    table = approved(world["unit"])
    for number in range(PAGE_SIZE + 3):
        approved(world["unit"], name=f"项目{number:03d}")
    monitoring_round = open_round(world)
    assert monitoring_round.reports.count() == PAGE_SIZE + 4 and table
    client.force_login(world["finance"])
    url = reverse("projects:monitoring_round", args=[monitoring_round.pk])
    first = client.get(url, {"light": "all"})
    assert len(first.context["reports"]) == PAGE_SIZE and "第 1 / 2 页" in first.content.decode()
    second = client.get(url, {"light": "all", "page": 2})
    assert len(second.context["reports"]) == 4 and f"共 {PAGE_SIZE + 4} 张" in second.content.decode()


def test_the_list_of_reports_is_paged_too(world, client):
    from projects.monitoring.views import PAGE_SIZE

    for number in range(PAGE_SIZE + 2):
        approved(world["unit"], name=f"项目{number:03d}")
    open_round(world)
    client.force_login(world["staff"])
    url = reverse("projects:monitoring_reports")
    assert len(client.get(url).context["reports"]) == PAGE_SIZE
    last = client.get(url, {"page": 2})
    assert len(last.context["reports"]) == 2 and f"共 {PAGE_SIZE + 2} 份" in last.content.decode()


# --- 附件格式导出 -----------------------------------------------------------------------------


def test_a_large_annex_export_runs_in_the_background_and_holds_every_listed_report(world, client, settings, django_capture_on_commit_callbacks):
    """More reports than PERFGOALS_EXPORT_IMMEDIATE_MAX: a GET asks to start it, a POST starts a task,
    and its file holds one annex sheet for every report listed (in the list's order), none cut off;
    a small selection is still built in the request."""
    from projects.models import ProjectTable
    from projects.monitoring.excel import ID_COLUMN, REPORT_ID_PREFIX
    from projects.monitoring.tasks import reports_export_task

    settings.PERFGOALS_EXPORT_IMMEDIATE_MAX = 3
    for number in range(5):
        approved(world["unit"], name=f"项目{number}")
    other = factories_department_table(world)
    monitoring_round = open_round(world)
    client.force_login(world["finance"])
    url = reverse("projects:monitoring_round", args=[monitoring_round.pk])
    asked = client.get(url, {"light": "all", "department": world["department"].pk, "export": "reports"})
    assert asked["Content-Type"].startswith("text/html") and "5</strong> 份监控表" in asked.content.decode()
    assert not TaskProgress.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{url}?light=all&department={world['department'].pk}&export=reports")
    progress = TaskProgress.objects.get(kind=TaskProgress.Kind.MONITORING_EXPORT)
    assert started.status_code == 302 and started["Location"] == reverse("projects:task_progress", args=[progress.pk])
    assert progress.total == 5
    reports_export_task.call(progress.pk)
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.DONE
    download = client.get(reverse("projects:task_download", args=[progress.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    listed = list(
        monitoring_round.reports.exclude(table=other).order_by("table__department__name", "table__unit__name", "table__name", "pk")
    )
    assert workbook.sheetnames == [report.table.name for report in listed]
    assert [sheet.cell(1, ID_COLUMN).value for sheet in workbook] == [f"{REPORT_ID_PREFIX}{report.pk}" for report in listed]
    sheet = workbook.worksheets[0]
    assert sheet.cell(1, 1).value == "项目支出绩效目标执行监控表" and "A1:J1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.column_dimensions["K"].hidden
    assert ProjectTable.objects.count() == 6

    small = client.get(url, {"light": "all", "department": other.department_id, "export": "reports"})
    assert small["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(small.content)).sheetnames == [other.name]


def factories_department_table(world):
    """One approved table of another department of the same region."""
    from tests import factories

    department = factories.department(world["region"], name="另一个部门")
    return approved(factories.unit(department, name="另一个单位"), name="另一个部门的项目")
