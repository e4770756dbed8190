"""A unit's filled monitoring report imported back from the Excel the report page exports (the 136号
annex layout, projects.monitoring.excel): export → fill → import gives the same report.

Rows are matched by the hidden indicator uid of each line (column K), not by their position; the
figures and lines go through the page's own forms (ReportForm, LineFormSet), so a value the page
refuses is refused here, named by its cell. All or nothing: one bad cell and nothing is written.
"""

import io
import re

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from projects.models import DeviationReason, Likelihood
from projects.monitoring import services
from projects.monitoring.excel import ID_COLUMN, REPORT_ID_PREFIX
from projects.monitoring.forms import LineFormSet, ReportForm

# Columns of the annex layout (1-based), as excel.write_report writes them.
FUNDS_LABEL, FUNDS_BUDGET, FUNDS_SPENT = 1, 5, 7
GOAL_PROGRESS = 6
LINE_COLUMNS = {
    "progress_text": 5,
    "expected_text": 6,
    "reasons": 7,
    "likelihood": 8,
    "explanation": 9,
    "measures": 10,
}
FUNDS_KEYS = {"年度资金总额": "total", "其中：财政拨款": "fiscal", "其他资金": "other"}
_LIKELIHOOD = {label: value for value, label in Likelihood.choices}
_REASON = {label: value for value, label in DeviationReason.choices}


class BadReportFile(Exception):
    """The file cannot be imported into the report; ``problems`` lists every cell and why."""

    def __init__(self, message, problems=()):
        self.problems = list(problems)
        super().__init__(message)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheet_of(workbook, report):
    """The sheet holding ``report`` (its id in the hidden cell), or the only sheet of a one-sheet file."""
    wanted = f"{REPORT_ID_PREFIX}{report.pk}"
    for sheet in workbook.worksheets:
        if _text(sheet.cell(1, ID_COLUMN).value) == wanted:
            return sheet
    ids = [_text(sheet.cell(1, ID_COLUMN).value) for sheet in workbook.worksheets]
    others = [value for value in ids if value.startswith(REPORT_ID_PREFIX)]
    if others:
        raise BadReportFile(
            f"这个文件是另一份监控表（K1 单元格为“{others[0]}”），不是“{report.table.name}”的监控表（编号 {report.pk}）。"
        )
    raise BadReportFile("这个文件不是从本系统导出的监控表：没有找到隐藏的监控表编号（K1 单元格）。请先导出监控表，在导出的文件中填写。")


