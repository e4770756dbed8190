"""Background tasks (issue 20): the list export and the recheck as tasks with a progress record, run
in-process and by real db_worker processes; a worker killed mid-task leaves no file and reads failed."""

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import ProjectTable, TaskProgress
from projects.tasks import runner
from projects.tasks.export import export_task
from projects.tasks.recheck import recheck_task, start_recheck

ROOT = Path(__file__).resolve().parents[2]
State = TaskProgress.State


@pytest.fixture(autouse=True)
def task_folder(settings, tmp_path):
    settings.PERFGOALS_TASK_DIR = tmp_path / "tasks"
    settings.PERFGOALS_EXPORT_IMMEDIATE_MAX = 1
    return settings.PERFGOALS_TASK_DIR


def client_of(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def summary_title(content):
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return workbook["汇总"]["A1"].value


def start_list_export(client, django_capture_on_commit_callbacks):
    url = reverse("projects:project_list") + "?export=forms&layout=pingluo"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "开始导出" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    return TaskProgress.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def test_a_large_list_export_runs_as_a_task_with_progress_and_a_download(client, seeded, django_capture_on_commit_callbacks, task_folder):
    finance = client_of(client, "pl_finance")
    visible = ProjectTable.objects.visible_to(get_user_model().objects.get(username="pl_finance")).count()
    assert visible > 1
    progress = start_list_export(finance, django_capture_on_commit_callbacks)
    assert progress.state == State.QUEUED and progress.total == visible and progress.task_id
    page = finance.get(reverse("projects:task_progress", args=[progress.pk])).content.decode()
    assert "排队中" in page and "task_progress.js" in page

    export_task.call(progress.pk)

    status = finance.get(reverse("projects:task_status", args=[progress.pk])).json()
    assert status["state"] == "done" and status["done"] == status["total"] == visible and status["percent"] == 100
    download = finance.get(status["download"])
    content = b"".join(download.streaming_content)
    assert f"共 {visible} 张" in summary_title(content)
    files = list(task_folder.iterdir())
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600 and task_folder.stat().st_mode & 0o777 == 0o700
    # Another user, even one who sees the same tables, sees neither the task nor its file.
    other = client_of(type(client)(), "admin")
    assert other.get(reverse("projects:task_progress", args=[progress.pk])).status_code == 404
    assert other.get(reverse("projects:task_download", args=[progress.pk])).status_code == 404


def test_a_task_is_run_once_even_if_two_workers_are_handed_it(client, seeded, django_capture_on_commit_callbacks, task_folder):
    progress = start_list_export(client_of(client, "pl_finance"), django_capture_on_commit_callbacks)
    assert runner.claim(progress.pk, TaskProgress.Kind.EXPORT) is not None  # a first worker has it
    assert export_task.call(progress.pk) is None  # the second skips it: no second file
    assert not task_folder.exists() or list(task_folder.iterdir()) == []
    assert recheck_task.call(progress.pk) is None  # nor is an export ever run as another kind


def test_the_recheck_task_rechecks_every_table_of_the_region(seeded, django_capture_on_commit_callbacks):
    owner = get_user_model().objects.get(username="pl_finance")
    region = owner.scope.region
    ProjectTable.objects.filter(region=region).update(quality_score=None)
    with django_capture_on_commit_callbacks(execute=True):
        progress = start_recheck(owner, region=region.code, label=region.name)
    recheck_task.call(progress.pk)
    progress.refresh_from_db()
    count = ProjectTable.objects.filter(region=region).count()
    assert progress.state == State.DONE and progress.done == progress.total == count
    assert not ProjectTable.objects.filter(region=region, quality_score=None).exists()


def test_a_running_task_whose_worker_stopped_reporting_reads_failed(client, seeded, settings):
    finance = client_of(client, "pl_finance")
    owner = get_user_model().objects.get(username="pl_finance")
    long_ago = timezone.now() - timedelta(seconds=settings.PERFGOALS_TASK_STALE_SECONDS + 5)
    progress = TaskProgress.objects.create(
        owner=owner, kind="export", title="x", total=10, done=3, state=State.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    status = finance.get(reverse("projects:task_status", args=[progress.pk])).json()
    assert status["state"] == "failed" and "中断" in status["errors"][0] and not status["download"]


def test_a_failed_write_leaves_no_file(task_folder):
    def write(file):
        file.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        runner.write_aside("result.xlsx", write)
    assert list(task_folder.iterdir()) == []


# Real worker processes on a database file of their own.


def manage(database, *args, env=None, **kwargs):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", **(env or {})}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, **kwargs)


SHELL = """
from django.contrib.auth import get_user_model
from django.db import transaction
from projects.models import ProjectTable
from projects.tasks.export import start_export
from projects.tasks.recheck import start_recheck
owner = get_user_model().objects.get(username="pl_finance")
with transaction.atomic():
    export = start_export(owner, ProjectTable.objects.visible_to(owner), "pingluo", "清单.xlsx")
    recheck = start_recheck(owner, region=owner.scope.region.code, label="平罗")
print("IDS", export.pk, recheck.pk)
"""

READ = """
from projects.models import TaskProgress
for progress in TaskProgress.objects.order_by("pk"):
    print("P", progress.pk, progress.state, progress.done, progress.total, progress.result_file or "-", progress.errors)
"""


def ids(output):
    return [int(word) for word in output.split("IDS ", 1)[1].split()[:2]]


def read_progress(database, env):
    lines = manage(database, "shell", "-c", READ, env=env).stdout.split("\n")
    rows = [line.split(maxsplit=6)[1:] for line in lines if line.startswith("P ")]
    return {int(row[0]): row[1:] for row in rows}


@pytest.fixture
def worker_database(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = {"PERFGOALS_TASK_DIR": str(tmp_path / "tasks")}
    assert manage(database, "migrate", "-v0", env=env).returncode == 0
    assert manage(database, "setup_demo", "-v0", env=env).returncode == 0
    return database, env, tmp_path / "tasks"


def test_a_db_worker_process_runs_the_export_and_the_recheck(worker_database):
    database, env, folder = worker_database
    started = manage(database, "shell", "-c", SHELL, env=env)
    assert started.returncode == 0, started.stderr
    export_id, recheck_id = map(int, ids(started.stdout))
    worker = manage(database, "db_worker", "--batch", "--no-startup-delay", env=env, timeout=120)
    assert worker.returncode == 0, worker.stderr
    progress = read_progress(database, env)
    assert progress[export_id][0] == "done" and progress[export_id][1] == progress[export_id][2]
    assert progress[recheck_id][0] == "done"
    content = (folder / progress[export_id][3]).read_bytes()
    assert f"共 {progress[export_id][2]} 张" in summary_title(content)


# A worker whose export pauses after its first part, so that it can be killed mid-task; while it waits it
# goes on reporting, as a live worker busy with a long part does, so its task reads as running however
# slowly the test's own shell processes start on a loaded machine.
SLOW_WORKER = textwrap.dedent("""
    import os, sys, time
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
    django.setup()
    from projects.tasks import export
    original = export.counted
    def slow(parts, report):
        for part in original(parts, report):
            yield part
            print("WRITING", flush=True)
            for _ in range(300):
                report(report.progress.done, force=True)  # the Reporter keeps the count
                time.sleep(0.2)
    export.counted = slow
    from django.core.management import call_command
    call_command("db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2")
""")


def test_a_worker_killed_mid_export_leaves_no_file_and_the_task_reads_failed(worker_database):
    database, env, folder = worker_database
    env = {**env, "PERFGOALS_TASK_STALE_SECONDS": "2"}
    started = manage(database, "shell", "-c", SHELL, env=env)
    export_id = ids(started.stdout)[0]
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", **env}
    worker = subprocess.Popen([sys.executable, "-c", SLOW_WORKER], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while "WRITING" not in worker.stdout.readline():
            assert time.monotonic() < deadline and worker.poll() is None
        assert read_progress(database, env)[export_id][0] == "running"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    time.sleep(2.5)
    status = manage(
        database, "shell", "-c",
        f"from projects.models import TaskProgress; from projects.tasks import runner; "
        f"p = TaskProgress.objects.get(pk={export_id}); runner.fail_stale(p); print('S', p.state, p.result_file or '-')",
        env=env,
    ).stdout.split("S ", 1)[1].split()
    assert status == ["failed", "-"]
    assert not [path for path in folder.iterdir() if path.suffix == ".xlsx"]
