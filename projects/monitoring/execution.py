"""预算执行数导入：财政从国库集中支付系统导出的执行数（xlsx 或 csv），填入一个批次各监控表的 1–X月执行数。

``read_extract`` reads the file and matches each row to a report of the round (by 项目编码, else by 单位 +
项目名称, else by a 项目名称 unique in the round); any unreadable cell refuses the whole file, naming the
cell (BadExtract), so a bad file writes nothing. Rows no report matches are listed by their name in the
preview. ``apply_execution`` writes the matched figures (reports not yet submitted only) in one transaction
and then rechecks their lights in chunks: what the background task runs.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Prefetch
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from projects.models import MonitoringLine, MonitoringReport, TableStatus
from projects.models.common import MONEY, money_fits

# How many rows at the top may come before the header row (titles, 单位：万元, …).
HEADER_SEARCH = 15
CHUNK = 500
EDITABLE = (TableStatus.DRAFT, TableStatus.RETURNED)


class BadExtract(Exception):
    """The file cannot be used; ``str()`` names the cell and says why. Nothing was written."""


@dataclass
class Extract:
    matches: list = field(default_factory=list)  # [report id, total, fiscal, other] (str or None)
    unmatched: list = field(default_factory=list)  # "第 N 行：单位 项目名称（编码）"
    submitted: list = field(default_factory=list)  # names of matched reports already submitted (left as they are)
    matched_names: list = field(default_factory=list)


def _rows(name, data):
    """The file's rows as lists of cell values (xlsx: the first sheet; csv: UTF-8 or GBK)."""
    lower = (name or "").lower()
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise BadExtract("CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码。")
        return [list(row) for row in csv.reader(io.StringIO(text))]
    if not lower.endswith(".xlsx"):
        raise BadExtract(f"“{name}”不是 .xlsx 或 .csv 文件。请从预算执行系统导出 Excel（.xlsx）或 CSV。")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise BadExtract(f"“{name}”不是有效的 Excel 文件，无法打开。") from None
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Columns:
    header_row: int
    code: int | None = None
    unit: int | None = None
    name: int | None = None
    total: int | None = None
    fiscal: int | None = None
    other: int | None = None
    in_yuan: set = field(default_factory=set)
    labels: dict = field(default_factory=dict)


def _columns(rows):
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        labels = [_text(value).replace(" ", "").replace("\n", "") for value in row]
        if not any("执行" in label or "支出数" in label for label in labels):
            continue
        columns = Columns(header_row=index)
        for column, label in enumerate(labels):
            if not label:
                continue
            columns.labels[column] = label
            spent = "执行" in label or "支出数" in label
            if spent and "财政拨款" in label:
                columns.fiscal = column
            elif spent and "其他" in label:
                columns.other = column
            elif spent and columns.total is None:
                columns.total = column
            elif ("编码" in label or "代码" in label) and "项目" in label:
                columns.code = column
            elif "项目名称" in label or label == "项目":
                columns.name = column
            elif "单位" in label and "万元" not in label and columns.unit is None:
                columns.unit = column
            else:
                continue
            if spent and ("（元）" in label or "(元)" in label):
                columns.in_yuan.add(column)
        # A title such as “2024年1-7月预算执行情况” mentions 执行 too: the header also names the projects.
        if columns.total is not None and (columns.code is not None or columns.name is not None):
            return columns
    raise BadExtract(f"前 {HEADER_SEARCH} 行中没有找到表头：需要“项目名称”（或“项目编码”）和“执行数”两列。")


def _amount(row, number, column, columns):
    """The amount of one cell in 万元, or None when empty; BadExtract naming the cell otherwise."""
    if column is None or column >= len(row):
        return None
    value = row[column]
    cell = f"{get_column_letter(column + 1)}{number}"
    where = f"{cell} 单元格（第 {number} 行“{columns.labels.get(column, '')}”）"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise BadExtract(f"{where}不是金额：“{_text(value)}”。请填写数字（万元）。") from None
    if not amount.is_finite():
        raise BadExtract(f"{where}不是金额：“{_text(value)}”。")
    if column in columns.in_yuan:
        amount = amount / Decimal(10000)
    # Amounts are kept to the 万元's six places (MONEY): a figure in 元 converts exactly.
    amount = amount.quantize(Decimal(1).scaleb(-MONEY["decimal_places"]))
    if amount < 0:
        raise BadExtract(f"{where}为负数：{_text(value)}。执行数不能为负。")
    if not money_fits(amount):
        raise BadExtract(f"{where}金额过大：{_text(value)}。请确认单位是万元。")
    return amount


