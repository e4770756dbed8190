"""Helpers for the Excel tests: small workbooks built cell by cell, as units send them."""

import io

from openpyxl import Workbook


def sheet_values(sheet):
    """Every non-empty cell text of a sheet, joined, for 'is this printed' assertions."""
    return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value not in (None, ""))


def workbook_bytes(rows, merges=(), title="Sheet1", number_formats=None):
    """An .xlsx made of ``rows`` (lists of cell values, None for empty), with ``merges`` such as
    "B5:B7" and optional {"C4": "0%"} number formats."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for merged in merges:
        sheet.merge_cells(merged)
    for coordinate, number_format in (number_formats or {}).items():
        sheet[coordinate].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
