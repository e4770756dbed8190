"""The one-pass cell reader (projects.excel.cells) reads every cell exactly as openpyxl does, on our
exports, on workbooks other programs write, and on the odd corners of the file format; it leaves
sheets with formulas to openpyxl and refuses XML entity tricks."""

import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from projects.excel import BadWorkbook, export_tables, read_file
from projects.excel.cells import NumberFormats, open_read_only, read_sheet
from projects.excel.grid import merged_ranges
from projects.models import DepartmentTarget, ProjectTable
from tests.projects.excel_helpers import workbook_bytes


def openpyxl_cells(sheet):
    return [
        (cell.row, cell.column, cell.value, cell.data_type, cell.number_format)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None and cell.value != ""
    ]


def assert_read_as_openpyxl_reads(content):
    """Every sheet of the workbook read both ways gives the same cells and merged ranges."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    formats = NumberFormats(workbook)
    read = {}
    for sheet in workbook.worksheets:
        cells, merges = read_sheet(workbook, sheet, formats)
        mine = [(cell.row, cell.column, cell.value, cell.data_type, cell.number_format) for cell in cells]
        assert mine == openpyxl_cells(sheet), sheet.title
        assert merges == merged_ranges(workbook, sheet), sheet.title
        read[sheet.title] = mine
    return read


def with_sheet_xml(content, change, keep_dimension=False):
    """The workbook with its first sheet's XML passed through ``change``, and without the sheet's
    <dimension>, which openpyxl's read-only sheets trust (see the stale dimension test)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                data = change(xml if keep_dimension else re.sub(r"<dimension [^>]*/>", "", xml)).encode()
            target.writestr(info, data)
    return buffer.getvalue()


def with_sheet_data(rows, prologue=""):
    """A one-sheet workbook whose sheet data is the XML ``rows``, written by hand as other programs
    write it, with ``prologue`` before the sheet's root element."""

    def change(xml):
        xml = xml.replace("<worksheet", prologue + "<worksheet", 1)
        return re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", xml, flags=re.S)

    return with_sheet_xml(workbook_bytes([["占位"]]), change)


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "flat", "department"])
def test_every_cell_of_the_seed_exports_reads_as_openpyxl_reads_it(seeded, layout):
    content = export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.all(), layout)
    read = assert_read_as_openpyxl_reads(content)
    # The exports hold the seeds' texts, amounts and the hidden uid columns: a real workload.
    texts = " ".join(str(value) for cells in read.values() for _, _, value, _, _ in cells)
    assert "整体绩效目标" in texts if layout == "department" else "项目名称" in texts
    assert "perfgoals-table:" in texts and sum(len(cells) for cells in read.values()) > 60


