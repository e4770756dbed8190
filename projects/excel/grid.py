"""A worksheet as the reader sees it: the text of every cell, merged ranges resolved to their
top-left cell, formulas noted, and this app's hidden uid columns set aside."""

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from django.conf import settings
from openpyxl.utils import get_column_letter, range_boundaries

from projects.excel.safety import BadWorkbook
from projects.excel.text import cell_text
from projects.excel.writer import ROW_TAG, TABLE_TAG


def ref(row, col):
    return f"{get_column_letter(col)}{row}"


@dataclass(slots=True)
class Entry:
    """One visible cell (the top-left of a merged range) with its text."""

    row: int
    col: int
    text: str
    value: object
    number_format: str
    span: int = 1
    rows: int = 1
    formula: bool = False

    @property
    def ref(self):
        return ref(self.row, self.col)


_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def merged_ranges(workbook, sheet):
    """(min_col, min_row, max_col, max_row) of every merged range of a sheet. Workbooks are opened
    read-only (several times faster: openpyxl's full mode restyles every merged cell on load), and
    read-only sheets do not expose merges, so they are read from the sheet's XML part. It reads
    openpyxl's private workbook._archive and sheet._worksheet_path (openpyxl 3.1; fenced in
    tests/test_library_fences.py)."""
    if hasattr(sheet, "merged_cells"):
        return [(m.min_col, m.min_row, m.max_col, m.max_row) for m in sheet.merged_cells.ranges]
    part = workbook._archive.read(sheet._worksheet_path)
    return [range_boundaries(found.decode("ascii")) for found in _MERGE_CELL.findall(part)]


def too_many_merges(title):
    limit = settings.PERFGOALS_EXCEL_MAX_MERGES
    return BadWorkbook(f"工作表“{title}”的合并单元格区域超过上限 {limit:,} 个，未导入。请减少合并单元格或拆分为几个文件导入。")


def too_many_cells(title):
    most = settings.PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET
    return BadWorkbook(f"工作表“{title}”有超过 {most:,} 个非空单元格，超过上限，未导入。请拆分为几个文件导入。")


def check_merges(title, merges):
    """Refuse, before any grid is built, a sheet whose merged ranges are too many or cover too many
    cells: a 5 KB sheet merging A1:XFD1048576 would otherwise make the grid note 17 billion cells."""
    if len(merges) > settings.PERFGOALS_EXCEL_MAX_MERGES:
        raise too_many_merges(title)
    covered, limit = 0, settings.PERFGOALS_EXCEL_MAX_MERGED_CELLS
    for left, top, right, bottom in merges:
        covered += (bottom - top + 1) * (right - left + 1)
        if covered > limit:
            area = f"{ref(top, left)}:{ref(bottom, right)}"
            raise BadWorkbook(
                f"工作表“{title}”的合并单元格（如 {area}）共覆盖超过 {limit:,} 个单元格，远超正常表格，未导入。"
                "请在 Excel 中取消整行、整列或整表的合并后再导入。"
            )


class SheetGrid:
    def __init__(self, title, cells, merges=()):
        """The grid of a sheet named ``title`` from its ``cells`` (objects with row, column, value,
        data_type and number_format, such as openpyxl's read-only cells; empty ones are skipped) and
        its ``merges`` (see merged_ranges). Refuses (BadWorkbook) a sheet past the limits of settings:
        the work of reading it is then bounded by the cells it holds, not by how far they lie."""
        self.title = title
        check_merges(title, merges)
        self.origin = {}  # (row, col) inside a merged range → its top-left
        self.bounds = {}  # top-left → (rows, span)
        for left, top, right, bottom in merges:
            self.bounds[(top, left)] = (bottom - top + 1, right - left + 1)
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    if (r, c) != (top, left):
                        self.origin[(r, c)] = (top, left)
        self.entries = {}
        self.hidden_table = {}  # row → (uid, data)
        self.hidden_rows = {}
        tags = {}
        entries, origin, bounds, tag_prefixes = self.entries, self.origin, self.bounds, (TABLE_TAG, ROW_TAG)
        most = settings.PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET
        for count, cell in enumerate(cells, 1):
            if count > most:
                raise too_many_cells(title)
            value = cell.value
            if value is None or value == "":
                continue
            position = (cell.row, cell.column)
            if isinstance(value, str) and value.startswith(tag_prefixes):
                tags[position] = value
                continue
            if position in origin:
                continue  # a value left under a merged range is not shown, so it is not read
            rows, span = bounds.get(position, (1, 1))
            number_format = cell.number_format
            entries[position] = Entry(
                position[0], position[1], cell_text(value, number_format), value, number_format,
                span, rows, formula=cell.data_type == "f",
            )
        for (row, col), tag in tags.items():
            data_entry = self.entries.pop((row, col + 1), None)
            data = {}
            if data_entry is not None:
                try:
                    data = json.loads(data_entry.text)
                except ValueError:
                    data = {}
            target = self.hidden_table if tag.startswith(TABLE_TAG) else self.hidden_rows
            prefix = TABLE_TAG if tag.startswith(TABLE_TAG) else ROW_TAG
            target[row] = (tag[len(prefix):], data if isinstance(data, dict) else {})
        self.index_rows()

    def index_rows(self):
        """Rows that hold entries, in order: readers walk these, never every row number up to the last."""
        self.max_row = max((r for r, _ in self.entries), default=0)
        self.by_row = {}
        for (r, _), entry in sorted(self.entries.items()):
            self.by_row.setdefault(r, []).append(entry)
        self.rows = sorted(self.by_row)
        self.touched = sorted({*self.by_row, *(r for r, _ in self.origin)})

    def rows_touched(self, first, last):
        """The rows from ``first`` to ``last`` that hold an entry or lie under a merged range."""
        return self.touched[bisect_left(self.touched, first) : bisect_right(self.touched, last)]

    @property
    def cell_count(self):
        return len(self.entries)

    def rows_between(self, first, last):
        """The rows from ``first`` to ``last`` (inclusive) that hold anything, in order."""
        return self.rows[bisect_left(self.rows, first) : bisect_right(self.rows, last)]

    def row_entries(self, row):
        return self.by_row.get(row, [])

    def at(self, row, col):
        """The entry that shows at (row, col): itself, or the top-left of the merged range it is in."""
        return self.entries.get(self.origin.get((row, col), (row, col)))
