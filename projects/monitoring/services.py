"""Work on monitoring rounds and reports that spans models: opening a round for every approved table
of a region and year, the plan's cumulative % at the cut-off, and the report the self-evaluation reads."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator
from projects.models import MonitoringLine, MonitoringReport, MonitoringRound, ProjectTable, TableStatus

# Rows written per INSERT when a round is opened for thousands of tables.
CHUNK = 2000


def round_tables(*, region, year, departments=(), min_amount=None):
    """The tables a round covers: every approved table in force of ``region`` and ``year``; with
    ``departments`` only theirs, with ``min_amount`` only those of at least that 年度资金总额 (重点监控)."""
    tables = ProjectTable.objects.in_force().filter(region=region, year=year, status=TableStatus.APPROVED)
    if departments:
        tables = tables.filter(department__in=departments)
    if min_amount is not None:
        tables = tables.filter(funds_total__gte=min_amount)
    return tables


def round_create(*, region, year, name, cutoff_month, due_date, by, margin=Decimal(10)):
    """The round itself (one row): what the request writes before its reports are made in the background."""
    return MonitoringRound.objects.create(
        region=region, year=year, name=name, cutoff_month=cutoff_month, due_date=due_date, margin=margin, created_by=by
    )


def round_fill(monitoring_round, *, by, departments=(), min_amount=None, report=None):
    """为批次覆盖的每张已批复表建一份草稿监控表（全年预算数先取批复表的金额），每行三级指标一行。

    One transaction (a round has all its reports or none), rows written in chunks of CHUNK; ``report``
    (a progress callback, given the reports written so far) is called after each chunk. Returns the
    number of reports."""
    tables = round_tables(
        region=monitoring_round.region, year=monitoring_round.year, departments=departments, min_amount=min_amount
    )
    done = 0
    with transaction.atomic():
        rows = tables.values_list("pk", "funds_total", "funds_fiscal", "funds_other").order_by("pk")
        reports = []
        for pk, total, fiscal, other in rows.iterator(chunk_size=CHUNK):
            reports.append(
                MonitoringReport(
                    monitoring_round=monitoring_round, table_id=pk, budget_total=total, budget_fiscal=fiscal,
                    budget_other=other, updated_by=by,
                )
            )
            if len(reports) >= CHUNK:
                MonitoringReport.objects.bulk_create(reports)
                done += len(reports)
                reports = []
                if report:
                    report(done)
        MonitoringReport.objects.bulk_create(reports)
        done += len(reports)
        report_of_table = dict(
            MonitoringReport.objects.filter(monitoring_round=monitoring_round).values_list("table_id", "pk")
        )
        indicators = Indicator.objects.filter(project_id__in=tables.values("pk")).values_list("pk", "project_id").order_by("pk")
        lines = []
        for indicator_id, table_id in indicators.iterator(chunk_size=CHUNK):
            lines.append(MonitoringLine(report_id=report_of_table[table_id], indicator_id=indicator_id))
            if len(lines) >= CHUNK:
                MonitoringLine.objects.bulk_create(lines)
                lines = []
        MonitoringLine.objects.bulk_create(lines)
    return done


def round_open(*, region, year, name, cutoff_month, due_date, by, margin=Decimal(10), departments=(), min_amount=None):
    """财政发起监控批次并在同一个进程里生成全部监控表（the command line and tests; the page runs
    round_fill as a background task, projects.monitoring.tasks)."""
    with transaction.atomic():
        monitoring_round = round_create(
            region=region, year=year, name=name, cutoff_month=cutoff_month, due_date=due_date, by=by, margin=margin
        )
        round_fill(monitoring_round, by=by, departments=departments, min_amount=min_amount)
    return monitoring_round


@dataclass(frozen=True)
class PlanAtCutoff:
    percent: Decimal
    source: str  # how it was found, as the report shows it


def plan_at(checkpoints, month):
    """资金支出计划在截至月份的累计百分比：计划中截至该月或之前最近的一个节点；没有计划时按全年平均（直线）。

    ``checkpoints``: the table's SpendingCheckpoints (loaded)."""
    filled = sorted((point for point in checkpoints if point.cumulative_percent is not None), key=lambda point: point.month)
    if not filled:
        straight = (Decimal(100) * month / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return PlanAtCutoff(straight, f"未填资金支出计划，按全年均衡支出计（{month}/12）")
    before = [point for point in filled if point.month <= month]
    if not before:
        return PlanAtCutoff(Decimal(0), f"资金支出计划最早的节点为{filled[0].month}月底，截至{month}月底计划支出为 0")
    point = before[-1]
    return PlanAtCutoff(point.cumulative_percent, f"资金支出计划：{point.month}月底累计 {point.cumulative_percent}%")


def rate(spent, budget):
    """执行率（%）：执行数 ÷ 全年预算数，两位小数；缺一个或预算为 0 时无执行率。"""
    if spent is None or not budget:
        return None
    return (Decimal(100) * spent / budget).quantize(Decimal("0.01"), ROUND_HALF_UP)


def original_table(table):
    """The first approved version of ``table`` (年初预算数 come from it; 全年预算数 after adjustments)."""
    while table.previous_version_id is not None:
        table = ProjectTable.objects.only("pk", "previous_version", "funds_total", "funds_fiscal", "funds_other").get(
            pk=table.previous_version_id
        )
    return table


def table_in_force(table):
    """The version of ``table`` in force now: itself, or the approved adjustment that replaced it since
    (a report keeps the version its round covered)."""
    current = table
    while current.status == TableStatus.SUPERSEDED:
        following = ProjectTable.objects.select_related("unit", "region").filter(previous_version=current).first()
        if following is None:
            break
        current = following
    return current


def adjustment_under_way(table):
    """The next version of ``table``'s version in force, started (调整) and not yet approved, or None."""
    return ProjectTable.objects.filter(previous_version=table_in_force(table)).first()


def latest_report(table):
    """The last monitoring report of ``table`` (of any of its versions), by its round's cut-off and
    opening: what the year-end self-evaluation reads. None when it was never monitored."""
    versions = [table.pk]
    current = table
    while current.previous_version_id is not None:
        versions.append(current.previous_version_id)
        current = ProjectTable.objects.only("pk", "previous_version").get(pk=current.previous_version_id)
    return (
        MonitoringReport.objects.filter(table_id__in=versions)
        .select_related("monitoring_round", "table")
        .order_by("-monitoring_round__cutoff_month", "-monitoring_round__created_at", "-pk")
        .first()
    )


def report_lines(report):
    """The report's lines in the order of the approved table, with their indicator and its levels."""
    return list(
        report.lines.select_related("indicator__level2__level1").order_by("indicator__order", "indicator__id")
    )


def is_late(report, today=None):
    """Whether a report not yet submitted is past its round's due date."""
    today = today or timezone.localdate()
    return report.status in (TableStatus.DRAFT, TableStatus.RETURNED) and report.monitoring_round.due_date < today


FUNDS_ROWS = (("年度资金总额", "total", "funds_total"), ("其中：财政拨款", "fiscal", "funds_fiscal"), ("其他资金", "other", "funds_other"))


def funds_rows(report):
    """The annex's funds block: 年度资金总额 / 财政拨款 / 其他资金 × 年初预算数 (the first approved
    version) / 全年预算数 / 1–X月执行数 / 执行率 (computed)."""
    original = original_table(report.table)
    rows = []
    for label, key, field in FUNDS_ROWS:
        budget = getattr(report, f"budget_{key}")
        spent = getattr(report, f"spent_{key}")
        rows.append(
            {"label": label, "key": key, "initial": getattr(original, field), "budget": budget, "spent": spent, "rate": rate(spent, budget)}
        )
    return rows
