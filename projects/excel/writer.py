"""The generic writer: prints interchange documents in any declared layout, ready for A4.

Every table gets its own sheet (the flat layout puts all rows on one), after a 汇总 sheet. Merged
cells, borders, wrapped text, widths, frozen title rows, fit-to-width A4 with repeated title rows
make the printout look like the official form. Two hidden columns to the right of the print area
carry what the printout does not show: the table's and each row's uid, and, as JSON, the fields the
layout does not print. A very hidden sheet names the layout of every sheet, so the reader knows the
file is one of ours and reads its cells exactly as written.
"""

import io
import json
import math
import unicodedata
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from indicators.models import Basis
from indicators.values import parse_value
from projects.excel.layouts import DEPARTMENT, FLAT, LAYOUTS
from projects.excel.levels import Frameworks

MARKER_SHEET = "_perfgoals"
MARKER = "perfgoals-xlsx"
MARKER_VERSION = 1
TABLE_TAG = "perfgoals-table:"
ROW_TAG = "perfgoals-row:"
SUMMARY_SHEET = "汇总"
FLAT_SHEET = "指标清单"

# Interchange keys of a project table a layout field prints.
FIELD_KEYS = {
    "name": ("name",),
    "code": ("code",),
    "department": ("department",),
    "unit": ("unit",),
    "unit_line": ("unit",),
    "attribute": ("attribute",),
    "period": ("period",),
    "year": ("year",),
    "funds.total": ("funds.total",),
    "funds.fiscal": ("funds.fiscal",),
    "funds.other": ("funds.other",),
    "fund_use": ("fund_use",),
    "goals.annual": ("goals.annual",),
    "goals.long_term": ("goals.long_term",),
    "spending_plan": ("spending_plan",),
    "target.department": ("department",),
    "target.overall_goal": ("overall_goal",),
}
PROJECT_KEYS = (
    "region", "department", "unit", "year", "name", "code", "attribute", "period", "funds.total", "funds.fiscal",
    "funds.other", "fund_use", "spending_plan", "goals.annual", "goals.long_term", "framework",
    "no_direct_beneficiaries", "status", "version",
)
TARGET_KEYS = ("region", "department", "year", "overall_goal", "framework", "status", "version", "sub_targets")
INDICATOR_KEYS = ("level1", "level2", "name", "description", "value", "basis", "basis_text", "weight", "note")
GRID_KEYS = {
    "level1": ("level1",), "level2": ("level2",), "name": ("name",), "description": ("description",),
    "value": ("value",), "weight": ("weight",), "note": ("note",),
}
BASIS_LABELS = dict(Basis.choices)
NATURE_LABELS = {"eq": "＝", "ge": "≥", "le": "≤", "gt": "＞", "lt": "＜", "qual": "定性"}

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
LINE_HEIGHT = 14.0
MIN_ROW_HEIGHT = 20.0


def get_path(data, dotted):
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def carried(data, keys, printed):
    """The fields of ``data`` this layout does not print, by dotted key."""
    return {key: get_path(data, key) for key in keys if key not in printed}


def format_goals(items, style):
    """Goal items as one cell: a single item as it is; several numbered one per line, the way each
    form numbers them (目标 1：… / 1.…)."""
    items = [item for item in items or [] if item]
    if len(items) <= 1:
        return items[0] if items else ""
    if style == "dingzhou":
        return "\n".join(f"{number}.{item}" for number, item in enumerate(items, 1))
    return "\n".join(f"目标 {number}：{item}" for number, item in enumerate(items, 1))


def basis_text(row):
    """The 指标值确定依据 cell as printed: the text as the unit wrote it, or the standard's name."""
    return row.get("basis_text") or BASIS_LABELS.get(row.get("basis") or "", "")


def money_cell(text):
    """A money value as a number cell when it has at most 15 significant digits (what Excel and
    openpyxl keep exactly), so sums work in Excel; as text otherwise, so no amount is ever rounded."""
    if text in (None, ""):
        return None, "General"
    number = Decimal(text)
    exponent = number.as_tuple().exponent
    places = max(2, -exponent if exponent < 0 else 0)
    if len(number.as_tuple().digits) <= 15:
        return float(number), "0." + "0" * places
    return text, "@"


class _CharWidths(dict):
    """Printed width of each character met so far: 2 for wide (CJK) characters, 1 for the others."""

    def __missing__(self, ch):
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def display_width(text):
    if text.isascii():
        return len(text)
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def lines_needed(text, width):
    """Printed lines of a wrapped cell: a CJK character is two width units of a 10.5 pt 宋体 cell."""
    usable = max(width * 1.15 - 1, 2)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).split("\n"))


