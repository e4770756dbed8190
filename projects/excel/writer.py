"""The generic writer: prints interchange documents in any declared layout, ready for A4.

Every table gets its own sheet (the flat layout puts all rows on one), after a 汇总 sheet. Merged
cells, borders, wrapped text, widths, frozen title rows, fit-to-width A4 with repeated title rows
make the printout look like the official form. Two hidden columns to the right of the print area
carry what the printout does not show: the table's and each row's uid, and, as JSON, the fields the
layout does not print. A very hidden sheet names the layout of every sheet, so the reader knows the
file is one of ours and reads its cells exactly as written. Nothing is cut where Excel's cells end:
a longer text, printed or hidden, is kept whole in another very hidden sheet (projects.excel.longtext).

The workbook is written in openpyxl's write-only mode, one sheet at a time (sheet.SheetWriter), each
sheet going into the xlsx file as soon as it is finished (package.StreamedWorkbook), and what the 汇总
and the marker sheet list of each table waits on disk (package.Spool): an export of any number of
tables holds one sheet in memory (with the interchange documents fetched in parts, see export_tables).
"""

import io
import itertools
from decimal import Decimal

from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter, quote_sheetname

from indicators.models import Basis
from indicators.values import parse_value
from perfgoals.xlsx import put
from projects import schema
from projects.breakdown import shown_lines
from projects.excel.layouts import BREAKDOWN_LINE, DEPARTMENT, FLAT, LAYOUTS, UNIT_LINE_LABEL
from projects.excel.levels import Frameworks
from projects.excel.longtext import LongTexts
from projects.excel.package import Spool, StreamedWorkbook, stream_hyperlinks
from projects.excel.sheet import CellStyles, SheetWriter

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
    "midterm_funds.total": ("midterm_funds.total",),
    "midterm_funds.fiscal": ("midterm_funds.fiscal",),
    "midterm_funds.other": ("midterm_funds.other",),
    "fund_use": ("fund_use",),
    "manager": ("manager",),
    "phone": ("phone",),
    "goals.annual": ("goals.annual",),
    "goals.long_term": ("goals.long_term",),
    "spending_plan": ("spending_plan",),
    "target.department": ("department",),
    "target.overall_goal": ("overall_goal",),
    "target.funds.total": ("funds.total",),
    "target.funds.basic": ("funds.basic",),
    "target.funds.project": ("funds.project",),
}
# The keys a table carries hidden (what its layout does not print, read back on import): every declared
# field (projects.schema) but its uid, carried beside it, and its rows, carried per row.
PROJECT_KEYS = schema.PROJECT_TABLE.leaf_keys(leaving_out=("uid", "indicators"))
TARGET_KEYS = schema.DEPARTMENT_TARGET.leaf_keys(leaving_out=("uid", "indicators"))
INDICATOR_KEYS = schema.INDICATOR.leaf_keys(leaving_out=("uid",))
GRID_KEYS = {
    "level1": ("level1",), "level2": ("level2",), "name": ("name",), "description": ("description",),
    "value": ("value",), "midterm_value": ("midterm_value",), "weight": ("weight",), "note": ("note",),
}
BASIS_LABELS = dict(Basis.choices)
NATURE_LABELS = {"eq": "＝", "ge": "≥", "le": "≤", "gt": "＞", "lt": "＜", "qual": "定性"}


def get_path(data, dotted):
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def has_value(value):
    """Whether a field, or any field of a group (``midterm_funds``), holds something to print."""
    if isinstance(value, dict):
        return any(has_value(item) for item in value.values())
    return bool(value)


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


class KeepingSheetWriter(SheetWriter):
    """A SheetWriter that keeps every text whole: a printed text or a row's hidden data too long for
    an Excel cell goes to the workbook's LongTexts (see projects.excel.longtext), never cut."""

    def __init__(self, texts, sheet, widths, styles, *args, **kwargs):
        super().__init__(sheet, widths, styles, *args, **kwargs)
        self.texts = texts

    def put(self, row, col, value, *args, **kwargs):
        if isinstance(value, str):
            value = self.texts.shown(value)
        return super().put(row, col, value, *args, **kwargs)

    def hide(self, row, uid, data=None):
        if uid:
            self.cell(row, self.hidden_uid, uid)
        if data:
            self.cell(row, self.hidden_data, self.texts.hidden(data))


