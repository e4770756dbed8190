"""Benchmark: the official-layout export of every table as a background task (issue 20).

    .venv/bin/python bench/bench_tasks.py [--tables 1000] [--layout pingluo] [--database-url postgres://…]

On the benchmark's own database (as bench_export_memory.py: a SQLite file in a temporary folder, or a
database created on a PostgreSQL server and dropped at the end) filled by bench/generate.py, it
enqueues the export of every table as bench_admin (what the list's POST does: the selection's ids, the
progress record, the task; timed), then runs one ``manage.py db_worker --batch`` process, as in
production, and prints its wall time, the time per 1,000 tables and the worker's peak resident memory
(target: under 300 MB whatever the number of tables), and checks the file it wrote.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MB = 300


def enqueue(layout):
    """In a process of its own: start the export as the list view does; prints the figures as JSON."""
    from bench.bench_pages import production_environment

    production_environment(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from projects.models import ProjectTable
    from projects.tasks.export import start_export

    owner = get_user_model().objects.get(username="bench_admin")
    start = time.perf_counter()
    with transaction.atomic():
        progress = start_export(owner, ProjectTable.objects.visible_to(owner), layout, "全部.xlsx")
    seconds = time.perf_counter() - start
    print(json.dumps({"progress": progress.pk, "tables": progress.total, "enqueue_seconds": seconds}))


def result(progress_id):
    from bench.bench_pages import production_environment

    production_environment(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from projects.models import TaskProgress

    progress = TaskProgress.objects.get(pk=progress_id)
    print(json.dumps({"state": progress.state, "done": progress.done, "file": progress.result_file, "errors": progress.errors}))


def run(environment, *arguments):
    done = subprocess.run([sys.executable, __file__, *arguments], check=True, env=environment, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--layout", default="pingluo", choices=["pingluo", "dingzhou", "flat"])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to create the benchmark's database on")
    parser.add_argument("--enqueue", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.enqueue:
        enqueue(options.layout)
        return
    if options.result:
        result(options.result)
        return
    from bench.bench_excel import bench_database

    with bench_database(options.database_url) as database_url, TemporaryDirectory() as folder:
        environment = {**os.environ, "DATABASE_URL": database_url, "PERFGOALS_TASK_DIR": folder}
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--tables", str(options.tables), "--database-url", database_url],
            check=True, env=environment, stdout=subprocess.DEVNULL,
        )
        started = run(environment, "--enqueue", "--layout", options.layout)
        from bench.bench_pages import production_environment

        production_environment(database_url)  # the worker runs with the deployment's settings, DEBUG off
        worker_environment = {**os.environ, "PERFGOALS_TASK_DIR": folder}
        begin = time.perf_counter()
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
            cwd=ROOT, env=worker_environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(worker.pid, 0)
        seconds = time.perf_counter() - begin
        assert status == 0, worker.stderr.read().decode()[-2000:]
        finished = run(environment, "--result", str(started["progress"]))
        size = (Path(folder) / finished["file"]).stat().st_size if finished["file"] else 0
    tables = started["tables"]
    print(f"export of {tables} tables as a task ({options.layout}, {database_url.split(':', 1)[0]}): {finished['state']}, "
          f"{size / 1024 / 1024:.1f} MB file, worker wall time {seconds:.1f} s ({seconds / tables * 1000:.1f} s per 1,000 tables)")
    print(f"starting it (ids, progress record, enqueue — what the list's POST does): {started['enqueue_seconds'] * 1000:.0f} ms")
    peak = usage.ru_maxrss / 1024
    print(f"peak memory of the worker: {peak:.0f} MB, {'within' if peak < TARGET_MB else 'over'} the {TARGET_MB} MB target")


if __name__ == "__main__":
    main()
