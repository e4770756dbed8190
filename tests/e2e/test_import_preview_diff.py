"""A unit exports its table, changes it in Excel, uploads it and sees in the preview, per changed cell,
the stored value and the imported one; it confirms, and the table holds the new values (issue 17
point 7). Screenshots go to /tmp/shots-preview (PERFGOALS_SHOTS to put them elsewhere)."""

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.conftest import log_in

SHOTS = Path(os.environ.get("PERFGOALS_SHOTS", "/tmp/shots-preview"))
NAME = "纪检监察事务工作经费"


def changed_in_excel(path, edits):
    """Set cells of the table's sheet as a user would in Excel: ``edits`` maps the text in a row to
    {column: new value}."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = workbook[f"1.{NAME}"]
    for text, cells in edits.items():
        row = next(cells_row[0].row for cells_row in sheet.iter_rows() if any(cell.value == text for cell in cells_row))
        for column, value in cells.items():
            sheet[f"{column}{row}"] = value
    workbook.save(path)


@pytest.mark.django_db(transaction=True)
def test_a_unit_sees_old_and_new_values_in_the_preview_and_applies_them(page, live_server, demo, tmp_path):
    from projects.models import ProjectTable

    SHOTS.mkdir(parents=True, exist_ok=True)
    table = ProjectTable.objects.get(region__code="640221", name=NAME)
    log_in(page, live_server, "pl_unit")

    page.goto(f"{live_server.url}/import/")
    assert page.locator("#blank-templates a.template-link").count() == 4
    page.screenshot(path=str(SHOTS / "import-page-templates.png"), full_page=True)

    with page.expect_download() as download:
        page.evaluate(f"window.location.href = '{live_server.url}/tables/{table.pk}/export.xlsx?layout=pingluo'")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    changed_in_excel(
        path,
        {
            "年度资金总额：": {"D": 70},
            "其中：财政拨款": {"D": 70},
            "纪检监察工作满意度": {"E": "≥98%"},
            "平罗县纪委监委网数量": {"D": "平罗县纪委监委网站数量"},
        },
    )

    page.set_input_files("#id_file", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("#confirm-import")
    diff = page.locator(".import-diff")
    rows = [" | ".join(text.strip() for text in row.locator("td").all_inner_texts()) for row in diff.locator("tbody tr").all()]
    assert "年度资金总额（万元） | 66 | 70" in rows
    assert "其中：财政拨款（万元） | 66 | 70" in rows
    assert "三级指标“纪检监察工作满意度”（服务对象满意度指标）· 指标值 | ≥95% | ≥98%" in rows
    assert "三级指标“平罗县纪委监委网站数量”（数量指标）· 三级指标 | 平罗县纪委监委网数量 | 平罗县纪委监委网站数量" in rows
    assert len(rows) == 4
    # The old value is struck through and the new one stands out, as on the review page.
    old = diff.locator("td.old").first
    assert "line-through" in old.evaluate("cell => getComputedStyle(cell).textDecorationLine")
    diff.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "preview-old-new.png"), full_page=True)
    assert table.indicators.get(name="纪检监察工作满意度").value_text == "≥95%"  # nothing written before confirm

    page.click("#confirm-import")
    page.wait_for_selector("text=已导入")
    table.refresh_from_db()
    assert table.funds_total == Decimal("70") and table.funds_fiscal == Decimal("70")
    assert table.indicators.get(name="纪检监察工作满意度").value_text == "≥98%"
    assert table.indicators.filter(name="平罗县纪委监委网站数量").exists()

    # A blank template uploaded unchanged says that nothing was filled, and offers no confirm.
    page.goto(f"{live_server.url}/import/")
    with page.expect_download() as download:
        page.click("a.template-link[data-layout=pingluo]")
    blank = tmp_path / "blank.xlsx"
    download.value.save_as(blank)
    page.set_input_files("#id_file", str(blank))
    page.click("text=上传并预览")
    page.wait_for_selector(".import-table")
    assert "没有可导入的内容" in page.content() and page.locator("#confirm-import").count() == 0
    page.screenshot(path=str(SHOTS / "preview-blank-template.png"), full_page=True)