class WorkbookWriter:
    """Writes interchange documents in one layout (department targets always in 部门整体)."""

    def __init__(self, layout_name, target, frameworks=None, summary=True):
        self.layout = LAYOUTS[layout_name]
        self.summary = summary  # a 汇总 sheet first (every export); a blank template has none
        self.frameworks = frameworks or Frameworks.load()
        self.book = StreamedWorkbook(target)
        self.workbook = self.book.workbook
        self.styles = CellStyles()
        self.texts = LongTexts()
        self.sheet_names = set()  # lower case: Excel's sheet names are case-insensitive
        # ("marker", row of the marker sheet) and ("listed", (sheet, summary line)), in sheet order.
        self.spool = Spool()
        self.department_codes = {}
        self.unit_codes = {}

    def write(self, documents):
        """Write ``documents``, an interchange document or the parts of one (project tables first, as
        export_tables fetches them), into the target, and close it."""
        if isinstance(documents, dict):
            documents = [documents]
        summary = self.sheet_name(SUMMARY_SHEET) if self.summary else None  # the first sheet, written last
        if summary is not None:
            self.spool.add(("marker", (summary, "summary", "")))
        listed = 0
        flat = None
        tables_written = targets_written = 0
        for document in documents:
            organisations = document.get("organisations") or {}
            self.department_codes.update(
                {(d["region"], d["name"]): d.get("code", "") for d in organisations.get("departments", [])}
            )
            self.unit_codes.update({(u["region"], u["name"]): u.get("code", "") for u in organisations.get("units", [])})
            tables = document.get("project_tables") or []
            if self.layout.name == "flat":
                if tables and flat is None:
                    flat = self.flat_writer(self.new_sheet(FLAT_SHEET))
                    self.spool.add(("marker", (flat.sheet.title, "flat", "flat")))
                for table in tables:
                    self.write_flat_rows(flat, table)
                    self.spool.add(("listed", (flat.sheet.title, summary_line(table))))
                    listed += 1
            elif self.layout.kind == "project":
                for table in tables:
                    tables_written += 1
                    sheet = self.new_sheet(f"{tables_written}.{table.get('name') or '未命名项目'}")
                    self.write_form(sheet, self.layout, table, tables_written)
                    self.spool.add(("marker", (sheet.title, "table", self.layout.name)))
                    self.spool.add(("listed", (sheet.title, summary_line(table))))
                    listed += 1
            for target in document.get("department_targets") or []:
                targets_written += 1
                sheet = self.new_sheet(f"部门整体{targets_written}.{target.get('department') or ''}".rstrip("."))
                self.write_form(sheet, DEPARTMENT, target, targets_written)
                self.spool.add(("marker", (sheet.title, "target", DEPARTMENT.name)))
                self.spool.add(("listed", (sheet.title, summary_line(target))))
                listed += 1
        if flat is not None:
            flat.sheet.auto_filter.ref = f"A1:{get_column_letter(len(FLAT.columns))}{max(flat.row - 1, 1)}"
            flat.finish()
            self.book.finish(flat.sheet)
        if summary is not None:
            self.write_summary(self.book.create_sheet(summary, first=True), listed)
        marker = self.book.create_sheet(MARKER_SHEET)
        marker.sheet_state = "veryHidden"
        rows = (row for kind, row in self.spool if kind == "marker")
        for number, row in enumerate(itertools.chain([(MARKER, MARKER_VERSION)], rows), 1):
            append_row(marker, number, row)
        self.book.finish(marker)
        self.texts.write(self.workbook)
        self.spool.close()
        self.book.close()

    def sheet_name(self, wanted):
        """A sheet name not taken yet, made of ``wanted`` as Excel allows it; taken from now on."""
        name = "".join("_" if ch in '[]:*?/\\' else ch for ch in wanted).strip("'")[:31] or "表"
        candidate, counter = name, 2
        while candidate.lower() in self.sheet_names:
            suffix = f"({counter})"
            candidate, counter = name[: 31 - len(suffix)] + suffix, counter + 1
        self.sheet_names.add(candidate.lower())
        return candidate

    def new_sheet(self, wanted):
        return self.book.create_sheet(self.sheet_name(wanted))

    # Form layouts

    def field_value(self, field, data, number):
        """The printed text (or number) of a header field, with its cell style override and format."""
        if field == "title":  # a blank form (projects.excel.template) is titled by its kind
            return (f"{number}.{data['name']}绩效目标表" if data.get("name") else "项目绩效目标表"), None
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
            return (f"{code}{data.get('unit') or ''}" if code else f"{UNIT_LINE_LABEL}{data.get('unit') or ''}"), None
        if field == "attribute":
            code = data.get("attribute")
            if not code:
                return "", None
            return f"{code}-{self.attribute_names.get(code, '')}".rstrip("-"), None
        if field.startswith(("funds.", "midterm_funds.")):
            return money_cell(get_path(data, field))
        if field.startswith("target.funds."):
            return money_cell(get_path(data, field.removeprefix("target.")))
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
            if row.when and not any(has_value(get_path(data, when)) for when in row.when.split("|")):
                continue
            if any(cell.field == BREAKDOWN_LINE for cell in row.cells):
                self.write_breakdown(writer, row, get_path(data, "funds.breakdown"))
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

    def write_breakdown(self, writer, row, lines):
        """The funds breakdown's row expanded: its label over every line, then a row per line with the
        line's label, indented a full-width space a level, and its amount. The lines also travel hidden
        (not in FIELD_KEYS), so our own file gives back each line's parent exactly."""
        label, line_cell, amount_cell = row.cells
        shown = shown_lines(lines)
        writer.put(writer.row, label.col, label.text, label.style, label.span, len(shown))
        for line in shown:
            r = writer.row
            writer.put(r, line_cell.col, "　" * line.depth + line.label, line_cell.style, line_cell.span)
            value, number_format = money_cell(line.amount_text or None)
            writer.put(r, amount_cell.col, value, amount_cell.style, amount_cell.span, 1, number_format)
            writer.row += 1

    def write_form(self, sheet, layout, data, number):
        self.layout_goal_style = layout.goal_style
        writer = KeepingSheetWriter(self.texts, sheet, layout.widths, self.styles, len(layout.title), layout.landscape)
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
        writer.finish()
        self.book.finish(sheet)

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
        columns = grid_columns(layout, rows)
        header = writer.row
        col = 1
        for column in columns:
            writer.put(header, col, column.header, "header", column.span)
            col += column.span
        writer.row += 1
        first = writer.row
        printed = {key for column in columns for key in GRID_KEYS.get(column.field, ())}
        if any(column.field == "basis" for column in columns):
            printed.add("basis_text")
        for offset, row in enumerate(rows):
            r = first + offset
            col = 1
            for column in columns:
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

    def flat_writer(self, sheet):
        writer = KeepingSheetWriter(self.texts, sheet, FLAT.widths, self.styles, title_rows=1, landscape=True)
        for index, column in enumerate(FLAT.columns, 1):
            writer.put(1, index, column.header, "header")
        writer.row = 2
        return writer

    def write_flat_rows(self, writer, table):
        """A table's rows on the flat list (one row when it has no indicator), streamed out at once."""
        printed_table = {c.field for c in FLAT.columns if not c.field.startswith("ind.")}
        printed_rows = {c.field[4:] for c in FLAT.columns if c.field.startswith("ind.")} | {"basis_text"}
        rows = table.get("indicators") or [None]
        # Every row carries the table's unprinted fields, so a row deleted or the list sorted in
        # Excel loses none of them (kept once in pieces when long).
        table_part = self.texts.part(carried(table, PROJECT_KEYS, printed_table))
        for row in rows:
            r = writer.row
            for index, column in enumerate(FLAT.columns, 1):
                value, number_format = self.flat_value(column.field, table, row)
                style = "money" if number_format else "value"
                writer.put(r, index, value, style, number_format=number_format)
            hidden = {"table": table_part}
            if row is not None:
                hidden["row"] = carried(row, INDICATOR_KEYS, printed_rows)
                hidden["row"].update({"basis": row.get("basis") or "", "basis_text": row.get("basis_text") or ""})
                hidden["uid"] = row.get("uid") or ""
            writer.hide(r, TABLE_TAG + (table.get("uid") or ""), hidden)
            writer.row += 1
        writer.stream(writer.row - 1)

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

    def write_summary(self, sheet, count):
        from projects.models import TableStatus

        statuses = dict(TableStatus.choices)
        headers = [("序号", 6), ("工作表", 22), ("类型", 10), ("预算年度", 9), ("主管部门", 20), ("实施单位", 22),
                   ("项目名称", 26), ("项目编码", 22), ("年度资金总额（万元）", 14), ("三级指标数", 10), ("状态", 12)]
        writer = KeepingSheetWriter(self.texts, sheet, [width for _, width in headers], self.styles, title_rows=2, landscape=True)
        writer.put(1, 1, f"绩效目标表汇总（{self.layout.label}，共 {count} 张）", "title", len(headers))
        writer.height(1, 30)
        for index, (header, _) in enumerate(headers, 1):
            writer.put(2, index, header, "header")
        writer.row = 3
        # Each 工作表 cell links to its sheet; the links are read back from the spool when the sheet's
        # tail is written, not kept (one per table) until then.
        if count:
            stream_hyperlinks(sheet, lambda: (
                (f"B{number}", f"{quote_sheetname(sheet_name)}!A1") for number, (sheet_name, _) in enumerate(self.listed(), 3)
            ))
        for number, (sheet_name, line) in enumerate(self.listed(), 1):
            is_target, year, department, unit, name, code, total, indicators, status = line
            money, number_format = money_cell(None if is_target else total)
            values = [
                (number, "center", None), (sheet_name, "value", None), ("部门整体" if is_target else "项目支出", "center", None),
                (year, "center", "0"), (department, "value", None),
                ("" if is_target else unit, "value", None), ("" if is_target else name, "value", None),
                ("" if is_target else code, "value", None), (money, "money", number_format),
                (indicators, "center", "0"), (statuses.get(status, ""), "center", None),
            ]
            for index, (value, style, number_format) in enumerate(values, 1):
                writer.put(writer.row, index, value, style, number_format=number_format)
            writer.stream(writer.row)
            writer.row += 1
        writer.finish()
        self.book.finish(sheet)

    def listed(self):
        """(sheet, summary line) of every table, in sheet order."""
        return (row for kind, row in self.spool if kind == "listed")