def test_values_of_every_kind_read_as_openpyxl_reads_them():
    """A workbook as Excel and WPS save it: shared strings, numbers, percents, dates, times,
    booleans, errors, rich text, line breaks, merged ranges."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "干部培训经费", 19.56, 66, 0.25, 1e-7, 12345678901234, -3.5])
    sheet.append([datetime.datetime(2023, 12, 31), datetime.date(2024, 1, 1), datetime.time(8, 30), True, False, "#N/A"])
    sheet.append(["两行\n文字", "  前后空格  ", "制表\t符", "回车\r\n换行", "", "≥90%", "<b>不是标签</b>"])
    sheet.append([CellRichText("产出", TextBlock(InlineFont(b=True), "指标"), "（必填）"), None, None, "=不是公式", "'01"])
    sheet["E1"].number_format = "0%"
    sheet["C1"].number_format = "#,##0.00"
    sheet["C2"].number_format = "hh:mm"
    sheet["F1"].number_format = "0.00E+00"
    sheet["D4"].data_type = "s"  # text that starts with "=", not a formula
    sheet.merge_cells("A5:C6")
    sheet["A5"] = "合并单元格"
    workbook.create_sheet("第二页").append([1, "二"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = assert_read_as_openpyxl_reads(buffer.getvalue())
    first = {(row, column): (value, kind) for row, column, value, kind, _ in read["Sheet"]}
    assert first[(1, 3)] == (19.56, "n") and first[(2, 1)] == (datetime.datetime(2023, 12, 31), "d")
    assert first[(4, 1)] == ("产出指标（必填）", "s") and first[(3, 4)] == ("回车\n换行", "s")
    assert first[(2, 4)] == (True, "b") and first[(2, 6)] == ("#N/A", "e")


def test_inline_strings_with_runs_and_phonetic_guides_read_as_openpyxl_reads_them():
    row = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>纯文本</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><rPr><b/></rPr><t>粗体</t></r><r><t xml:space="preserve"> 与 </t></r>'
        '<r><t>正常</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh><phoneticPr fontId="1"/></is></c>'
        '<c r="C1" t="inlineStr"><is><t>先</t><r><t>后</t></r></is></c>'
        '<c r="D1" t="inlineStr"/><c r="E1" t="inlineStr"><is><t></t></is></c>'
        '<c r="F1" t="str"><v>公式结果</v></c><c r="G1" t="d"><v>2024-03-01T00:00:00</v></c>'
        '<c r="H1" t="e"><v>#DIV/0!</v></c><c r="I1"><v></v></c><c r="J1"><v>1.5E3</v></c></row>'
    )
    read = assert_read_as_openpyxl_reads(with_sheet_data(row))
    values = {column: value for _, column, value, _, _ in read["Sheet1"]}
    assert values[2] == "粗体 与 正常" and values[3] == "先后" and values[7] == datetime.datetime(2024, 3, 1)
    assert 4 not in values and 5 not in values and 9 not in values and values[10] == 1500.0


def test_cells_and_rows_without_positions_are_placed_as_openpyxl_places_them():
    rows = (
        '<row><c t="inlineStr"><is><t>第一行</t></is></c><c><v>2</v></c></row>'
        '<row r="4"><c r="C4"><v>3</v></c><c><v>4</v></c></row>'
        '<row r="5.0"><c t="inlineStr"><is><t>五</t></is></c></row>'
    )
    read = assert_read_as_openpyxl_reads(with_sheet_data(rows))
    assert [(row, column) for row, column, *_ in read["Sheet1"]] == [(1, 1), (1, 2), (4, 3), (4, 4), (5, 1)]


def test_a_sheet_with_formulas_is_left_to_openpyxl_and_still_reported_cell_by_cell(reference_data):
    content = workbook_bytes([["项目名称", "培训"], ["年度资金总额", "=1+2"], ["一级指标", "二级指标", "三级指标", "指标值"]])
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert read_sheet(workbook, workbook.worksheets[0]) is None
    plan = read_file(content, year=2024)
    assert any(problem.cell == "B2" and "公式" in problem.message for problem in plan.problems_of(plan.tables[0]))


def test_a_sheet_declaring_entities_is_refused_as_damaged(reference_data):
    """The billion-laughs bomb: defusedxml refuses it in openpyxl's parts, this reader in sheets."""
    bomb = '<!DOCTYPE worksheet [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    content = with_sheet_data('<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>', prologue=bomb)
    with pytest.raises(BadWorkbook, match="已损坏"):
        read_file(content)


@pytest.mark.parametrize("formula", [False, True])
def test_rows_beyond_a_stale_dimension_are_read(reference_data, formula):
    """Programs that edit a sheet without updating its <dimension> (the size it claims) must not lose
    the rows past it, as openpyxl's read-only sheets would, with or without formulas in the sheet."""
    rows = [
        ["项目名称", "培训"], ["年度资金总额", "=1+2" if formula else "10"], ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人数", "100 人"], ["产出指标", "质量指标", "合格率", "≥95%"],
    ]

    def stale(xml):
        return re.sub(r"<dimension [^>]*/>", '<dimension ref="A1:B2"/>', xml)

    content = with_sheet_xml(workbook_bytes(rows), stale, keep_dimension=True)
    assert len(openpyxl_cells(load_workbook(io.BytesIO(content), read_only=True).worksheets[0])) == 4
    plan = read_file(content, year=2024)
    (table,) = plan.tables
    assert [row["name"] for row in table.data["indicators"]] == ["培训人数", "合格率"]


def test_the_workbook_opens_with_the_sheets_openpyxl_finds_in_their_order_and_states():
    workbook = Workbook()
    workbook.active.title = "封面"
    workbook.create_sheet("隐藏").sheet_state = "hidden"
    workbook.create_sheet("深度隐藏").sheet_state = "veryHidden"
    workbook.create_sheet("项目表")["A1"] = "项目名称"
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    opened = open_read_only(content)
    expected = load_workbook(io.BytesIO(content), read_only=True)
    assert [(sheet.title, sheet.sheet_state) for sheet in opened.worksheets] == [
        (sheet.title, sheet.sheet_state) for sheet in expected.worksheets
    ] == [("封面", "visible"), ("隐藏", "hidden"), ("深度隐藏", "veryHidden"), ("项目表", "visible")]
    assert [cell.value for row in opened["项目表"].iter_rows() for cell in row] == ["项目名称"]
