"""The generic reader: finds every target table in a workbook and turns it into interchange dicts.

It reads by labels, not positions, using the same declarations as the writer (layouts.FIELD_LABELS,
GRID_LABELS …) plus every spelling units use, so files from other systems are read as well as our
own. A sheet holds one table or several one under another; each table is its header block followed by
its 三级 indicator grid. Every cell that cannot be read becomes a Problem naming sheet, cell and what
was expected; every cell that is skipped becomes a warning, so nothing is dropped silently.

Sheets this app wrote (listed in the very hidden sheet) are read exactly: texts are kept as written
and the hidden columns supply uids and the fields the layout does not print.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings

from projects.excel import layouts
from projects.excel.bands import apply_bands, joined_value, joined_value_hint, share_merged_points, split_band
from projects.excel.deptform import fold_formula, formula_hint, is_department_form, read_tasks, say_department_reads
from projects.excel.cells import NumberFormats, TooMany, parsed_cells, read_sheet
from projects.excel.grid import SheetGrid, check_merges, merged_ranges, ref, too_many_cells, too_many_merges
from projects.excel.safety import BadWorkbook
from projects.excel.levels import choose_framework, match_levels
from projects.excel.longtext import DATA_SHEET, StoredTexts
from projects.excel.text import (
    join_lines,
    label_key,
    split_code_name,
)
from projects.excel.flat import read_flat
from projects.excel.header import HeaderReader
from projects.excel.midterm import grid_section, merge_stacked, midterm_only
from projects.excel.tableread import (
    DEPARTMENT_ONLY,
    FOOTER,
    LABEL_FIELD,
    TITLE_HINT,
    Problem,
    TableRead,
    WorkbookRead,
    read_basis,
    set_path,
)
from projects.excel.writer import MARKER, MARKER_SHEET

def read_workbook(workbook, frameworks):
    """Every table in an openpyxl workbook (opened with data_only=False, so formulas show)."""
    result = WorkbookRead()
    number_formats = NumberFormats(workbook)
    ours = _our_sheets(workbook, number_formats)
    stored = StoredTexts(
        load_grid(workbook, workbook[DATA_SHEET], number_formats) if ours and DATA_SHEET in workbook.sheetnames else None
    )
    cells = 0
    read_titles = []
    for sheet in workbook.worksheets:
        kind, layout = ours.get(sheet.title, ("", ""))
        if sheet.title == MARKER_SHEET or kind == "summary":
            continue
        if sheet.sheet_state != "visible" and sheet.title not in ours:
            continue
        grid = load_grid(workbook, sheet, number_formats)
        read_titles.append(sheet.title)
        cells += grid.cell_count
        if cells > settings.PERFGOALS_EXCEL_MAX_CELLS_PER_FILE:
            raise BadWorkbook(
                f"工作簿的非空单元格超过 {settings.PERFGOALS_EXCEL_MAX_CELLS_PER_FILE:,} 个（读到工作表“{sheet.title}”时），"
                "超过一次导入的上限，未导入。请拆分为几个文件导入。"
            )
        # Long texts put back whole, hidden row data decoded; whatever is cut or missing is a problem.
        layout = layouts.LAYOUTS.get(layout)
        cut = stored.restore(grid, sheet.title in ours, len(layout.widths) + 2 if layout else None)
        SheetReader(grid, frameworks, result, exact=sheet.title in ours, cut=cut).read()
    if not result.tables and not result.problems:
        result.problems.append(
            Problem(
                "、".join(read_titles), "",
                ("工作表" + "、".join(f"“{title}”" for title in read_titles) if read_titles else "工作簿（没有可见的工作表）")
                + "中没有找到绩效目标表：应有“项目名称”等表头和“三级指标”“指标值”列，或“总体绩效目标”。",
            )
        )
    return result


def load_grid(workbook, sheet, number_formats=None):
    """The sheet's cells, read in one pass over its XML (projects.excel.cells), or by openpyxl when it
    has formulas. Read-only workbooks parse a sheet only now, so a damaged part shows here."""
    try:
        read = read_sheet(
            workbook, sheet, number_formats,
            most_cells=settings.PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET, most_merges=settings.PERFGOALS_EXCEL_MAX_MERGES,
        )
        if read is None:  # open_workbook left the sheet unsized: every row, whatever <dimension> claims
            merges = merged_ranges(workbook, sheet)
            check_merges(sheet.title, merges)
            return SheetGrid(sheet.title, parsed_cells(workbook, sheet, number_formats), merges)
        return SheetGrid(sheet.title, *read)
    except TooMany as error:
        raise (too_many_cells if error.what == "cells" else too_many_merges)(sheet.title) from error
    except BadWorkbook:
        raise  # a limit of settings, with its own message
    except MemoryError as error:
        raise BadWorkbook(f"工作表“{sheet.title}”太大，服务器无法读取，未导入。请拆分为几个文件导入。") from error
    except Exception as error:  # openpyxl and the XML parser raise many kinds on damaged parts
        raise BadWorkbook(f"工作表“{sheet.title}”已损坏，无法读取，未导入。") from error


def _our_sheets(workbook, number_formats):
    """{sheet title: (kind, layout)} from the marker sheet of our exports. Read as any sheet is, within
    the limits and by the cells present (iter_rows would make a row of 16,384 empty cells for each row
    holding a cell in column XFD)."""
    if MARKER_SHEET not in workbook.sheetnames:
        return {}
    grid = load_grid(workbook, workbook[MARKER_SHEET], number_formats)
    entries = grid.entries
    rows = [[getattr(entries.get((row, col)), "value", None) for col in (1, 2, 3)] for row in grid.rows]
    if not rows or grid.rows[0] != 1 or rows[0][0] != MARKER:
        return {}
    return {row[0]: (row[1], row[2] or "") for row in rows[1:] if row[0]}


class SheetReader:
    def __init__(self, grid, frameworks, result, exact, cut=None):
        self.grid = grid
        self.frameworks = frameworks
        self.result = result
        self.exact = exact
        self.cut = cut or {}  # row → [(cell, message)]: cut or missing texts (StoredTexts.restore)

    def take_cut(self, table, first, last):
        """The cut or missing texts of rows ``first``–``last`` become problems of ``table``."""
        for row in [row for row in self.cut if first <= row <= last]:
            for cell, message in self.cut.pop(row):
                self.problem(table, cell, message)

    def problem(self, table, cell, message):
        table.problems.append(Problem(self.grid.title, cell, message))

    def warn(self, table, cell, message):
        table.warnings.append(Problem(self.grid.title, cell, message))

    def text(self, entry):
        if entry is None:
            return ""
        return entry.text if self.exact else join_lines(entry.text)

    def read(self):
        grid = self.grid
        headers = []
        for row in grid.rows:
            keys = {label_key(entry.text): entry for entry in grid.row_entries(row)}
            kind = _header_kind(keys)
            if kind:
                headers.append((row, kind))
        if any(kind == "flat" for _, kind in headers):

            read_flat(self, next(row for row, kind in headers if kind == "flat"))
            self.report_cut()
            return
        start = 1
        index = 0
        while index < len(headers):
            row, kind = headers[index]
            sub_header = None
            if kind == "sub_targets":
                sub_header = row
                index += 1
                if index >= len(headers) or headers[index][1] != "grid":
                    end = headers[index][0] - 1 if index < len(headers) else grid.max_row
                    self.read_form(start, sub_header, None, end)
                    start = end + 1
                    continue
                row = headers[index][0]
            next_header = headers[index + 1][0] if index + 1 < len(headers) else grid.max_row + 1
            end = self.grid_end(row, next_header)
            stacked = self.stacked_pair(headers, index, end)
            if stacked:
                (annual, annual_end), (mid, mid_end), end, preamble_end = stacked
                self.read_form(start, sub_header, annual, annual_end, midterm_grid=(mid, mid_end), preamble_end=preamble_end)
                start = end + 1
                index += 2
                continue
            self.read_form(start, sub_header, row, end)
            start = end + 1
            index += 1
        if start <= grid.max_row and self.has_table_labels(start, grid.max_row):
            self.read_form(start, None, None, grid.max_row)
        self.report_cut()

    def report_cut(self):
        for row in sorted(self.cut):
            self.result.problems.extend(Problem(self.grid.title, cell, message) for cell, message in self.cut.pop(row))

    def has_table_labels(self, first, last):
        """Whether rows without a grid still hold a table: a 项目名称 or 总体绩效目标 label with a value
        beside it (a list whose header row merely names these columns is not a table)."""
        wanted = layouts.FIELD_KEYS["name"] | layouts.FIELD_KEYS["target.overall_goal"]
        for row in self.grid.rows_between(first, last):
            entries = self.grid.row_entries(row)
            for position, entry in enumerate(entries):
                if label_key(entry.text) in wanted and position + 1 < len(entries):
                    if label_key(entries[position + 1].text) not in LABEL_FIELD:
                        return True
        return False

    def grid_end(self, header_row, next_header):
        """The last row of the grid under ``header_row``: before the next table's title or header
        labels, footnotes, or the next grid; blank rows inside the grid do not end it."""
        last = header_row
        for row in self.grid.rows_between(header_row + 1, next_header - 1):
            entries = self.grid.row_entries(row)
            if not entries:
                continue
            first = entries[0]
            key = label_key(first.text)
            if key in LABEL_FIELD or TITLE_HINT.search(first.text) or FOOTER.match(first.text.strip()):
                break
            if len(entries) == 1 and split_code_name(first.text)[0] and len(split_code_name(first.text)[0]) >= 6:
                break
            if label_key(first.text).startswith("单位") and "元" in first.text:
                break
            last = row
        # A preamble found before the next header belongs to the next table.
        return last if next_header > last else next_header - 1

    def stacked_pair(self, headers, index, end):
        """A 长期绩效指标 grid and a 年度绩效指标 grid one under the other (either first) are one table:
        ((annual header, last row), (mid-term header, last row), last row of both, last row above both),
        else None."""
        if index + 1 >= len(headers) or headers[index + 1][1] != "grid":
            return None
        first, second = headers[index][0], headers[index + 1][0]
        first_kind, first_title = grid_section(self.grid, first)
        second_kind, second_title = grid_section(self.grid, second)
        if {first_kind, second_kind} != {"midterm", "annual"}:
            return None
        following = headers[index + 2][0] if index + 2 < len(headers) else self.grid.max_row + 1
        second_end = self.grid_end(second, following)
        first_end = min(end, second_title - 1)
        if first_kind == "annual":
            return (first, first_end), (second, second_end), second_end, first_title - 1
        return (second, second_end), (first, first_end), second_end, first_title - 1

    def read_form(self, first, sub_header, grid_header, last, midterm_grid=None, preamble_end=None):
        preamble_end = min((sub_header or grid_header or last + 1) - 1, preamble_end or last)
        is_department = sub_header is not None or any(
            label_key(entry.text) in DEPARTMENT_ONLY
            for row in self.grid.rows_between(first, preamble_end)
            for entry in self.grid.row_entries(row)
        ) or (not self.exact and is_department_form(self.grid, first, preamble_end, layouts.FIELD_KEYS["name"]))
        hidden_uid, hidden = self.hidden_for(first, grid_header or last)
        table = TableRead(
            sheet=self.grid.title,
            kind="department" if is_department else "project",
            layout="department" if is_department else "",
            data={},
            exact=self.exact,
        )
        header = HeaderReader(self, table, first, preamble_end)
        header.hidden_lines = hidden.get("funds.breakdown")
        tasks = read_tasks(self, header, table, first, preamble_end) if is_department and not self.exact else None
        header.read()
        if header.department_reads:
            say_department_reads(self, table, header.department_reads)
        if tasks is not None and not sub_header:
            table.data["sub_targets"] = tasks
        if not table.layout:
            table.layout = "dingzhou" if header.seen & {"code", "funds.section_with_use", "spending_plan"} else "pingluo"
        if sub_header:
            sub_end = (grid_header - 1) if grid_header else last
            table.data["sub_targets"] = self.read_sub_targets(table, sub_header, sub_end)
        rows = self.read_grid(table, grid_header, last) if grid_header else []
        if midterm_grid:
            rows = merge_stacked(self, table, rows, self.read_grid(table, *midterm_grid))
        elif grid_header and not self.exact and grid_section(self.grid, grid_header)[0] == "midterm":
            rows = midterm_only(self, table, rows)
        if grid_header is None:
            self.warn(table, "", "没有找到三级指标表头（一级指标、二级指标、三级指标、指标值），本表按没有三级指标读取。")
        framework = choose_framework(
            self.frameworks, [(row["level1"], row["level2"]) for row in rows], hidden.get("framework")
        )
        table.data["framework"] = framework
        table.framework_evidence = bool(rows) or "framework" in hidden
        share_merged_points(self, table, rows)
        apply_bands(self, table, rows)
        table.data["indicators"] = self.resolve_levels(table, rows, framework)
        if hidden_uid:
            table.data["uid"] = hidden_uid
        for key, value in hidden.items():
            set_path(table.data, key, value, overwrite=False)
        self.take_cut(table, first, last)
        self.result.tables.append(table)

    def hidden_for(self, first, last):
        for row in sorted(row for row in self.grid.hidden_table if first <= row <= last):
            if row in self.grid.hidden_table:
                uid, data = self.grid.hidden_table[row]
                return uid, (data if self.exact else {})
        return "", {}

    def read_sub_targets(self, table, header_row, last):
        columns = {}
        for entry in self.grid.row_entries(header_row):
            key = label_key(entry.text)
            name = next((n for n, keys in layouts.SUB_TARGET_KEYS.items() if key in keys), None)
            if name:
                columns[name] = entry.col
            else:
                self.warn(table, entry.ref, f"未识别的列“{entry.text}”，其内容未读取。")
        subs = []
        for row in self.grid.rows_touched(header_row + 1, last):
            values = {name: self.text(self.grid.at(row, col)) for name, col in columns.items() if name != "number"}
            if not any(values.values()):
                continue
            if not values.get("title"):
                self.problem(table, ref(row, columns.get("title", 1)), "分项名称不能为空。")
            self.check_formulas(table, row, columns.values())
            subs.append({key: values.get(key, "") for key in ("title", "goal", "indicator_text", "safeguards")})
        return subs

    def check_formulas(self, table, row, cols):
        for col in cols:
            entry = self.grid.entries.get((row, col))
            if entry is not None and entry.formula:
                self.problem(table, entry.ref, f"单元格是公式（{entry.text}），请复制后“选择性粘贴为数值”再导入。")

    def read_grid(self, table, header_row, last):
        columns = {}
        for entry in self.grid.row_entries(header_row):
            key = label_key(entry.text)
            name = next((n for n, keys in layouts.GRID_KEYS.items() if key in keys), None)
            if name is None:
                self.warn(table, entry.ref, f"未识别的列“{entry.text}”，其内容未读取。")
            elif name != "outer" and name not in columns:
                columns[name] = entry.col
        for needed, label in (("level1", "一级指标"), ("level2", "二级指标")):
            if needed not in columns:
                self.problem(table, ref(header_row, 1), f"三级指标表头缺少“{label}”列。")
        if "formula" in columns:
            self.warn(table, ref(header_row, columns["formula"]), formula_hint(columns))
        joined = bool(columns.keys() & {"operator", "unit"}) and "value" in columns
        if joined:
            self.warn(table, ref(header_row, columns["value"]), joined_value_hint(columns))
        rows, previous = [], {"level1": "", "level2": ""}
        hidden_rows = self.grid.hidden_rows
        for row in self.grid.rows_touched(header_row + 1, last):
            texts = {name: self.text(self.grid.at(row, col)) for name, col in columns.items()}
            if not any(texts.get(name) for name in ("name", "value", "midterm_value", "description", "formula", "level1", "level2")):
                leftovers = [e for e in self.grid.row_entries(row) if e.col not in columns.values()]
                for entry in leftovers:
                    self.warn(table, entry.ref, f"三级指标表中这一格（“{entry.text[:20]}”）不在任何列之下，未读取。")
                continue
            self.check_formulas(table, row, columns.values())
            cells = {name: ref(row, col) for name, col in columns.items()}
            for level in ("level1", "level2"):
                if texts.get(level):
                    if level == "level1" and texts[level] != previous["level1"]:
                        previous["level2"] = ""
                    previous[level] = texts[level]
                elif previous[level]:
                    texts[level] = previous[level]
                else:
                    self.problem(table, cells.get(level, ref(row, 1)), f"{'一级' if level == 'level1' else '二级'}指标为空，上方也没有可沿用的指标。")
            uid, hidden = hidden_rows.get(row, ("", {}))
            band = None
            if not self.exact and texts.get("level1"):
                level1, band = split_band(texts["level1"])
                printed_level1, texts["level1"] = texts["level1"], level1
            item = {
                "uid": uid or None,
                "level1": texts.get("level1", ""),
                "level2": texts.get("level2", ""),
                "name": texts.get("name", ""),
                "description": texts.get("description", ""),
                "value": texts.get("value", ""),
                "midterm_value": texts.get("midterm_value", ""),
                "basis": "",
                "basis_text": "",
                "weight": None,
                "note": texts.get("note", ""),
                "_cells": cells,
            }
            if "formula" in columns:
                item["description"], item["note"] = fold_formula(texts, columns)
            if joined:
                item["value"] = joined_value(texts)
            if "basis" in columns:
                item["basis"], item["basis_text"] = read_basis(texts["basis"], hidden if self.exact else {})
            if "weight" in columns:
                points = self.grid.at(row, columns["weight"])
                item["weight"] = self.read_weight(table, points, cells["weight"])
                if points is not None and points.rows > 1 and not self.exact:
                    item["_points_cell"] = points.ref  # one 分值 merged over several rows (bands.share_merged_points)
            if self.exact:
                for key in ("description", "midterm_value", "weight", "note"):
                    if key in hidden and key not in columns:
                        item[key] = hidden[key]
                if "basis" not in columns:
                    item["basis"], item["basis_text"] = hidden.get("basis") or "", hidden.get("basis_text") or ""
            if band is not None:
                item["_band"], item["_band_text"] = band, printed_level1
            rows.append(item)
        return rows

    def read_weight(self, table, entry, cell):
        if entry is None or not entry.text.strip():
            return None
        try:
            number = Decimal(entry.text.strip().rstrip("%％分").strip())  # 20, 20%, 20分
        except InvalidOperation:
            self.problem(table, cell, f"权重“{entry.text}”应为 0–100 的数字。")
            return None
        if not 0 <= number <= 100:
            self.problem(table, cell, f"权重“{entry.text}”应为 0–100 的数字。")
            return None
        return format(number.normalize(), "f")

    def resolve_levels(self, table, rows, framework):
        """Rows with the framework's names; the printed names the reader had to move are noted."""
        known = self.frameworks.level2s.get(framework, {})
        indicators = []
        seen_uids = set()
        renamed = {}  # (level, printed, read) → first cell: one hint per rename, not one per row
        for row in rows:
            cells = row.pop("_cells")
            match = match_levels(self.frameworks, framework, row["level1"], row["level2"])
            if not match.found:
                choices = "、".join(f"{l1}/{l2}" for l1, l2 in known)
                self.problem(
                    table,
                    cells.get("level2") or cells.get("level1", ""),
                    f"“{row['level1']} / {row['level2']}”不是本表指标体系（{framework}）中的一级/二级指标；应为：{choices}。",
                )
            elif match.note:
                self.warn(table, cells.get("level2") or cells.get("level1", ""), match.note + "。")
            if not self.exact:
                for rename in match.renames(row["level1"], row["level2"]):
                    renamed.setdefault(rename, cells.get("level1" if rename[0] == "一级" else "level2", ""))
            row["level1"], row["level2"] = match.level1, match.level2
            if row["uid"] in seen_uids:
                row["uid"] = None  # a copied row: the copy is a new row
            seen_uids.add(row["uid"])
            indicators.append(row)
        for (level, printed, read), cell in renamed.items():
            self.warn(table, cell, f"{level}指标“{printed}”按指标体系的名称读作“{read}”。")
        return indicators


def _header_kind(keys):
    names = set(keys)
    has = lambda field_name, table=layouts.GRID_KEYS: bool(names & table[field_name])  # noqa: E731
    if has("name") and has("value"):
        if names & layouts.FLAT_TABLE_KEYS["name"]:
            return "flat"
        return "grid"
    if has("title", layouts.SUB_TARGET_KEYS) and has("safeguards", layouts.SUB_TARGET_KEYS):
        return "sub_targets"
    return None
