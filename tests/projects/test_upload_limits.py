"""What a small hostile workbook may make the server do (issue 22 finding 2): refused before any grid
is built, with a message naming the sheet and the limit, and work bounded by the cells a sheet holds,
not by how far away they lie."""

import io
import os
import re
import zipfile

import pytest

from projects.excel import read_file
from projects.excel.grid import SheetGrid
from projects.excel.safety import BadWorkbook
from projects.models import ProjectTable
from tests.projects.excel_helpers import workbook_bytes
from tests.projects.test_excel_bad_files import a_good_workbook, refused, unit  # noqa: F401 (fixture)


def rewritten(content, change):
    """``content`` with the XML of every worksheet passed through ``change(xml, index)``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = change(re.sub(r"<dimension [^>]*/>", "", data.decode())).encode()
            target.writestr(info, data)
    return buffer.getvalue()


def merged(xml, ranges):
    cells = "".join(f'<mergeCell ref="{r}"/>' for r in ranges)
    return xml.replace("</sheetData>", f'</sheetData><mergeCells count="{len(ranges)}">{cells}</mergeCells>', 1)


def test_a_merge_over_the_whole_sheet_is_refused_naming_the_sheet_before_any_grid_is_built(unit):
    content = rewritten(a_good_workbook(), lambda xml: merged(xml, ["A1:XFD1048576"]))
    assert len(content) < 10_000
    refused(content, "工作表“Sheet1”的合并单元格（如 A1:XFD1048576）共覆盖超过")


def test_too_many_merged_ranges_are_refused(unit, settings):
    settings.PERFGOALS_EXCEL_MAX_MERGES = 10
    content = rewritten(a_good_workbook(), lambda xml: merged(xml, [f"H{r}:I{r}" for r in range(1, 12)]))
    refused(content, "工作表“Sheet1”的合并单元格区域超过上限 10 个")


def test_ordinary_merges_are_read_as_before(unit):
    content = workbook_bytes(
        [["项目名称", "干部培训经费", None], ["预算年度", 2024, None], ["实施单位", "平罗县财政局本级", None],
         ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "100 人"],
         [None, None, "培训期数", "4 期"]],
        merges=["A5:A6", "B5:B6"],
    )
    plan = read_file(content)
    (table,) = plan.tables
    assert [(row["level2"], row["name"]) for row in table.data["indicators"]] == [("数量指标", "培训人数"), ("数量指标", "培训期数")]


def far_cell(xml):
    """One more cell, a million rows down."""
    return xml.replace("</sheetData>", '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>脚注</t></is></c></row></sheetData>', 1)


def test_a_cell_a_million_rows_down_costs_no_walk_over_the_rows_between(unit, monkeypatch):
    """The reader walks the rows that hold something: counted here, two rows near the top and one far
    down make three rows read, not a million."""
    content = rewritten(a_good_workbook(), far_cell)
    walked = []
    rows_between = SheetGrid.rows_between

    def counting(self, first, last):
        found = rows_between(self, first, last)
        walked.append(len(found))
        return found

    monkeypatch.setattr(SheetGrid, "rows_between", counting)
    plan = read_file(content)
    assert plan.tables and plan.tables[0].data["name"] == "干部培训经费"
    assert walked and max(walked) <= 6


def test_too_many_cells_in_a_sheet_are_refused(unit, settings):
    settings.PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET = 8
    refused(a_good_workbook(), "工作表“Sheet1”有超过 8 个非空单元格")


def test_too_many_cells_in_a_file_are_refused(unit, settings):
    settings.PERFGOALS_EXCEL_MAX_CELLS_PER_FILE = 5
    refused(a_good_workbook(), "工作簿的非空单元格超过 5 个")


def test_a_file_padded_with_random_bytes_gets_no_more_room_to_expand_than_the_absolute_cap(unit, settings):
    """A 10 MB file padded with random bytes was allowed 100× its size (1 GB) when expanded."""
    settings.PERFGOALS_MAX_EXPANDED_BYTES = 20 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/padding.bin", os.urandom(1024 * 1024), compress_type=zipfile.ZIP_STORED)
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 2 * 1024 * 1024  # 100× would allow 100 MB
    refused(buffer.getvalue(), "压缩炸弹")
    assert ProjectTable.objects.count() == 0


def test_reading_a_sheet_stops_at_the_cell_limit_instead_of_parsing_the_rest(unit, settings, monkeypatch):
    """Refused, and the cells made before refusing are the limit's worth, not the sheet's 4,000."""
    from projects.excel import cells

    settings.PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET = 50
    made, cell = [], cells.Cell
    monkeypatch.setattr(cells, "Cell", lambda *args: made.append(args) or cell(*args))
    content = workbook_bytes([["项目名称", "干部培训经费"]] + [[f"行{row}", "甲", "乙", "丙"] for row in range(1000)])
    refused(content, "工作表“Sheet1”有超过 50 个非空单元格")
    assert len(made) == 51


def test_reading_a_sheet_stops_at_the_merge_limit_instead_of_collecting_every_range(unit, settings, monkeypatch):
    from projects.excel import cells

    settings.PERFGOALS_EXCEL_MAX_MERGES = 10
    seen = []
    boundaries = cells.range_boundaries
    monkeypatch.setattr(cells, "range_boundaries", lambda text: seen.append(text) or boundaries(text))
    content = rewritten(a_good_workbook(), lambda xml: merged(xml, [f"H{r}:I{r}" for r in range(1, 2001)]))
    refused(content, "工作表“Sheet1”的合并单元格区域超过上限 10 个")
    assert len(seen) == 11


class RowFilling(Exception):
    pass


@pytest.fixture
def no_row_filling(monkeypatch):
    """openpyxl's iter_rows makes an empty row for every missing row number and an empty cell for
    every missing column up to the farthest: a cell in column XFD on each of a sheet's rows made
    16,384 cells a row. Reading must never go through it."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    def refuse(*args, **kwargs):
        raise RowFilling

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", refuse)


def far_columns(xml, rows=range(10, 60)):
    """A cell in the last column on each of ``rows``."""
    far = "".join(f'<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>注</t></is></c></row>' for r in rows)
    return xml.replace("</sheetData>", far + "</sheetData>", 1)


def test_a_sheet_with_formulas_is_read_by_the_cells_it_holds(unit, no_row_filling):
    content = rewritten(workbook_bytes([["项目名称", "干部培训经费"], ["预算年度", "=2023+1"]]), far_columns)
    plan = read_file(content)
    assert [(problem.sheet, problem.cell) for problem in plan.problems][:1] == [("Sheet1", "B2")]  # the formula, named


def test_the_marker_sheet_of_our_exports_is_read_by_the_cells_it_holds(unit, no_row_filling):
    from openpyxl import load_workbook

    from projects.excel.writer import MARKER, MARKER_SHEET

    workbook = load_workbook(io.BytesIO(a_good_workbook()))
    workbook.create_sheet(MARKER_SHEET)["A1"] = MARKER
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = rewritten(buffer.getvalue(), far_columns)
    plan = read_file(content)
    assert [table.data["name"] for table in plan.tables] == ["干部培训经费"]
