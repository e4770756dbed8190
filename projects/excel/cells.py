"""A worksheet's cells and merged ranges read straight from its XML part in one pass.

openpyxl's read-only worksheet builds an element tree node, a dict and a cell object for every cell
and turns each inline string into a Text object through its descriptors: on an export of 1,000
tables (142,000 cells) that is 1.75 s of the import's 2.6 s of reading, more than everything
perfgoals then does with the cells. Here expat (the parser under openpyxl's own, and under
defusedxml's) calls back with each cell's attributes and text, and the values are made exactly as
openpyxl makes them in read-only mode with ``data_only=False`` and ``rich_text=False``: numbers,
dates under date formats, shared and inline strings (their runs joined, phonetic guides left out),
booleans, errors. The tests compare both readers on the seeds, exports and odd files.

A sheet with formulas is left to openpyxl (``None`` here), which translates shared formulas; the
product never writes formulas and units' files seldom have them. As defusedxml does for openpyxl,
entity declarations and external entities are refused.

open_read_only opens the workbook as openpyxl's load_workbook(read_only=True) does, but without
sizing each sheet on opening: openpyxl looks for a sheet's <dimension> by parsing the sheet until it
finds one, which for files without it (openpyxl's own write-only files, such as our exports) means
parsing every sheet in full: 0.9 s of opening an export of 1,000 tables, for a size that neither
reader here uses (both read every row, whatever the <dimension> says).

Fenced to openpyxl 3.1 (written against 3.1.5; pyproject.toml keeps it below 4). The reader mirrors
openpyxl's WorkSheetParser.parse_cell and parse_row, _cast_number and Text.content; NumberFormats
mirrors ReadOnlyCell.number_format; _ReadOnlyReader copies ExcelReader.read_worksheets and
_UnsizedWorksheet overrides ReadOnlyWorksheet._get_size; parsed_cells calls WorkSheetParser itself
as ReadOnlyWorksheet._cells_by_row does, with its arguments. It reads the private workbook attributes
_archive, _cell_styles, _number_formats, _date_formats, _timedelta_formats and _sheets, and the
sheet's _shared_strings and _worksheet_path. tests/test_library_fences.py holds digests of the
copied openpyxl code and fails when it or these attributes change.
"""

import io

from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

_NS = SHEET_MAIN_NS + "}"
_ROW, _CELL, _VALUE, _FORMULA = _NS + "row", _NS + "c", _NS + "v", _NS + "f"
_INLINE, _TEXT, _RUN, _PHONETIC, _MERGE = _NS + "is", _NS + "t", _NS + "r", _NS + "rPh", _NS + "mergeCell"


def open_read_only(data):
    """The workbook in ``data`` (xlsx bytes) opened read-only, formulas as written (data_only=False),
    its sheets unsized: iterating one with openpyxl reads all its rows."""
    reader = _ReadOnlyReader(io.BytesIO(data), read_only=True, data_only=False)
    reader.read()
    return reader.wb


class _UnsizedWorksheet(ReadOnlyWorksheet):
    def _get_size(self):
        pass  # dimensions stay unknown, as after reset_dimensions()


class _ReadOnlyReader(ExcelReader):
    def read_worksheets(self):
        """What ExcelReader.read_worksheets does in read-only mode, with unsized worksheets."""
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


class HasFormulas(Exception):
    """The sheet has a formula: read it with openpyxl."""


class TooMany(Exception):
    """A sheet holds more cells or merged ranges than read_sheet was allowed to read: ``what`` is
    "cells" or "merges". Raised as soon as the limit is passed, before the rest is parsed."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


class UnsafeXml(ValueError):
    """The part declares entities or refers to external ones (XML bomb, file disclosure)."""


class Cell:
    """One cell with a value, as SheetGrid reads it."""

    __slots__ = ("row", "column", "value", "data_type", "number_format")

    def __init__(self, row, column, value, data_type, number_format):
        self.row, self.column, self.value, self.data_type, self.number_format = row, column, value, data_type, number_format


class NumberFormats(dict):
    """{style id: number format} of a workbook, looked up as openpyxl's ReadOnlyCell.number_format does."""

    def __init__(self, workbook):
        super().__init__()
        self.workbook = workbook

    def __missing__(self, style_id):
        number_format_id = self.workbook._cell_styles[style_id].numFmtId
        if number_format_id < BUILTIN_FORMATS_MAX_SIZE:
            found = BUILTIN_FORMATS.get(number_format_id, "General")
        else:
            found = self.workbook._number_formats[number_format_id - BUILTIN_FORMATS_MAX_SIZE]
        self[style_id] = found
        return found


def read_sheet(workbook, sheet, number_formats=None, most_cells=None, most_merges=None):
    """(cells, merges) of a read-only openpyxl worksheet: every cell holding a value, in file order,
    and the (min_col, min_row, max_col, max_row) of every merged range. None when the sheet has
    formulas. ``number_formats``: a NumberFormats of the workbook, shared by its sheets. TooMany as
    soon as the sheet holds more than ``most_cells`` cells or ``most_merges`` merged ranges, so an
    upload's reading stops there rather than after the whole part."""
    reader = _SheetReader(workbook, sheet._shared_strings, number_formats or NumberFormats(workbook))
    reader.most_cells, reader.most_merges = most_cells or float("inf"), most_merges or float("inf")
    with workbook._archive.open(sheet._worksheet_path) as part:
        try:
            reader.parser.ParseFile(part)
        except HasFormulas:
            return None
    return reader.cells, reader.merges


