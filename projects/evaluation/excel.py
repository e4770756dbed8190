"""The self-evaluation in the layout of the 财预〔2020〕10号 annex (项目支出绩效自评表), print-ready:
eight columns, header, funds, goals, indicators, total and the closing texts, on one A4 page wide.

The layout is declared once (ANNEX_COLUMNS, the blocks' labels in projects.evaluation.sheet) and the
workbook is written from the scored sheet, so the figures are the ones the page shows."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from perfgoals.xlsx import cell_value, put
from projects.evaluation.sheet import FUND_COLUMNS

# The import (projects.evaluation.importing) reads what follows this mark in a deviation cell as the
# unit's reason for its own score.
REASON_MARK = "改分理由："

ANNEX_COLUMNS = (
    ("一级指标", 10),
    ("二级指标", 12),
    ("三级指标", 24),
    ("年度指标值", 14),
    ("实际完成值", 14),
    ("分值", 8),
    ("得分", 8),
    ("偏差原因分析及改进措施", 28),
)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_BOLD = Font(bold=True)


class _Writer:
    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 1

    def line(self, *cells, bold=False):
        """One row of (text, span) cells, bordered, spanning the annex's eight columns."""
        column = 1
        for value, span in cells:
            cell = put(self.sheet.cell(self.row, column), cell_value(value))
            cell.alignment = _CENTER if bold else _WRAP
            if bold:
                cell.font = _BOLD
            for offset in range(span):
                self.sheet.cell(self.row, column + offset).border = _BORDER
            if span > 1:
                self.sheet.merge_cells(start_row=self.row, start_column=column, end_row=self.row, end_column=column + span - 1)
            column += span
        self.row += 1


def _deviation_and_reason(row):
    """The row's deviation text, and the unit's reason for its own score where that is another text
    (marked so that the import reads it back as the reason, projects.evaluation.importing)."""
    deviation, reason = row.item.deviation.strip(), row.item.unit_reason.strip()
    if not row.overridden or not reason or reason == deviation:
        return row.item.deviation
    return f"{deviation}\n{REASON_MARK}{reason}" if deviation else f"{REASON_MARK}{reason}"


def evaluation_workbook(sheet):
    """The xlsx bytes of one scored self-evaluation (projects.evaluation.sheet.Sheet)."""
    evaluation = sheet.evaluation
    table = evaluation.project
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = "项目支出绩效自评表"
    for number, (_label, width) in enumerate(ANNEX_COLUMNS, 1):
        worksheet.column_dimensions[get_column_letter(number)].width = width
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    write = _Writer(worksheet)
    title = put(worksheet.cell(1, 1), "项目支出绩效自评表")
    title.font, title.alignment = Font(bold=True, size=16), _CENTER
    worksheet.merge_cells("A1:H1")
    subtitle = put(worksheet.cell(2, 1), f"（{table.year}年度）")
    subtitle.alignment = _CENTER
    worksheet.merge_cells("A2:H2")
    write.row = 3
    write.line(("项目名称", 2), (table.name, 6))
    write.line(("主管部门", 2), (table.department.name, 2), ("实施单位", 1), (table.unit.name, 3))
    write.line(("项目资金（万元）", 2), *((label, 1) for _key, label in FUND_COLUMNS), ("分值", 1), ("执行率", 1), ("得分", 1), bold=True)
    for index, fund in enumerate(sheet.funds):
        scored = index == 0
        write.line(
            (fund.label, 2),
            (fund.initial, 1),
            (fund.full, 1),
            (fund.executed, 1),
            (sheet.execution.weight if scored else "—", 1),
            ((scored and sheet.rate_beside) or (f"{fund.rate}%" if fund.rate is not None else "—"), 1),
            ((sheet.execution_beside or sheet.execution.points) if scored else "—", 1),
        )
    write.line(("年度总体目标", 1), ("预期目标", 3), ("实际完成情况", 4), bold=True)
    write.line(("", 1), (evaluation.goal_expected, 3), (evaluation.goal_actual, 4))
    write.line(*((label, 1) for label, _width in ANNEX_COLUMNS), bold=True)
    for row in sheet.items:
        item = row.item
        write.line(
            (item.level1, 1),
            (item.level2, 1),
            (item.name, 1),
            (item.target_text, 1),
            (item.actual_text, 1),
            (item.weight, 1),
            (row.final, 1),
            (_deviation_and_reason(row), 1),
        )
    total = sheet.total_beside or sheet.total
    write.line(("总分", 5), (100, 1), (total, 1), (f"自评等级：{sheet.grade_beside or sheet.grade or '—'}", 1), bold=True)
    for label, text in (("评价结论", evaluation.conclusion), ("存在问题", evaluation.problems), ("改进措施", evaluation.measures)):
        write.line((label, 2), (text, 6))
    write.line(("项目负责人", 2), (evaluation.project_leader, 2), ("财务负责人", 1), (evaluation.finance_leader, 3))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
