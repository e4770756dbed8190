"""A worksheet as the reader sees it: the text of every cell, merged ranges resolved to their
top-left cell, formulas noted, and this app's hidden uid columns set aside."""

import json
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from projects.excel.text import cell_text
from projects.excel.writer import ROW_TAG, TABLE_TAG


def ref(row, col):
    return f"{get_column_letter(col)}{row}"


@dataclass
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


class SheetGrid:
    def __init__(self, sheet):
        self.title = sheet.title
        self.origin = {}  # (row, col) inside a merged range → its top-left
        self.bounds = {}  # top-left → (rows, span)
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row, merged.min_col
            self.bounds[(top, left)] = (merged.max_row - top + 1, merged.max_col - left + 1)
            for r in range(top, merged.max_row + 1):
                for c in range(left, merged.max_col + 1):
                    if (r, c) != (top, left):
                        self.origin[(r, c)] = (top, left)
        self.entries = {}
        self.hidden_table = {}  # row → (uid, data)
        self.hidden_rows = {}
        tags = {}
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or (isinstance(value, str) and value == ""):
                    continue
                if isinstance(value, str) and value.startswith((TABLE_TAG, ROW_TAG)):
                    tags[(cell.row, cell.column)] = value
                    continue
                rows, span = self.bounds.get((cell.row, cell.column), (1, 1))
                self.entries[(cell.row, cell.column)] = Entry(
                    cell.row, cell.column, cell_text(value, cell.number_format), value, cell.number_format,
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
