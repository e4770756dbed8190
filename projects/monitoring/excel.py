"""The monitoring report as the 136号 annex on paper: one sheet per report, A4 landscape, fitted to
the page width, the header block, funds, goals and the indicator table as the detail page shows them.
Many reports (a round's annex export, projects.monitoring.tasks) are written in write-only mode, one
sheet in memory at a time."""

import io
from copy import copy

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.properties import PageSetupProperties

from perfgoals.xlsx import put
from projects.excel.package import StreamedWorkbook
from projects.monitoring import services

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_BOLD = Font(name="宋体", bold=True, size=10)
_BODY = Font(name="宋体", size=10)
_TITLE = Font(name="黑体", size=14)
# The column (hidden) holding each indicator row's uid and, in its first cell, the report's id: what an
# import of the filled report (projects.monitoring.report_import) matches rows by.
ID_COLUMN = 11
REPORT_ID_PREFIX = "监控表编号:"
# Ten columns, as the indicator table has: 一级 二级 三级 年度指标值 执行情况 预计 偏差原因 可能性 原因说明 纠偏措施.
COLUMNS = 10
WIDTHS = (8, 10, 18, 12, 14, 14, 12, 10, 18, 18)


def _style(sheet, font, alignment):
    """The style array of a boxed cell in ``font`` and ``alignment``, made once per workbook: setting
    font, alignment and border cell by cell hashes each of them every time (most of an export's time)."""
    book = sheet.parent
    made = book.__dict__.setdefault("_annex_styles", {})
    key = (id(font), id(alignment))
    if key not in made:
        made[key] = StyleArray()
        made[key].fontId, made[key].alignmentId = book._fonts.add(font), book._alignments.add(alignment)
        made[key].borderId = book._borders.add(_BOX)
    return copy(made[key])


def _merge(sheet, first_row, first_column, last_row, last_column):
    """Record a merged range. The sheet is a scratch sheet whose cells _stream copies, so the range is
    only noted (openpyxl's merge_cells would also re-style its edge cells, and the covered cells are
    boxed already)."""
    sheet.merged_cells.add(CellRange(min_col=first_column, min_row=first_row, max_col=last_column, max_row=last_row))


def _row(sheet, number, values, *, bold=False, spans=None):
    """Write ``values`` from column 1 of row ``number``, each cell boxed; ``spans`` maps a value's index
    to how many columns it covers (merged)."""
    column = 1
    style = _style(sheet, _BOLD, _CENTER) if bold else _style(sheet, _BODY, _WRAP)
    for index, value in enumerate(values):
        span = (spans or {}).get(index, 1)
        put(sheet.cell(number, column), value)
        for offset in range(span):
            sheet.cell(number, column + offset)._style = copy(style)
        if span > 1:
            _merge(sheet, number, column, number, column + span - 1)
        column += span


def _money(value):
    return value if value is not None else None


def write_report(sheet, report):
    monitoring_round = report.monitoring_round
    period = monitoring_round.period_label
    _merge(sheet, 1, 1, 1, COLUMNS)
    title = put(sheet.cell(1, 1), "项目支出绩效目标执行监控表")
    title.font, title.alignment = _TITLE, _CENTER
    _merge(sheet, 2, 1, 2, COLUMNS)
    put(sheet.cell(2, 1), f"（{monitoring_round.year} 年度 · 截至 {monitoring_round.cutoff_month} 月底）").alignment = _CENTER
    _row(sheet, 3, ["项目名称", report.table.name], bold=False, spans={0: 2, 1: 8})
    _row(sheet, 4, ["主管部门", report.table.department.name, "实施单位", report.table.unit.name], spans={0: 2, 1: 3, 2: 2, 3: 3})
    _row(sheet, 5, ["资金（万元）", "年初预算数", "全年预算数", f"{period}执行数", "执行率"], bold=True, spans={0: 2, 1: 2, 2: 2, 3: 2, 4: 2})
    number = 6
    for row in services.funds_rows(report):
        _row(
            sheet,
            number,
            [row["label"], _money(row["initial"]), _money(row["budget"]), _money(row["spent"]), f"{row['rate']}%" if row["rate"] is not None else ""],
            spans={0: 2, 1: 2, 2: 2, 3: 2, 4: 2},
        )
        number += 1
    goals = "\n".join(f"{order}. {goal.text}" for order, goal in enumerate(report.table.goals.filter(kind="annual"), 1))
    _row(sheet, number, ["年度总体目标", f"{period}执行情况"], bold=True, spans={0: 5, 1: 5})
    _row(sheet, number + 1, [goals, report.goal_progress], spans={0: 5, 1: 5})
    sheet.row_dimensions[number + 1].height = 60
    number += 2
    _row(
        sheet,
        number,
        ["一级指标", "二级指标", "三级指标", "年度指标值", f"{period}执行情况", "全年预计完成情况", "偏差原因分析", "完成目标可能性", "原因说明", "纠偏措施"],
        bold=True,
    )
    for line in services.report_lines(report):
        number += 1
        put(sheet.cell(number, ID_COLUMN), str(line.indicator.uid))
        _row(
            sheet,
            number,
            [
                line.indicator.level2.level1.name,
                line.indicator.level2.name,
                line.indicator.name,
                line.indicator.value_text,
                line.progress_text,
                line.expected_text,
                "、".join(line.reason_labels),
                line.get_likelihood_display(),
                line.explanation,
                line.measures,
            ],
        )
    for column, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    put(sheet.cell(1, ID_COLUMN), f"{REPORT_ID_PREFIX}{report.pk}")
    sheet.column_dimensions[get_column_letter(ID_COLUMN)].hidden = True
    sheet.print_area = f"A1:{get_column_letter(COLUMNS)}{number}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _sheet_name(report, used):
    name = (report.table.name or "未命名项目")[:28]
    for char in "[]:*?/\\":
        name = name.replace(char, "_")
    sheet_name, count = name, 1
    while sheet_name in used:
        count += 1
        sheet_name = f"{name[:26]}_{count}"
    used.add(sheet_name)
    return sheet_name