class CellStyles:
    """The style of each kind of cell, registered with the workbook once. Cells take a copy of it
    (openpyxl's own way of copying a cell's style): assigning the shared Font, Alignment and Border
    objects cell by cell would have openpyxl hash and compare each of them again for every cell."""

    def __init__(self):
        self.arrays = {}

    def of(self, sheet, style, number_format=None, part="all"):
        """The style array of a cell in ``style``; ``part`` "unbordered" leaves out the border and
        "border" keeps only the border (for the cells a merged range covers)."""
        key = (style, number_format, part)
        found = self.arrays.get(key)
        if found is None:
            font, alignment, bordered = STYLES[style]
            scratch = Cell(sheet)
            if part != "border":
                scratch.font = font
                scratch.alignment = alignment
                if number_format:
                    scratch.number_format = number_format
            if bordered and part != "unbordered":
                scratch.border = BORDER
            found = self.arrays[key] = scratch._style
        return found


class SheetWriter:
    """Writes cells onto one worksheet and remembers what the row heights and print area need."""

    def __init__(self, sheet, widths, styles=None):
        self.sheet = sheet
        self.styles = styles or CellStyles()
        self.widths = widths
        self.row = 1
        self.heights = {}
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        self.hidden_uid = len(widths) + 1
        self.hidden_data = len(widths) + 2
        for column in (self.hidden_uid, self.hidden_data):
            sheet.column_dimensions[get_column_letter(column)].hidden = True
            sheet.column_dimensions[get_column_letter(column)].width = 12

    def put(self, row, col, value, style="value", span=1, rows=1, number_format=None):
        cell = self.sheet.cell(row=row, column=col)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text such as "=100%" stays text, never a formula
        styles, sheet = self.styles, self.sheet
        if span > 1 or rows > 1:
            bordered = STYLES[style][2]
            # The border comes after the merge, so openpyxl has no border to spread over the range.
            cell._style = copy(styles.of(sheet, style, number_format, "unbordered"))
            sheet.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + span - 1)
            if bordered:
                cell._style = copy(styles.of(sheet, style, number_format))
                border = styles.of(sheet, style, None, "border")
                for r in range(row, row + rows):
                    for c in range(col, col + span):
                        if (r, c) != (row, col):
                            sheet.cell(row=r, column=c)._style = copy(border)
        else:
            cell._style = copy(styles.of(sheet, style, number_format))
        if value not in (None, "") and style not in ("title", "subtitle", "plain_right", "plain_left"):
            width = sum(self.widths[c - 1] for c in range(col, col + span))
            needed = lines_needed(value if isinstance(value, str) else str(value), width) * LINE_HEIGHT + 6
            per_row = needed / rows
            for r in range(row, row + rows):
                self.heights[r] = max(self.heights.get(r, MIN_ROW_HEIGHT), per_row)
        return cell

    def hide(self, row, uid, data=None):
        """Hidden cells of a row: its uid and, as JSON, what the layout does not print."""
        if uid:
            self.sheet.cell(row=row, column=self.hidden_uid, value=uid).data_type = "s"
        if data:
            cell = self.sheet.cell(row=row, column=self.hidden_data, value=json.dumps(data, ensure_ascii=False))
            cell.data_type = "s"

    def height(self, row, value):
        self.heights[row] = value

    def finish(self, title_rows, landscape=False, freeze=True):
        last = self.row - 1
        for row, value in self.heights.items():
            self.sheet.row_dimensions[row].height = round(value, 1)
        sheet = self.sheet
        sheet.print_area = f"A1:{get_column_letter(len(self.widths))}{max(last, 1)}"
        if title_rows:
            sheet.print_title_rows = f"1:{title_rows}"
            if freeze:
                sheet.freeze_panes = f"A{title_rows + 1}"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        sheet.sheet_view.showGridLines = False


