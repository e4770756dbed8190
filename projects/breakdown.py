"""The funds breakdown of a project table (ProjectTable.funds_breakdown): the tree of sources a form
printed — 财政拨款小计 → 一般公共预算 / 政府性基金 / 国有资本经营预算; 自有资金 → 事业收入 / 经营收入;
其他收入 — kept line by line for display and export. Each line is {"label", "parent", "amount"}: the
parent is the number (from 1) of the line it is a part of, or None; the amount is 万元 as a decimal
string, or None. The three amounts (年度资金总额, 财政拨款, 其他资金) stay the table's money: the lines
are what the form said, shown beside them and checked to add up (indicators.checks.completeness).

Here: the lines read from a document and checked (the interchange import), and the lines as people
read them (the detail page, the printed layouts, the editor, the review diff and the history)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from perfgoals.formatting import decimal_text

LABEL_MAX_LENGTH = 100
LINES_MAX = 50
KEYS = ("label", "parent", "amount")


def read_lines(value, money):
    """The lines of a document's ``funds.breakdown`` as stored, and the problems found, in Chinese,
    each naming its line. ``money(text, label)`` reads one amount (a decimal string, checked against
    what the database keeps) and reports its own problem, returning None."""
    if value in (None, ""):
        return [], []
    if not isinstance(value, list):
        return [], ["资金来源明细应为列表。"]
    if len(value) > LINES_MAX:
        return [], [f"资金来源明细有 {len(value)} 行，最多 {LINES_MAX} 行。"]
    lines, problems = [], []
    for number, item in enumerate(value, 1):
        here = f"资金来源明细第 {number} 行"
        if not isinstance(item, dict):
            problems.append(f"{here}应为对象（{{\"label\", \"parent\", \"amount\"}}）。")
            continue
        unknown = sorted(set(item) - set(KEYS))
        if unknown:
            problems.append(f"{here}有未知的键“{'、'.join(unknown)}”。")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{here}缺少名称（label）。")
            label = ""
        elif len(label) > LABEL_MAX_LENGTH:
            problems.append(f"{here}的名称超过 {LABEL_MAX_LENGTH} 个字符。")
        parent = item.get("parent")
        if parent is not None and (isinstance(parent, bool) or not isinstance(parent, int) or not 1 <= parent < number):
            problems.append(f"{here}（{label}）的上级行“{parent}”应为它前面某一行的行号（1–{number - 1}），或为空。")
            parent = None
        amount = money(item.get("amount"), f"{here}（{label}）的金额")
        lines.append({"label": label, "parent": parent, "amount": decimal_text(amount)})
    return lines, problems


@dataclass(frozen=True)
class Line:
    """One line as shown: its number, label, amount (Decimal or None), depth in the tree and parent."""

    number: int
    label: str
    amount: Decimal | None
    depth: int
    parent: int | None

    @property
    def amount_text(self):
        return decimal_text(self.amount) if self.amount is not None else ""


def _amount(value):
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def shown_lines(lines):
    """The stored lines as Line objects with their depth (0 for a line under no other)."""
    shown = []
    for number, item in enumerate(lines or (), 1):
        parent = item.get("parent")
        depth = shown[parent - 1].depth + 1 if isinstance(parent, int) and 1 <= parent < number else 0
        shown.append(Line(number, item.get("label") or "", _amount(item.get("amount")), depth, parent))
    return shown


def lines_text(lines):
    """The lines as one text, the way the review diff and the history show a value: one line each,
    indented under its parent (“财政拨款小计 80 / 　一般公共预算 50”)."""
    return "\n".join(
        f"{'　' * line.depth}{line.label} {line.amount_text or '—'}" for line in shown_lines(lines)
    )
