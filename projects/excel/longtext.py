"""Texts longer than an Excel cell holds, kept whole in the workbooks this app writes.

Excel keeps at most 32,767 characters in a cell, and openpyxl cuts anything longer without a word.
Two things of ours can be longer: a printed text (a 资金用途 or a goal of 35,000 characters) and the
JSON of a row's hidden data (which carries every field a layout does not print). Both are written in
pieces of at most PIECE characters to a very hidden sheet, DATA_SHEET, one piece a row (key, number,
text):

- a printed text shows its start followed by a note that says it continues in the hidden data and
  names its key; the reader puts the whole text back in the cell before reading it, as long as the
  start shown is still the start of the stored text (an edited start is refused, not half read);
- a row's hidden data, when too long for its cell, is replaced there by a small reference
  ``{"_pieces": {"key": …, "count": …, "length": …}}``, which the reader follows.

Anything missing, cut or changed (a piece deleted, a cell at the limit, hidden data that no longer
parses) is reported as a problem naming the sheet and the cell, so the table is refused instead of
being read as empty.
"""

import json
import re

from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter

from perfgoals.xlsx import CELL_LIMIT, cut_to_fit, excel_length, fits_in_cell, put
from projects.excel.text import cell_text

DATA_SHEET = "_perfgoals_data"
# Characters of one piece: even if every one is outside the BMP (two units in Excel), well under the limit.
PIECE = 16000
PIECES = "_pieces"
# Hidden data repeated on many rows is kept once, in pieces, from this many characters on.
SHARED_PART = 2000
# Texts that start a cell the grid sets aside as a hidden tag (writer.TABLE_TAG, writer.ROW_TAG): a
# piece never starts with them.
_TAG_START = "perfgoals-"
_NOTE = re.compile(
    r"……〔本格只显示前 (\d+) 字；全文 (\d+) 字超出 Excel 单元格 \d+ 字的上限，完整保存在本文件的隐藏数据中"
    r"（编号 (t\d+)）[^〔〕]*〕$"
)
_NOTE_START = "〔本格只显示前 "


def note(key, shown, total):
    return (
        f"……〔本格只显示前 {shown} 字；全文 {total} 字超出 Excel 单元格 {CELL_LIMIT} 字的上限，完整保存在本文件的"
        f"隐藏数据中（编号 {key}），原样导入不会丢失；如需修改，请在系统中修改〕"
    )


def split(text):
    """``text`` in pieces of at most PIECE characters, none starting like a hidden tag."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + PIECE, len(text))
        while end < len(text) and end > start + 1 and text.startswith(_TAG_START, end):
            end -= 1
        pieces.append(text[start:end])
        start = end
    return pieces


class LongTexts:
    """The writer's side: collects the pieces of every long text of a workbook, then writes them."""

    def __init__(self):
        self.rows = []
        self.count = 0

    def store(self, text):
        """Keep ``text`` in pieces; its key."""
        self.count += 1
        key = f"t{self.count}"
        self.rows.extend((key, number, piece) for number, piece in enumerate(split(text), 1))
        return key

    def shown(self, text):
        """What a printed cell holds: ``text`` itself when it fits, else its start and a note."""
        if fits_in_cell(text):
            return text
        key = self.store(text)
        probe = note(key, len(text), len(text))
        shown = cut_to_fit(text, probe)[: -len(probe)]
        return shown + note(key, len(shown), len(text))

    def reference(self, text):
        """Keep the JSON ``text`` in pieces; what stands for it in hidden data."""
        return {PIECES: {"key": self.store(text), "count": len(split(text)), "length": len(text)}}

    def hidden(self, data):
        """The text of a hidden data cell: ``data`` as JSON, or a reference to its pieces."""
        text = json.dumps(data, ensure_ascii=False)
        return text if fits_in_cell(text) else json.dumps(self.reference(text))

    def part(self, data):
        """``data`` to be repeated in the hidden data of many rows (a flat list's table fields on each
        of its rows): itself when short, else a reference to it, kept once."""
        text = json.dumps(data, ensure_ascii=False)
        return data if len(text) <= SHARED_PART else self.reference(text)

    def write(self, workbook):
        """The very hidden sheet of pieces, when there are any (call once, after every other sheet)."""
        if not self.rows:
            return
        sheet = workbook.create_sheet(DATA_SHEET)
        sheet.sheet_state = "veryHidden"
        for number, values in enumerate(self.rows, 1):
            sheet.append([put(Cell(sheet, row=number, column=column), value) for column, value in enumerate(values, 1)])


