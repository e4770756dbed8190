"""Benchmark: the background tasks (export, recheck, batch import) and optionally the pages at growing
database sizes, with the growth from one size to the next (issue 20, point 4).

    .venv/bin/python bench/bench_scaling.py [--sizes 10000,100000] [--database-url postgres://…]
                                            [--pages --runs 10] [--json FILE]

For each size a database of the benchmark's own (a SQLite file in a temporary folder, or a database
created on the PostgreSQL server of ``--database-url`` and dropped at the end) is filled by
bench/generate.py with that many tables. Then each task kind is started as the web request starts it
(timed: what the POST costs before it redirects to the progress page) and run alone by one
``manage.py db_worker --batch`` process, as in production; printed per task: the tables it handled,
the start time, the worker's wall time and its peak resident memory (target: under 300 MB whatever
the size). The tasks:
- export: every table of the province in the 平罗 layout, as bench_admin (the whole-province export);
- recheck: every table of the province (after a rule change);
- import: the busiest unit's editable tables of the year (bench/accounts.py), exported in files of
  IMPORT_FILE_TABLES tables and changed in the database meanwhile, so that the batch import (checked,
  then written file by file) updates each of them.
With ``--pages`` bench/bench_pages.py measures the pages on each database too, and the page table
gives each page's median at every size and the ratio of the largest size to the smallest (target:
at most 1.5×); ``--no-tasks`` measures only the pages. ``--existing URL,URL`` uses databases generated
before (bench/generate.py --tables SIZE, one per size) as they are, instead of generating and dropping
its own: generating 100,000 tables takes a while. ``--rounds 3`` measures the pages in three rounds, the
sizes taking turns (the machine's speed drifts over minutes; one size after the other, the drift reads
as growth), and reports each page's median of the rounds.
"""

import argparse
import json
import math
import statistics
import os
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MB = 300
TARGET_START_MS = 200
TARGET_PAGE_GROWTH = 1.5
IMPORT_FILE_TABLES = 10


def django_setup():
    from bench.bench_pages import production_environment

    production_environment(os.environ["DATABASE_URL"])
    import django

    django.setup()


def step_start(kind):
    """In a process of its own: start one task as its view does; prints the figures as JSON."""
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from projects.models import ProjectTable

    admin = get_user_model().objects.get(username="bench_admin")
    extra = {}
    if kind == "export":
        from projects.tasks.export import start_export

        def start():
            return start_export(admin, ProjectTable.objects.visible_to(admin), "pingluo", "全部.xlsx")

    elif kind == "recheck":
        from projects.tasks.recheck import start_recheck

        def start():
            return start_recheck(admin, label="全部区划")

    else:
        files, owner, tables = import_files()
        extra = {"files": len(files), "mb": sum(len(data) for _, data in files) / 1024 / 1024, "tables": tables}
        from projects.tasks.imports import start_import

        def start():
            return start_import(owner, files, apply=True)

    begin = time.perf_counter()
    with transaction.atomic():
        progress = start()
    seconds = time.perf_counter() - begin
    print(json.dumps({"progress": progress.pk, "total": progress.total, "start_ms": seconds * 1000, **extra}))


def import_files():
    """The busiest unit's editable tables of the year, as its staff would send them back: exported in
    files of IMPORT_FILE_TABLES tables, each table's first indicator changed in the database since, so
    that the import writes every table. Returns (files, the unit's staff member, tables)."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from bench.accounts import busiest_cast
    from indicators.models import Indicator
    from projects.excel import export_tables
    from projects.models import DepartmentTarget, ProjectTable, TableStatus

    cast = busiest_cast()
    unit_id = cast.editable_table.unit_id
    ids = list(
        ProjectTable.objects.filter(unit_id=unit_id, year=cast.year, status__in=[TableStatus.DRAFT, TableStatus.RETURNED])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    files = []
    for start in range(0, len(ids), IMPORT_FILE_TABLES):
        part = ProjectTable.objects.filter(pk__in=ids[start : start + IMPORT_FILE_TABLES])
        files.append((f"第{len(files) + 1}批.xlsx", export_tables(part, DepartmentTarget.objects.none(), "pingluo")))
    Indicator.objects.filter(project_id__in=ids, order=1).update(value_text=Concat("value_text", Value("（旧）")))
    return files, cast.unit_staff, len(ids)


def step_result(progress_id):
    django_setup()
    from projects.models import TaskProgress

    progress = TaskProgress.objects.get(pk=progress_id)
    states = [result.get("state") for result in progress.results]
    print(json.dumps({"state": progress.state, "done": progress.done, "errors": progress.errors, "file_states": states}))


def child(environment, *arguments):
    done = subprocess.run([sys.executable, __file__, *arguments], env=environment, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_worker(environment):
    """One db_worker process until the queue is empty: (wall seconds, peak resident MB, CPU seconds)."""
    begin = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(worker.pid, 0)
    seconds = time.perf_counter() - begin
    if status:
        raise SystemExit(worker.stderr.read().decode()[-3000:])
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


@contextmanager
def generated(size, database_url, existing):
    """(URL, seconds it took to generate) of a database of ``size`` tables: ``existing``, generated
    earlier with bench/generate.py --tables ``size`` and used as it is, or one of the benchmark's own."""
    if existing:
        yield existing, None
        return
    from bench.bench_excel import bench_database

    with bench_database(database_url) as url:
        begin = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--tables", str(size), "--database-url", url],
            check=True, env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL,
        )
        yield url, time.perf_counter() - begin