def parsed_cells(workbook, sheet, number_formats=None):
    """Every cell holding a value of a sheet with formulas, from openpyxl's own WorkSheetParser (which
    translates shared formulas), as read_sheet gives them. Not through iter_rows: it fills in an empty
    row for every missing row number and an empty cell for every missing column up to the farthest,
    so one cell at XFD1048576 made it walk a million rows and 16,384 columns. Here the work follows
    the cells present."""
    number_formats = number_formats or NumberFormats(workbook)
    with workbook._archive.open(sheet._worksheet_path) as source:
        parser = WorkSheetParser(
            source, sheet._shared_strings, data_only=workbook.data_only, epoch=workbook.epoch,
            date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats,
        )
        for _, row in parser.parse():
            for cell in row:
                if cell["value"] is not None:
                    yield Cell(cell["row"], cell["column"], cell["value"], cell["data_type"], number_formats[cell["style_id"]])


class _SheetReader:
    """The expat handlers: state of the row, cell and text being read."""

    def __init__(self, workbook, shared_strings, number_formats):
        self.shared_strings = shared_strings
        self.number_formats = number_formats
        self.epoch = workbook.epoch
        self.date_formats = workbook._date_formats
        self.timedelta_formats = workbook._timedelta_formats
        self.cells, self.merges = [], []
        self.row = self.column = 0
        self.cell = None  # (row, column, type, style id) of the cell being read
        self.value = None  # text of its <v>
        self.inline = None  # its <is>: [plain text, text of each run], None when it has none
        self.text = None  # pieces of the text element being read, None outside one
        self.depth = 0  # inside <is>: 1 directly, 2 in a run, -1 in a phonetic guide (left out)
        parser = self.parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.EntityDeclHandler = self.refuse
        parser.ExternalEntityRefHandler = self.refuse

    @staticmethod
    def refuse(*_):
        raise UnsafeXml("entity declarations are not allowed")

    def start(self, name, attributes):
        if name == _CELL:
            where = attributes.get("r")
            if where:
                row, self.column = coordinate_to_tuple(where)
            else:
                self.column += 1
                row = self.row
            style = attributes.get("s", 0)
            self.cell = (row, self.column, attributes.get("t", "n"), int(style) if style else style)
            self.value = self.inline = None
        elif self.cell is None:
            if name == _ROW:
                self._start_row(attributes.get("r"))
            elif name == _MERGE and attributes.get("ref"):
                self.merges.append(range_boundaries(attributes["ref"]))
                if len(self.merges) > self.most_merges:
                    raise TooMany("merges")
        elif name == _VALUE and self.depth == 0:
            self.text = []
        elif name == _FORMULA and self.depth == 0:
            raise HasFormulas
        elif name == _INLINE and self.depth == 0:
            self.inline, self.depth = [None], 1
        elif self.depth == 1 and name == _RUN:
            self.inline.append(None)
            self.depth = 2
        elif self.depth == 1 and name == _PHONETIC:
            self.depth = -1
        elif self.depth > 0 and name == _TEXT:
            self.text = []

    def _start_row(self, number):
        if number:
            try:
                self.row = int(number)
            except ValueError:
                value = float(number)
                if not value.is_integer():
                    raise ValueError(f"{number} is not a valid row number") from None
                self.row = int(value)
        else:
            self.row += 1
        self.column = 0

    def characters(self, data):
        if self.text is not None:
            self.text.append(data)

    def end(self, name):
        if self.cell is None:
            return
        if name == _CELL:
            self._end_cell()
            self.cell = None
        elif self.text is not None and name in (_VALUE, _TEXT):
            text, self.text = "".join(self.text), None
            if name == _VALUE:
                self.value = text
            elif self.depth == 1:
                self.inline[0] = text  # as in openpyxl, the last <t> of a string or run counts
            elif self.depth == 2:
                self.inline[-1] = text
        elif name == _RUN and self.depth == 2 or name == _PHONETIC and self.depth == -1:
            self.depth = 1
        elif name == _INLINE and self.depth == 1:
            self.depth = 0

    def _end_cell(self):
        """The cell's value and type, as openpyxl's WorkSheetParser.parse_cell gives them."""
        row, column, data_type, style = self.cell
        if data_type == "inlineStr":
            if self.inline is None:
                return
            value, data_type = "".join(filter(None, self.inline)), "s"
        else:
            value = self.value or None
            if value is None:
                return
            if data_type == "n":
                value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                if style in self.date_formats:
                    try:
                        value = from_excel(value, self.epoch, timedelta=style in self.timedelta_formats)
                        data_type = "d"
                    except (OverflowError, ValueError):
                        value, data_type = "#VALUE!", "e"
            elif data_type == "s":
                value = self.shared_strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "str":
                data_type = "s"
            elif data_type == "d":
                value = from_ISO8601(value)
        if value is None or value == "":
            return
        self.cells.append(Cell(row, column, value, data_type, self.number_formats[style]))
        if len(self.cells) > self.most_cells:
            raise TooMany("cells")
