"""A finance officer exports the whole region's tables in the official layout: the export runs as a
background task, the progress bar moves while a worker writes it, and the file is downloaded from the
progress page when it is done (issue 20)."""

import io
import threading
import time

import pytest
from django.db import connection
from openpyxl import load_workbook

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def slow_worker(progress_id):
    """A worker that writes the export two tables at a time, pausing after each part long enough for
    the page to see each report (progress is written at most once a second)."""
    from projects import excel
    from projects.tasks import export

    parts, counted = export.export_parts, export.counted

    def small_parts(tables, targets):
        return excel.export_parts(tables, targets, chunk=2)

    def paused(document_parts, report):
        for part in counted(document_parts, report):
            yield part
            time.sleep(1.6)

    export.export_parts, export.counted = small_parts, paused
    try:
        export.export_task.call(progress_id)
    finally:
        export.export_parts, export.counted = parts, counted
        connection.close()


def test_a_finance_officer_exports_the_whole_region_in_the_background_and_downloads_it(page, live_server, demo, settings, tmp_path):
    from projects.models import ProjectTable, TaskProgress

    settings.PERFGOALS_EXPORT_IMMEDIATE_MAX = 1
    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    count = ProjectTable.objects.filter(region__code="640221").count()
    log_in(page, live_server, "pl_finance")
    page.goto(f"{live_server.url}/overview/tables/")
    page.click("text=导出目标表")
    assert f"共 {count} 张，将在后台生成" in page.inner_text("[data-part=background-export]")
    page.click("a[data-export=forms] >> text=平罗式")
    page.click("text=开始导出")
    page.wait_for_selector("#task-progress")
    assert "排队中" in page.inner_text("[data-part=state-label]")
    progress = TaskProgress.objects.get()

    worker = threading.Thread(target=slow_worker, args=(progress.pk,))
    worker.start()
    seen = set()
    deadline = time.monotonic() + 60
    while not page.is_visible("[data-part=download]") and time.monotonic() < deadline:
        seen.add(int(page.get_attribute("[role=progressbar]", "aria-valuenow")))
        page.wait_for_timeout(200)
    worker.join()
    assert any(0 < percent < 100 for percent in seen), seen  # the bar moved through the parts
    assert "已完成" in page.inner_text("[data-part=state-label]") and page.title().startswith("✓ 已完成")

    with page.expect_download() as download:
        page.click("[data-part=download] a")
    content = (tmp_path / "export.xlsx")
    download.value.save_as(content)
    workbook = load_workbook(io.BytesIO(content.read_bytes()), read_only=True)
    assert f"共 {count} 张" in workbook["汇总"]["A1"].value
    assert download.value.suggested_filename.endswith("平罗式）.xlsx")