def measure_pages(url, options, runs):
    """bench/bench_pages.py on one database, in a process of its own: its figures (median per page)."""
    with TemporaryDirectory() as folder:
        pages_json = Path(folder) / "pages.json"
        subprocess.run(
            [
                sys.executable, str(ROOT / "bench" / "bench_pages.py"), "--database-url", url, "--runs", str(runs),
                "--json", str(pages_json), "--only", options.only,
            ],
            check=True, env={**os.environ, "DATABASE_URL": url},
        )
        return json.loads(pages_json.read_text(encoding="utf-8"))


def measure_pages_in_rounds(measured, urls, options):
    """The pages of every size measured in ``options.rounds`` rounds, the sizes taking turns within each
    round, and each page's figures the median of its rounds' medians. This machine's speed drifts by
    up to 1.7× over minutes: measured one size after the other, the drift lands on the larger size
    alone and reads as growth (pages that do not depend on the data at all "grew" 1.8× so); taking
    turns spreads it over both."""
    rounds = {figures["size"]: [] for figures in measured}
    runs = max(options.runs // options.rounds, 1)
    for number in range(options.rounds):
        for figures, url in zip(measured, urls):
            print(f"pages, round {number + 1} of {options.rounds}: {figures['size']} tables", flush=True)
            rounds[figures["size"]].append(measure_pages(url, options, runs))
    for figures in measured:
        results = rounds[figures["size"]]
        combined = dict(results[0], pages=[])
        for page in results[0]["pages"]:
            same = [next(item for item in result["pages"] if item["page"] == page["page"]) for result in results]
            combined["pages"].append(
                dict(
                    page,
                    median_ms=round(statistics.median(item["median_ms"] for item in same), 1),
                    cpu_median_ms=round(statistics.median(item["cpu_median_ms"] for item in same), 1),
                    p95_ms=max(item["p95_ms"] for item in same),
                    rounds=[item["median_ms"] for item in same],
                )
            )
        figures["pages"] = combined


def measure_size(size, url, seconds, options):
    figures = {"size": size, "tasks": {}, "pages": None}
    with TemporaryDirectory() as folder:
        environment = {**os.environ, "DATABASE_URL": url, "PERFGOALS_TASK_DIR": folder}
        figures["generate_s"] = seconds
        how = f"generated in {seconds:.0f} s" if seconds is not None else "generated before"
        print(f"{size} tables ({url.split(':', 1)[0]}): {how}", flush=True)
        if options.pages and options.rounds == 1:
            figures["pages"] = measure_pages(url, options, options.runs)
        if options.no_tasks:
            return figures
        # The worker runs with the deployment's settings (DEBUG off), as bench_tasks.py runs it.
        from bench.bench_pages import production_environment

        production_environment(url)
        worker_environment = {**os.environ, "PERFGOALS_TASK_DIR": folder}
        # What a worker costs with nothing to do (start, find the queue empty, stop): part of every
        # figure below, and most of a small task's.
        idle_s, idle_mb, idle_cpu = run_worker(worker_environment)
        figures["idle"] = {"wall_s": idle_s, "peak_mb": idle_mb, "cpu_s": idle_cpu}
        print(f"  worker with an empty queue: {idle_s:.1f} s, peak {idle_mb:.0f} MB", flush=True)
        for kind in ("export", "recheck", "import"):
            started = child(environment, "--start", kind)
            seconds, peak, cpu = run_worker(worker_environment)
            result = child(environment, "--result", str(started["progress"]))
            figure = {**started, "wall_s": seconds, "cpu_s": cpu, "peak_mb": peak, "state": result["state"], "done": result["done"]}
            if kind == "import":
                figure["imported_files"] = result["file_states"].count("imported")
            figures["tasks"][kind] = figure
            items = started.get("tables", started["total"])
            what = f"{items} tables" + (f" in {started['files']} files ({started['mb']:.1f} MB)" if kind == "import" else "")
            per = f"{(seconds - idle_s) / items * 1000:.1f} s per 1,000 tables past start-up" if items else "-"
            print(
                f"  {kind:<8} {what:<34} {result['state']:<6} start {started['start_ms']:6.0f} ms, worker {seconds:7.1f} s "
                f"({per}), CPU {cpu:.1f} s, peak {peak:5.0f} MB", flush=True,
            )
    return figures


def report(measured):
    if any(figures["tasks"] for figures in measured):
        report_tasks(measured)
    report_pages(measured)


def report_tasks(measured):
    print()
    print("Tasks at each size (start: what the web request costs; wall and peak: the db_worker process)")
    print(f"(s/1000: wall time less the worker's start-up with an empty queue, per 1,000 tables; within: done, start < {TARGET_START_MS} ms, peak < {TARGET_MB} MB)")
    print(f"  {'task':<9}{'tables':>9}{'items':>8}{'start ms':>10}{'wall s':>9}{'s/1000':>8}{'peak MB':>9}  within")
    for figures in (figures for figures in measured if figures["tasks"]):
        print(f"  {'(idle)':<9}{figures['size']:>9}{'':>8}{'':>10}{figures['idle']['wall_s']:>9.1f}{'':>8}{figures['idle']['peak_mb']:>9.0f}")
        for kind, figure in figures["tasks"].items():
            items = figure.get("tables", figure["total"])
            within = figure["peak_mb"] < TARGET_MB and figure["start_ms"] < TARGET_START_MS and figure["state"] == "done"
            net = (figure["wall_s"] - figures["idle"]["wall_s"]) / items * 1000 if items else 0
            print(
                f"  {kind:<9}{figures['size']:>9}{items:>8}{figure['start_ms']:>10.0f}{figure['wall_s']:>9.1f}"
                f"{net:>8.1f}{figure['peak_mb']:>9.0f}  {'yes' if within else 'NO'}"
            )
    if len(measured) > 1 and measured[0]["tasks"]:
        first, last = measured[0], measured[-1]
        factor = last["size"] / first["size"]
        print(f"Growth from {first['size']} to {last['size']} tables ({factor:g}× the tables):")
        for kind in first["tasks"]:
            before, after = first["tasks"][kind], last["tasks"][kind]
            print(
                f"  {kind:<9} wall {after['wall_s'] / before['wall_s']:.2f}×, peak memory {after['peak_mb'] / before['peak_mb']:.2f}×, "
                f"start {after['start_ms'] / max(before['start_ms'], 0.001):.2f}×"
            )


def report_pages(measured):
    with_pages = [figures for figures in measured if figures["pages"]]
    if len(with_pages) > 1:
        sizes = [figures["size"] for figures in with_pages]
        print()
        print(f"Page medians (ms) at {', '.join(map(str, sizes))} tables, and the growth from the smallest to the largest (target ≤ {TARGET_PAGE_GROWTH}×)")
        print("(growth: of the wall-time median; cpu: of this process's CPU-time median, which moves less when other work shares the cores)")
        print(f"  {'page':<40}" + "".join(f"{size:>10}" for size in sizes) + f"{'growth':>9}{'cpu':>8}  within")
        labels = [page["page"] for page in with_pages[0]["pages"]["pages"]]
        for label in labels:
            found = [next((page for page in figures["pages"]["pages"] if page["page"] == label), None) for figures in with_pages]
            if None in found:
                continue
            medians = [page["median_ms"] for page in found]
            growth = medians[-1] / medians[0] if medians[0] else math.nan
            cpu = found[-1]["cpu_median_ms"] / found[0]["cpu_median_ms"] if found[0]["cpu_median_ms"] else math.nan
            print(
                f"  {label:<40}" + "".join(f"{median:>10.1f}" for median in medians)
                + f"{growth:>8.2f}×{cpu:>7.2f}×  {'yes' if growth <= TARGET_PAGE_GROWTH else 'NO'}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="table counts, comma-separated (default 10000,100000)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to create the benchmark's databases on")
    parser.add_argument("--pages", action="store_true", help="measure the pages (bench_pages.py) at each size too")
    parser.add_argument("--runs", type=int, default=10, help="requests per page with --pages")
    parser.add_argument(
        "--rounds", type=int, default=1,
        help="with --pages, measure the pages in this many rounds, the sizes taking turns (--runs split among them), "
        "and report the median of the rounds: the machine's drift then falls on every size alike",
    )
    parser.add_argument("--no-tasks", action="store_true", help="measure only the pages (with --pages), not the tasks")
    parser.add_argument(
        "--only", default="", help="with --pages, only the pages whose label contains this text (or one of several, comma-separated)"
    )
    parser.add_argument(
        "--existing", default="",
        help="databases generated before (bench/generate.py --tables SIZE), one URL per size, comma-separated: used as they are, not generated nor dropped",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--report", help="print the tables again from a --json file of an earlier run")
    parser.add_argument("--start", choices=["export", "recheck", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--result", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.start:
        step_start(options.start)
        return
    if options.result:
        step_result(options.result)
        return
    if options.report:
        report(json.loads(Path(options.report).read_text(encoding="utf-8")))
        return
    sizes = [int(size) for size in options.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    existing = [url for url in options.existing.split(",") if url] or [None] * len(sizes)
    if len(existing) != len(sizes):
        raise SystemExit("--existing names one database per size")
    with ExitStack() as databases:
        urls, measured = [], []
        for size, url in zip(sizes, existing):
            url, seconds = databases.enter_context(generated(size, options.database_url, url))
            urls.append(url)
            measured.append(measure_size(size, url, seconds, options))
        if options.pages and options.rounds > 1:
            measure_pages_in_rounds(measured, urls, options)
    report(measured)
    if options.json:
        Path(options.json).write_text(json.dumps(measured, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
