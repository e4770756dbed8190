"""The whole-department form as many units print it (部门（单位）整体支出绩效目标申报表): headed 部门（单位）名称,
a block of 年度主要任务 (任务名称 / 主要内容), the department's money, a 年度总体目标, and an indicator grid whose
columns are 指标解释 / 指标说明及公式 / 预期达到目标 instead of 绩效指标描述 / 指标值.

It is read into the 部门整体绩效目标 the 部门整体 layout holds: 部门（单位）名称 is the department, the tasks are
its 分项目标 (任务名称 → 分项名称, 主要内容 → 绩效目标), 年度总体目标 its 总体绩效目标, 资金总额 its 部门预算总额,
预期达到目标 the 指标值, 指标解释 the 绩效指标描述 and 指标说明及公式 the row's 备注 (its 绩效指标描述 when the form
has no 指标解释). Each of these readings is a hint in the preview.
"""

from projects.excel.grid import ref
from projects.excel.text import label_key

# Labels that mark a department's form even without 总体绩效目标 (when no 项目名称 is printed).
FORM_MARKERS = {label_key(text) for text in ("部门（单位）名称", "部门(单位)名称", "年度主要任务")}
_TASK_LABELS = {label_key(text) for text in ("年度主要任务", "主要任务", "年度重点任务", "年度工作任务")}
_TASK_COLUMNS = {
    "title": {label_key(text) for text in ("任务名称", "任务", "工作任务", "重点任务", "任务名")},
    "goal": {label_key(text) for text in ("主要内容", "任务内容", "主要工作内容", "工作内容", "内容")},
}
# Project labels that mean the department's own field on this form.
DEPARTMENT_READS = {"goals.annual": "target.overall_goal", "funds.total": "target.funds.total"}
_READ_AS = {"target.overall_goal": "总体绩效目标", "target.funds.total": "部门预算总额"}
# A project's money split a department's target has no room for (it keeps 基本支出 / 项目支出): each is
# a hint naming what was printed, never a silent loss nor a refusal.
NOT_KEPT = "target.not_kept"
NOT_KEPT_FIELDS = {"funds.fiscal", "funds.fiscal_part", "funds.other", "funds.own", "funds.own_part", "funds.other_part"}


def is_department_form(grid, first, last, name_keys):
    """Whether rows ``first``–``last`` (a table's preamble) are the department form: a marker label
    and no 项目名称."""
    keys = {label_key(entry.text) for row in grid.rows_between(first, last) for entry in grid.row_entries(row)}
    return bool(keys & FORM_MARKERS) and not keys & name_keys


def read_tasks(sheet_reader, header, table, first, last):
    """The 年度主要任务 block of rows ``first``–``last`` as 分项目标 dicts (None when there is none); its
    cells are marked read in ``header`` so the header reader passes over them."""
    grid = sheet_reader.grid
    label = next(
        (entry for row in grid.rows_between(first, last) for entry in grid.row_entries(row) if label_key(entry.text) in _TASK_LABELS),
        None,
    )
    if label is None:
        return None
    header.consumed.add((label.row, label.col))
    columns, heading_row = {}, None
    for row in grid.rows_between(label.row, min(last, label.row + 1)):
        for entry in grid.row_entries(row):
            key = label_key(entry.text)
            name = next((name for name, keys in _TASK_COLUMNS.items() if key in keys), None)
            if name and entry.col > label.col and name not in columns:
                columns[name] = entry.col
                heading_row = row
        if "title" in columns:
            break
    if "title" not in columns:
        sheet_reader.warn(table, label.ref, "“年度主要任务”下没有找到“任务名称”列，年度主要任务未读取。")
        return None
    for entry in grid.row_entries(heading_row):
        if entry.col > label.col:
            header.consumed.add((entry.row, entry.col))
            if entry.col not in columns.values():
                sheet_reader.warn(table, entry.ref, f"年度主要任务的“{entry.text.strip()}”列未读取（分项目标没有这一栏）。")
    block_end = label.row + label.rows - 1 if label.rows > 1 else last
    tasks = []
    for row in grid.rows_between(heading_row + 1, min(last, block_end)):
        entries = grid.row_entries(row)
        if label.rows == 1 and entries and entries[0].col <= label.col:
            break  # the next label in the label column ends the block
        for entry in entries:
            header.consumed.add((entry.row, entry.col))
        title = sheet_reader.text(grid.at(row, columns["title"]))
        goal = sheet_reader.text(grid.at(row, columns["goal"])) if "goal" in columns else ""
        if not title and not goal:
            continue
        if not title:
            sheet_reader.problem(table, ref(row, columns["title"]), "任务名称不能为空。")
        sheet_reader.check_formulas(table, row, columns.values())
        tasks.append({"title": title, "goal": goal, "indicator_text": "", "safeguards": ""})
    sheet_reader.warn(table, label.ref, f"年度主要任务读作分项目标（{len(tasks)} 项：任务名称为分项名称，主要内容为绩效目标）。")
    return tasks


def say_department_reads(sheet_reader, table, reads):
    """One hint for each project label read as the department's field (``reads``: printed label →
    (field, cell))."""
    for printed, (field_name, cell) in reads.items():
        sheet_reader.warn(table, cell, f"部门整体目标表中的“{printed}”读作“{_READ_AS[field_name]}”。")


def fold_formula(texts, columns):
    """(绩效指标描述, 备注) of a grid row whose form has a 指标说明及公式 column: the formula is the 备注,
    before any 备注 printed, or the 绩效指标描述 when the form has no 指标解释."""
    formula = texts.get("formula", "")
    description, note = texts.get("description", ""), texts.get("note", "")
    if "description" not in columns:
        return formula, note
    return description, "\n".join(part for part in (formula, note) if part)


def formula_hint(columns):
    return "“指标说明及公式”列读作" + ("备注。" if "description" in columns else "绩效指标描述（本表没有“指标解释”列）。")


def say_not_kept(sheet_reader, table, label, text, where):
    sheet_reader.warn(table, where.ref, f"部门整体目标只保存部门预算总额、基本支出和项目支出；“{label.text.strip()}”"
                      + (f"（{text}）" if text else "") + "未保存。")