class WorkbookWriter:
    """Writes a whole interchange document in one layout (department targets always in 部门整体)."""

    def __init__(self, document, layout_name, frameworks=None):
        self.document = document
        self.layout = LAYOUTS[layout_name]
        self.frameworks = frameworks or Frameworks.load()
        self.workbook = Workbook()
        self.styles = CellStyles()
        self.sheet_names = set()  # lower case: Excel's sheet names are case-insensitive
        self.marker_rows = []
        organisations = document.get("organisations") or {}
        self.department_codes = {(d["region"], d["name"]): d.get("code", "") for d in organisations.get("departments", [])}
        self.unit_codes = {(u["region"], u["name"]): u.get("code", "") for u in organisations.get("units", [])}

    def write(self):
        summary = self.workbook.active
        summary.title = SUMMARY_SHEET
        self.sheet_names.add(SUMMARY_SHEET.lower())
        self.marker_rows.append((SUMMARY_SHEET, "summary", ""))
        listed = []
        tables = self.document.get("project_tables") or []
        if self.layout.name == "flat":
            if tables:
                sheet = self.new_sheet(FLAT_SHEET)
                self.write_flat(sheet, tables)
                self.marker_rows.append((sheet.title, "flat", "flat"))
                listed.extend((sheet.title, table) for table in tables)
        elif self.layout.kind == "project":
            for number, table in enumerate(tables, 1):
                sheet = self.new_sheet(f"{number}.{table.get('name') or '未命名项目'}")
                self.write_form(sheet, self.layout, table, number)
                self.marker_rows.append((sheet.title, "table", self.layout.name))
                listed.append((sheet.title, table))
        targets = self.document.get("department_targets") or []
        for number, target in enumerate(targets, 1):
            sheet = self.new_sheet(f"部门整体{number}.{target.get('department') or ''}")
            self.write_form(sheet, DEPARTMENT, target, number)
            self.marker_rows.append((sheet.title, "target", DEPARTMENT.name))
            listed.append((sheet.title, target))
        self.write_summary(summary, listed)
        marker = self.workbook.create_sheet(MARKER_SHEET)
        marker.append([MARKER, MARKER_VERSION])
        for row in self.marker_rows:
            marker.append(list(row))
        marker.sheet_state = "veryHidden"
        return self.workbook

    def new_sheet(self, wanted):
        name = "".join("_" if ch in '[]:*?/\\' else ch for ch in wanted).strip("'")[:31] or "表"
        candidate, counter = name, 2
        while candidate.lower() in self.sheet_names:
            suffix = f"({counter})"
            candidate, counter = name[: 31 - len(suffix)] + suffix, counter + 1
        self.sheet_names.add(candidate.lower())
        return self.workbook.create_sheet(candidate)

    # Form layouts

    def field_value(self, field, data, number):
        """The printed text (or number) of a header field, with its cell style override and format."""
        if field == "title":
            return f"{number}.{data.get('name') or ''}绩效目标表", None
        if field == "target.title":
            return f"{data.get('department') or ''}部门整体绩效目标", None
        if field == "year":
            return (f"（{data['year']} 年度）" if data.get("year") else ""), None
        if field == "department":
            code = self.department_codes.get((data.get("region"), data.get("department")), "")
            return (f"[{code}]{data.get('department') or ''}" if code else data.get("department") or ""), None
        if field == "target.department":
            code = self.department_codes.get((data.get("region"), data.get("department")), "")
            return (f"[{code}]{data.get('department') or ''}" if code else data.get("department") or ""), None
        if field == "unit":
            code = self.unit_codes.get((data.get("region"), data.get("unit")), "")
            return (f"[{code}]{data.get('unit') or ''}" if code else data.get("unit") or ""), None
        if field == "unit_line":
            code = self.unit_codes.get((data.get("region"), data.get("unit")), "")
            return (f"{code}{data.get('unit') or ''}" if code else f"实施单位：{data.get('unit') or ''}"), None
        if field == "attribute":
            code = data.get("attribute")
            if not code:
                return "", None
            return f"{code}-{self.attribute_names.get(code, '')}".rstrip("-"), None
        if field.startswith("funds."):
            return money_cell(get_path(data, field))
        if field.startswith("goals."):
            return format_goals(get_path(data, field), self.layout_goal_style), None
        if field == "target.overall_goal":
            return data.get("overall_goal") or "", None
        value = get_path(data, field)
        return ("" if value is None else value), None

    @property
    def attribute_names(self):
        if not hasattr(self, "_attribute_names"):
            from projects.models import CodeItem

            self._attribute_names = dict(
                CodeItem.objects.filter(list=CodeItem.List.PROJECT_ATTRIBUTE).values_list("code", "name")
            )
        return self._attribute_names

    def write_rows(self, writer, rows, data, number):
        for row in rows:
            if row.when and not get_path(data, row.when):
                continue
            r = writer.row
            for cell in row.cells:
                if cell.field:
                    value, number_format = self.field_value(cell.field, data, number)
                else:
                    value, number_format = cell.text, None
                writer.put(r, cell.col, value, cell.style, cell.span, cell.rows, number_format)
            if row.height:
                writer.height(r, row.height)
            writer.row += 1

    def write_form(self, sheet, layout, data, number):
        self.layout_goal_style = layout.goal_style
        writer = SheetWriter(sheet, layout.widths, self.styles)
        printed = {key for field in layout.printed_fields() for key in FIELD_KEYS.get(field, ())}
        keys = TARGET_KEYS if layout.kind == "department" else PROJECT_KEYS
        writer.hide(1, TABLE_TAG + (data.get("uid") or ""), carried(data, keys, printed))
        self.write_rows(writer, layout.title, data, number)
        self.write_rows(writer, layout.header, data, number)
        if layout.spending:
            self.write_spending(writer, layout.spending, data.get("spending_plan") or [])
        self.write_rows(writer, layout.after_spending, data, number)
        if layout.sub_targets:
            self.write_sub_targets(writer, layout, data.get("sub_targets") or [])
        self.write_grid(writer, layout, data)
        writer.finish(len(layout.title), landscape=layout.landscape)

    def write_spending(self, writer, block, plan):
        points = [(point["month"], point.get("percent")) for point in plan] or [
            (month, None) for month in block.default_months
        ]
        per_row = len(block.cells)
        chunks = [points[i : i + per_row] for i in range(0, len(points), per_row)]
        first = writer.row
        writer.put(first, 1, block.label, "label", block.label_span, 2 * len(chunks))
        for chunk in chunks:
            r = writer.row
            for (col, span), point in zip(block.cells, chunk + [None] * (per_row - len(chunk)), strict=True):
                label = f"{point[0]}月底" if point else ""
                percent = f"{point[1]}%" if point and point[1] not in (None, "") else ""
                writer.put(r, col, label, "label", span)
                writer.put(r + 1, col, percent, "center", span)
            writer.row += 2

    def write_sub_targets(self, writer, layout, subs):
        numbers = "一二三四五六七八九十"
        r = writer.row
        col = 1
        for column in layout.sub_targets:
            writer.put(r, col, column.header, "header", column.span)
            col += column.span
        writer.row += 1
        for index, sub in enumerate(subs, 1):
            r, col = writer.row, 1
            for column in layout.sub_targets:
                if column.field == "number":
                    value = f"（{numbers[index - 1]}）" if index <= len(numbers) else f"（{index}）"
                    writer.put(r, col, value, "center", column.span)
                else:
                    writer.put(r, col, sub.get(column.field) or "", "value", column.span)
                col += column.span
            writer.row += 1

    def write_grid(self, writer, layout, data):
        framework = data.get("framework")
        rows = data.get("indicators") or []
        header = writer.row
        col = 1
        for column in layout.grid:
            writer.put(header, col, column.header, "header", column.span)
            col += column.span
        writer.row += 1
        first = writer.row
        printed = {key for column in layout.grid for key in GRID_KEYS.get(column.field, ())}
        if any(column.field == "basis" for column in layout.grid):
            printed.add("basis_text")
        for offset, row in enumerate(rows):
            r = first + offset
            col = 1
            for column in layout.grid:
                value, style = self.grid_value(layout, column, row, framework), "value"
                if column.field in ("level1", "level2", "outer"):
                    style = "center"
                if column.merge_runs or column.field == "outer":
                    if offset and self.same_run(layout, column, rows, offset):
                        col += column.span
                        continue
                    length = self.run_length(layout, column, rows, offset)
                    writer.put(r, col, value, style, column.span, length)
                else:
                    writer.put(r, col, value, style, column.span)
                col += column.span
            hidden = carried(row, INDICATOR_KEYS, printed)
            if "basis_text" in printed:
                hidden.update({"basis": row.get("basis") or "", "basis_text": row.get("basis_text") or ""})
            writer.hide(r, ROW_TAG + (row.get("uid") or ""), hidden)
        writer.row = first + len(rows)

    def grid_value(self, layout, column, row, framework):
        if column.field == "outer":
            return "绩效指标"
        if column.field == "level2" and layout.level2_notes:
            note = self.frameworks.requirement_note(framework, row.get("level1"), row.get("level2"))
            return f"{row.get('level2') or ''}{note}"
        if column.field == "basis":
            return basis_text(row)
        value = row.get(column.field)
        return "" if value is None else value

    def run_key(self, column, row):
        if column.field == "outer":
            return True
        if column.field == "level1":
            return row.get("level1")
        return (row.get("level1"), row.get("level2"))

    def same_run(self, layout, column, rows, offset):
        return self.run_key(column, rows[offset]) == self.run_key(column, rows[offset - 1])

    def run_length(self, layout, column, rows, offset):
        key = self.run_key(column, rows[offset])
        length = 1
        while offset + length < len(rows) and self.run_key(column, rows[offset + length]) == key:
            length += 1
        return length

    # Flat layout

    def write_flat(self, sheet, tables):
        layout = FLAT
        writer = SheetWriter(sheet, layout.widths, self.styles)
        for index, column in enumerate(layout.columns, 1):
            writer.put(1, index, column.header, "header")
        writer.row = 2
        printed_table = {c.field for c in layout.columns if not c.field.startswith("ind.")}
        printed_rows = {c.field[4:] for c in layout.columns if c.field.startswith("ind.")} | {"basis_text"}
        for table in tables:
            rows = table.get("indicators") or [None]
            for position, row in enumerate(rows):
                r = writer.row
                for index, column in enumerate(layout.columns, 1):
                    value, number_format = self.flat_value(column.field, table, row)
                    style = "money" if number_format else "value"
                    writer.put(r, index, value, style, number_format=number_format)
                hidden = {}
                if position == 0:
                    hidden["table"] = carried(table, PROJECT_KEYS, printed_table)
                if row is not None:
                    hidden["row"] = carried(row, INDICATOR_KEYS, printed_rows)
                    hidden["row"].update({"basis": row.get("basis") or "", "basis_text": row.get("basis_text") or ""})
                    hidden["uid"] = row.get("uid") or ""
                writer.hide(r, TABLE_TAG + (table.get("uid") or ""), hidden)
                writer.row += 1
        writer.finish(1, landscape=True)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout.columns))}{max(writer.row - 1, 1)}"

    def flat_value(self, field, table, row):
        if field.startswith("funds."):
            return money_cell(get_path(table, field))
        if field == "year":
            return table.get("year"), "0"
        if not field.startswith("ind."):
            value = get_path(table, field)
            return ("" if value is None else value), None
        if row is None:
            return "", None
        key = field[4:]
        if key == "basis":
            return basis_text(row), None
        if key in ("nature", "number", "unit"):
            parsed = parse_value(row.get("value"))
            if key == "nature":
                return NATURE_LABELS.get(parsed.nature, ""), None
            if key == "number":
                return (float(parsed.number) if parsed.number is not None else None), ("General" if parsed.number is not None else None)
            return parsed.unit, None
        value = row.get(key)
        return ("" if value is None else value), None

    # Summary

    def write_summary(self, sheet, listed):
        from projects.models import TableStatus

        statuses = dict(TableStatus.choices)
        headers = [("序号", 6), ("工作表", 22), ("类型", 10), ("预算年度", 9), ("主管部门", 20), ("实施单位", 22),
                   ("项目名称", 26), ("项目编码", 22), ("年度资金总额（万元）", 14), ("三级指标数", 10), ("状态", 12)]
        writer = SheetWriter(sheet, [width for _, width in headers], self.styles)
        writer.put(1, 1, f"绩效目标表汇总（{self.layout.label}，共 {len(listed)} 张）", "title", len(headers))
        writer.height(1, 30)
        for index, (header, _) in enumerate(headers, 1):
            writer.put(2, index, header, "header")
        writer.row = 3
        for number, (sheet_name, data) in enumerate(listed, 1):
            is_target = "overall_goal" in data
            money, number_format = money_cell(None if is_target else get_path(data, "funds.total"))
            values = [
                (number, "center", None), (sheet_name, "value", None), ("部门整体" if is_target else "项目支出", "center", None),
                (data.get("year"), "center", "0"), (data.get("department"), "value", None),
                ("" if is_target else data.get("unit"), "value", None), ("" if is_target else data.get("name"), "value", None),
                ("" if is_target else data.get("code"), "value", None), (money, "money", number_format),
                (len(data.get("indicators") or []), "center", "0"), (statuses.get(data.get("status"), ""), "center", None),
            ]
            for index, (value, style, number_format) in enumerate(values, 1):
                cell = writer.put(writer.row, index, value, style, number_format=number_format)
                if index == 2:
                    cell.hyperlink = f"#'{sheet_name}'!A1"
            writer.row += 1
        writer.finish(2, landscape=True)


def write_workbook(document, layout_name, frameworks=None):
    """An openpyxl Workbook holding every table of the interchange document in this layout."""
    return WorkbookWriter(document, layout_name, frameworks).write()


def workbook_bytes(document, layout_name, frameworks=None):
    buffer = io.BytesIO()
    write_workbook(document, layout_name, frameworks).save(buffer)
    return buffer.getvalue()
