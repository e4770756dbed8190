"""A worksheet as the reader sees it: the text of every cell, merged ranges resolved to their
top-left cell, formulas noted, and this app's hidden uid columns set aside."""

import json
import re
from dataclasses import dataclass

from openpyxl.utils import get_column_letter, range_boundaries

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
    read-only sheets do not expose merges, so they are read from the sheet's XML part."""
    if hasattr(sheet, "merged_cells"):
        return [(m.min_col, m.min_row, m.max_col, m.max_row) for m in sheet.merged_cells.ranges]
    part = workbook._archive.read(sheet._worksheet_path)
    return [range_boundaries(found.decode("ascii")) for found in _MERGE_CELL.findall(part)]


class SheetGrid:
    def __init__(self, title, cells, merges=()):
        """The grid of a sheet named ``title`` from its ``cells`` (objects with row, column, value,
        data_type and number_format, such as openpyxl's read-only cells; empty ones are skipped) and
        its ``merges`` (see merged_ranges)."""
        self.title = title
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
        for cell in cells:
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
        self.max_row = max((r for r, _ in self.entries), default=0)
        self.by_row = {}
        for (r, _), entry in sorted(self.entries.items()):
            self.by_row.setdefault(r, []).append(entry)

    def row_entries(self, row):
        return self.by_row.get(row, [])

    def at(self, row, col):
        """The entry that shows at (row, col): itself, or the top-left of the merged range it is in."""
        return self.entries.get(self.origin.get((row, col), (row, col)))

    def covered_by(self, row, col):
        """True when (row, col) is inside a merged range that starts elsewhere."""
        return (row, col) in self.origin