def grid_columns(layout, rows):
    """The indicator columns a table is printed with: the layout's 中期指标值 grid when any row has a
    mid-term value (the 88号 form's 中期指标值 beside 年度指标值), else its plain grid."""
    if layout.midterm_grid and any(row.get("midterm_value") for row in rows):
        return layout.midterm_grid
    return layout.grid


def append_row(sheet, number, values):
    """Row ``number`` of a write-only sheet, its texts stored as text (sheet names come from project names)."""
    sheet.append([put(Cell(sheet, row=number, column=column), value) for column, value in enumerate(values, 1)])


def summary_line(data):
    """What the 汇总 sheet lists of a table, kept instead of the whole table until the end."""
    return (
        "overall_goal" in data, data.get("year"), data.get("department"), data.get("unit"), data.get("name"),
        data.get("code"), get_path(data, "funds.total"), len(data.get("indicators") or []), data.get("status"),
    )


def write_workbook(documents, layout_name, target, frameworks=None, summary=True):
    """Write every table of the interchange document (or of its parts) in this layout as an xlsx file
    into ``target`` (a path or a binary file open for writing), after a 汇总 sheet unless ``summary`` is
    False (a blank template has none)."""
    WorkbookWriter(layout_name, target, frameworks, summary).write(documents)


def workbook_bytes(documents, layout_name, frameworks=None, summary=True):
    buffer = io.BytesIO()
    write_workbook(documents, layout_name, buffer, frameworks, summary)
    return buffer.getvalue()
