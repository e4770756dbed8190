"""Load test: the production server (gunicorn) on PostgreSQL under many simulated users, on 127.0.0.1 only.

    .venv/bin/python bench/bench_load.py [--database-url postgres://…/perfgoals_bench] [--users 20]
                                         [--seconds 60] [--workers 2×cores+1]

Needs a generated database (bench/generate.py) and locust (``pip install -e ".[bench]"``). Collects the
static files as ``manage.py deploy`` does, starts gunicorn with the production settings (DEBUG=0, a
secret key, whitenoise; plain http on loopback), runs locust headless for ``--seconds`` with
``--users`` simulated users mixing reads and saves (bench/locustfile.py), stops both, and prints
requests per second, the 95th-percentile latency and the errors, overall and per kind of request.
The per-request figures start once every simulated user has been spawned (locust --reset-stats); the
last line counts every page request of the run with logins left out: a login hashes the password on
purpose slowly and happens once a day, not once a page.
"""

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import production_environment  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/perfgoals_bench"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_plan(accounts_per_role):
    """The accounts the simulated users log in as, busiest scopes first, with the tables each opens."""
    from bench.accounts import busiest_cast
    from bench.generate import BENCH_PASSWORD
    from django.contrib.auth import get_user_model

    from projects.models import ProjectTable, TableStatus
    from projects.review import awaiting

    cast = busiest_cast(accounts_per_role)
    User = get_user_model()
    accounts = {"unit_staff": [], "department_reviewer": [], "finance_officer": []}
    for username, role in cast.load_accounts:
        user = User.objects.get(username=username)
        if role == "unit_staff":
            mine = ProjectTable.objects.visible_to(user).filter(year=cast.year)
            editable = mine.filter(status__in=[TableStatus.DRAFT, TableStatus.RETURNED]).order_by("pk").values_list("pk", flat=True).first()
            if editable is None:
                continue
            tables = list(mine.order_by("pk").values_list("pk", flat=True)[:30])
            accounts[role].append({"username": username, "tables": tables, "editable": editable})
        else:
            tables = list(awaiting(user).filter(year=cast.year).values_list("pk", flat=True)[:30])
            accounts[role].append({"username": username, "tables": tables})
    return {"year": cast.year, "password": BENCH_PASSWORD, "accounts": accounts}


def wait_until_up(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds} s")


def summary(stats_csv):
    with open(stats_csv, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_PG_URL") or DEFAULT_URL)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the load test runs against PostgreSQL, as a deployment does")

    production_environment(args.database_url)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        plan_file = Path(folder) / "plan.json"
        plan = load_plan(max(4, args.users))
        plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        counts = {role: len(accounts) for role, accounts in plan["accounts"].items()}
        print(
            f"负载测试 load test — gunicorn, {args.workers} workers, PostgreSQL, {args.users} simulated users for "
            f"{args.seconds} s on 127.0.0.1:{port} (accounts: {counts})",
            flush=True,
        )
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "perfgoals.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=os.environ.copy(),
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz/")
            prefix = Path(folder) / "locust"
            pages_file = Path(folder) / "pages.json"
            subprocess.run(
                [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "--host", f"http://127.0.0.1:{port}", "--users", str(args.users), "--spawn-rate", str(max(1, args.users // 5)),
                 "--run-time", f"{args.seconds}s", "--stop-timeout", "10", "--csv", str(prefix), "--only-summary",
                 "--reset-stats", "--loglevel", "WARNING"],
                cwd=ROOT, env={**os.environ, "BENCH_LOAD_PLAN": str(plan_file), "BENCH_LOAD_PAGES": str(pages_file)},
                check=False, timeout=args.seconds + 120,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            if not Path(f"{prefix}_stats.csv").exists():
                raise SystemExit("locust wrote no statistics")
            rows = summary(f"{prefix}_stats.csv")
            failures = summary(f"{prefix}_failures.csv")
            pages = json.loads(pages_file.read_text(encoding="utf-8")) if pages_file.exists() else []
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"  {'request':<22}{'count':>8}{'errors':>8}{'req/s':>8}{'median ms':>11}{'p95 ms':>9}")
    for row in rows:
        print(
            f"  {row['Name']:<22}{row['Request Count']:>8}{row['Failure Count']:>8}{float(row['Requests/s']):>8.1f}"
            f"{float(row['Median Response Time']):>11.0f}{float(row['95%']):>9.0f}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(
        f"  all requests since every user was spawned: {float(total['Requests/s']):.1f} requests/s, "
        f"p95 {float(total['95%']):.0f} ms, {total['Failure Count']} errors of {total['Request Count']}"
    )
    if pages:
        times = sorted(milliseconds for milliseconds, _ in pages)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        errors = sum(1 for _, failed in pages if failed)
        print(
            f"  pages (logins left out), whole run: {len(pages) / args.seconds:.1f} requests/s, p95 {p95:.0f} ms, "
            f"{errors} errors of {len(pages)} requests"
        )
    for failure in failures:
        print(f"  error: {failure['Method']} {failure['Name']} ×{failure['Occurrences']}: {failure['Error']}")


if __name__ == "__main__":
    main()
