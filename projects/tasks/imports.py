"""The import of many files at once (several .xlsx files, or a .zip of them) as a background task.

Each file goes through the one import path of the browser and the command line: ``excel.read_file``
plans it (every table, every problem with its sheet and cell), ``excel.import_plan`` checks it in a
dry run, then writes it all or nothing. Files are independent: a refused file writes nothing and does
not stop the others. A batch is first checked (the per-file preview: tables found, what each would do,
why a file is refused) and imported once the user confirms; or checked and imported in one run when
the user asks for that at upload.

The uploaded files wait in a 0700 folder of their own under the task folder (each 0600), named by
number; the names the user gave are kept in the task's parameters only.
"""

import io
import os
import secrets
import shutil
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from projects import audit, excel, interchange
from projects.review import document_diff
from projects.tasks import runner
from projects.tasks.compat import task
from projects.tasks.models import TaskProgress

BATCH_PREFIX = "batch-"


class BadBatch(Exception):
    """The upload cannot be taken as a batch; ``str()`` is the Chinese reason, nothing was kept."""


def _member_name(info):
    """The name of a zip member as its author saw it: archives made on Chinese Windows store names in
    GBK without the UTF-8 flag, which Python reads as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return PurePosixPath(name.replace("\\", "/")).name


def files_of_upload(uploads):
    """[(name, bytes)] of the uploaded files: each .xlsx as it is, each .zip opened to the .xlsx files
    in it (other members are skipped and named in the returned notes). BadBatch past the limits."""
    most_files, most_bytes = settings.PERFGOALS_BATCH_IMPORT_FILES, settings.PERFGOALS_BATCH_IMPORT_BYTES
    each = settings.PERFGOALS_MAX_UPLOAD_BYTES
    files, notes, total = [], [], 0

    def add(name, data):
        nonlocal total
        total += len(data)
        if total > most_bytes:
            raise BadBatch(f"文件合计超过 {most_bytes / 1024 / 1024:.0f} MB，未接收。请分几批上传。")
        files.append((name, data))
        if len(files) > most_files:
            raise BadBatch(f"一批最多 {most_files} 个 Excel 文件，未接收。请分几批上传。")

    for upload in uploads:
        name = PurePosixPath((upload.name or "").replace("\\", "/")).name
        if upload.size > most_bytes:
            raise BadBatch(f"“{name}”大小 {upload.size / 1024 / 1024:.1f} MB，超过一批的上限 {most_bytes / 1024 / 1024:.0f} MB，未接收。")
        data = upload.read(most_bytes + 1)
        if name.lower().endswith(".zip"):
            for member, member_data in _members(name, data, each, most_bytes - total):
                add(member, member_data)
            continue
        if not name.lower().endswith(".xlsx"):
            notes.append(f"“{name}”不是 .xlsx 或 .zip 文件，已跳过。")
            continue
        add(name, data)
    if not files:
        raise BadBatch("没有收到 Excel 文件（.xlsx）：请选择一个或多个 .xlsx 文件，或包含它们的 .zip 压缩包。")
    return files, notes


def _members(name, data, each, room):
    """The .xlsx members of the zip ``name``, each read with a cap: a member that declares one size and
    inflates to another is refused as the single import refuses a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as error:
        raise BadBatch(f"“{name}”已损坏，无法作为 zip 压缩包打开，未接收。") from error
    found = []
    for info in infos:
        member = _member_name(info)
        if info.is_dir() or info.filename.startswith("__MACOSX/") or member.startswith((".", "~$")):
            continue
        if not member.lower().endswith(".xlsx"):
            continue
        if info.flag_bits & 0x1:
            raise BadBatch(f"“{name}”中的“{member}”设置了密码，无法读取，未接收。请去掉压缩包密码后再上传。")
        if info.file_size > each:
            raise BadBatch(f"“{name}”中的“{member}”解压后 {info.file_size / 1024 / 1024:.1f} MB，超过单个文件上限 {each / 1024 / 1024:.1f} MB，未接收。")
        try:
            with archive.open(info) as stream:
                content = stream.read(min(each, room) + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            raise BadBatch(f"“{name}”中的“{member}”无法解压（压缩包已损坏），未接收。") from error
        except Exception as error:  # zlib.error from a damaged member
            raise BadBatch(f"“{name}”中的“{member}”无法解压（压缩包已损坏），未接收。") from error
        if len(content) > each:
            raise BadBatch(f"“{name}”中的“{member}”解压后超过单个文件上限 {each / 1024 / 1024:.1f} MB，未接收。")
        room -= len(content)
        found.append((member, content))
    if not found:
        raise BadBatch(f"压缩包“{name}”里没有 .xlsx 文件，未接收。")
    return found


def _batch_folder(batch):
    return runner.task_dir() / f"{BATCH_PREFIX}{batch}"


def store_batch(files):
    """Keep ``files`` ([(name, bytes)]) in a new 0700 folder, each 0600; returns (batch, entries)."""
    batch = secrets.token_urlsafe(18)
    folder = _batch_folder(batch)
    folder.mkdir(mode=0o700)
    entries = []
    for number, (name, data) in enumerate(files, 1):
        stored = f"{number:03d}.xlsx"
        descriptor = os.open(folder / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        entries.append({"name": name, "stored": stored})
    return batch, entries


def remove_batch(batch):
    shutil.rmtree(_batch_folder(batch), ignore_errors=True)


def start_import(owner, files, *, year=None, apply=False):
    """Keep the uploaded ``files`` and enqueue their check (``apply``: and their import); returns the
    TaskProgress."""
    batch, entries = store_batch(files)
    params = {"batch": batch, "files": entries, "year": year, "apply": apply}
    verb = "检查并导入" if apply else "检查"
    title = f"{verb} {len(entries)} 个文件：" + "、".join(entry["name"] for entry in entries[:3]) + ("等" if len(entries) > 3 else "")
    return runner.start(owner, TaskProgress.Kind.IMPORT, title, params, len(entries), import_task)


def start_apply(checked):
    """Import the files of the finished check ``checked`` that it found importable, once: a second
    confirm (another tab, a double click) returns the import already started. None when nothing is left
    to import."""
    with transaction.atomic():
        checked = TaskProgress.objects.select_for_update().get(pk=checked.pk)
        if checked.params.get("applied"):
            return TaskProgress.objects.get(pk=checked.params["applied"])
        if checked.state != TaskProgress.State.DONE or checked.params.get("apply"):
            return None
        importable = [entry for entry, result in zip(checked.params["files"], checked.results) if result["state"] == "ok"]
        if not importable:
            return None
        params = {**checked.params, "apply": True, "checked": checked.pk, "files": importable}
        params.pop("applied", None)
        title = f"导入 {len(importable)} 个文件：" + "、".join(entry["name"] for entry in importable[:3]) + ("等" if len(importable) > 3 else "")
        progress = runner.start(checked.owner, TaskProgress.Kind.IMPORT, title, params, len(importable), import_task)
        TaskProgress.objects.filter(pk=checked.pk).update(params={**checked.params, "applied": progress.pk})
    return progress


def _refused(name, reasons):
    return {"name": name, "state": "refused", "reasons": [f"文件“{name}”：{reason}" for reason in reasons]}


# Changes listed of one table in a batch's check, old → new; the rest are counted.
CHANGES_LISTED = 20


def _tables_of(plan, result):
    """Each table of the file with what the import does to it: 新建, 更新 (with its changes, old → new,
    projects.review.document_diff), or 未变 (an existing table the file holds exactly as stored, which
    the import leaves alone)."""
    written = {str(table.uid) for table in [*result.tables, *result.targets]}
    tables = []
    for table in plan.tables:
        action = plan.action_of(table)
        uid = (plan.document_of(table) or {}).get("uid")
        if action == "更新" and uid and str(uid) not in written:
            action = "未变"
        entry = {"label": table.label, "sheet": table.sheet, "action": action}
        model, stored, incoming = result.compared.get(str(uid), (None, None, None))
        if stored is not None:
            lines = list(document_diff(stored, incoming, model=model).lines())
            entry.update(changes=lines[:CHANGES_LISTED], change_count=len(lines))
        tables.append(entry)
    return tables


def _counts(result):
    return {name: getattr(result, name) for name in ("created", "updated", "unchanged", "indicators")}


def one_file(owner, name, data, *, year, apply):
    """The outcome of one file: planned, checked in a dry run, and with ``apply`` written all or
    nothing. A dict: name, state (ok: would import; imported; refused), tables, counts, reasons."""
    try:
        plan = excel.read_file(data, user=owner, year=year)
    except excel.BadWorkbook as error:
        return _refused(name, [str(error)])
    if plan.problems:
        hint = ["读不出预算年度：请在上传时填写预算年度。"] if plan.missing_year else []
        return _refused(name, [str(problem) for problem in plan.problems] + hint)
    try:
        if apply:
            with transaction.atomic():
                result = excel.import_plan(plan, editor=owner, by=owner)
                audit.record(
                    "import", user=owner, file=name, source="批量导入（后台任务）", created=result.created,
                    updated=result.updated, unchanged=result.unchanged, tables=[table.pk for table in result.tables],
                )
        else:
            result = excel.import_plan(plan, dry_run=True, editor=owner, by=owner)
    except interchange.InterchangeError as error:
        return _refused(name, error.problems)
    except DatabaseError as error:
        return _refused(name, [f"写入时数据库出错（{error.__class__.__name__}），本文件未导入，可以重新上传。"])
    outcome = {"name": name, "state": "imported" if apply else "ok", "tables": _tables_of(plan, result), **_counts(result)}
    if plan.warnings:
        outcome["warnings"] = [str(warning) for warning in plan.warnings[:20]]
        outcome["warning_count"] = len(plan.warnings)
    return outcome


def import_body(progress, report):
    params = progress.params
    owner = get_user_model().objects.get(pk=progress.owner_id)
    folder = _batch_folder(params["batch"])
    results = []
    for entry in params["files"]:
        try:
            data = (folder / entry["stored"]).read_bytes()
        except OSError:
            outcome = _refused(entry["name"], ["上传的文件已过期删除，请重新上传。"])
        else:
            outcome = one_file(owner, entry["name"], data, year=params.get("year"), apply=params.get("apply"))
        results.append(outcome)
        # Each file's outcome is kept as it is known: the progress page lists them while the rest run.
        TaskProgress.objects.filter(pk=progress.pk).update(results=results)
        report(len(results), force=True)
    # A checked batch waits for its confirm; an imported one is done with its files.
    if params.get("apply") or not any(result["state"] == "ok" for result in results):
        remove_batch(params["batch"])
    return {"results": results}


@task()
def import_task(progress_id):
    """Check (and with the parameter ``apply``, import) each file of a TaskProgress."""
    return runner.run(progress_id, TaskProgress.Kind.IMPORT, import_body)
