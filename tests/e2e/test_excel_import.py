import pytest

from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_unit_staff_download_a_table_change_it_and_import_it_back_through_the_preview(page, live_server, demo, tmp_path):
    import io

    from openpyxl import load_workbook

    from projects.models import ProjectTable

    log_in(page, live_server, "pl_unit")
    table = ProjectTable.objects.get(name="县委巡查专项经费")
    with page.expect_download() as download:
        page.evaluate(f"window.location.href = '{live_server.url}/tables/{table.pk}/export.xlsx?layout=pingluo'")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = workbook["1.县委巡查专项经费"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 4).value == "开展巡查")
    sheet.cell(row, 5).value = "3 轮次"
    workbook.save(path)

    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("#confirm-import")
    assert "确认后将新建 0 张、更新 1 张表" in page.content()
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    assert table.indicators.get(name="开展巡查").value_text == "2 轮次"
    page.click("#confirm-import")
    page.wait_for_selector("text=已导入")
    assert table.indicators.get(name="开展巡查").value_text == "3 轮次"
