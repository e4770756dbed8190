"""Two db_worker processes on one PostgreSQL queue (issue 20, point 3): every task is taken by one
worker only, a task handed out twice (enqueued twice for the same work) runs once, and a worker killed
mid-export leaves no file, is not picked up again by the other worker, and its task reads failed.

The workers are real ``manage.py db_worker`` processes on a database of their own (created on the
suite's PostgreSQL server and dropped at the end), started through a small wrapper that prints a line
each time a task's body starts, so the test can count the runs across both processes."""

import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.postgresql

# The worker: db_worker, with each task body announcing itself (and pausing, so that both workers get
# work); with SLOW_EXPORT an export stops after its first part, long enough to be killed there, and goes
# on reporting while it waits, as a live worker busy with a long part does: its task reads as running for
# as long as it lives, however slowly the test's other processes start on a loaded machine.
WORKER = textwrap.dedent("""
    import os, sys, time
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
    django.setup()
    from projects.tasks import export, runner
    original_run = runner.run
    def run(progress_id, kind, body):
        def traced(progress, report):
            print("BODY", os.environ["WORKER_NAME"], progress_id, flush=True)
            time.sleep(float(os.environ.get("TASK_PAUSE", "0")))
            return body(progress, report)
        return original_run(progress_id, kind, traced)
    runner.run = run
    if os.environ.get("SLOW_EXPORT"):
        original_counted = export.counted
        def slow(parts, report):
            for part in original_counted(parts, report):
                yield part
                print("WRITING", flush=True)
                for _ in range(600):
                    report(report.progress.done, force=True)  # the Reporter keeps the count
                    time.sleep(0.2)
        export.counted = slow
    from django.core.management import call_command
    call_command("db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2", "--worker-id", os.environ["WORKER_NAME"], *sys.argv[1:])
""")

ENQUEUE = textwrap.dedent("""
    import json
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from projects.models import ProjectTable
    from projects.tasks.export import start_export
    from projects.tasks.recheck import recheck_task, start_recheck
    owner = get_user_model().objects.get(username="pl_finance")
    exports, rechecks = {exports}, {rechecks}
    with transaction.atomic():
        started = [start_export(owner, ProjectTable.objects.visible_to(owner), "pingluo", "清单.xlsx").pk for _ in range(exports)]
        started += [start_recheck(owner, region="640221", label="平罗").pk for _ in range(rechecks)]
    if {twice}:  # the same work handed to the queue a second time
        recheck_task.enqueue(started[-1])
    print("IDS", json.dumps(started))
""")

READ = textwrap.dedent("""
    import json
    from django_tasks_db.models import DBTaskResult
    from projects.models import TaskProgress
    from projects.tasks import runner
    progress = {}
    for record in TaskProgress.objects.order_by("pk"):
        runner.fail_stale(record)
        progress[record.pk] = [record.state, record.done, record.total, record.result_file, record.errors]
    results = [[result.status, result.worker_ids, result.args_kwargs["args"]] for result in DBTaskResult.objects.order_by("enqueued_at")]
    print("STATE", json.dumps({"progress": progress, "results": results}, ensure_ascii=False))
""")


@pytest.fixture
def worker_database(tmp_path):
    """A database of its own on the suite's PostgreSQL server, migrated and with the demo data."""
    default = settings.DATABASES["default"]
    name = f"perfgoals_workers_{secrets.token_hex(4)}"
    server = {"host": default["HOST"] or "127.0.0.1", "port": default["PORT"] or 5432, "user": default["USER"], "password": default["PASSWORD"] or None}
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    password = f":{default['PASSWORD']}" if default["PASSWORD"] else ""
    url = f"postgres://{default['USER']}{password}@{server['host']}:{server['port']}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "PERFGOALS_TASK_DIR": str(tmp_path / "tasks"), "PERFGOALS_TASK_STALE_SECONDS": "2"}
    try:
        for command in (["migrate", "-v0"], ["setup_demo", "-v0"]):
            done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        yield env, tmp_path / "tasks"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def shell(env, code):
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def enqueue(env, exports=0, rechecks=0, twice=False):
    output = shell(env, ENQUEUE.format(exports=exports, rechecks=rechecks, twice=twice))
    return json.loads(output.split("IDS ", 1)[1].strip())


def state(env):
    return json.loads(shell(env, READ).split("STATE ", 1)[1])


def worker(env, name, *arguments, **extra):
    environment = {**env, "WORKER_NAME": name, **extra}
    return subprocess.Popen([sys.executable, "-c", WORKER, *arguments], cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_workers_share_one_queue_and_never_run_a_task_twice(worker_database):
    env, folder = worker_database
    ids = enqueue(env, exports=3, rechecks=5, twice=True)
    workers = [worker(env, name, "--batch", TASK_PAUSE="0.5") for name in ("w1", "w2")]
    outputs = [process.communicate(timeout=300) for process in workers]
    assert [process.returncode for process in workers] == [0, 0], [error[-2000:] for _, error in outputs]

    runs = [line.split()[1:] for stdout, _ in outputs for line in stdout.splitlines() if line.startswith("BODY ")]
    ran = [int(progress_id) for _, progress_id in runs]
    assert sorted(ran) == sorted(ids), runs  # every task's body ran, each once: the duplicate was skipped
    assert {worker_name for worker_name, _ in runs} == {"w1", "w2"}  # both workers took work from the queue
    found = state(env)
    assert all(found["progress"][str(pk)][0] == "done" for pk in ids)
    # The queue handed each of its nine entries (eight tasks, one enqueued twice) to one worker, once.
    assert len(found["results"]) == 9
    assert all(status == "SUCCESSFUL" and len(worker_ids) == 1 for status, worker_ids, _ in found["results"])
    files = sorted(path.name for path in folder.iterdir() if path.suffix == ".xlsx")
    assert len(files) == 3 and files == sorted(found["progress"][str(pk)][3] for pk in ids[:3])


def test_a_worker_killed_mid_export_leaves_no_file_and_the_other_does_not_take_its_task(worker_database):
    env, folder = worker_database
    export_id = enqueue(env, exports=1)[0]
    slow = worker(env, "w1", SLOW_EXPORT="1")
    try:
        deadline = time.monotonic() + 120
        while "WRITING" not in slow.stdout.readline():
            assert time.monotonic() < deadline and slow.poll() is None, slow.stderr.read()[-2000:]
        recheck_ids = enqueue(env, rechecks=2)
        assert state(env)["progress"][str(export_id)][0] == "running"
    finally:
        slow.send_signal(signal.SIGKILL)
        slow.wait()
    other = worker(env, "w2", "--batch")
    stdout, stderr = other.communicate(timeout=300)
    assert other.returncode == 0, stderr[-2000:]
    assert sorted(int(line.split()[2]) for line in stdout.splitlines() if line.startswith("BODY ")) == recheck_ids
    time.sleep(2.5)  # past PERFGOALS_TASK_STALE_SECONDS without a report from the killed worker
    found = state(env)
    export_state, _, _, result_file, errors = found["progress"][str(export_id)]
    assert export_state == "failed" and result_file == "" and "中断" in errors[0]
    assert all(found["progress"][str(pk)][0] == "done" for pk in recheck_ids)
    # The killed worker's queue entry stays its own: the second worker never ran it.
    assert [worker_ids for status, worker_ids, args in found["results"] if args == [export_id]] == [["w1"]]
    assert not [path for path in folder.iterdir() if path.suffix == ".xlsx"]
