"""A form's tree of sources kept as the table's funds breakdown (projects.breakdown), beside the three
amounts projects.excel.header adds up from it:

- a tree printed with labels (财政拨款小计 → 一般公共预算 / 政府性基金 / 国有资本经营预算; 自有资金 → 事业收入 /
  经营收入; 其他收入), each line under the subtotal its label belongs to, in the form's order;
- the 资金来源明细 block our layouts print under the funds, each line indented a full-width space a level.
"""

from decimal import Decimal

from perfgoals.formatting import decimal_text
from projects.breakdown import shown_lines
from projects.excel.text import AmbiguousMoney, join_lines, money_scale, read_money

# The lines of a tree of sources, and those that make a form's funds a tree (more than the three amounts).
TREE_FIELDS = ("funds.total", "funds.fiscal", "funds.fiscal_part", "funds.other", "funds.own", "funds.own_part", "funds.other_part")
PART_FIELDS = ("funds.fiscal_part", "funds.own", "funds.own_part", "funds.other_part")
SUBTOTALS = ("funds.total", "funds.fiscal", "funds.other", "funds.own")


def _text(value):
    return decimal_text(Decimal(value)) if value is not None else None


def keep_tree(header):
    """The tree of sources as the form printed it (a subtotal with its parts, 自有资金 with 事业收入 …),
    kept line by line in ``funds.breakdown`` (projects.breakdown) in the form's order, each part
    under the subtotal it belongs to; a form that prints only the three amounts has no tree."""
    money = header.money
    if header.printed_lines is not None:
        header.table.data.setdefault("funds", {})["breakdown"] = _printed_or_hidden(header)
        return
    if not any(money[name] for name in PART_FIELDS) and not any(name in PART_FIELDS for name, _, _ in header.empty_lines):
        return
    read = [(name, value, entry, header.label_name(entry)) for name in TREE_FIELDS for value, entry in money[name]]
    read += [(name, None, entry, label) for name, entry, label in header.empty_lines]
    read.sort(key=lambda item: (item[2].row, item[2].col))
    lines, first_of = [], {}
    for number, (name, _, _, _) in enumerate(read, 1):
        if name in SUBTOTALS:
            first_of.setdefault(name, number)
    other = None if header.beside_other else "funds.other"
    parents = {
        "funds.total": (),
        "funds.fiscal": ("funds.total",),
        "funds.other": ("funds.total",),
        "funds.own": (other, "funds.total"),
        "funds.fiscal_part": ("funds.fiscal", "funds.total"),
        "funds.own_part": ("funds.own", other, "funds.total"),
        "funds.other_part": (other, "funds.total"),
    }
    for number, (name, value, _, label) in enumerate(read, 1):
        parent = next((first_of[up] for up in parents[name] if up in first_of and first_of[up] < number), None)
        lines.append({"label": label, "parent": parent, "amount": _text(value)})
    header.table.data.setdefault("funds", {})["breakdown"] = lines
    header.table.cells["funds.breakdown"] = read[0][2].ref
    said = "；".join(f"{line['label']} {line['amount'] or '未填'}" for line in lines)
    header.reader.warn(header.table, read[0][2].ref,
                       f"资金来源明细按表中 {len(lines)} 行保存（{said}），年度资金总额、财政拨款、其他资金按上述各行读取。")


def read_breakdown_block(header, label):
    """资金来源明细 as our layouts print it: in each row the label spans, a line's label (a full-width
    space of indent a level) and its amount; a line's parent is the nearest line above one level
    less indented. The cells are never read as the three amounts."""
    lines, open_lines = [], []  # open_lines: (depth, number) of the lines a deeper one may belong to
    for row in header.grid.rows_between(label.row, label.row + max(label.rows, 1) - 1):
        cells = [entry for entry in header.grid.row_entries(row) if entry.col > label.col and (entry.row, entry.col) not in header.consumed]
        header.consumed.update((entry.row, entry.col) for entry in cells)
        if not cells:
            continue
        text = cells[0].text or ""
        depth = len(text) - len(text.lstrip("　"))
        amount = None
        if len(cells) > 1:
            try:
                reading = read_money(cells[1].value, cells[1].number_format)
            except (ValueError, AmbiguousMoney):
                header.reader.problem(header.table, cells[1].ref, f"资金来源明细“{text.strip()}”的金额“{cells[1].text.strip()}”不是金额（万元）。")
                continue
            if reading.number is not None:
                divisor = Decimal(reading.scale) if reading.scale is not None else header.scale * money_scale(label.text)
                amount = reading.number / divisor
        while open_lines and open_lines[-1][0] >= depth:
            open_lines.pop()
        lines.append({"label": join_lines(text).strip(), "parent": open_lines[-1][1] if open_lines else None,
                      "amount": _text(amount)})
        open_lines.append((depth, len(lines)))
        header.printed_depths.append(depth)
    if lines:
        header.printed_lines = lines
        header.table.cells["funds.breakdown"] = label.ref


def _printed_or_hidden(header):
    """The printed block's lines; in our own file, the hidden lines when the block still prints them
    (their parents are exact, where indents only say the nearest line above), else the printed ones
    with a hint that the block was changed."""
    printed, hidden = header.printed_lines, header.hidden_lines
    if not header.reader.exact or not isinstance(hidden, list):
        return printed
    as_printed = [(line["label"], line["amount"], depth) for line, depth in zip(printed, header.printed_depths)]
    as_hidden = [(join_lines(line.label).strip(), line.amount_text or None, line.depth) for line in shown_lines(hidden)]
    if as_printed == as_hidden:
        return hidden
    header.reader.warn(header.table, header.table.cells.get("funds.breakdown", ""),
                       "资金来源明细与导出时不同，按表中印出的各行读取（各行所属按缩进判断）。")
    return printed
