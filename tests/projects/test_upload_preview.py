"""The preview of an upload is computed once and kept beside it as JSON, then shown a page of tables at a
time (issue 22 finding 7: every visit to the preview of a 2.4 MB file re-read it for 26–28 s and
returned 62 MB of HTML)."""

import json
import os
import stat
import time

import pytest
from django.urls import reverse

from projects import excel, excel_views
from projects.models import ProjectTable
from tests.projects.test_excel_views import login, pingluo_export, upload


@pytest.fixture
def reads(monkeypatch):
    """Each reading of an uploaded workbook, counted."""
    counted = []
    read_file = excel.read_file

    def counting(*args, **kwargs):
        counted.append(1)
        return read_file(*args, **kwargs)

    monkeypatch.setattr(excel, "read_file", counting)
    return counted


def cards(page):
    return page.count('class="card mb-3 import-table"')


def test_revisiting_and_paging_a_preview_reads_the_workbook_once_and_confirm_once_more(seeded, client, monkeypatch, reads):
    monkeypatch.setattr(excel_views, "PREVIEW_TABLES_PER_PAGE", 2)
    login(client, "pl_unit")
    location = upload(client, pingluo_export())["Location"]
    first = client.get(location).content.decode()
    assert cards(first) == 2 and "共 5 张表，第 1 / 3 页" in first and "下一页" in first
    last = client.get(location + "?page=3").content.decode()
    assert cards(last) == 1 and "第 3 / 3 页" in last and "上一页" in last
    again = client.get(location).content.decode()
    assert cards(again) == 2 and "第 1 / 3 页" in again
    assert len(reads) == 1
    # The counts of the whole file stay on every page, and the confirm reads the file itself.
    assert "5 张内容未变" in last
    done = client.post(location + "confirm/", follow=True)
    assert "未变 5 张" in done.content.decode()
    assert len(reads) == 2


def test_the_kept_preview_is_json_readable_by_the_service_only_and_goes_with_its_upload(seeded, client, settings):
    login(client, "pl_unit")
    location = upload(client, pingluo_export())["Location"]
    client.get(location)
    (kept,) = settings.PERFGOALS_IMPORT_DIR.glob("*.preview.json")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(json.loads(kept.read_text(encoding="utf-8"))["tables"]) == 5
    client.post(location + "confirm/")
    assert list(settings.PERFGOALS_IMPORT_DIR.iterdir()) == []


def test_a_kept_preview_is_swept_with_old_uploads(seeded, client, settings):
    login(client, "pl_unit")
    client.get(upload(client, pingluo_export())["Location"])
    old = time.time() - 25 * 3600
    for path in settings.PERFGOALS_IMPORT_DIR.iterdir():
        os.utime(path, (old, old))
    client.get(reverse("projects:excel_import"))
    assert list(settings.PERFGOALS_IMPORT_DIR.iterdir()) == []


def test_a_long_table_shows_its_first_rows_and_says_how_many_it_has(seeded, client, monkeypatch):
    monkeypatch.setattr(excel_views, "PREVIEW_ROWS_PER_TABLE", 2)
    table = ProjectTable.objects.get(region__code="640221", name="纪检监察事务工作经费")
    rows = table.indicators.count()
    assert rows > 2
    login(client, "pl_unit")
    page = client.get(upload(client, pingluo_export())["Location"]).content.decode()
    assert f"共 {rows} 条三级指标，此处只列出前 2 条；确认导入时全部导入。" in page


def test_a_preview_page_out_of_range_shows_the_last_page(seeded, client, monkeypatch):
    monkeypatch.setattr(excel_views, "PREVIEW_TABLES_PER_PAGE", 2)
    login(client, "pl_unit")
    location = upload(client, pingluo_export())["Location"]
    for page in ("99", "-1", "x"):
        response = client.get(location + f"?page={page}")
        assert response.status_code == 200 and cards(response.content.decode()) in (1, 2)


def test_a_table_with_many_problems_lists_the_first_and_says_how_many(seeded, client, monkeypatch):
    from tests.projects.excel_helpers import workbook_bytes

    monkeypatch.setattr(excel_views, "PREVIEW_ROWS_PER_TABLE", 1)
    header = [["项目名称", "干部培训经费"], ["预算年度", 2024], ["实施单位", "中共平罗县纪律检查委员会本级"], ["一级指标", "二级指标", "三级指标", "指标值"]]
    content = workbook_bytes(header + [["产出指标", "数量指标", f"培训{number}", "=1+1"] for number in range(3)])
    login(client, "pl_unit")
    page = client.get(upload(client, content)["Location"]).content.decode()
    problems = page[page.index('class="table table-sm small problems"') :]
    problems = problems[: problems.index("</table>")]
    assert problems.count("<tr>") == 2  # the header and the first problem
    assert "未能读取（3 处，此处只列出前 1 处）" in page and "D5" in problems
