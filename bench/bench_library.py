"""Server time of the indicator library's suggestion request (the editor's picker) on a generated
database (bench/generate.py).

    .venv/bin/python bench/bench_library.py [--database-url URL] [--runs 50]

Loads the common library if the database has none, recomputes the usage figures (timed: what
``manage.py refresh_library_usage`` costs at this size), then requests /library/suggest/ through
Django's test Client as the staff of the busiest unit (bench/accounts.py), for several pickers: a
二级 opened from its 从指标库选择 button, a 三级 name being typed, a search over the whole framework.
Printed per request: median and 95th percentile server time and the SQL queries of one request.
Target: median under 50 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import collect_static, percentile, production_environment  # noqa: E402

TARGET_MEDIAN_MS = 50


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'bench' / 'data' / 'bench.sqlite3'}"
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    production_environment(args.database_url)
    import perfgoals.wsgi  # noqa: F401

    collect_static()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.accounts import busiest_cast
    from indicators.library.models import EntryUsage, LibraryEntry
    from indicators.library.reference import load_common_library
    from indicators.library.usage import usage_refresh
    from indicators.models import Indicator, Level2
    from projects.models import ProjectTable

    if not LibraryEntry.objects.exists():
        print(f"  loaded {load_common_library()} common library entries")
    start = time.perf_counter()
    usage_refresh()
    refresh_s = time.perf_counter() - start
    cast = busiest_cast()
    table = cast.editable_table
    print(
        f"指标库推荐 library suggestions — {connection.vendor}, {ProjectTable.objects.count()} tables, "
        f"{Indicator.objects.count()} indicator rows, {LibraryEntry.objects.count()} entries, "
        f"{EntryUsage.objects.count()} usage rows (refresh_library_usage took {refresh_s:.1f} s); "
        f"{args.runs} runs each, target median < {TARGET_MEDIAN_MS} ms"
    )
    print(f"  load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; as {cast.unit_staff.username}, table {table.pk}")
    framework = table.framework.code
    level2 = lambda name: Level2.objects.get(level1__framework__code=framework, name=name).pk  # noqa: E731
    url = reverse("indicators:library_suggest")
    requests = [
        ("二级 button: 数量指标", {"level2": level2("数量指标"), "project": table.pk}),
        ("二级 button: 服务对象满意度指标", {"level2": level2("服务对象满意度指标"), "project": table.pk}),
        ("typing: 满意", {"level2": level2("服务对象满意度指标"), "q": "满意", "project": table.pk}),
        ("typing: 培训 合格", {"level2": level2("质量指标"), "q": "培训 合格", "project": table.pk}),
        ("search framework: 率", {"framework": framework, "q": "率", "project": table.pk}),
    ]
    client = Client()
    client.force_login(cast.unit_staff)
    print(f"  {'request':<36}{'median ms':>10}{'p95 ms':>10}{'queries':>9}{'entries':>9}  target")
    medians = []
    for label, params in requests:
        for _ in range(args.warmup):
            client.get(url, params)
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            entries = len(client.get(url, params).json()["entries"])
        median = statistics.median(timings)
        medians.append(median)
        print(
            f"  {label:<36}{median:>10.1f}{percentile(timings, 0.95):>10.1f}{len(queries.captured_queries):>9}{entries:>9}"
            f"  {'ok' if median < TARGET_MEDIAN_MS else 'MISSED'}",
            flush=True,
        )
    print(f"  worst median {max(medians):.1f} ms")


if __name__ == "__main__":
    main()
