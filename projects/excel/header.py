"""Reading the header block of a form: title, year, unit line and the label → value cells above the
indicator grid (项目名称, 主管部门, 项目资金 and its tree of sources, 资金支出计划, 年度总体目标 …)."""

from decimal import Decimal

from projects.excel import layouts
from projects.excel.deptform import DEPARTMENT_READS, NOT_KEPT, NOT_KEPT_FIELDS, say_not_kept
from projects.excel.goals import split_goals
from projects.excel.fundstree import TREE_FIELDS, keep_tree, read_breakdown_block
from projects.excel.midterm import goals_below_labels, take_midterm_funds
from projects.excel.tableread import FOOTER, LABEL_FIELD, MONTH, TITLE_HINT
from projects.excel.text import (
    AmbiguousMoney, join_lines, label_key, money_scale, read_money, parse_percent, split_code_name, year_in,
)
from projects.models import money_fits, money_limit_message

_MONEY_LABELS = {"funds.total": "年度资金总额", "funds.fiscal": "财政拨款", "funds.other": "其他资金"}
_SECTION_FIELDS = {"funds.section", "funds.section_with_use", "spending_plan"}
_MONEY_FIELDS = {
    "funds.total", "funds.fiscal", "funds.fiscal_part", "funds.other", "funds.own", "funds.own_part", "funds.other_part",
    "midterm_funds.total",
}
# Subtotals are one amount each (a second cell under the same label is a repeat, not a part to add);
# parts are added up.
_SUBTOTALS = {"funds.total", "funds.fiscal", "funds.other", "funds.own"}
# Where each of the three amounts may have been added up from, when the form does not state it.
_READ_FROM = {
    "funds.total": ("funds.fiscal", "funds.fiscal_part", "funds.other", "funds.own", "funds.own_part", "funds.other_part"),
    "funds.fiscal": ("funds.fiscal_part",),
    "funds.other": ("funds.own", "funds.own_part", "funds.other_part"),
}
_PART_NAMES = {"funds.fiscal_part": "财政拨款", "funds.own_part": "自有资金", "funds.other_part": "其他资金"}
# The mid-term money of a form that states it beside or above the year's (88号 form): not the year's funds.
_MIDTERM_MONEY = {label_key(text) for text in ("中期资金总额", "中期资金", "实施期资金总额", "中长期资金总额", "中期预算数", "中期资金合计")}
_ANNUAL_MONEY = {label_key(text) for text in ("年度资金总额", "年度资金", "年度预算数", "年度预算", "本年资金总额")}
# A department's budget split (部门整体绩效目标): each read as printed, 万元.
_TARGET_MONEY_LABELS = {"target.funds.total": "部门预算总额", "target.funds.basic": "基本支出", "target.funds.project": "项目支出"}
_TITLE_SUFFIXES = ("项目支出绩效目标表", "项目绩效目标表", "绩效目标表", "绩效目标申报表")
# Titles that name the form, not a project: "部门项目支出预算绩效目标表" must not become a project name.
_GENERIC_TITLES = {"", "部门项目支出预算", "项目支出预算", "部门项目支出", "项目支出", "部门", "项目", "预算项目"}


