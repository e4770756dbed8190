"""Reading the flat list (one row per 三级 indicator, the table's main fields repeated on each row).

Rows are grouped into tables by the hidden table uid when the file is ours, otherwise by
实施单位 + 预算年度 + 项目名称 + 项目编码.
"""

from projects.excel import layouts
from projects.excel.deptform import fold_formula, formula_hint
from projects.excel.grid import ref
from projects.excel.levels import choose_framework
from projects.excel.tableread import Problem, TableRead, read_basis, set_path
from projects.excel.text import label_key, parse_money, year_in
from projects.models import money_fits, money_limit_message

_TABLE_FIELDS = ("region", "department", "unit", "year", "name", "code", "funds.total", "funds.fiscal", "funds.other")
_ROW_FIELDS = ("level1", "level2", "name", "description", "value", "midterm_value", "basis", "weight", "note")


def read_flat(sheet_reader, header_row):
    grid = sheet_reader.grid
    table_cols, row_cols, derived = {}, {}, {label_key(c.header) for c in layouts.FLAT.columns if not c.read}
    for entry in grid.row_entries(header_row):
        key = label_key(entry.text)
        table_field = next((f for f, keys in layouts.FLAT_TABLE_KEYS.items() if key in keys), None)
        row_field = next((f for f, keys in layouts.GRID_KEYS.items() if key in keys), None)
        if key in derived:
            continue  # 指标性质, 数值, 计量单位: printed for analysis from the 指标值, never read back
        if table_field and table_field not in table_cols:
            table_cols[table_field] = entry.col
        elif row_field and row_field not in row_cols and row_field not in ("outer", "operator", "unit"):
            row_cols[row_field] = entry.col
        else:
            sheet_reader.result.warnings.append(_problem(grid, entry.ref, f"未识别的列“{entry.text}”，其内容未读取。"))
    if "formula" in row_cols:
        sheet_reader.result.warnings.append(_problem(grid, ref(header_row, row_cols["formula"]), formula_hint(row_cols)))
    groups = {}
    for row in grid.rows_between(header_row + 1, grid.max_row):
        values = {f: grid.at(row, c) for f, c in table_cols.items()}
        texts = {f: sheet_reader.text(e) for f, e in values.items()}
        table_uid, table_hidden = grid.hidden_table.get(row, ("", {}))
        key = table_uid or (texts.get("unit"), texts.get("year"), texts.get("name"), texts.get("code"))
        if key not in groups:
            table = TableRead(sheet=grid.title, kind="project", layout="flat", data={}, exact=sheet_reader.exact)
            _fill_table(sheet_reader, table, values, texts, row)
            if table_uid:
                table.data["uid"] = table_uid
            groups[key] = (table, [])
        table, rows = groups[key]
        # The table's unprinted fields ride on every row (on the first only in older files, which a
        # sort in Excel may have moved): taken from whichever row has them.
        carried = table_hidden.get("table") if sheet_reader.exact else None
        for dotted, value in (carried.items() if isinstance(carried, dict) else ()):
            set_path(table.data, dotted, value, overwrite=False)
        sheet_reader.take_cut(table, row, row)
        sheet_reader.check_formulas(table, row, list(table_cols.values()) + list(row_cols.values()))
        item_texts = {f: sheet_reader.text(grid.at(row, c)) for f, c in row_cols.items()}
        if not any(item_texts.get(f) for f in ("level1", "level2", "name", "value", "midterm_value")):
            continue
        hidden = table_hidden if sheet_reader.exact else {}
        cells = {f: ref(row, c) for f, c in row_cols.items()}
        item = {
            "uid": hidden.get("uid") or None,
            "level1": item_texts.get("level1", ""),
            "level2": item_texts.get("level2", ""),
            "name": item_texts.get("name", ""),
            "description": item_texts.get("description", ""),
            "value": item_texts.get("value", ""),
            "midterm_value": item_texts.get("midterm_value", ""),
            "basis": "",
            "basis_text": "",
            "weight": None,
            "note": item_texts.get("note", ""),
            "_cells": cells,
        }
        if "formula" in row_cols:
            item["description"], item["note"] = fold_formula(item_texts, row_cols)
        row_hidden = hidden.get("row", {})
        if "basis" in row_cols:
            item["basis"], item["basis_text"] = read_basis(item_texts["basis"], row_hidden)
        if "weight" in row_cols:
            item["weight"] = sheet_reader.read_weight(table, grid.at(row, row_cols["weight"]), cells["weight"])
        for level in ("level1", "level2"):
            if not item[level]:
                sheet_reader.problem(table, cells.get(level, ref(row, 1)), f"{'一级' if level == 'level1' else '二级'}指标不能为空。")
        rows.append(item)
    for table, rows in groups.values():
        carried_framework = table.data.get("framework")
        framework = choose_framework(sheet_reader.frameworks, [(r["level1"], r["level2"]) for r in rows], carried_framework)
        table.data["framework"] = framework
        table.framework_evidence = bool(rows) or carried_framework is not None
        table.data["indicators"] = sheet_reader.resolve_levels(table, rows, framework)
        sheet_reader.result.tables.append(table)


def _fill_table(sheet_reader, table, values, texts, row):
    data = table.data
    for field_name in ("region", "department", "unit", "name", "code"):
        if field_name in texts:
            data[field_name] = texts[field_name]
            if values.get(field_name) is not None:
                table.cells[field_name] = values[field_name].ref
    year_entry = values.get("year")
    if year_entry is not None and texts.get("year"):
        year = year_in(texts["year"] + "年")
        if year is None:
            sheet_reader.problem(table, year_entry.ref, f"预算年度“{texts['year']}”应为四位年份，例如 2023。")
        data["year"] = year
    funds = {}
    for key in ("total", "fiscal", "other"):
        entry = values.get(f"funds.{key}")
        if entry is None:
            continue
        try:
            number, scale = parse_money(entry.value, entry.number_format)
        except ValueError:
            sheet_reader.problem(table, entry.ref, f"“{entry.text}”应为金额（万元），例如 19.56。")
            continue
        if number is not None and not money_fits(number / scale):
            label = {"total": "年度资金总额", "fiscal": "财政拨款", "other": "其他资金"}[key]
            sheet_reader.problem(table, entry.ref, money_limit_message(label, entry.text))
        elif number is not None:
            funds[key] = format((number / scale).normalize(), "f")
    if funds or any(f"funds.{k}" in values for k in ("total", "fiscal", "other")):
        data["funds"] = {key: funds.get(key) for key in ("total", "fiscal", "other")}


def _problem(grid, cell, message):
    return Problem(grid.title, cell, message)
