"""Memory across years (issue 19 point 3): last year's results beside this year's targets.

For a table of this year, "last year" is the self-evaluation of last year's table of the same project
(the table it was copied from, else the unit's table of the year before with the same name), as scored
by projects.evaluation.sheet: each row's target, 实际完成值 and score, the grade and the 执行率. A
self-evaluation still being written (草稿, 已退回) is not a result yet and is not read; one under review
is, marked as not yet 审定.

Next year's targets are usually set before last year has ended, when only its 绩效运行监控 exists: then
the latest monitoring report of last year's table stands in, each row's 全年预计完成情况 shown as
预计 (a projection, never given to the checks, which judge against results only).

The editor, the review page and the checks (CheckContext.last_year) read it; ``last_years`` loads it for
many tables in a fixed number of queries."""

from dataclasses import dataclass
from operator import attrgetter

from indicators.checks.lastyear import LastYearData, LastYearRow, table_signature
from indicators.models import Indicator
from projects.evaluation.scoring import execution_rate
from projects.evaluation.sheet import sheet_of
from projects.models import EvaluationItem, MonitoringLine, MonitoringReport, SelfEvaluation, TableStatus

_NOT_RESULTS = (TableStatus.DRAFT, TableStatus.RETURNED)


@dataclass(frozen=True)
class LastYear:
    """Last year's results of one table: its ``evaluation`` (with its project, last year's table), or
    failing that its monitoring ``report``; the plain ``data`` the checks read, and the figures a page
    shows beside the rows (``rate``: the 执行率 for the year, or up to the monitoring cut-off)."""

    data: LastYearData
    rate: object  # 执行率 (%) or None
    evaluation: SelfEvaluation | None = None
    report: MonitoringReport | None = None

    @property
    def from_evaluation(self):
        return self.evaluation is not None

    @property
    def document(self):
        return self.evaluation if self.evaluation is not None else self.report

    @property
    def table(self):
        return self.evaluation.project if self.evaluation is not None else self.report.table

    @property
    def approved(self):
        return self.document.status == TableStatus.APPROVED

    @property
    def row_label(self):
        """What a row's figure is called: 2023年实际, or 2023年预计 (from the monitoring)."""
        return f"{self.data.year}年{'实际' if self.from_evaluation else '预计'}"

    @property
    def grade(self):
        return self.data.grade

    @property
    def total(self):
        return self.data.total

    def for_indicator(self, indicator):
        """Last year's row (LastYearRow) of this year's saved Indicator, or None."""
        if indicator is None or indicator.pk is None:
            return None
        return self.data.row_for(_RowKey(str(indicator.uid), indicator.level2.name if indicator.level2_id else "", indicator.name))


@dataclass(frozen=True)
class _RowKey:
    uid: str
    level2: str
    name: str


def _evaluations(tables, key):
    """{key(table): SelfEvaluation} for the tables that have last year's results. Two queries (one when
    none has): the candidate self-evaluations, then their items."""
    keys = {(table.unit_id, table.year - 1) for table in tables if table.unit_id and table.year}
    if not keys:
        return {}
    candidates = list(
        SelfEvaluation.objects.filter(
            project__unit_id__in={unit for unit, _ in keys}, project__year__in={year for _, year in keys}
        )
        .exclude(status__in=_NOT_RESULTS)
        .select_related("round", "project__unit")
        .order_by("-round__year", "-updated_at", "-id")
    )
    if not candidates:
        return {}
    by_unit_year = {}
    for evaluation in candidates:
        by_unit_year.setdefault((evaluation.project.unit_id, evaluation.project.year), []).append(evaluation)
    chosen = {}
    for table in tables:
        if not (table.unit_id and table.year):
            continue
        mine = [
            evaluation
            for evaluation in by_unit_year.get((table.unit_id, table.year - 1), ())
            if evaluation.project_id == table.copied_from_id or (table.name and evaluation.project.name == table.name)
        ]
        if mine:
            # An approved one before one under review; the table this one was copied from before a namesake.
            mine.sort(key=lambda e: (e.status != TableStatus.APPROVED, e.project_id != table.copied_from_id))
            chosen[key(table)] = mine[0]
    items = {}
    for item in EvaluationItem.objects.filter(evaluation__in={e.pk for e in chosen.values()}).order_by("order", "id"):
        items.setdefault(item.evaluation_id, []).append(item)
    for evaluation in chosen.values():
        evaluation.loaded_items = items.get(evaluation.pk, [])
    return chosen


def _reports(tables, key):
    """{key(table): MonitoringReport} of last year's table of each of these tables, for those that have a
    monitoring report past its draft (the latest round's), with ``loaded_lines``. Two queries at most."""
    keys = {(table.unit_id, table.year - 1) for table in tables if table.unit_id and table.year}
    if not keys:
        return {}
    by_unit_year = {}
    for report in (
        MonitoringReport.objects.filter(
            table__unit_id__in={unit for unit, _ in keys}, table__year__in={year for _, year in keys}
        )
        .exclude(status__in=_NOT_RESULTS)
        .select_related("monitoring_round", "table")
        .order_by("-monitoring_round__cutoff_month", "-id")
    ):
        by_unit_year.setdefault((report.table.unit_id, report.table.year), []).append(report)
    chosen = {}
    for table in tables:
        if not (table.unit_id and table.year):
            continue
        mine = [
            report
            for report in by_unit_year.get((table.unit_id, table.year - 1), ())
            if report.table_id == table.copied_from_id or (table.name and report.table.name == table.name)
        ]
        if mine:
            chosen[key(table)] = mine[0]
    lines = {}
    for line in MonitoringLine.objects.filter(report__in={r.pk for r in chosen.values()}).select_related("indicator__level2"):
        lines.setdefault(line.report_id, []).append(line)
    for report in chosen.values():
        report.loaded_lines = lines.get(report.pk, [])
    return chosen