def read_extract(monitoring_round, name, data):
    """The file's rows matched to ``monitoring_round``'s reports (an Extract); BadExtract when any cell
    cannot be read, so nothing is written."""
    rows = _rows(name, data)
    columns = _columns(rows)
    reports = list(
        monitoring_round.reports.values_list("pk", "status", "table__code", "table__name", "table__unit__name")
    )
    by_code = {code.strip(): pk for pk, _, code, _, _ in reports if code and code.strip()}
    by_unit_name = {(unit.strip(), table.strip()): pk for pk, _, _, table, unit in reports}
    names = {}
    for pk, _, _, table, _ in reports:
        names.setdefault(table.strip(), []).append(pk)
    status = {pk: state for pk, state, _, _, _ in reports}
    label = {pk: f"{unit} {table}" for pk, _, _, table, unit in reports}
    extract, seen = Extract(), {}
    for index in range(columns.header_row + 1, len(rows)):
        row, number = rows[index], index + 1
        if not any(_text(value) for value in row):
            continue
        get = lambda column: _text(row[column]) if column is not None and column < len(row) else ""  # noqa: E731
        code, unit, project = get(columns.code), get(columns.unit), get(columns.name)
        if project in ("合计", "总计", "小计") or code in ("合计", "总计"):
            continue
        total = _amount(row, number, columns.total, columns)
        fiscal = _amount(row, number, columns.fiscal, columns)
        other = _amount(row, number, columns.other, columns)
        if total is None:
            cell = f"{get_column_letter(columns.total + 1)}{number}"
            raise BadExtract(f"{cell} 单元格（第 {number} 行“{columns.labels[columns.total]}”）为空。没有支出请填 0。")
        pk = by_code.get(code) if code else None
        if pk is None and unit and project:
            pk = by_unit_name.get((unit, project))
        if pk is None and project and len(names.get(project, ())) == 1:
            pk = names[project][0]
        if pk is None:
            described = " ".join(part for part in (unit, project) if part) or "（无名称）"
            extract.unmatched.append(f"第 {number} 行：{described}" + (f"（{code}）" if code else ""))
            continue
        if pk in seen:
            raise BadExtract(f"第 {number} 行与第 {seen[pk]} 行对应同一张监控表（{label[pk]}），请合并为一行。")
        seen[pk] = number
        if status[pk] not in EDITABLE:
            extract.submitted.append(label[pk])
            continue
        extract.matches.append([pk, *(str(value) if value is not None else None for value in (total, fiscal, other))])
        extract.matched_names.append(label[pk])
    return extract


def _decimal(value):
    return Decimal(value) if value is not None else None


def apply_execution(monitoring_round, matches, *, by, report=None):
    """Write the matched 执行数 into the reports still in the unit's hands, all in one transaction (a
    worker killed midway writes none), then recheck their lights in chunks of CHUNK (derived data, worked
    out afresh on every save); returns how many reports were written. ``report`` is told the reports
    rechecked so far."""
    from projects.monitoring.checks import light_of, report_findings

    figures = {row[0]: row[1:] for row in matches}
    written = []
    with transaction.atomic():
        for start in range(0, len(matches), CHUNK):
            part = [row[0] for row in matches[start : start + CHUNK]]
            reports = list(
                MonitoringReport.objects.select_for_update(of=("self",))
                .filter(pk__in=part, monitoring_round=monitoring_round, status__in=EDITABLE)
                .only("pk", "spent_total", "spent_fiscal", "spent_other", "updated_by")
            )
            for item in reports:
                total, fiscal, other = figures[item.pk]
                item.spent_total = _decimal(total)
                if fiscal is not None:
                    item.spent_fiscal = _decimal(fiscal)
                if other is not None:
                    item.spent_other = _decimal(other)
                item.updated_by = by
            MonitoringReport.objects.bulk_update(reports, ["spent_total", "spent_fiscal", "spent_other", "updated_by"])
            written.extend(item.pk for item in reports)
    lines = Prefetch(
        "lines",
        queryset=MonitoringLine.objects.select_related("indicator__level2__level1").order_by("indicator__order", "indicator__id"),
    )
    for start in range(0, len(written), CHUNK):
        reports = list(
            MonitoringReport.objects.filter(pk__in=written[start : start + CHUNK])
            .select_related("monitoring_round", "table")
            .prefetch_related("table__spending_plan", lines)
        )
        for item in reports:
            light, reasons = light_of(report_findings(item, list(item.lines.all())).findings)
            item.light, item.light_reasons = light, "\n".join(reasons)
        MonitoringReport.objects.bulk_update(reports, ["light", "light_reasons"])
        if report:
            report(start + len(reports))
    return len(written)
