"""One printed sheet of a write-only workbook: the cell styles of the layouts, row heights that fit
wrapped text, merged ranges with their borders, A4 print setup, and the hidden columns that carry
uids and unprinted fields. Cells are collected, then streamed out in row order and let go.
"""

import functools
import json
import math

from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from perfgoals.xlsx import display_width, put

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY_FONT = Font(name="宋体", size=10.5)
LABEL_FONT = Font(name="宋体", size=10.5)
HEADER_FONT = Font(name="宋体", size=10.5, bold=True)
TITLE_FONT = Font(name="黑体", size=16, bold=True)
SUBTITLE_FONT = Font(name="宋体", size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)
STYLES = {
    "label": (LABEL_FONT, CENTER, True),
    "header": (HEADER_FONT, CENTER, True),
    "value": (BODY_FONT, LEFT, True),
    "money": (BODY_FONT, RIGHT, True),
    "plain": (BODY_FONT, LEFT, True),
    "center": (BODY_FONT, CENTER, True),
    "title": (TITLE_FONT, CENTER, False),
    "subtitle": (SUBTITLE_FONT, CENTER, False),
    "plain_right": (SUBTITLE_FONT, RIGHT, False),
    "plain_left": (SUBTITLE_FONT, LEFT, False),
}
# Styles whose cells do not grow their row to fit the text.
_UNSIZED = frozenset({"title", "subtitle", "plain_right", "plain_left"})
LINE_HEIGHT = 14.0
MIN_ROW_HEIGHT = 20.0


@functools.lru_cache(maxsize=8192)  # labels, headers and common values recur on every sheet
def lines_needed(text, width):
    """Printed lines of a wrapped cell: a CJK character is two width units of a 10.5 pt 宋体 cell."""
    usable = max(width * 1.15 - 1, 2)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).split("\n"))


class CellStyles:
    """The style of each kind of cell, registered with the workbook once. Cells take a copy of it
    (openpyxl's own way of copying a cell's style): assigning the shared Font, Alignment and Border
    objects cell by cell would have openpyxl hash and compare each of them again for every cell.
    The copy is openpyxl's private Cell._style passed back as style_array (openpyxl 3.1; fenced in
    tests/test_library_fences.py)."""

    def __init__(self):
        self.arrays = {}

    def of(self, sheet, style, number_format=None, border_only=False):
        """The style array of a cell in ``style``; ``border_only`` for the cells a merged range covers."""
        key = (style, number_format, border_only)
        found = self.arrays.get(key)
        if found is None:
            font, alignment, bordered = STYLES[style]
            scratch = Cell(sheet)
            if not border_only:
                scratch.font = font
                scratch.alignment = alignment
                if number_format:
                    scratch.number_format = number_format
            if bordered:
                scratch.border = BORDER
            found = self.arrays[key] = scratch._style
        return found


class SheetWriter:
    """Collects the cells of one write-only worksheet with their row heights and merged ranges, and
    streams finished rows out in order; ``finish`` writes the rest and the print setup, and closes it."""

    def __init__(self, sheet, widths, styles, title_rows=0, landscape=False, freeze=True):
        self.sheet = sheet
        self.styles = styles
        self.widths = widths
        self.title_rows = title_rows
        self.landscape = landscape
        self.row = 1
        self.heights = {}
        self.pending = {}  # row → {column: Cell}, the rows not streamed out yet
        self.streamed = 0
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        self.hidden_uid = len(widths) + 1
        self.hidden_data = len(widths) + 2
        for column in (self.hidden_uid, self.hidden_data):
            sheet.column_dimensions[get_column_letter(column)].hidden = True
            sheet.column_dimensions[get_column_letter(column)].width = 12
        # What openpyxl writes ahead of the rows is set before the first row goes out.
        if title_rows and freeze:
            sheet.freeze_panes = f"A{title_rows + 1}"
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.sheet_view.showGridLines = False

    def cell(self, row, col, value=None, style=None):
        cell = put(Cell(self.sheet, row=row, column=col, style_array=style), value)  # text stays text, never a formula
        self.pending.setdefault(row, {})[col] = cell
        return cell

    def put(self, row, col, value, style="value", span=1, rows=1, number_format=None):
        styles, sheet = self.styles, self.sheet
        cell = self.cell(row, col, value, styles.of(sheet, style, number_format))
        if span > 1 or rows > 1:
            sheet.merged_cells.add(CellRange(min_col=col, min_row=row, max_col=col + span - 1, max_row=row + rows - 1))
            if STYLES[style][2]:
                border = styles.of(sheet, style, None, border_only=True)
                for r in range(row, row + rows):
                    for c in range(col, col + span):
                        if (r, c) != (row, col):
                            self.cell(r, c, style=border)
        if value is not None and value != "" and style not in _UNSIZED:
            width = sum(self.widths[col - 1 : col - 1 + span])
            needed = lines_needed(value if isinstance(value, str) else str(value), width) * LINE_HEIGHT + 6
            per_row = needed / rows
            for r in range(row, row + rows):
                self.heights[r] = max(self.heights.get(r, MIN_ROW_HEIGHT), per_row)
        return cell

    def hide(self, row, uid, data=None):
        """Hidden cells of a row: its uid and, as JSON, what the layout does not print."""
        if uid:
            self.cell(row, self.hidden_uid, uid)
        if data:
            self.cell(row, self.hidden_data, json.dumps(data, ensure_ascii=False))

    def height(self, row, value):
        self.heights[row] = value

    def stream(self, last):
        """Write out the rows up to ``last``; no cell may be put on them afterwards."""
        sheet, pending, heights = self.sheet, self.pending, self.heights
        for row in range(self.streamed + 1, last + 1):
            if row in heights:
                sheet.row_dimensions[row].height = round(heights.pop(row), 1)
            cells = pending.pop(row, None)
            line = []
            if cells:
                line = [None] * max(cells)
                for col, cell in cells.items():
                    line[col - 1] = cell
            sheet.append(line)
            sheet.row_dimensions.pop(row, None)  # written with the row, not needed again
        self.streamed = max(self.streamed, last)

    def finish(self):
        last = self.row - 1
        self.stream(max(last, max(self.pending, default=0), max(self.heights, default=0)))
        sheet = self.sheet
        sheet.print_area = f"A1:{get_column_letter(len(self.widths))}{max(last, 1)}"
        if self.title_rows:
            sheet.print_title_rows = f"1:{self.title_rows}"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if self.landscape else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        sheet.close()
