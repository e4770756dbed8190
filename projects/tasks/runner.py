"""Running a task against its progress record.

A task is enqueued with the id of a TaskProgress; the worker that picks it up claims the record
(queued → running, in one conditional UPDATE, so two workers given the same work never both run it),
reports progress as it goes (which is also its heartbeat) and ends it done or failed. A worker killed
mid-task stops reporting: after PERFGOALS_TASK_STALE_SECONDS the record reads as failed
(``fail_stale``), and since results are written aside and renamed only when complete, nothing
half-written is ever offered.
"""

import logging
import os
import re
import secrets
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.tasks.models import TaskProgress

logger = logging.getLogger(__name__)
State = TaskProgress.State

STALE_MESSAGE = "后台进程在任务完成前中断（{minutes} 分钟未报告进度），任务未完成，没有生成结果文件。请重新发起。"
# Progress is written at most this often (seconds): each write is a query.
REPORT_INTERVAL = 1.0


def task_dir():
    """The folder task results are written to, readable by this service's user only (0700)."""
    folder = Path(settings.PERFGOALS_TASK_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def start(owner, kind, title, params, total, task):
    """Record a new task of ``owner`` and enqueue ``task`` (a django-tasks Task) for it; returns the record."""
    purge_expired()
    progress = TaskProgress.objects.create(owner=owner, kind=kind, title=title[:300], params=params, total=total)

    def enqueue():
        result = task.enqueue(progress.pk)
        TaskProgress.objects.filter(pk=progress.pk).update(task_id=str(result.id)[:64])

    # The worker must find the record committed; with the database backend the task row commits with it.
    transaction.on_commit(enqueue)
    return progress


def claim(progress_id, kind):
    """The record, now running in this worker, or None when another worker has it or it is finished
    (or it is not a task of this ``kind``)."""
    now = timezone.now()
    claimed = TaskProgress.objects.filter(pk=progress_id, kind=kind, state=State.QUEUED).update(
        state=State.RUNNING, started_at=now, heartbeat_at=now, done=0
    )
    return TaskProgress.objects.get(pk=progress_id) if claimed else None


class Reporter:
    """Writes ``done`` (and the heartbeat) at most every REPORT_INTERVAL seconds, and at the end."""

    def __init__(self, progress):
        self.progress = progress
        self.last = 0.0

    def __call__(self, done, force=False):
        self.progress.done = done
        now = time.monotonic()
        if force or now - self.last >= REPORT_INTERVAL:
            self.last = now
            TaskProgress.objects.filter(pk=self.progress.pk, state=State.RUNNING).update(
                done=done, heartbeat_at=timezone.now()
            )


def run(progress_id, kind, body):
    """Claim the record and run ``body(progress, report)``; it returns the fields to set when done
    (result_file, result_name, errors). Any exception ends the task failed with its message."""
    progress = claim(progress_id, kind)
    if progress is None:
        logger.info("task %s already claimed or finished; skipped", progress_id)
        return None
    report = Reporter(progress)
    try:
        fields = body(progress, report) or {}
    except Exception as error:
        logger.exception("task %s (%s) failed", progress_id, progress.kind)
        TaskProgress.objects.filter(pk=progress_id).update(
            state=State.FAILED, finished_at=timezone.now(), errors=[f"任务出错，未完成：{error}"]
        )
        raise
    TaskProgress.objects.filter(pk=progress_id).update(
        state=State.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now(), done=progress.total, **fields
    )
    return progress_id


def fail_stale(progress):
    """Mark ``progress`` failed if its worker stopped reporting; returns whether it did."""
    if not progress.is_stale():
        return False
    minutes = max(1, settings.PERFGOALS_TASK_STALE_SECONDS // 60)
    message = STALE_MESSAGE.format(minutes=minutes)
    updated = TaskProgress.objects.filter(pk=progress.pk, state=State.RUNNING, heartbeat_at=progress.heartbeat_at).update(
        state=State.FAILED, finished_at=timezone.now(), errors=[message]
    )
    if updated:
        progress.state, progress.errors, progress.finished_at = State.FAILED, [message], timezone.now()
    else:
        progress.refresh_from_db()
    return bool(updated)


def write_aside(final_name, write):
    """Call ``write(file)`` on a new 0600 file beside ``final_name`` in the task folder, then rename it
    to ``final_name``: the name exists only once the file is complete. Returns the final path."""
    folder = task_dir()
    final = folder / final_name
    partial = folder / f"{final_name}.{secrets.token_hex(4)}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


_UPLOAD_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def stash_upload(prefix, data):
    """Keep an uploaded file aside (0600, in the task folder) until its preview is confirmed; returns
    the random token that finds it again. ``prefix`` says whose file it is (monitoring-upload,
    evaluation-upload-<pk>): a token is only ever looked up under its prefix, never trusted as a path."""
    token = secrets.token_hex(16)
    write_aside(f"{prefix}-{token}", lambda file: file.write(data))
    return token


def stashed_upload(prefix, token):
    """The bytes stashed under ``prefix`` and ``token``, or None (no such token, or purged)."""
    if not _UPLOAD_TOKEN.match(token or ""):
        return None
    path = task_dir() / f"{prefix}-{token}"
    return path.read_bytes() if path.is_file() else None


def drop_upload(prefix, token):
    if _UPLOAD_TOKEN.match(token or ""):
        (task_dir() / f"{prefix}-{token}").unlink(missing_ok=True)


def purge_expired():
    """Delete result files PERFGOALS_TASK_FILE_HOURS after their task finished, and partial files of
    killed workers and uploaded batches once they are that old."""
    limit = timezone.now() - timedelta(hours=settings.PERFGOALS_TASK_FILE_HOURS)
    folder = task_dir()
    for progress in TaskProgress.objects.filter(finished_at__lt=limit).exclude(result_file=""):
        (folder / progress.result_file).unlink(missing_ok=True)
        TaskProgress.objects.filter(pk=progress.pk).update(result_file="")
    cutoff = time.time() - settings.PERFGOALS_TASK_FILE_HOURS * 3600
    for partial in folder.glob("*.part"):
        try:
            if partial.stat().st_mtime < cutoff:
                partial.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
    # Folders of uploaded files (a batch import) nobody confirmed, as old.
    for batch in folder.iterdir():
        try:
            if batch.is_dir() and batch.stat().st_mtime < cutoff:
                shutil.rmtree(batch, ignore_errors=True)
        except FileNotFoundError:
            pass
