"""Reading the header block of a form: title, year, unit line and the label → value cells above the
indicator grid (项目名称, 主管部门, 项目资金 and its tree of sources, 资金支出计划, 年度总体目标 …)."""

from decimal import Decimal

from projects.excel import layouts
from projects.excel.goals import split_goals
from projects.excel.midterm import goals_below_labels, take_midterm_funds
from projects.excel.tableread import FOOTER, LABEL_FIELD, MONTH, TITLE_HINT
from projects.excel.text import join_lines, label_key, money_scale, parse_money, parse_percent, split_code_name, year_in
from projects.models import money_fits, money_limit_message

_MONEY_LABELS = {"funds.total": "年度资金总额", "funds.fiscal": "财政拨款", "funds.other": "其他资金"}
_SECTION_FIELDS = {"funds.section", "funds.section_with_use", "spending_plan"}
_MONEY_FIELDS = {"funds.total", "funds.fiscal", "funds.fiscal_part", "funds.other", "funds.other_part", "midterm_funds.total"}
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

    def put(self, field_name, value, entry):
        data = self.table.data
        if field_name.startswith("goals."):
            data.setdefault("goals", {})[field_name[6:]] = value
        else:
            data[field_name] = value
        self.table.cells[field_name] = entry.ref

    def read(self):
        is_department = self.table.kind == "department"
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
                value_entry = None
                if inline is None:
                    value_entry = self.value_right_of(entries, position, is_department)
                    if value_entry is not None:
                        self.consumed.add((value_entry.row, value_entry.col))
                self.field(field_name, entry, value_entry, inline)
        goals_below_labels(self)
        for row in self.grid.rows_between(self.first, self.last):
            for entry in self.grid.row_entries(row):
                if (entry.row, entry.col) not in self.consumed:
                    self.free_text(entry)
        self.finish()

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
            if field_name in ("department", "target.department"):
                field_name = "target.department"
            elif field_name not in ("target.overall_goal", "year", *_TARGET_MONEY_LABELS):
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
            try:
                number, scale = parse_money(raw, value_entry.number_format if value_entry is not None else "General")
            except ValueError:
                self.reader.problem(self.table, where.ref, f"{label_key(label.text)}“{text}”应为金额（万元），例如 19.56。")
                return
            if number is not None:
                divisor = Decimal(scale) if scale != 1 else self.scale * money_scale(label.text)
                self.money[field_name].append((number / divisor, where))
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
            number, scale = parse_money(raw, value_entry.number_format if value_entry is not None else "General")
        except ValueError:
            self.reader.problem(self.table, where.ref, f"{name}“{raw}”应为金额（万元），例如 1200.5。")
            return
        key = field_name.rsplit(".", 1)[1]
        funds = self.table.data.setdefault("funds", {})
        if number is None:
            funds.setdefault(key, None)
            return
        amount = number / (Decimal(scale) if scale != 1 else money_scale(label.text))
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

    def funds(self):
        """年度资金总额, 财政拨款 and 其他资金 from whatever the form gives: the three amounts, or a
        tree of sources (财政拨款小计 → 一般公共预算 / 政府性基金; 自有资金; 其他收入) summed up."""
        def total(name):
            values = self.money[name]
            return sum((value for value, _ in values), Decimal(0)) if values else None

        fiscal, fiscal_parts = total("funds.fiscal"), total("funds.fiscal_part")
        other, other_parts = total("funds.other"), total("funds.other_part")
        grand = self.money["funds.total"][0][0] if self.money["funds.total"] else None
        if fiscal is not None and fiscal_parts is not None and fiscal != fiscal_parts:
            self.reader.warn(self.table, self.money["funds.fiscal"][0][1].ref,
                             f"财政拨款 {_decimal_text(fiscal)} 与其明细之和 {_decimal_text(fiscal_parts)} 不一致，按财政拨款读取。")
        if fiscal is None:
            fiscal = fiscal_parts
        if other is None:
            other = other_parts
        elif other_parts is not None:
            other += other_parts
        if grand is None and not self.reader.exact and (fiscal is not None or other is not None):
            grand = (fiscal or 0) + (other or 0)
        elif grand is not None and fiscal is not None and grand != fiscal + (other or 0):
            self.reader.warn(self.table, self.money["funds.total"][0][1].ref,
                             f"年度资金总额 {_decimal_text(grand)} 不等于财政拨款与其他资金之和 {_decimal_text(fiscal + (other or 0))}。")
        self.table.data["funds"] = {
            "total": _decimal_text(grand), "fiscal": _decimal_text(fiscal), "other": _decimal_text(other),
        }
        for name in ("funds.total", "funds.fiscal", "funds.other"):
            if self.money[name]:
                self.table.cells[name] = self.money[name][0][1].ref
        for value, entry in [item for values in self.money.values() for item in values]:
            if value < 0:
                self.reader.problem(self.table, entry.ref, "金额不能为负数。")
        for name, value in (("funds.total", grand), ("funds.fiscal", fiscal), ("funds.other", other)):
            if value is not None and not money_fits(value):
                entries = [entry for part in (name, f"{name}_part", "funds.fiscal", "funds.other") for _, entry in self.money.get(part, [])]
                self.reader.problem(self.table, entries[0].ref, money_limit_message(_MONEY_LABELS[name], _decimal_text(value)))


def _decimal_text(value):
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in {"-0", ""} else text
