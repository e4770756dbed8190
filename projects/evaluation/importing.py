"""Import of a filled self-evaluation from Excel, in the layouts units publish (DOMAIN §4.2):

- the 财预〔2020〕10号 annex (项目支出绩效自评表), as projects.evaluation.excel writes it;
- the Sichuan layout: 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析, funds as 财政资金 /
  财政专户管理资金 / 单位资金 / 其他资金 × 年初预算 / 调整后预算数 / 预算执行数.

Each layout is declared once (LAYOUTS: the labels its header cells carry); the reader finds the labels,
not fixed addresses, so a row more or less above the table does not matter. The whole file is read and
checked first; every problem names its cell; nothing is written unless the whole file is good. The
totals and grades as printed are kept beside the recomputed ones, and every difference is reported.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from indicators.values import Nature, parse_value
from perfgoals.formatting import decimal_text
from projects.evaluation import scoring
from projects.evaluation.excel import REASON_MARK
from projects.evaluation.sheet import FUND_COLUMNS, FUND_ROWS, sheet_of
from projects.excel.safety import BadWorkbook, check_workbook_bytes
from projects.models import EvaluationItem, SelfEvaluation, TableStatus
from projects.models.common import money_fits, money_limit_message


@dataclass(frozen=True)
class Layout:
    """Where a layout's figures are, as the labels of its header cells.

    ``columns``: indicator column → the header texts it may carry; ``fund_rows``: SelfEvaluation fund
    row → the labels of the rows adding up to it; ``fund_columns``: fund column → its header texts."""

    key: str
    name: str
    columns: dict
    fund_rows: dict
    fund_columns: dict
    summed: tuple = ()  # fund rows whose labels are several rows adding up (四川's 其他 sources)
    # Indicator columns a file may have or not: a 说明 column whose cell says why a printed score
    # differs from the rules (else the row's deviation text is taken as the reason).
    optional_columns: dict = field(default_factory=lambda: {"note": ("说明", "改分说明", "改分理由", "评分说明")})
    texts: dict = field(
        default_factory=lambda: {
            "conclusion": ("评价结论",),
            "problems": ("存在问题",),
            "measures": ("改进措施",),
            "project_leader": ("项目负责人",),
            "finance_leader": ("财务负责人",),
        }
    )


ANNEX = Layout(
    key="annex",
    name="财预〔2020〕10号附件格式",
    columns={
        "level1": ("一级指标",),
        "level2": ("二级指标",),
        "name": ("三级指标",),
        "target": ("年度指标值",),
        "actual": ("实际完成值",),
        "weight": ("分值",),
        "score": ("得分",),
        "deviation": ("偏差原因分析及改进措施",),
    },
    fund_rows={key: (label, label.removeprefix("其中：")) for key, label in FUND_ROWS},
    fund_columns={key: (label,) for key, label in FUND_COLUMNS},
)

SICHUAN = Layout(
    key="sichuan",
    name="四川格式",
    columns={
        "level1": ("一级指标",),
        "level2": ("二级指标",),
        "name": ("三级指标",),
        "nature": ("指标性质",),
        "value": ("指标值", "年度指标值"),
        "measure": ("度量单位", "计量单位"),
        "actual": ("完成值", "实际完成值"),
        "weight": ("权重",),
        "score": ("得分",),
        "deviation": ("未完成原因分析", "偏差原因分析"),
    },
    # 四川's four sources: 财政资金 is the year's fiscal money; the other three are not fiscal.
    fund_rows={
        "total": ("年度资金总额", "资金总额", "合计"),
        "fiscal": ("财政资金", "其中：财政资金"),
        "other": ("财政专户管理资金", "单位资金", "其他资金"),
    },
    summed=("other",),
    fund_columns={"initial": ("年初预算", "年初预算数"), "full": ("调整后预算数", "全年预算数"), "executed": ("预算执行数", "全年执行数")},
)

LAYOUTS = (ANNEX, SICHUAN)
_SPACES = re.compile(r"\s+")
TOTAL_LABELS = ("总分", "合计")
RATE_LABELS = ("执行率", "预算执行率")
# What a cell of the exported annex says where the file's figure and the rules' differ (sheet.printed_beside):
# the file's figure is the one read back, so an exported file imports as it was.
_PRINTED_BESIDE = re.compile(r"^表上\s*(-?[0-9.]+)\s*(分|%)")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]$")


class EvaluationImportError(Exception):
    """The file was refused and nothing was written; ``problems`` lists each, naming its cell."""

    def __init__(self, message, problems=()):
        self.problems = list(problems)
        super().__init__(message)


@dataclass
class ImportedRow:
    """One indicator row of the file: its item, the values to write, the score and weight as printed
    (and the score's cell), and the reason the file gives for a score differing from the rules."""

    item: object
    values: dict
    score: Decimal | None
    weight: Decimal | None
    cell: str
    reason: str = ""
    reason_cell: str = ""


@dataclass
class EvaluationImport:
    """What a good file says, ready to write: ``fields`` of the SelfEvaluation (the printed figures
    among them), ``rows``, and once worked out ``differences`` between the file and the rules,
    ``needs_reason``: the rows kept as the unit's own score with no reason in the file, and
    ``reasons_read``: those whose reason came from the file."""

    layout: Layout
    sheet_title: str
    fields: dict
    rows: list  # ImportedRow
    printed_total: Decimal | None
    printed_grade: str
    printed_execution: Decimal | None
    printed_rate: Decimal | None = None
    differences: list = field(default_factory=list)
    # The differences that are not a row's own score (those are in needs_reason or reasons_read).
    other_differences: list = field(default_factory=list)
    needs_reason: list = field(default_factory=list)
    reasons_read: list = field(default_factory=list)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", str(value)) if not isinstance(value, str) else value.strip()


def _label(value):
    return _SPACES.sub("", str(value)) if value is not None else ""


def _heading(value):
    """A header cell's label without spaces, line breaks or a unit in brackets: 权 重（%） reads 权重."""
    return _BRACKETED.sub("", _label(value))


class _Grid:
    """A worksheet's cells holding a value, by (row, column)."""

    def __init__(self, worksheet):
        self.title = worksheet.title
        self.cells, self.percent = {}, set()
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.value is not None and _text(cell.value) != "":
                    self.cells[(cell.row, cell.column)] = cell.value
                    if "%" in (cell.number_format or ""):
                        self.percent.add((cell.row, cell.column))

    def at(self, row, column):
        return self.cells.get((row, column))

    def where(self, labels, *, rows=None, heading=False):
        """(row, column) of each cell whose text is one of ``labels``, in reading order (``heading``:
        compared as a header, without a unit in brackets)."""
        read = _heading if heading else _label
        wanted = {_label(label) for label in labels}
        return sorted(
            (row, column) for (row, column), value in self.cells.items() if read(value) in wanted and (rows is None or row in rows)
        )

    def right_of(self, row, column):
        """The first value to the right of (row, column) in its row, and its column."""
        for (other_row, other_column) in sorted(self.cells):
            if other_row == row and other_column > column:
                return self.cells[(other_row, other_column)], other_column
        return None, None

    def name(self, row, column):
        return f"工作表“{self.title}”单元格 {get_column_letter(column)}{row}"


def _header(grid, layout):
    """(row, {column key: column number}) of the row carrying every indicator header of ``layout``."""
    for row in sorted({row for row, _column in grid.cells}):
        found = {}
        for (cell_row, column), value in grid.cells.items():
            if cell_row != row:
                continue
            for key, labels in layout.columns.items():
                if _heading(value) in labels and key not in found:
                    found[key] = column
        if len(found) == len(layout.columns):
            for key, labels in layout.optional_columns.items():
                for (cell_row, column), value in sorted(grid.cells.items()):
                    if cell_row == row and _heading(value) in labels and column not in found.values():
                        found.setdefault(key, column)
            return row, found
    return None, None


# A printed score is out of 100 at most, a printed 执行率 a few hundred per cent at most (the
# SelfEvaluation fields keep at most 9999.99 points and 999999.99 %): a figure past these is a problem
# naming its cell, never a database error.
SCORE_MOST = Decimal(100)
RATE_MOST = Decimal(10000)


def _number(grid, row, column, what, problems, most=None):
    """The number in a cell (a number, or text such as "9.5分", "92.5%"), None when it is empty; a cell
    that holds no number, or (with ``most``) one beyond ±``most``, is a problem naming the cell."""
    value = grid.at(row, column)
    if value is None or _text(value) in ("", "—", "-", "/"):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        beside = _PRINTED_BESIDE.match(_text(value))
        text = _text(beside.group(1) if beside else value).replace(",", "").removesuffix("%").removesuffix("分").removesuffix("万元")
        try:
            number = Decimal(text)
        except InvalidOperation:
            problems.append(f"{grid.name(row, column)}（{what}）：“{_text(value)}”不是数字。")
            return None
    return _within(number, most, grid.name(row, column), what, problems)


def _within(number, most, cell, what, problems):
    """``number`` when it is finite and (with ``most``) no further from zero than ``most``; else a problem."""
    if not number.is_finite():
        problems.append(f"{cell}（{what}）：“{number}”不是数字。")
        return None
    if most is not None and abs(number) > most:
        problems.append(f"{cell}（{what}）：{number} 超出可能的范围（不超过 {most}）。")
        return None
    return number


def _percent(grid, row, column, what, problems, most=None):
    """A printed 执行率 in %: 92.5%, "92.5%", 92.5, or 0.925 in a cell formatted as a percentage."""
    value = _number(grid, row, column, what, problems)
    if value is not None and (row, column) in grid.percent:
        value *= 100
    return _within(value, most, grid.name(row, column), what, problems) if value is not None else None


def read_evaluation_workbook(data, evaluation):
    """Read ``data`` (xlsx bytes) as a filled self-evaluation of ``evaluation``, in whichever declared
    layout it is. Raises EvaluationImportError listing every problem, each naming its cell."""
    try:
        check_workbook_bytes(data)
        workbook = load_workbook(BytesIO(data), data_only=True)
    except BadWorkbook as bad:
        raise EvaluationImportError(str(bad)) from bad
    except Exception as unreadable:  # openpyxl raises many kinds on a damaged file
        raise EvaluationImportError("文件无法作为 Excel 工作簿读取，未导入。请在 Excel 中打开检查后另存为 .xlsx 再导入。") from unreadable
    for worksheet in workbook.worksheets:
        grid = _Grid(worksheet)
        for layout in LAYOUTS:
            header_row, columns = _header(grid, layout)
            if header_row is not None:
                return _read(grid, layout, header_row, columns, evaluation)
    expected = "；".join(f"{layout.name}：{'、'.join(labels[0] for labels in layout.columns.values())}" for layout in LAYOUTS)
    raise EvaluationImportError(f"文件中没有找到自评表的指标表头，未导入。应有以下两种格式之一的表头——{expected}。")


def _read(grid, layout, header_row, columns, evaluation):
    problems = []
    fields = _funds(grid, layout, header_row, problems)
    fields.update(_texts(grid, layout, header_row))
    rows, end = _indicator_rows(grid, layout, header_row, columns, evaluation, problems)
    cells = {}
    printed_total, printed_grade = _printed_total(grid, columns, header_row, end, problems, cells)
    printed_execution, printed_rate = _printed_execution(grid, layout, header_row, problems, cells)
    if problems:
        raise EvaluationImportError(f"文件有 {len(problems)} 处问题，未导入任何内容。", problems)
    fields.update(
        printed_total=printed_total,
        printed_grade=printed_grade,
        printed_execution=printed_execution,
        printed_rate=printed_rate,
        printed_cells=cells,
    )
    return EvaluationImport(layout, grid.title, fields, rows, printed_total, printed_grade, printed_execution, printed_rate)


def _printed_execution(grid, layout, header_row, problems, cells):
    """The 预算执行率得分 and the 执行率 as printed. The score is in the 得分 column above the
    indicators, on the total's row or, where the file prints none there, the first fund row that has
    one (四川's 财政资金, or a score merged down the fund rows). The rate is the total's: a rate
    printed for one source (财政资金 alone) is not what the score is reckoned from."""
    above = range(1, header_row)
    score_header = grid.where(("得分",), rows=above, heading=True)
    if not score_header:
        return None, None
    score_column = score_header[0][1]
    rate_header = grid.where(RATE_LABELS, rows=above, heading=True)
    first = score_header[0][0] + 1
    totals = [row for row, _column in grid.where(layout.fund_rows["total"], rows=range(first, header_row))][:1]
    others = [row for row, _column in grid.where([label for labels in layout.fund_rows.values() for label in labels], rows=range(first, header_row))]
    scored = [row for row in totals + others if grid.at(row, score_column) is not None]
    if not scored:
        return None, None
    score = _number(grid, scored[0], score_column, "预算执行率得分", problems, most=SCORE_MOST)
    cells["execution"] = grid.name(scored[0], score_column)
    rate = None
    if rate_header and totals and grid.at(totals[0], rate_header[0][1]) is not None:
        rate = _percent(grid, totals[0], rate_header[0][1], "执行率", problems, most=RATE_MOST)
        cells["rate"] = grid.name(totals[0], rate_header[0][1])
    return score, rate


def _funds(grid, layout, header_row, problems):
    """The fund rows above the indicators: each SelfEvaluation fund field, summed over its rows."""
    above = range(1, header_row)
    heads = {}
    for key, labels in layout.fund_columns.items():
        found = grid.where(labels, rows=above, heading=True)
        if found:
            heads[key] = found[0]
    if len(heads) != len(layout.fund_columns):
        missing = "、".join(labels[0] for key, labels in layout.fund_columns.items() if key not in heads)
        problems.append(f"工作表“{grid.title}”：资金情况缺少“{missing}”列。")
        return {}
    fields = {}
    first_row = max(row for row, _column in heads.values()) + 1
    for key, labels in layout.fund_rows.items():
        for label in labels:
            for row, _column in grid.where((label,), rows=range(first_row, header_row))[:1]:
                for column_key, (_head_row, column) in heads.items():
                    what = f"{label}·{dict(FUND_COLUMNS)[column_key]}"
                    value = _number(grid, row, column, what, problems)
                    if value is not None and not money_fits(value):
                        problems.append(f"{grid.name(row, column)}（{what}）：" + money_limit_message("金额", decimal_text(value)))
                        value = None
                    name = f"{key}_{column_key}"
                    if value is not None:
                        fields[name] = (fields.get(name) or Decimal(0)) + value
                    else:
                        fields.setdefault(name, None)
            if f"{key}_{next(iter(layout.fund_columns))}" in fields and key not in layout.summed:
                break  # the labels are other names of one row: the first found is the row
    if all(fields.get(f"total_{column}") is None for column in layout.fund_columns):
        # A layout printing no total row: the total is the sum of its sources.
        for column in layout.fund_columns:
            parts = [fields.get(f"{key}_{column}") for key in layout.fund_rows if key != "total"]
            present = [part for part in parts if part is not None]
            fields[f"total_{column}"] = sum(present, Decimal(0)) if present else None
    return fields


def _texts(grid, layout, header_row):
    """The goal's 实际完成情况 (below its header) and the closing texts (to the right of their labels)."""
    texts = {}
    for row, column in grid.where(("实际完成情况",), rows=range(1, header_row))[:1]:
        texts["goal_actual"] = _text(grid.at(row + 1, column))
    for name, labels in layout.texts.items():
        for row, column in grid.where(labels, rows=range(header_row + 1, header_row + 10_000))[:1]:
            value, _column = grid.right_of(row, column)
            texts[name] = _text(value) if value is not None and _label(value) not in _ALL_TEXT_LABELS else ""
    return texts


_ALL_TEXT_LABELS = {"评价结论", "存在问题", "改进措施", "项目负责人", "财务负责人"}


def _indicator_rows(grid, layout, header_row, columns, evaluation, problems):
    """Each indicator row of the file matched by its 三级指标 to a row of ``evaluation``."""
    items = list(evaluation.items.order_by("order", "id"))
    unmatched = {}
    for item in items:
        unmatched.setdefault(_label(item.name), []).append(item)
    rows = []
    row = header_row + 1
    last_row = max(row for row, _column in grid.cells)
    while row <= last_row:
        first_cells = [_label(grid.at(row, column)) for column in range(1, columns["name"] + 1)]
        if any(label in TOTAL_LABELS for label in first_cells) or any(label in _ALL_TEXT_LABELS for label in first_cells):
            break
        name = _text(grid.at(row, columns["name"]))
        if not name:
            row += 1
            continue
        candidates = unmatched.get(_label(name)) or []
        if not candidates:
            problems.append(f"{grid.name(row, columns['name'])}：三级指标“{name}”不在这份自评上（自评的指标抄自已批复的项目表，请勿增改指标名称）。")
            row += 1
            continue
        item = candidates.pop(0)
        deviation, _mark, marked_reason = _text(grid.at(row, columns["deviation"])).partition(REASON_MARK)
        values = {"deviation": deviation.strip()}
        note = _text(grid.at(row, columns["note"])) if "note" in columns else ""
        if note:
            reason, reason_cell = note, grid.name(row, columns["note"])
        elif marked_reason.strip() or deviation.strip():
            reason, reason_cell = (marked_reason or deviation).strip(), grid.name(row, columns["deviation"])
        else:
            reason, reason_cell = "", ""
        actual = grid.at(row, columns["actual"])
        if layout is SICHUAN and actual is not None and _is_number(actual):
            number = Decimal(_text(actual))
            if (row, columns["actual"]) in grid.percent:
                number *= 100  # 0.93 shown as 93%
            values["actual_text"] = f"{decimal_text(number)}{_text(grid.at(row, columns['measure']))}"
        else:
            values["actual_text"] = _text(actual)
        if len(values["actual_text"]) > EvaluationItem._meta.get_field("actual_text").max_length:
            problems.append(f"{grid.name(row, columns['actual'])}：实际完成值超过 500 字。")
        score = _number(grid, row, columns["score"], f"“{name}”的得分", problems, most=SCORE_MOST)
        weight = _number(grid, row, columns["weight"], f"“{name}”的{'权重' if layout is SICHUAN else '分值'}", problems, most=SCORE_MOST)
        if score is not None and (score < 0 or score > item.weight):
            problems.append(f"{grid.name(row, columns['score'])}（“{name}”的得分）：{decimal_text(score)} 分不在 0 到本行分值 {item.weight} 分之间。")
        rows.append(ImportedRow(item, values, score, weight, grid.name(row, columns["score"]), reason, reason_cell))
        row += 1
    for left in unmatched.values():
        for item in left:
            problems.append(f"工作表“{grid.title}”：没有找到第 {item.order} 行三级指标“{item.name}”，每个三级指标都须填写。")
    return rows, row


def _is_number(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    try:
        Decimal(_text(value))
    except InvalidOperation:
        return False
    return True


def _printed_total(grid, columns, header_row, end, problems, cells):
    """The 总分 and 自评等级 as printed (the total in the 得分 column of the 总分 row); ``cells``
    gets the name of the cell each was read from."""
    total = None
    for row, _column in grid.where(TOTAL_LABELS, rows=range(end, end + 3))[:1]:
        total = _number(grid, row, columns["score"], "总分", problems, most=SCORE_MOST)
        if total is not None:
            cells["total"] = grid.name(row, columns["score"])
    grade = ""
    for (row, column), value in sorted(grid.cells.items()):
        text = _text(value)
        if row > header_row and text.startswith(("自评等级", "等级")):
            after = re.split("[：:]", text, maxsplit=1)
            if len(after) == 2 and after[1].strip():
                grade = after[1].strip()
            else:
                grade, column = _text(grid.right_of(row, column)[0]), grid.right_of(row, column)[1] or column
            grade = "" if grade == "—" else grade.removeprefix("表上").strip()[:1]
            if grade:
                cells["grade"] = grid.name(row, column)
            break
    return total, grade


def evaluation_import_preview(*, evaluation, data):
    """What importing ``data`` would do, worked out without writing: the EvaluationImport with its
    ``differences`` from the rules and the rows that would need a reason (``needs_reason``)."""
    plan = read_evaluation_workbook(data, evaluation)
    copy = SelfEvaluation.objects.select_related("round").get(pk=evaluation.pk)
    _apply(plan, copy, plan.rows)  # the rows' items are this reading's own copies: nothing is saved
    _report(plan, copy)
    return plan


def evaluation_import(*, evaluation, data):
    """单位导入填好的自评表：整份文件无误才写入（资金、实际完成值、得分、偏差原因和结论），否则一处不写。

    A printed score that differs from the one the rules compute is kept as the unit's own score, with
    the reason the file gives (its 说明 column, else the row's deviation text); with none, the checks
    ask for it before submission. The printed 预算执行率得分, 执行率, total and grade are kept beside the
    recomputed ones. Returns the EvaluationImport with ``differences`` and ``needs_reason``."""
    plan = read_evaluation_workbook(data, evaluation)
    with transaction.atomic():
        locked = SelfEvaluation.objects.select_for_update().select_related("round").get(pk=evaluation.pk)
        if locked.status not in (TableStatus.DRAFT, TableStatus.RETURNED):
            # Submitted (or reviewed) since the page was opened: only a draft or a returned one is the unit's to change.
            raise EvaluationImportError(f"这份自评当前为“{locked.get_status_display()}”，只有草稿或退回状态下可以导入，未导入。")
        _apply(plan, locked, plan.rows)
        locked.revision += 1
        locked.save()
        for row in plan.rows:
            row.item.save()
    _report(plan, locked)
    return plan


def _apply(plan, evaluation, rows):
    """Set the file's figures on ``evaluation`` and each row's item, in memory."""
    for name, value in plan.fields.items():
        setattr(evaluation, name, value)
    for row in rows:
        item = row.item
        previous_score = item.unit_score
        for name, value in row.values.items():
            setattr(item, name, value)
        target, actual = parse_value(item.target_text), parse_value(item.actual_text)
        if target.number is not None and target.nature != Nature.QUALITATIVE:
            computed = scoring.quantitative_score(target, actual, item.weight).points
            item.unit_score = None if row.score is None or row.score == computed else row.score
            if item.unit_score is None:
                item.unit_reason = ""
            elif row.reason:
                item.unit_reason = row.reason
            elif item.unit_score != previous_score:
                item.unit_reason = ""  # a reason typed for another score does not stand for this one
        elif row.score is not None:
            item.band = _band_of(row.score, item.weight)
            top = scoring.qualitative_score(item.band, None, item.weight).points
            item.unit_score = None if row.score == top else row.score  # the band's top is what it scores unchosen
            item.unit_reason = ""  # a score inside its band is the unit's choice, no override


def _report(plan, evaluation):
    """Work out the differences and which rows' own scores have a reason, from the figures as applied."""
    sheet = sheet_of(evaluation, sorted((row.item for row in plan.rows), key=lambda item: (item.order, item.pk)))
    plan.differences, row_scores = _differences(plan, sheet)
    plan.other_differences = [line for line in plan.differences if line not in row_scores]
    by_item = {row.item.pk: row for row in sheet.items}
    for imported in plan.rows:
        row = by_item[imported.item.pk]
        if not row.overridden:
            continue
        where = f"第 {row.row} 行“{row.item.name}”（{imported.cell}）：表上 {decimal_text(row.item.unit_score)} 分，按完成值计算为 {row.computed.points} 分"
        if row.item.unit_reason.strip():
            source = f"，理由取自{_cell_only(imported.reason_cell, plan)}" if imported.reason else "，理由已在填写页写明"
            plan.reasons_read.append(f"{where}{source}：{row.item.unit_reason.strip()}")
        else:
            plan.needs_reason.append(f"{where}，文件中没有说明理由：导入后须在填写页写明改分理由，否则不能提交。")


def _cell_only(name, plan):
    """单元格 H14 of 工作表“…”单元格 H14: the sheet is named once, where the report starts."""
    return name.removeprefix(f"工作表“{plan.sheet_title}”")


def _band_of(score, weight):
    """The qualitative band a printed score falls in (达成 ≥ 80%, 部分达成 ≥ 60%, else 未达成)."""
    if not weight:
        return "met"
    share = Decimal(score) / Decimal(weight)
    return "met" if share >= Decimal("0.8") else "partly" if share >= Decimal("0.6") else "missed"


def _differences(plan, sheet):
    """Each place where the file's figures differ from what the rules compute, in Chinese; and those of
    them that are a row's printed score."""
    found, row_scores = [], []
    if plan.printed_execution is not None and sheet.execution.points is not None and plan.printed_execution != sheet.execution.points:
        found.append(f"预算执行率得分：表上 {decimal_text(plan.printed_execution)} 分，按执行率计算为 {sheet.execution.points} 分。")
    if plan.printed_rate is not None and sheet.rate is not None and plan.printed_rate != sheet.rate:
        found.append(f"执行率：表上 {decimal_text(plan.printed_rate)}%，按全年执行数 ÷ 全年预算数为 {sheet.rate}%。")
    by_item = {row.item.pk: row for row in sheet.items}
    for imported in plan.rows:
        item, score, weight = imported.item, imported.score, imported.weight
        row = by_item[item.pk]
        if weight is not None and weight != item.weight:
            found.append(f"第 {row.row} 行“{item.name}”：表上分值 {decimal_text(weight)} 分，自评轮次的分值为 {item.weight} 分（按后者计分）。")
        if score is not None and row.computed.points is not None and score != row.computed.points:
            if imported.reason:
                kept = f"（作为单位改分保存，理由取自{_cell_only(imported.reason_cell, plan)}）"
            else:
                kept = "（单位改分，理由已填）" if row.item.unit_reason.strip() else "（作为单位改分保存，须填写改分理由）"
            found.append(f"{imported.cell}：第 {row.row} 行“{item.name}”表上得分 {decimal_text(score)} 分，按完成值计算为 {row.computed.points} 分{kept}。")
            row_scores.append(found[-1])
    if plan.printed_total is not None and plan.printed_total != sheet.self_total:
        recomputed = "无法计算" if sheet.self_total is None else f"{sheet.self_total} 分"
        found.append(f"总分：表上 {decimal_text(plan.printed_total)} 分，各项得分之和为 {recomputed}。")
    if plan.printed_grade and plan.printed_grade != sheet.self_grade:
        found.append(f"自评等级：表上为“{plan.printed_grade}”，按总分应为“{sheet.self_grade or '—'}”。")
    return found, row_scores