def _stream(drawn, sheet, styles):
    """Write the finished sheet ``drawn`` (of a scratch workbook) into the write-only ``sheet`` as it
    is (values, fonts, borders, alignment, merged ranges, widths, heights, hidden column, A4 setup),
    then close ``sheet`` and free what it held: a workbook of 20,000 reports holds one in memory.
    ``styles`` maps a scratch cell's style to the written one's, shared by all the sheets."""
    for key, dimension in drawn.column_dimensions.items():
        sheet.column_dimensions[key].width = dimension.width
        sheet.column_dimensions[key].hidden = dimension.hidden
    # Before the first row: a write-only sheet writes its properties when the first row goes out.
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_area = drawn.print_area.split("!")[-1].replace("$", "")
    sheet.page_setup.paperSize = drawn.page_setup.paperSize
    sheet.page_setup.orientation = drawn.page_setup.orientation
    sheet.page_setup.fitToWidth = drawn.page_setup.fitToWidth
    sheet.page_setup.fitToHeight = drawn.page_setup.fitToHeight
    for merged in drawn.merged_cells.ranges:
        sheet.merged_cells.add(CellRange(merged.coord))
    for row in drawn.iter_rows(min_row=1, max_row=drawn.max_row, max_col=drawn.max_column):
        number = row[0].row
        height = drawn.row_dimensions[number].height
        if height:
            sheet.row_dimensions[number].height = height
        line = []
        for source in row:
            cell = Cell(sheet, row=number, column=source.column)
            # As drawn: text stays text (perfgoals.xlsx.put), never read again as a formula.
            cell._value, cell.data_type = source._value, source.data_type
            if source.has_style:
                key = tuple(source._style)
                if key not in styles:
                    cell.font, cell.border, cell.alignment = copy(source.font), copy(source.border), copy(source.alignment)
                    cell.number_format = source.number_format
                    styles[key] = copy(cell._style)
                cell._style = copy(styles[key])
            line.append(cell)
        sheet.append(line)
        sheet.row_dimensions.pop(number, None)
    sheet.close()


def write_reports(reports, file, report=None):
    """Write ``reports`` (loaded with monitoring_round, table__unit, table__department; any iterable)
    to ``file`` as an xlsx, one sheet each named by its project, in openpyxl's write-only mode: each
    report is drawn on a scratch sheet (write_report, the one layout) and streamed into the file as it is
    finished (projects.excel.package). ``report``
    (a progress callback) is given the number written after each one."""
    book = StreamedWorkbook(file)
    scratch = Workbook()
    used, styles = set(), {}
    done = 0
    for monitoring_report in reports:
        drawn = scratch.create_sheet("scratch")
        write_report(drawn, monitoring_report)
        sheet = book.create_sheet(_sheet_name(monitoring_report, used))
        _stream(drawn, sheet, styles)
        book.finish(sheet)  # into the file at once: memory does not grow with the reports
        scratch.remove(drawn)
        done += 1
        if report:
            report(done)
    if not used:
        book.create_sheet("监控表")
    book.close()


def reports_workbook(reports):
    """The xlsx bytes of ``reports`` (write_reports), for a download built in the request."""
    buffer = io.BytesIO()
    write_reports(reports, buffer)
    return buffer.getvalue()