class HeaderReader:
    def __init__(self, sheet_reader, table, first, last):
        self.reader = sheet_reader
        self.grid = sheet_reader.grid
        self.table = table
        self.first, self.last = first, last
        self.seen = set()
        self.money = {name: [] for name in _MONEY_FIELDS}
        self.scale = Decimal(1)
        self.consumed = set()
        self.use_rows = set()
        self.year_from_title = None
        self.title_name = ""
        self.remarks = []  # (label, cell text, amount as read, remark, entry) of money cells with words
        self.annual_col = None  # the 年度 column when mid-term and annual amounts stand side by side
        self.midterm_cells = []  # (field, label, cell) of the 中期 column beside the 年度 one
        self.department_reads = {}  # printed label → (department field, cell): project labels on a department's form
        self.empty_lines = []  # (field, cell, label) of a funds line printed without an amount (kept in the tree)
        self.beside_other = False  # 自有资金 / 其他收入 printed beside 其他资金, not as its parts
        self.printed_lines = None  # the lines of a printed 资金来源明细 block (our layouts print one)
        self.printed_depths = []  # each printed line's indent
        self.hidden_lines = None  # the lines our own file carries hidden, each with its parent exactly

    def put(self, field_name, value, entry):
        data = self.table.data
        if field_name.startswith("goals."):
            data.setdefault("goals", {})[field_name[6:]] = value
        else:
            data[field_name] = value
        self.table.cells[field_name] = entry.ref

    def read(self):
        is_department = self.table.kind == "department"
        if not self.reader.exact and not is_department:
            self.money_columns()
        for row in self.grid.rows_between(self.first, self.last):
            entries = self.grid.row_entries(row)
            for position, entry in enumerate(entries):
                if (entry.row, entry.col) in self.consumed:
                    continue
                if self.reader.exact and entry.row in self.use_rows:
                    continue  # our 资金用途 line is the value itself, whatever it begins with
                field_name, inline = self.label_of(entry, is_department)
                if field_name is None:
                    continue
                self.consumed.add((entry.row, entry.col))
                self.seen.add(field_name)
                if field_name in _SECTION_FIELDS:
                    self.section(field_name, entry)
                    continue
                if field_name == "funds.breakdown":
                    read_breakdown_block(self, entry)
                    continue
                value_entry = None
                if inline is None:
                    value_entry = self.value_right_of(entries, position, is_department)
                    if field_name in _MONEY_FIELDS and self.annual_col is not None:
                        value_entry = self.annual_value(field_name, entry, value_entry)
                    if value_entry is not None:
                        self.consumed.add((value_entry.row, value_entry.col))
                self.field(field_name, entry, value_entry, inline)
        goals_below_labels(self)
        for row in self.grid.rows_between(self.first, self.last):
            for entry in self.grid.row_entries(row):
                if (entry.row, entry.col) not in self.consumed:
                    self.free_text(entry)
        self.finish()

    def money_columns(self):
        """A row naming 中期资金总额 and 年度资金总额 as column headings (amounts in the rows below):
        the year's amounts are read from the 年度 column only."""
        for row in self.grid.rows_between(self.first, self.last):
            entries = self.grid.row_entries(row)
            keys = [label_key(entry.text) for entry in entries]
            midterm = [entry for entry, key in zip(entries, keys) if key in _MIDTERM_MONEY]
            annual = [entry for entry, key in zip(entries, keys) if key in _ANNUAL_MONEY]
            if midterm and annual and all(key in _MIDTERM_MONEY | _ANNUAL_MONEY | LABEL_FIELD.keys() or not key for key in keys):
                self.annual_col = annual[0].col
                self.midterm_col = midterm[0].col
                self.consumed.update((entry.row, entry.col) for entry in midterm + annual)
                self.reader.warn(self.table, annual[0].ref, f"资金分“{midterm[0].text.strip()}”“{annual[0].text.strip()}”两列，"
                                 "年度资金只读取“年度”一列，中期资金一列未计入年度资金。")
                return

    def annual_value(self, field_name, label, value_entry):
        """The amount in the 年度 column of the label's row; the mid-term one beside it is kept apart
        (stored as the mid-term funds by ``finish``)."""
        mid = self.grid.at(label.row, self.midterm_col)
        if mid is not None and (mid.row, mid.col) != (label.row, label.col) and mid.text.strip():
            self.consumed.add((mid.row, mid.col))
            self.midterm_cells.append((field_name, label, mid))
        annual = self.grid.at(label.row, self.annual_col)
        if annual is None or annual.row != label.row or (annual.row, annual.col) == (label.row, label.col):
            return value_entry if value_entry is None or value_entry.col >= self.annual_col else None
        return annual

    def label_of(self, entry, is_department):
        """(field, inline value) when the cell is a header label (“实施单位：X局” carries its value)."""
        key = label_key(entry.text)
        field_name = LABEL_FIELD.get(key)
        inline = None
        if field_name is None and self.reader.exact:
            # Our layouts print one label inside a value's cell, 定州's unit line; any other text
            # that begins with a label (“中长期目标：持续提升”) is a value as written.
            if entry.text.startswith(layouts.UNIT_LINE_LABEL) and len(entry.text) > len(layouts.UNIT_LINE_LABEL):
                field_name, inline = "unit", entry.text[len(layouts.UNIT_LINE_LABEL):]
        elif field_name is None:
            for separator in ("：", ":"):
                if separator in entry.text:
                    head, tail = entry.text.split(separator, 1)
                    if LABEL_FIELD.get(label_key(head)) and tail.strip():
                        field_name, inline = LABEL_FIELD[label_key(head)], tail.strip()
                    break
        if field_name is None:
            return None, None
        if is_department:
            if field_name in DEPARTMENT_READS and not self.reader.exact:
                self.department_reads.setdefault(entry.text.strip(), (DEPARTMENT_READS[field_name], entry.ref))
                field_name = DEPARTMENT_READS[field_name]
            elif field_name in NOT_KEPT_FIELDS and not self.reader.exact:
                field_name = NOT_KEPT
            if field_name in ("department", "target.department"):
                field_name = "target.department"
            elif field_name not in ("target.overall_goal", "year", NOT_KEPT, *_TARGET_MONEY_LABELS):
                return None, None
        elif field_name.startswith("target."):
            field_name = "department" if field_name == "target.department" else None
        return field_name, inline

    def value_right_of(self, entries, position, is_department):
        if self.reader.exact:
            # Our layouts print each value in the cell right beside its label, whatever the value says.
            label = entries[position]
            return next((entry for entry in entries[position + 1 :] if entry.col == label.col + label.span), None)
        for entry in entries[position + 1 :]:
            if (entry.row, entry.col) in self.consumed:
                continue
            if self.label_of(entry, is_department)[0] is not None:
                return None
            return entry
        return None

    def section(self, field_name, entry):
        self.scale = money_scale(entry.text) if field_name != "spending_plan" else self.scale
        if field_name == "funds.section_with_use":
            self.use_rows.update(range(entry.row + 1, entry.row + entry.rows))
        if field_name == "spending_plan":
            self.spending(entry)

    def spending(self, label):
        plan = []
        last = label.row + max(label.rows, 2) - 1
        for row in self.grid.rows_between(label.row, last):
            for entry in self.grid.row_entries(row):
                if entry.col <= label.col or (entry.row, entry.col) in self.consumed:
                    continue
                match = MONTH.match(join_lines(entry.text))
                if not match:
                    continue
                self.consumed.add((entry.row, entry.col))
                percent_entry = self.grid.at(row + 1, entry.col)
                month = int(match.group(1))
                if not 1 <= month <= 12:
                    self.reader.problem(self.table, entry.ref, f"月份“{entry.text}”应为 1–12 月。")
                    continue
                if percent_entry is None:
                    continue
                self.consumed.add((percent_entry.row, percent_entry.col))
                try:
                    percent = parse_percent(percent_entry.value, percent_entry.number_format)
                except ValueError:
                    self.reader.problem(self.table, percent_entry.ref, f"“{percent_entry.text}”应为累计支出百分比，例如 25%。")
                    continue
                if percent is None:
                    continue
                if not 0 <= percent <= 100:
                    self.reader.problem(self.table, percent_entry.ref, f"累计支出比例“{percent_entry.text}”应在 0–100% 之间。")
                    continue
                plan.append({"month": month, "percent": _decimal_text(percent)})
        self.table.data["spending_plan"] = sorted(plan, key=lambda point: point["month"])
        self.table.cells["spending_plan"] = label.ref

    def field(self, field_name, label, value_entry, inline):
        text = inline if inline is not None else self.reader.text(value_entry)
        where = value_entry or label
        if value_entry is not None and value_entry.formula:
            self.reader.problem(self.table, value_entry.ref, f"单元格是公式（{value_entry.text}），请复制后“选择性粘贴为数值”再导入。")
            return
        if field_name in _MONEY_FIELDS:
            raw = value_entry.value if value_entry is not None and inline is None else inline
            name = label_key(label.text)
            try:
                reading = read_money(raw, value_entry.number_format if value_entry is not None else "General")
            except AmbiguousMoney as error:
                self.reader.problem(self.table, where.ref, f"{name}“{text}”中有两个不同的金额“{error.first}”和“{error.second}”，"
                                    "无法确定是哪一个；请只保留一个金额，说明文字可以保留。")
                return
            except ValueError:
                self.reader.problem(self.table, where.ref, f"{name}“{text}”应为金额（万元），例如 19.56。")
                return
            if reading.number is not None:
                divisor = Decimal(reading.scale) if reading.scale is not None else self.scale * money_scale(label.text)
                self.money[field_name].append((reading.number / divisor, where))
                if reading.remark:
                    self.remarks.append((name, text, reading.number / divisor, reading.remark, where))
            elif field_name in TREE_FIELDS:
                self.empty_lines.append((field_name, where, name))
            return
        if field_name == "year":
            year = year_in(text + "年") if text else None
            if year is None and text:
                self.reader.problem(self.table, where.ref, f"预算年度“{text}”应为四位年份，例如 2023。")
            elif year:
                self.table.data["year"] = year
            return
        if field_name.startswith("goals."):
            raw = inline if inline is not None else (value_entry.text if value_entry is not None else "")
            self.put(field_name, split_goals(raw, exact=self.reader.exact), where)
            return
        if field_name == NOT_KEPT:
            say_not_kept(self.reader, self.table, label, text, where)
            return
        if field_name in _TARGET_MONEY_LABELS:
            self.target_money(field_name, label, value_entry, inline, where)
            return
        if field_name == "target.overall_goal":
            self.table.data["overall_goal"] = text
            self.table.cells["overall_goal"] = where.ref
            return
        if field_name in ("department", "target.department", "unit", "attribute"):
            key = "department" if field_name == "target.department" else field_name
            self.table.data[key] = text
            self.table.cells[key] = where.ref
            return
        self.put(field_name, text, where)

    def target_money(self, field_name, label, value_entry, inline, where):
        raw = value_entry.value if value_entry is not None and inline is None else inline
        name = _TARGET_MONEY_LABELS[field_name]
        try:
            reading = read_money(raw, value_entry.number_format if value_entry is not None else "General")
        except AmbiguousMoney as error:
            self.reader.problem(self.table, where.ref, f"{name}“{raw}”中有两个不同的金额“{error.first}”和“{error.second}”，无法确定是哪一个。")
            return
        except ValueError:
            self.reader.problem(self.table, where.ref, f"{name}“{raw}”应为金额（万元），例如 1200.5。")
            return
        number = reading.number
        key = field_name.rsplit(".", 1)[1]
        funds = self.table.data.setdefault("funds", {})
        if number is None:
            funds.setdefault(key, None)
            return
        amount = number / (Decimal(reading.scale) if reading.scale is not None else money_scale(label.text))
        if reading.remark:
            self.reader.warn(self.table, where.ref, f"{name}读取为 {_decimal_text(amount)} 万元；其余文字“{reading.remark[:40]}”"
                             "未保存（部门整体目标没有备注栏）。")
        if not money_fits(amount):
            self.reader.problem(self.table, where.ref, money_limit_message(name, raw))
            return
        funds[key] = format(amount.normalize(), "f")
        self.table.cells[f"funds.{key}"] = where.ref

    def free_text(self, entry):
        """A cell that is no label's value: the title, the year line, the unit line, 单位：万元,
        the 资金用途 line of the 定州 form, or something the reader reports it skipped."""
        text = join_lines(entry.text)
        key = label_key(text)
        if entry.row in self.use_rows and "fund_use" not in self.table.data:
            self.put("fund_use", self.reader.text(entry), entry)
            return
        year = year_in(text)
        if TITLE_HINT.search(text) or (year and ("年度" in text or len(key) <= 8)):
            if year and self.year_from_title is None:
                self.year_from_title = year
            name = text
            for prefix_end in ("．", ".", "、"):
                head, _, tail = name.partition(prefix_end)
                if head.isdigit() and tail:
                    name = tail
                    break
            for suffix in _TITLE_SUFFIXES:
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
                    break
            if name not in _GENERIC_TITLES and not TITLE_HINT.search(name) and name != text and not year_in(name):
                self.title_name = name
            return
        if key.startswith("单位") and "元" in key:
            self.scale = money_scale(text)
            return
        code, name = split_code_name(text)
        if code and len(code) >= 6 and "unit" not in self.table.data:
            self.table.data["unit"] = self.reader.text(entry) if self.reader.exact else text
            self.table.cells["unit"] = entry.ref
            return
        if key in layouts.GRID_KEYS["outer"] or FOOTER.match(text):
            return
        self.reader.warn(self.table, entry.ref, f"未识别的内容“{text[:30]}”，未读取。")

    def finish(self):
        data = self.table.data
        if "year" not in data and self.year_from_title:
            data["year"] = self.year_from_title
        if not data.get("name") and self.title_name and self.table.kind == "project":
            data["name"] = self.title_name
        if self.table.kind == "project":
            take_midterm_funds(self)
            self.funds()
            self.keep_remarks()

    def funds(self):
        """年度资金总额, 财政拨款 and 其他资金 from whatever the form gives: the three amounts, or a
        tree of sources — 财政拨款小计 → 一般公共预算 / 政府性基金 / 国有资本经营预算; 自有资金 → 事业收入 /
        经营收入; 其他收入 — each subtotal checked against its parts, each total worked out from its parts
        said in a hint."""
        money = self.money
        for name in _SUBTOTALS:
            self.one_amount(name)

        def first(name):
            return money[name][0][0] if money[name] else None

        def parts(name):
            return sum((value for value, _ in money[name]), Decimal(0)) if money[name] else None

        fiscal = self.subtotal("funds.fiscal", "funds.fiscal_part")
        own = self.subtotal("funds.own", "funds.own_part")
        other_parts = parts("funds.other_part")
        sources = None if own is None and other_parts is None else (own or 0) + (other_parts or 0)
        other = first("funds.other")
        grand = first("funds.total")
        if other is None:
            other = sources
            if sources is not None and not self.reader.exact:
                used = ("funds.own" if money["funds.own"] else "funds.own_part", "funds.other_part")
                names = [label for part in used for _, label in self.labels_of(part)]
                self.reader.warn(self.table, self.where_of("funds.own", "funds.own_part", "funds.other_part"),
                                 f"表中没有“其他资金”，按{'、'.join(dict.fromkeys(names))}之和 {_decimal_text(sources)} 万元读作其他资金。")
        elif sources is not None and sources != other:
            if grand is not None and fiscal is not None and grand == fiscal + other + sources:
                other += sources  # printed beside 其他资金, not under it: the total says so
                self.beside_other = True
            else:
                self.reader.warn(self.table, money["funds.other"][0][1].ref,
                                 f"其他资金 {_decimal_text(other)} 与其明细之和 {_decimal_text(sources)} 不一致，按其他资金读取。")
        if grand is None and not self.reader.exact and (fiscal is not None or other is not None):
            grand = (fiscal or 0) + (other or 0)
            if fiscal is not None and other is not None or money["funds.fiscal_part"] or money["funds.own_part"]:
                self.reader.warn(self.table, self.where_of("funds.fiscal", "funds.fiscal_part", "funds.other", "funds.other_part"),
                                 f"表中没有“年度资金总额”，按财政拨款与其他资金之和 {_decimal_text(grand)} 万元读取。")
        elif grand is not None and fiscal is not None and grand != fiscal + (other or 0):
            self.reader.warn(self.table, money["funds.total"][0][1].ref,
                             f"年度资金总额 {_decimal_text(grand)} 不等于财政拨款与其他资金之和 {_decimal_text(fiscal + (other or 0))}。")
        self.table.data["funds"] = {
            "total": _decimal_text(grand), "fiscal": _decimal_text(fiscal), "other": _decimal_text(other),
        }
        keep_tree(self)
        for name in ("funds.total", "funds.fiscal", "funds.other"):
            if money[name]:
                self.table.cells[name] = money[name][0][1].ref
        for value, entry in [item for values in money.values() for item in values]:
            if value < 0:
                self.reader.problem(self.table, entry.ref, "金额不能为负数。")
        for name, value in (("funds.total", grand), ("funds.fiscal", fiscal), ("funds.other", other)):
            if value is not None and not money_fits(value):
                # the amount's own cell, or the first of the parts it was added up from
                self.reader.problem(self.table, self.where_of(name, *_READ_FROM[name]),
                                    money_limit_message(_MONEY_LABELS[name], _decimal_text(value)))
        if self.midterm_cells:
            self.midterm_column()

    def midterm_column(self):
        """The 中期 column of a form whose funds are two columns (中期资金总额 | 年度资金总额): its total,
        财政拨款 and 其他资金 stored as the mid-term funds, the year's left as read."""
        midterm = self.table.data.setdefault("midterm_funds", {"total": None, "fiscal": None, "other": None})
        read = []
        for field_name, label, cell in self.midterm_cells:
            key = {"funds.total": "total", "funds.fiscal": "fiscal", "funds.other": "other"}.get(field_name)
            if key is None or midterm.get(key) is not None:
                continue
            try:
                reading = read_money(cell.value, cell.number_format)
            except (ValueError, AmbiguousMoney):
                self.reader.problem(self.table, cell.ref, f"中期资金“{cell.text.strip()}”不是金额。")
                continue
            if reading.number is None:
                continue
            amount = reading.number / (Decimal(reading.scale) if reading.scale is not None else self.scale * money_scale(label.text))
            if amount < 0 or not money_fits(amount):
                self.reader.problem(self.table, cell.ref, "金额不能为负数。" if amount < 0 else money_limit_message("中期资金", cell.text.strip()))
                continue
            midterm[key] = _decimal_text(amount)
            self.table.cells[f"midterm_funds.{key}"] = cell.ref
            read.append(midterm[key])
        if read:
            self.reader.warn(self.table, self.midterm_cells[0][2].ref,
                             f"中期资金（{'、'.join(read)}）已另存为中期资金，未计入年度资金。")

    def labels_of(self, name):
        return [(value, self.label_name(entry)) for value, entry in self.money[name]]

    def label_name(self, where):
        """The label an amount was read under: the cell itself when it carries its value (“政府性基金：5”),
        else the nearest cell left of it in its row."""
        for separator in ("：", ":"):
            head = where.text.split(separator, 1)[0]
            if separator in where.text and label_key(head) in LABEL_FIELD:
                return label_key(head)
        left = [entry for entry in self.grid.row_entries(where.row) if entry.col < where.col]
        return label_key(left[-1].text) if left else ""

    def where_of(self, *names):
        return next((self.money[name][0][1].ref for name in names if self.money[name]), "")

    def one_amount(self, name):
        """A subtotal printed in more than one cell: the same figure again is the same amount; a
        different one is not added (a second column is usually another period), the first is read."""
        values = self.money[name]
        if len(values) < 2:
            return
        label = _MONEY_LABELS.get(name, "自有资金")
        different = [(value, entry) for value, entry in values[1:] if value != values[0][0]]
        if different:
            self.reader.warn(self.table, different[0][1].ref, f"{label}填写了不止一处（{values[0][1].ref} 为 {_decimal_text(values[0][0])}，"
                             f"{different[0][1].ref} 为 {_decimal_text(different[0][0])}），按第一处读取，未相加。")
        self.money[name] = values[:1]

    def subtotal(self, name, part_name):
        """A subtotal (财政拨款, 自有资金) as printed, checked against its parts; its parts added up when
        it is not printed."""
        values, items = self.money[name], self.money[part_name]
        parts = sum((value for value, _ in items), Decimal(0)) if items else None
        label = _PART_NAMES[part_name]
        if not values:
            if parts is not None and len(items) > 1 and not self.reader.exact:
                terms = " + ".join(f"{self.label_name(entry)} {_decimal_text(value)}" for value, entry in items)
                self.reader.warn(self.table, items[0][1].ref, f"{label}按明细相加读取：{terms} = {_decimal_text(parts)} 万元。")
            return parts
        subtotal = values[0][0]
        if parts is not None and parts != subtotal:
            self.reader.warn(self.table, values[0][1].ref,
                             f"{label} {_decimal_text(subtotal)} 与其明细之和 {_decimal_text(parts)} 不一致，按{label}读取。")
        return subtotal

    def keep_remarks(self):
        """Words beside an amount (a breakdown, a purpose, a note) are kept in 资金用途, each said in a hint."""
        if not self.remarks:
            return
        lines = []
        for name, text, amount, remark, where in self.remarks:
            lines.append(remark if len(self.remarks) == 1 else f"{name}：{remark}")
            self.reader.warn(self.table, where.ref, f"{name}“{text[:60]}”读取为 {_decimal_text(amount)} 万元；其余文字已保存为备注（资金用途）。")
        kept = self.table.data.get("fund_use") or ""
        added = "\n".join(line for line in lines if line not in kept)
        if added:
            self.table.data["fund_use"] = f"{kept}\n{added}" if kept else added
            self.table.cells.setdefault("fund_use", self.remarks[0][4].ref)


def _decimal_text(value):
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in {"-0", ""} else text
