"""The mid-term half of a form (财预〔2015〕88号 and the local forms after it), read beside the year's:

- 中期资金总额 with its own 财政拨款 / 其他资金, beside or under 年度资金总额: each amount belongs to the
  nearest total label above it in its column or left of it in its row, so the mid-term split is never
  added to the year's funds;
- 中期目标 / 年度目标 printed as column headings with the goals in the cells below them;
- a 中期指标值 column beside 年度指标值 (read as a grid column, layouts.GRID_LABELS), or two grids one
  under the other, 长期绩效指标 over 年度绩效指标, whose rows are matched by 一级/二级/三级.
"""

from decimal import Decimal

from projects.excel import layouts
from projects.excel.goals import split_goals
from projects.excel.tableread import LABEL_FIELD
from projects.excel.text import label_key
from projects.models import money_fits, money_limit_message

_SPLIT = ("funds.fiscal", "funds.fiscal_part", "funds.other", "funds.other_part")
_NAMES = {"total": "中期资金总额", "fiscal": "中期资金的财政拨款", "other": "中期资金的其他资金"}
_MIDTERM_TITLES = {label_key(text) for text in layouts.MIDTERM_GRID_TITLES}
_ANNUAL_TITLES = {label_key(text) for text in layouts.ANNUAL_GRID_TITLES}


def _label_field(text):
    """The header field a cell is the label of, also when it carries its value (“中期资金总额：300”)."""
    field_name = LABEL_FIELD.get(label_key(text))
    if field_name is None:
        for separator in ("：", ":"):
            if separator in text:
                field_name = LABEL_FIELD.get(label_key(text.split(separator, 1)[0]))
                break
    return field_name


def _labels(header, fields):
    """The label cells of ``fields`` in the header block."""
    return [
        entry
        for row in header.grid.rows_between(header.first, header.last)
        for entry in header.grid.row_entries(row)
        if _label_field(entry.text) in fields
    ]


def _label_of(header, where):
    """The label cell an amount was read under: the cell itself when it carries its value, else the
    nearest label to its left in its row."""
    if _label_field(where.text):
        return where
    left = [entry for entry in header.grid.row_entries(where.row) if entry.col < where.col and _label_field(entry.text)]
    return left[-1] if left else where


def _owner(label, totals):
    """The total label (a cell) an amount label belongs to: the nearest one above it in its column or
    left of it in its row."""
    candidates = [
        (label.row - total.row) + (label.col - total.col)
        for total in totals
        if (total.col == label.col and total.row <= label.row) or (total.row == label.row and total.col <= label.col)
    ]
    best = min(candidates, default=None)
    if best is None:
        return None
    return next(
        total for total in totals
        if (label.row - total.row) + (label.col - total.col) == best
        and ((total.col == label.col and total.row <= label.row) or (total.row == label.row and total.col <= label.col))
    )


def take_midterm_funds(header):
    """Move the mid-term amounts out of the header's money and store them as ``midterm_funds``
    (called before the year's funds are worked out). A form without 中期资金总额 keeps every amount."""
    mid_labels = _labels(header, {"midterm_funds.total"})
    if not mid_labels:
        return
    midterm = {"total": None, "fiscal": None, "other": None}
    header.table.data["midterm_funds"] = midterm
    mid_keys = {(label.row, label.col) for label in mid_labels}
    totals = mid_labels + _labels(header, {"funds.total"})
    taken = {name: [] for name in _SPLIT}
    for name in _SPLIT:
        kept = []
        for value, where in header.money[name]:
            owner = _owner(_label_of(header, where), totals)
            (taken[name] if owner is not None and (owner.row, owner.col) in mid_keys else kept).append((value, where))
        header.money[name] = kept
    amounts = header.money.pop("midterm_funds.total", [])

    def total(items):
        return sum((value for value, _ in items), Decimal(0)) if items else None

    fiscal = total(taken["funds.fiscal"])
    if fiscal is None:
        fiscal = total(taken["funds.fiscal_part"])
    other = total(taken["funds.other"] + taken["funds.other_part"])
    grand = amounts[0][0] if amounts else None
    if len(amounts) > 1:
        header.reader.warn(header.table, amounts[1][1].ref, "中期资金总额填写了不止一处，按第一处读取。")
    for key, value, items in (("total", grand, amounts), ("fiscal", fiscal, taken["funds.fiscal"] or taken["funds.fiscal_part"]),
                              ("other", other, taken["funds.other"] + taken["funds.other_part"])):
        if value is None:
            continue
        where = items[0][1]
        if value < 0:
            header.reader.problem(header.table, where.ref, "金额不能为负数。")
            continue
        if not money_fits(value):
            header.reader.problem(header.table, where.ref, money_limit_message(_NAMES[key], _text(value)))
            continue
        midterm[key] = _text(value)
        header.table.cells[f"midterm_funds.{key}"] = where.ref
    if grand is not None and fiscal is not None and grand != fiscal + (other or 0):
        header.reader.warn(header.table, amounts[0][1].ref,
                           f"中期资金总额 {_text(grand)} 不等于其财政拨款与其他资金之和 {_text(fiscal + (other or 0))}。")
    if not header.reader.exact and any(midterm.values()):
        header.reader.warn(header.table, (amounts or taken["funds.fiscal"] or taken["funds.other"])[0][1].ref,
                           "读取到中期资金（" + "，".join(
                               f"{name} {midterm[key]} 万元" for key, name in
                               (("total", "总额"), ("fiscal", "财政拨款"), ("other", "其他资金")) if midterm[key] is not None
                           ) + "），已另存为中期资金，未计入年度资金。")


