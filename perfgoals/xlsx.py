"""openpyxl helpers for every workbook the app writes, and the list exports: one sheet, a title row
naming the filters, a frozen header row.

``put`` is how any cell of any export gets its value (the lists here, the official layouts through
projects.excel.sheet): text is always stored as text. openpyxl would otherwise make a text starting
with "=" a live formula (a project named =HYPERLINK(…) would become a link that runs when opened)
and "#N/A" an error value, and would cut a text over Excel's 32,767 characters without a word.

The official layouts of a target table live in projects.excel; this is the plain list a finance
officer filters on screen and takes to a meeting, so it favours values Excel can sum and sort
(numbers as numbers, times as local date-times) over looking like a printed form.
"""

import datetime
import io
import unicodedata
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3

_TITLE_FONT = Font(name="黑体", size=13, bold=True)
_HEADER_FONT = Font(name="宋体", size=10.5, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F5")
_BODY_FONT = Font(name="宋体", size=10.5)
_WRAP = Alignment(vertical="top", wrap_text=True)
_MAX_WIDTH = 60
# A 万元 amount as a finance officer reads it (thousands separated, two decimals, more when it has
# them) and a date-time wide enough to show whole (a narrower column shows ###).
MONEY_FORMAT = "#,##0.00####"
_DATETIME_WIDTH = 17
_DATE_WIDTH = 12
_TOTAL_FONT = Font(name="宋体", size=10.5, bold=True)
# The most characters Excel keeps in a cell, counted as Excel counts them (UTF-16 code units). A cell
# that holds this many may have been cut, so nothing written here ever reaches it.
CELL_LIMIT = 32767


class _CharWidths(dict):
    """Printed width of each character met so far: 2 for wide (CJK) characters, 1 for the others."""

    def __missing__(self, char):
        width = self[char] = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def display_width(text):
    """Width in Excel character units: a Chinese character takes two."""
    if text.isascii():
        return len(text)
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def excel_length(text):
    """Length of ``text`` as Excel counts it: characters outside the BMP take two units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def fits_in_cell(text):
    """Whether Excel keeps ``text`` whole in one cell (strictly under the limit, see CELL_LIMIT)."""
    return len(text) < CELL_LIMIT // 2 or excel_length(text) < CELL_LIMIT


def cut_to_fit(text, note):
    """The start of ``text`` followed by ``note``, short enough for one cell."""
    room = CELL_LIMIT - 1 - excel_length(note)
    shown = text[:room]
    while excel_length(shown) > room:  # each character dropped frees one unit or two
        shown = shown[: room - excel_length(shown)]
    return shown + note


def cut_note(text):
    """What a list cell says after the start of a text too long for Excel."""
    return f"……〔全文 {len(text)} 字，超出 Excel 单元格 {CELL_LIMIT} 字的上限，以下从略〕"


def put(cell, value):
    """Give an openpyxl cell ``value``: text is stored as text (never a formula or an error value),
    and a text too long for a cell is shortened with a note saying so, never cut silently."""
    if isinstance(value, str):
        if not fits_in_cell(value):
            value = cut_to_fit(value, cut_note(value))
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def cell_value(value):
    """What openpyxl should store for a value of a list cell.

    Aware date-times become local naive ones (Excel has no time zones), yes/no become 是/否, and
    anything that is not a number or a date is written as its text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    return str(value)


def _number_format(value):
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, datetime.date):
        return "yyyy-mm-dd"
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return "0.00####"
    return None


def _value_width(stored):
    if isinstance(stored, datetime.datetime):
        return _DATETIME_WIDTH
    if isinstance(stored, datetime.date):
        return _DATE_WIDTH
    if isinstance(stored, (int, float, Decimal)):
        return max(10, len(f"{stored:,.2f}") + 2)
    return 10


def list_workbook(*, sheet_title, title, headers, rows, money_columns=(), totals=None):
    """The xlsx bytes of one list: ``title`` in row 1, ``headers`` in row 2 (frozen), then ``rows``.

    ``money_columns`` (0-based positions) are written in MONEY_FORMAT; ``totals`` (a row as long as the
    headers, its first cell 合计 or a longer label) is written in bold below the rows, outside the filter."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    put(sheet.cell(TITLE_ROW, 1), title).font = _TITLE_FONT
    widths = [display_width(str(header)) + 2 for header in headers]
    for column, header in enumerate(headers, 1):
        cell = put(sheet.cell(HEADER_ROW, column), str(header))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for row_number, row in enumerate(rows, FIRST_DATA_ROW):
        for column, value in enumerate(row, 1):
            stored = cell_value(value)
            cell = put(sheet.cell(row_number, column), stored)
            cell.font = _BODY_FONT
            number_format = MONEY_FORMAT if column - 1 in money_columns and stored is not None else _number_format(stored)
            if number_format:
                cell.number_format = number_format
            if isinstance(stored, str):
                cell.alignment = _WRAP
                widths[column - 1] = max(widths[column - 1], min(display_width(stored) + 2, _MAX_WIDTH))
            elif stored is not None:
                widths[column - 1] = max(widths[column - 1], _value_width(stored))
    data_end = max(HEADER_ROW, sheet.max_row)
    if totals is not None:
        total_row = data_end + 1
        for column, value in enumerate(totals, 1):
            stored = cell_value(value)
            cell = put(sheet.cell(total_row, column), stored)
            cell.font = _TOTAL_FONT
            if column - 1 in money_columns and stored is not None:
                cell.number_format = MONEY_FORMAT
            if stored is not None and not isinstance(stored, str):
                widths[column - 1] = max(widths[column - 1], _value_width(stored))
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 1)
    if headers:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{data_end}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content, filename):
    """A download of ``content`` named ``filename`` (Chinese names survive through RFC 5987)."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response