def last_years(tables, *, monitoring=True, key=attrgetter("pk")):
    """{key(table): LastYear or None} for saved or unsaved tables (by default by pk: an unsaved one
    under the key None; an import preview, checking several unsaved tables, keys them by itself).

    Six queries at most, whatever the number of tables: the self-evaluations and their items, then for
    the tables without one (``monitoring``) the monitoring reports and their lines, the rows of last
    year's tables (for 'unchanged') and the links of this year's rows to the rows they were copied from."""
    tables = list(tables)
    by_key = {key(table): table for table in tables}
    chosen = _evaluations(tables, key)
    result = dict.fromkeys(by_key)
    reports = _reports([table for table in tables if key(table) not in chosen], key) if monitoring else {}
    if not chosen and not reports:
        return result
    last_rows = {}
    for project_id, uid, level2, name, value in Indicator.objects.filter(
        project__in={e.project_id for e in chosen.values()} | {r.table_id for r in reports.values()}
    ).values_list("project_id", "uid", "level2__name", "name", "value_text"):
        last_rows.setdefault(project_id, []).append((str(uid), level2, name, value))
    links = {}
    saved = [by_key[found].pk for found in (*chosen, *reports) if by_key[found].pk is not None]
    if saved:
        copied = Indicator.objects.filter(project__in=saved, copied_from__isnull=False).values_list(
            "project_id", "uid", "copied_from__uid"
        )
        for project_id, uid, source_uid in copied:
            links.setdefault(project_id, {})[str(uid)] = str(source_uid)
    for pk, evaluation in chosen.items():
        sheet = sheet_of(evaluation, evaluation.loaded_items)
        rows = tuple(
            LastYearRow(
                level2=row.item.level2,
                name=row.item.name,
                target_text=row.item.target_text,
                actual_text=row.item.actual_text,
                score=row.final,
                weight=row.item.weight,
                uid=str(row.item.indicator_uid) if row.item.indicator_uid else None,
            )
            for row in sheet.items
        )
        data = LastYearData(
            year=evaluation.project.year,
            rows=rows,
            grade=sheet.grade,
            total=sheet.total,
            funds_total=evaluation.project.funds_total,
            signature=table_signature(
                (level2, name, value) for _, level2, name, value in last_rows.get(evaluation.project_id, ())
            ),
            links=links.get(by_key[pk].pk, {}),
        )
        result[pk] = LastYear(evaluation=evaluation, data=data, rate=sheet.rate)
    for pk, report in reports.items():
        rows = tuple(
            LastYearRow(
                level2=line.indicator.level2.name,
                name=line.indicator.name,
                target_text=line.indicator.value_text,
                actual_text=line.expected_text,
                uid=str(line.indicator.uid),
            )
            for line in report.loaded_lines
        )
        data = LastYearData(
            year=report.table.year,
            rows=rows,
            funds_total=report.table.funds_total,
            signature=table_signature((level2, name, value) for _, level2, name, value in last_rows.get(report.table_id, ())),
            links=links.get(by_key[pk].pk, {}),
        )
        result[pk] = LastYear(data=data, rate=execution_rate(report.spent_total, report.budget_total), report=report)
    return result


def evaluated(tables):
    """{table pk: Sheet} of the tables (last year's, as 复制上年 lists them) that have a self-evaluation
    with results, scored; an approved one before one under review. Two queries at most."""
    tables = list(tables)
    evaluations = {}
    for evaluation in (
        SelfEvaluation.objects.filter(project__in=[table.pk for table in tables])
        .exclude(status__in=_NOT_RESULTS)
        .select_related("round")
        .order_by("-id")
    ):
        known = evaluations.get(evaluation.project_id)
        if known is None or (known.status != TableStatus.APPROVED and evaluation.status == TableStatus.APPROVED):
            evaluations[evaluation.project_id] = evaluation
    if not evaluations:
        return {}
    items = {}
    for item in EvaluationItem.objects.filter(evaluation__in=[e.pk for e in evaluations.values()]).order_by("order", "id"):
        items.setdefault(item.evaluation_id, []).append(item)
    return {pk: sheet_of(evaluation, items.get(evaluation.pk, [])) for pk, evaluation in evaluations.items()}


def last_year_of(table):
    """LastYear of one table (saved or not), or None."""
    if table is None:
        return None
    return last_years([table])[table.pk]


def last_year_data(table):
    """What CheckContext.last_year holds for one table: LastYearData of last year's self-evaluation, or
    None (a monitoring projection is no result to judge a target by)."""
    found = last_years([table], monitoring=False)[table.pk]
    return found.data if found is not None else None

