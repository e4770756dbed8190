"""Server time of the pages people use most, on a generated database (bench/generate.py).

    .venv/bin/python bench/bench_pages.py [--database-url URL] [--runs 30] [--json FILE]

Each page is requested through Django's test Client inside this process (no network, no browser), as
the busiest people of the province (bench/accounts.py): the staff of the biggest unit of the biggest
department, that department's reviewer and the finance officer of the biggest region. Settings are
the production ones (DEBUG=0, collected static files, whitenoise), with plain http. Printed per page:
the median and the 95th percentile of the server time over ``--runs`` requests after a few warm-up
requests, and the number of SQL queries one request makes. The editor's save posts the page back
unchanged, as a browser would, after loading it afresh (the load is not timed).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MEDIAN_MS = 100
TARGET_P95_MS = 250


def production_environment(database_url):
    """The deployment's settings (README 生产部署) for plain http on this machine."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(ROOT / "bench" / "data" / "static"),
        }
    )


def collect_static():
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def pages(cast):
    """(label, user, path, expected status) of every page measured."""
    from django.urls import reverse

    year = cast.year
    editable, review = cast.editable_table, cast.review_table
    return [
        ("单位首页 home (unit)", cast.unit_staff, reverse("projects:home"), 200),
        # Not among the pages, but where finance officers land after logging in: it lists every
        # table of the region and year on one page.
        ("首页 home (finance, whole region)", cast.finance_officer, reverse("projects:home"), 200),
        ("编辑页 editor GET", cast.unit_staff, reverse("projects:project_edit", args=[editable.pk]), 200),
        ("编辑页 editor POST (save)", cast.unit_staff, reverse("projects:project_edit", args=[editable.pk]), 302),
        ("详情页 detail", cast.unit_staff, reverse("projects:project_detail", args=[editable.pk]), 200),
        ("修改记录 history", cast.unit_staff, reverse("projects:project_history", args=[editable.pk]), 200),
        ("待审列表 queue (finance)", cast.finance_officer, reverse("projects:review_queue"), 200),
        ("待审列表 queue (department)", cast.department_reviewer, reverse("projects:review_queue"), 200),
        ("审核页 review page (finance)", cast.finance_officer, reverse("projects:project_review", args=[review.pk]), 200),
        (
            "清单 list: year+in review, by amount",
            cast.finance_officer,
            f"{reverse('projects:project_list')}?year={year}&status=in_review&sort=-funds_total",
            200,
        ),
        ("清单 list: all years, by score", cast.finance_officer, f"{reverse('projects:project_list')}?sort=-quality_score", 200),
        ("清单 list: returned, by rounds", cast.finance_officer, f"{reverse('projects:project_list')}?year={year}&returned=yes&sort=-rounds", 200),
        ("总览 dashboard (finance)", cast.finance_officer, f"{reverse('projects:dashboard')}?year={year}", 200),
        ("总览 dashboard (department)", cast.department_reviewer, f"{reverse('projects:dashboard')}?year={year}", 200),
        ("总览 dashboard (unit)", cast.unit_staff, f"{reverse('projects:dashboard')}?year={year}", 200),
        ("各部门进度 department progress", cast.finance_officer, f"{reverse('projects:department_progress')}?year={year}", 200),
        ("三级指标查询 indicator list", cast.finance_officer, f"{reverse('projects:indicator_list')}?year={year}", 200),
        ("审核发现汇总 findings list", cast.finance_officer, f"{reverse('projects:finding_list')}?year={year}", 200),
    ]


def measure(client, label, path, expected, runs, warmup):
    """Server times in ms of ``runs`` requests and the queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.pageforms import editor_form

    posting = "POST" in label
    # The editor's form has no enctype: a browser posts it url-encoded, not as multipart like the test
    # Client's default.
    form_type = "application/x-www-form-urlencoded"

    def once():
        if posting:
            data = urlencode(editor_form(client.get(path).content.decode()))
            start, cpu = time.perf_counter(), time.process_time()
            response = client.post(path, data, content_type=form_type)
        else:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
        elapsed = ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
        if response.status_code != expected:
            raise SystemExit(f"{label}: {path} answered {response.status_code}, expected {expected}")
        return elapsed

    for _ in range(warmup):
        once()
    measured = [once() for _ in range(runs)]
    timings = [wall for wall, _ in measured]
    if posting:
        data = urlencode(editor_form(client.get(path).content.decode()))
    with CaptureQueriesContext(connection) as queries:
        client.post(path, data, content_type=form_type) if posting else client.get(path)
    return {
        "page": label,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "cpu_median_ms": round(statistics.median(cpu for _, cpu in measured), 1),
        "queries": len(queries.captured_queries),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'bench' / 'data' / 'bench.sqlite3'}"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--only", default="", help="measure only the pages whose label contains this text (or one of several, comma-separated)"
    )
    args = parser.parse_args()

    production_environment(args.database_url)
    # The application as gunicorn loads it (perfgoals/wsgi.py), garbage collection tuned alike.
    import perfgoals.wsgi  # noqa: F401

    collect_static()
    from django.db import connection
    from django.test import Client

    from bench.accounts import busiest_cast
    from indicators.models import Indicator
    from projects.models import ProjectTable

    cast = busiest_cast()
    tables, rows = ProjectTable.objects.count(), Indicator.objects.count()
    print(
        f"页面服务器时间 page server time — {connection.vendor}, {tables} tables, {rows} indicator rows, "
        f"year {cast.year}, {args.runs} runs per page (targets: median < {TARGET_MEDIAN_MS} ms, p95 < {TARGET_P95_MS} ms)"
    )
    # Other work on this machine slows every figure: the load average says how busy it was.
    print(f"  load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        f"  as {cast.unit_staff.username} (unit), {cast.department_reviewer.username} (department), "
        f"{cast.finance_officer.username} (finance); editor table {cast.editable_table.pk} "
        f"({cast.editable_table.indicators.count()} rows), review table {cast.review_table.pk}"
    )
    # Server time is wall time; "cpu" is this process's CPU time for the same requests (Django, and
    # SQLite, which runs in the process; not PostgreSQL's own work): it is what the page costs when the
    # machine has nothing else to do, and it moves less when other work shares the cores.
    print(f"  {'page':<40}{'median ms':>10}{'p95 ms':>10}{'cpu ms':>8}{'queries':>9}  target")
    results = []
    clients = {}
    for label, user, path, expected in pages(cast):
        if not any(text in label for text in args.only.split(",")):
            continue
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        result = measure(client, label, path, expected, args.runs, args.warmup)
        met = result["median_ms"] < TARGET_MEDIAN_MS and result["p95_ms"] < TARGET_P95_MS
        result["met"] = met
        results.append(result)
        print(
            f"  {label:<40}{result['median_ms']:>10.1f}{result['p95_ms']:>10.1f}{result['cpu_median_ms']:>8.1f}"
            f"{result['queries']:>9}  {'ok' if met else 'MISSED'}",
            flush=True,
        )
    missed = [result["page"] for result in results if not result["met"]]
    print(f"  {len(results) - len(missed)} of {len(results)} pages within the targets" + (f"; missed: {', '.join(missed)}" if missed else ""))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"vendor": connection.vendor, "tables": tables, "indicators": rows, "pages": results}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
