"""Opening a monitoring round for thousands of tables, and the round's overview at that size.

    .venv/bin/python bench/bench_monitoring.py [--tables 20000] [--database-url URL] [--runs 10]

Builds its own data in the benchmark database (its name must contain "bench"; by default
bench/data/bench_monitoring.sqlite3, emptied first): one region of 30 主管部门 with 10 units each, and
``--tables`` approved project tables with 10 三级 rows each, written with bulk_create. Then it opens a
round for all of them as the finance officer does (the page's POST: the round and its task, timed
as the request; then the background task that makes the reports, run in-process), imports an execution
extract of every table (the preview's reading and matching, the task's writing and rechecking), rechecks 500 reports (their lights, as the units' saves would), and times the round's overview page as the finance
officer through Django's test Client (median and 95th percentile over ``--runs`` requests, and its
SQL queries), its last page of all lights, and the background annex export of ``--export`` reports
(the task the overview's POST starts, run in-process; its time, and how far it raised the process's peak memory).
Prints the figures; asserts nothing.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = ROOT / "bench" / "data" / "bench_monitoring.sqlite3"
CHUNK = 2000
# Reports whose light is worked out (as a unit's save does), so the overview lists some red ones.
RECHECKED = 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=20_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--export", type=int, default=2000, help="reports the timed annex export writes (0: none)")
    return parser.parse_args()


def build(tables):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from indicators.models import Framework, Indicator, Level2
    from perfgoals.roles import Role
    from projects.models import Department, ProjectTable, Region, TableStatus, Unit
    from tests import factories

    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/reference.json", verbosity=0)
    region = Region.objects.create(code="640000", name="基准区划")
    departments = Department.objects.bulk_create(Department(region=region, name=f"部门{number}") for number in range(30))
    units = Unit.objects.bulk_create(
        Unit(region=region, department=department, name=f"{department.name}单位{number}")
        for department in departments
        for number in range(10)
    )
    framework = Framework.objects.get(code="2015")
    level2s = list(Level2.objects.filter(level1__framework=framework))
    for start in range(0, tables, CHUNK):
        batch = ProjectTable.objects.bulk_create(
            ProjectTable(
                region=region, department_id=units[number % len(units)].department_id, unit=units[number % len(units)],
                year=2024, name=f"项目{number}", framework=framework, funds_total=Decimal(10 + number % 90),
                funds_fiscal=Decimal(10 + number % 90), status=TableStatus.APPROVED,
            )
            for number in range(start, min(tables, start + CHUNK))
        )
        Indicator.objects.bulk_create(
            Indicator(project=table, level2=level2s[row % len(level2s)], order=row, name=f"指标{row}", value_text=f"≥ {row + 1} 次")
            for table in batch
            for row in range(10)
        )
    finance = factories.user(Role.FINANCE_OFFICER, region=region, username="bench_finance")
    return region, get_user_model().objects.get(pk=finance.pk)


def main():
    args = parse_args()
    from bench.bench_pages import collect_static, production_environment
    from bench.generate import reset_database, setup_django

    production_environment(args.database_url)
    reset_database(args.database_url)
    setup_django(args.database_url)
    collect_static()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import io

    from openpyxl import Workbook

    from projects.models import MonitoringReport, MonitoringRound, TaskProgress
    from projects.monitoring.checks import report_recheck
    from projects.monitoring.execution import apply_execution, read_extract
    from projects.monitoring.tasks import round_fill_task
    from projects.monitoring.views import PAGE_SIZE

    started = time.perf_counter()
    region, finance = build(args.tables)
    print(f"built {args.tables} approved tables in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(finance)
    # The finance officer's one action: the request writes the round and enqueues the task ...
    client.get(reverse("projects:monitoring_rounds"))  # warm: the first request of a process loads the templates
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("projects:monitoring_rounds"),
            {"year": 2024, "name": "7月监控", "cutoff_month": 7, "due_date": "2024-08-15", "margin": "10"},
        )
    requested = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    print(f"open round, the request: {requested * 1000:.0f} ms, {len(captured.captured_queries)} queries")
    # ... and the worker makes the reports (run here in-process, as db_worker would).
    progress = TaskProgress.objects.get(kind=TaskProgress.Kind.MONITORING_ROUND)
    started = time.perf_counter()
    round_fill_task.call(progress.pk)
    opened = time.perf_counter() - started
    monitoring_round = MonitoringRound.objects.get(pk=progress.params["round"])
    reports = MonitoringReport.objects.filter(monitoring_round=monitoring_round).count()
    print(f"open round, the background task: {reports} reports, {monitoring_round.reports.first().lines.count()} lines each, {opened:.1f} s")

    # The execution extract of every table: read and matched (the preview), then written and rechecked (the task).
    workbook = Workbook()
    workbook.active.append(["项目名称", "执行数"])
    for number in range(args.tables):
        workbook.active.append([f"项目{number}", number % 7])
    buffer = io.BytesIO()
    workbook.save(buffer)
    started = time.perf_counter()
    extract = read_extract(monitoring_round, "执行数.xlsx", buffer.getvalue())
    print(f"execution import preview: {len(extract.matches)} rows matched in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    apply_execution(monitoring_round, extract.matches, by=finance)
    print(f"execution import task (write and recheck every light): {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    rechecked = 0
    for report in MonitoringReport.objects.filter(monitoring_round=monitoring_round).select_related("monitoring_round", "table")[:RECHECKED]:
        report_recheck(report)
        rechecked += 1
    print(f"recheck of {rechecked} reports (their lights): {(time.perf_counter() - started) / max(1, rechecked) * 1000:.0f} ms each")

    url = reverse("projects:monitoring_round", args=[monitoring_round.pk])
    for _ in range(2):
        client.get(url)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Counted now: captured_queries is read lazily from the connection's log, which later requests shift.
    overview_queries = len(captured.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    last_page = (reports + PAGE_SIZE - 1) // PAGE_SIZE
    paged = []
    for _ in range(args.runs):
        started = time.perf_counter()
        assert client.get(url, {"light": "all", "page": last_page}).status_code == 200
        paged.append((time.perf_counter() - started) * 1000)
    print(f"round overview, all lights, last page ({last_page}): median {statistics.median(paged):.0f} ms")
    print(f"round overview ({reports} reports): median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, {overview_queries} queries")

    if args.export:
        import resource

        from projects.monitoring.tasks import reports_export_task, start_reports_export

        every = MonitoringReport.objects.filter(monitoring_round=monitoring_round)
        chosen = every.filter(pk__in=list(every.order_by("pk").values_list("pk", flat=True)[: args.export]))
        progress = start_reports_export(finance, monitoring_round, chosen, "监控表.xlsx")  # what the overview's POST starts
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        reports_export_task.call(progress.pk)
        exported = time.perf_counter() - started
        progress.refresh_from_db()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"annex export task: {progress.total} reports in {exported:.1f} s ({exported / max(1, progress.total) * 1000:.0f} ms each), "
            f"{progress.get_state_display()}; the process's peak RSS {after / 1024:.0f} MB, +{(after - before) / 1024:.0f} MB during the export"
        )


if __name__ == "__main__":
    main()