class StoredTexts:
    """The reader's side: the pieces of a workbook's DATA_SHEET (a SheetGrid of it, or None), and the
    checks that put long texts back into the grid of a sheet and report whatever is cut or missing."""

    def __init__(self, grid=None):
        self.pieces = {}  # key → {number: text}
        if grid is None:
            return
        for row in grid.rows:
            key, number, text = (grid.entries.get((row, col)) for col in (1, 2, 3))
            if key is None or number is None:
                continue
            try:
                index = int(number.value)
            except (TypeError, ValueError):
                continue
            self.pieces.setdefault(key.text, {})[index] = text.value if text is not None and isinstance(text.value, str) else ""

    def text(self, key, count=None, length=None):
        """The text kept under ``key``, or None when a piece is missing or the length is wrong."""
        found = self.pieces.get(key)
        if not found:
            return None
        count = count if count is not None else max(found)
        if sorted(found) != list(range(1, count + 1)):
            return None
        text = "".join(found[number] for number in range(1, count + 1))
        if length is not None and len(text) != length:
            return None
        return text

    def restore(self, grid, exact, data_column=None):
        """Put the long texts of ``grid`` back and decode its hidden data (in place); the problems
        found, as {row: [(cell, message)]}. ``exact``: the sheet is one of ours; ``data_column``: its
        hidden data column (to name the cell)."""
        problems = {}

        def problem(row, cell, message):
            problems.setdefault(row, []).append((cell, message))

        for entry in grid.entries.values():
            if not isinstance(entry.value, str) or (_NOTE_START not in entry.value and len(entry.value) < CELL_LIMIT // 2):
                continue
            match = _NOTE.search(entry.value)
            if match:
                shown = entry.value[: match.start()]
                whole = self.text(match.group(3)) if exact else None
                if (
                    whole is not None and len(shown) == int(match.group(1)) and len(whole) == int(match.group(2))
                    and whole.startswith(shown)
                ):
                    entry.value, entry.text = whole, cell_text(whole)
                    continue
                problem(entry.row, entry.ref, (
                    f"这一格的原文有 {match.group(2)} 字，超出 Excel 单元格 {CELL_LIMIT} 字的上限，表中只显示了前 "
                    f"{match.group(1)} 字，而显示的部分已被改动或本文件的隐藏数据已缺失，无法读出全文。请在系统中修改这一项，"
                    f"或把这一格缩短到 {CELL_LIMIT} 字以内并删去末尾的说明后再导入。"
                ))
            elif excel_length(entry.value) >= CELL_LIMIT:
                problem(entry.row, entry.ref, (
                    f"这一格有 {excel_length(entry.value)} 字，达到 Excel 单元格 {CELL_LIMIT} 字的上限，内容很可能已被截断。"
                    f"请核对原文，缩短到 {CELL_LIMIT} 字以内后再导入。"
                ))
        if not exact:
            return problems  # another system's hidden columns are not read at all
        for hidden in (grid.hidden_table, grid.hidden_rows):
            for row, (uid, data) in list(hidden.items()):
                decoded = self.decode(data)
                if decoded is None:
                    cell = f"{get_column_letter(data_column)}{row}" if data_column else f"第 {row} 行"
                    problem(row, cell, (
                        "本行的隐藏数据（本系统导出时保存的、表中未打印的内容）缺失、不完整或已损坏（可能被 Excel 截断），"
                        "按它读取会丢失内容，本表未导入。请重新从系统导出后再修改导入。"
                    ))
                    decoded = {}
                hidden[row] = (uid, decoded)
        return problems

    def decode(self, data):
        """Hidden data as the grid read it (a dict; empty when its cell was missing or did not parse),
        with references to pieces followed, its own or a part's (LongTexts.part); None when it is
        missing, cut or incomplete."""
        data = self.follow(data)
        if not data:
            return None
        for name, value in data.items():
            if isinstance(value, dict) and PIECES in value:
                data[name] = self.follow(value)
                if data[name] is None:
                    return None
        return data

    def follow(self, data):
        reference = data.get(PIECES) if isinstance(data, dict) and len(data) == 1 else None
        if not isinstance(reference, dict):
            return data
        key, count, length = (reference.get(name) for name in ("key", "count", "length"))
        if not (isinstance(key, str) and isinstance(count, int) and isinstance(length, int)):
            return None
        text = self.text(key, count, length)
        try:
            decoded = json.loads(text) if text is not None else None
        except ValueError:
            return None
        return decoded if isinstance(decoded, dict) else None