def goals_below_labels(header):
    """中期目标 / 年度目标 printed as column headings (the 88号 form's 总体目标 block): a goal label with
    nothing to its right takes the cell right under it."""
    if header.reader.exact:
        return
    for row in header.grid.rows_between(header.first, header.last):
        for label in header.grid.row_entries(row):
            field_name = LABEL_FIELD.get(label_key(label.text))
            if not (field_name or "").startswith("goals.") or (label.row, label.col) not in header.consumed:
                continue
            if (header.table.data.get("goals") or {}).get(field_name[6:]):
                continue
            below = header.grid.entries.get((label.row + label.rows, label.col))
            if below is None or (below.row, below.col) in header.consumed or _label_field(below.text):
                continue
            header.consumed.add((below.row, below.col))
            header.put(field_name, split_goals(below.text), below)


def grid_section(grid, header_row):
    """("midterm" | "annual" | "", title row) of the grid whose header is ``header_row``: told by the
    header row's outer cell (长期绩效指标 | 一级指标 …) or a title row just above it."""
    for entry in grid.row_entries(header_row):
        key = label_key(entry.text)
        if key in _MIDTERM_TITLES:
            return "midterm", header_row
        if key in _ANNUAL_TITLES:
            return "annual", header_row
    for row in (header_row - 1, header_row - 2):
        entries = grid.row_entries(row) if row >= 1 else []
        keys = {label_key(entry.text) for entry in entries}
        if entries and keys <= _MIDTERM_TITLES:
            return "midterm", row
        if entries and keys <= _ANNUAL_TITLES:
            return "annual", row
        if entries:
            break
    return "", header_row


def merge_stacked(reader, table, annual, midterm):
    """The year's rows with the 中期指标值 of the 长期绩效指标 grid's rows of the same 一级/二级/三级 (or,
    failing that, the same 三级); a mid-term row the year does not list becomes a row of its own."""
    def key(row, full=True):
        name = row["name"].strip()
        return (label_key(row["level1"]), label_key(row["level2"]), name) if full else name

    free = list(annual)
    added = 0
    for row in midterm:
        match = next((item for item in free if key(item) == key(row)), None) or next(
            (item for item in free if key(item, False) == key(row, False) and key(row, False)), None
        )
        if match is not None:
            free.remove(match)
            match["midterm_value"] = row["value"]
            continue
        row["midterm_value"], row["value"] = row["value"], ""
        annual.append(row)
        added += 1
        cell = row["_cells"].get("name") or row["_cells"].get("value", "")
        reader.warn(table, cell, f"长期绩效指标“{row['name']}”在年度绩效指标中没有，按只有中期指标值的指标读取。")
    reader.warn(table, "", f"长期绩效指标表的 {len(midterm)} 条指标按一级/二级/三级指标与年度绩效指标对应，"
                           f"其指标值读作中期指标值（{len(midterm) - added} 条对应上，{added} 条另列）。")
    return annual


def midterm_only(reader, table, rows):
    """A form whose only grid is 长期绩效指标: its 指标值 are mid-term values."""
    for row in rows:
        row["midterm_value"], row["value"] = row["value"], ""
    reader.warn(table, "", "本表只有长期绩效指标，其指标值读作中期指标值，年度指标值为空。")
    return rows


def _text(value):
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in {"-0", ""} else text
