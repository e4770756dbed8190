"""Benchmark: the peak memory of a worker exporting 5,000 target tables as Excel (target: under 300 MB).

    .venv/bin/python bench/bench_export_memory.py [--tables 5000] [--layout pingluo]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_export_memory.py

The database is the benchmark's own, as in bench_excel.py (a SQLite file in a temporary folder, or a
database created on the PostgreSQL server DATABASE_URL or ``--database-url`` names and dropped at the
end), filled by bench/generate.py with ``--tables`` project tables (three budget years, 8–30 三级 rows
each, department targets beside them).

The export runs in a fresh Python process, as a worker would serve it: Django set up and the Excel
code imported, then export_tables of every project table in ``--layout``, the bytes kept. That process
reports its peak resident set size (getrusage ru_maxrss) once ready and once the export has returned.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MB = 300


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def worker(layout):
    """The export, measured from inside the process that runs it; prints its figures as JSON."""
    from bench.bench_pages import production_environment

    production_environment(os.environ["DATABASE_URL"])  # DEBUG off, as a deployment runs
    import django

    django.setup()
    import perfgoals.wsgi  # noqa: F401  (the worker as gunicorn loads it, garbage collection tuned alike)
    from projects import excel
    from projects.models import DepartmentTarget, ProjectTable

    ready = peak_mb()
    tables = ProjectTable.objects.count()
    start = time.perf_counter()
    content = excel.export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.none(), layout)
    seconds = time.perf_counter() - start
    print(json.dumps({"tables": tables, "bytes": len(content), "seconds": seconds, "ready_mb": ready, "peak_mb": peak_mb()}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--layout", default="pingluo", choices=["pingluo", "dingzhou", "flat"])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to create the benchmark's database on")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.layout)
        return
    from bench.bench_excel import bench_database

    with bench_database(options.database_url) as database_url:
        environment = {**os.environ, "DATABASE_URL": database_url}
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--tables", str(options.tables), "--database-url", database_url],
            check=True, env=environment, stdout=subprocess.DEVNULL,
        )
        done = subprocess.run(
            [sys.executable, __file__, "--worker", "--layout", options.layout],
            check=True, env=environment, capture_output=True, text=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"export of {figures['tables']} tables ({options.layout}, {database_url.split(':', 1)[0]}): "
          f"{figures['bytes'] / 1024 / 1024:.1f} MB workbook in {figures['seconds']:.1f} s")
    verdict = "within" if figures["peak_mb"] < TARGET_MB else "over"
    print(f"peak memory of the worker: {figures['peak_mb']:.0f} MB ({figures['ready_mb']:.0f} MB before the export), "
          f"{verdict} the {TARGET_MB} MB target")


if __name__ == "__main__":
    main()