def read_report(report, name, data):
    """The POST-like data of ``report``'s page forms from the filled file, and where each field came
    from (field name → cell); BadReportFile when the layout cannot be read."""
    if not (name or "").lower().endswith(".xlsx"):
        raise BadReportFile(f"“{name}”不是 .xlsx 文件。请上传从监控表页面导出、填写后的 Excel 文件。")
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise BadReportFile(f"“{name}”不是有效的 Excel 文件，无法打开。") from None
    sheet = _sheet_of(workbook, report)
    lines = services.report_lines(report)
    data, cells, problems = {}, {}, []
    goals_row = header_row = None
    for row in range(1, sheet.max_row + 1):
        label = _text(sheet.cell(row, FUNDS_LABEL).value)
        if label in FUNDS_KEYS:
            key = FUNDS_KEYS[label]
            for field, column in ((f"budget_{key}", FUNDS_BUDGET), (f"spent_{key}", FUNDS_SPENT)):
                data[f"report-{field}"] = _text(sheet.cell(row, column).value)
                cells[f"report-{field}"] = f"{get_column_letter(column)}{row}"
        elif label == "年度总体目标" and goals_row is None:
            goals_row = row + 1
        elif label == "一级指标":
            header_row = row
            break
    if goals_row is None or header_row is None:
        raise BadReportFile("文件的格式不是监控表：没有找到“年度总体目标”或“一级指标”表头行。请使用导出的文件填写，不要删除行。")
    data["report-goal_progress"] = _text(sheet.cell(goals_row, GOAL_PROGRESS).value)
    cells["report-goal_progress"] = f"{get_column_letter(GOAL_PROGRESS)}{goals_row}"
    sheet_rows = {}
    for row in range(header_row + 1, sheet.max_row + 1):
        uid = _text(sheet.cell(row, ID_COLUMN).value)
        if uid:
            sheet_rows[uid] = row
    data["lines-TOTAL_FORMS"] = str(len(lines))
    data["lines-INITIAL_FORMS"] = str(len(lines))
    for index, line in enumerate(lines):
        prefix = f"lines-{index}"
        data[f"{prefix}-id"] = str(line.pk)
        row = sheet_rows.get(str(line.indicator.uid))
        if row is None:
            problems.append(f"第 {index + 1} 行指标“{line.indicator.name}”在文件中找不到（隐藏的 K 列标识被删改）。请重新导出后填写。")
            continue
        for field, column in LINE_COLUMNS.items():
            cell = f"{get_column_letter(column)}{row}"
            value = _text(sheet.cell(row, column).value)
            cells[f"{prefix}-{field}"] = cell
            if field == "likelihood":
                if value and value not in _LIKELIHOOD:
                    problems.append(f"{cell} 单元格（“{line.indicator.name}”的完成目标可能性）“{value}”不是 确定能、有可能、完全不可能 之一。")
                data[f"{prefix}-likelihood"] = _LIKELIHOOD.get(value, "")
            elif field == "reasons":
                labels = [part.strip() for part in re.split(r"[、,，;；\s]+", value) if part.strip()]
                unknown = [label for label in labels if label not in _REASON]
                if unknown:
                    problems.append(
                        f"{cell} 单元格（“{line.indicator.name}”的偏差原因）“{'、'.join(unknown)}”不是"
                        "经费保障、制度保障、人员保障、硬件条件保障、其他 之一。"
                    )
                data[f"{prefix}-reasons"] = [_REASON[label] for label in labels if label in _REASON]
            else:
                data[f"{prefix}-{field}"] = value
    if problems:
        raise BadReportFile(f"文件中有 {len(problems)} 处无法导入，监控表没有任何改动。", problems)
    return data, cells, lines


class _Data(dict):
    """A dict the forms read like a QueryDict (``getlist`` for the reasons)."""

    def getlist(self, key, default=None):
        value = self.get(key, default or [])
        return value if isinstance(value, list) else [value]


def forms_of(report, data, lines):
    queryset = report.lines.select_related("indicator__level2__level1").order_by("indicator__order", "indicator__id")
    return ReportForm(_Data(data), instance=report, prefix="report"), LineFormSet(_Data(data), queryset=queryset, prefix="lines")


def check_report(report, name, data):
    """The page forms filled from the file, valid; BadReportFile naming every refused cell."""
    fields, cells, lines = read_report(report, name, data)
    form, formset = forms_of(report, fields, lines)
    if form.is_valid() and formset.is_valid():
        return form, formset
    problems = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        cell = cells.get(f"report-{field}", "")
        problems.extend(f"{cell} 单元格（{label}）：{error}" if cell else str(error) for error in errors)
    for index, (line_form, line) in enumerate(zip(formset.forms, lines)):
        for field, errors in line_form.errors.items():
            label = line_form.fields[field].label if field in line_form.fields else ""
            cell = cells.get(f"lines-{index}-{field}", "")
            problems.extend(f"{cell} 单元格（第 {index + 1} 行“{line.indicator.name}”的{label}）：{error}" for error in errors)
    raise BadReportFile(f"文件中有 {len(problems)} 处无法导入，监控表没有任何改动。", problems)


def changed_rows(formset):
    """How many indicator rows the import changes."""
    return sum(1 for line_form in formset.forms if line_form.has_changed())


def changes(form, formset):
    """What the preview lists: the labels of the report's changed fields, and each changed row as
    “第 n 行 name：field labels”."""
    fields = [form.fields[name].label for name in form.changed_data]
    rows = [
        f"第 {number} 行 {line_form.instance.indicator.name}：{'、'.join(line_form.fields[name].label for name in line_form.changed_data)}"
        for number, line_form in enumerate(formset.forms, 1)
        if line_form.has_changed()
    ]
    return fields, rows


def import_report(report, name, data, *, by):
    """Write the filled file into ``report`` (all or nothing) and recheck its light; returns the
    number of changed indicator rows."""
    from projects.monitoring.checks import report_recheck

    form, formset = check_report(report, name, data)
    changed = changed_rows(formset)
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.updated_by = by
        saved.save()
        formset.save()
    report_recheck(saved)
    return changed
