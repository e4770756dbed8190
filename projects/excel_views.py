"""Excel export and import in the browser.

Export: one table (``?layout=pingluo|dingzhou|flat``), one department target, or any queryset a list
view hands to ``export_workbook``. Import: upload → preview of every table found (its fields, quality
findings, every unreadable cell) → confirm. The upload stays on the server between preview and
confirm, in a file named by a random token kept in the session, and is read again on confirm; the
client never sends parsed data back. Nothing is written before confirm, and confirm writes all or
nothing. The preview is computed once per upload (and budget year) and kept beside the upload as JSON,
so revisiting or paging through it never reads the workbook again; confirm reads it once more.
"""

import json
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from indicators.checks import CheckContext, check_table, table_data_from_document
from indicators.frameworks import framework_snapshot
from perfgoals.faults import database_failed
from projects import audit, excel, interchange
from projects.excel.layouts import LAYOUTS, PROJECT_LAYOUTS
from projects.excel.template import row_is_filled, template_bytes
from projects.memory import last_years
from projects.models import BudgetYear, DepartmentTarget, ProjectTable, Unit, budget_year
from projects.permissions import can_import, region_of, unit_of
from projects.review import document_diff

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "excel_imports"
UPLOAD_LIFETIME = 24 * 3600
# Tables shown on one page of a preview, and indicator rows (and problems, warnings, findings) shown of
# one table: a file of 110,000 rows otherwise made one page of 62 MB.
PREVIEW_TABLES_PER_PAGE = 20
PREVIEW_ROWS_PER_TABLE = 200
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def export_workbook(queryset, layout="pingluo", filename=None):
    """The download of every table in ``queryset`` (project tables or department targets), for list
    views answering ``?export=xlsx``: one sheet per table after a 汇总 sheet, in ``layout``."""
    if queryset.model is DepartmentTarget:
        content = excel.export_tables(ProjectTable.objects.none(), queryset, "department")
    else:
        layout = layout if layout in PROJECT_LAYOUTS else "pingluo"
        content = excel.export_tables(queryset, DepartmentTarget.objects.none(), layout)
    return xlsx_response(content, filename or f"绩效目标表（{LAYOUTS[layout].label}）.xlsx")


def export_or_start(request, queryset, layout, filename, back):
    """The list export of ``queryset``: built in the request when it holds at most
    PERFGOALS_EXPORT_IMMEDIATE_MAX tables; otherwise a GET asks to start it in the background and a POST
    starts the task and sends the user to its progress page. Returns (response, started task or None)."""
    from projects.tasks.export import start_export

    if queryset.model is not DepartmentTarget:
        layout = layout if layout in PROJECT_LAYOUTS else "pingluo"
    count = queryset.count()
    if count <= settings.PERFGOALS_EXPORT_IMMEDIATE_MAX:
        return export_workbook(queryset, layout, filename), None
    if request.method != "POST":
        context = {"count": count, "layout_label": LAYOUTS[layout].label, "action": request.get_full_path(), "back": back}
        return render(request, "tasks/export_start.html", context), None
    progress = start_export(request.user, queryset, layout, filename)
    return redirect("projects:task_progress", progress.pk), progress


@login_required
def project_export_xlsx(request, pk):
    """One project table as the printed form: 平罗式 by default, 定州式 or the flat list on request."""
    table = get_object_or_404(ProjectTable.objects.visible_to(request.user), pk=pk)
    layout = request.GET.get("layout", "pingluo")
    if layout not in PROJECT_LAYOUTS:
        layout = "pingluo"
    content = excel.export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), layout)
    audit.record("export", request=request, tables=[table.pk], name=table.name, year=table.year, layout=layout)
    return xlsx_response(content, f"{table.year}年{table.name or '未命名项目'}绩效目标表（{LAYOUTS[layout].label}）.xlsx")


@login_required
def target_export_xlsx(request, pk):
    target = get_object_or_404(DepartmentTarget.objects.visible_to(request.user).select_related("department"), pk=pk)
    content = excel.export_tables(ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk=target.pk), "department")
    audit.record("export", request=request, department_targets=[target.pk], year=target.year, layout="department")
    return xlsx_response(content, f"{target.year}年{target.department.name}部门整体绩效目标.xlsx")


def template_framework(user, code=None):
    """The framework a blank template's grid is drawn from: the one asked for, else the one in force in
    the working year of the user's region (BudgetYear), as a new table in the editor takes it."""
    snapshot = framework_snapshot()
    if code and snapshot.framework(code) is not None:
        return snapshot.framework(code)
    region = region_of(user)
    year = (region.working_year if region is not None else None) or timezone.localdate().year
    return snapshot.framework(BudgetYear.framework_for(year, snapshot.frameworks[0]).code if snapshot.frameworks else None)


@login_required
def excel_template(request):
    """A blank, print-ready template of one layout (``?layout=``, every layout of LAYOUTS): its header
    labels and indicator grid with the framework's 一级/二级, to fill and import."""
    layout = request.GET.get("layout", "pingluo")
    if layout not in LAYOUTS:
        raise Http404("没有这种表样。")
    framework = template_framework(request.user, request.GET.get("framework"))
    if framework is None:
        raise Http404("系统中还没有指标体系，请联系管理员。")
    kind = "部门整体绩效目标" if LAYOUTS[layout].kind == "department" else f"项目支出绩效目标表（{LAYOUTS[layout].label}）"
    return xlsx_response(template_bytes(layout, framework), f"{kind}空白模板.xlsx")


def _upload_dir():
    """The folder uploads wait in, readable by this service's user only (0700): they hold other
    units' tables."""
    folder = Path(settings.PERFGOALS_IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def _upload_path(user, token):
    """Each user's uploads carry their id, so the quota counts them across sessions."""
    return _upload_dir() / f"u{user.pk}-{token}.xlsx"


def _preview_path(user, token):
    """The computed preview of an upload, kept beside it (JSON: nothing in it is ever executed)."""
    return _upload_dir() / f"u{user.pk}-{token}.preview.json"


def _write_private(path, data, exclusive=True):
    """Write ``data`` (bytes) readable and writable by this service's user only (0600), from the first
    byte on. Without ``exclusive`` the file is replaced whole (written aside, then renamed)."""
    target = path if exclusive else path.with_name(path.name + f".{secrets.token_hex(4)}.part")
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    if not exclusive:
        os.replace(target, path)


def _store_upload(user, token, data):
    _write_private(_upload_path(user, token), data)


def _pending_uploads(user):
    """(count, bytes) of this user's uploads still waiting for a confirm."""
    sizes = [path.stat().st_size for path in _upload_dir().glob(f"u{user.pk}-*.xlsx")]
    return len(sizes), sum(sizes)


def _over_quota(user, size):
    """Why this upload would pass the user's quota of waiting uploads, or None."""
    count, used = _pending_uploads(user)
    most_files, most_bytes = settings.PERFGOALS_UPLOAD_QUOTA_FILES, settings.PERFGOALS_UPLOAD_QUOTA_BYTES
    if count < most_files and used + size <= most_bytes:
        return None
    return (
        f"您已有 {count} 个上传的文件（共 {used / 1024 / 1024:.1f} MB）等待确认，达到上限"
        f"（{most_files} 个或 {most_bytes / 1024 / 1024:.0f} MB）。请先在这些文件的预览页确认导入，"
        f"或点本页的“删除等待确认的文件”；未确认的文件 {UPLOAD_LIFETIME // 3600} 小时后自动删除。"
    )


def _discard_uploads(request):
    """Remove every upload of this user still waiting for a confirm, with its kept preview, from any
    session: the way out of the quota."""
    removed = 0
    for path in _upload_dir().glob(f"u{request.user.pk}-*"):
        try:
            path.unlink()
        except OSError:
            continue
        removed += path.name.endswith(".xlsx")
    request.session[SESSION_KEY] = {}
    return removed


def _purge_old_uploads():
    """Uploads nobody confirmed are removed after a day; every visit to the import pages sweeps."""
    cutoff = time.time() - UPLOAD_LIFETIME
    for path in _upload_dir().glob("u*-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _require_importer(request):
    if not can_import(request.user):
        raise PermissionDenied("只有单位填报人可以导入绩效目标表。")


def _pending(request, token):
    """The session's record of an upload, or 404: tokens are only ever looked up, never trusted as paths."""
    pending = request.session.get(SESSION_KEY, {})
    if not _TOKEN.match(token or "") or token not in pending or not _upload_path(request.user, token).exists():
        raise Http404("导入已过期或不存在，请重新上传。")
    return pending[token]


def _forget(request, token):
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    for path in (_upload_path(request.user, token), _preview_path(request.user, token)):
        try:
            path.unlink()
        except OSError:
            pass


@login_required
def excel_import(request):
    """Upload a workbook; it is kept on the server and shown as a preview, nothing is written yet."""
    _require_importer(request)
    _purge_old_uploads()
    limit = settings.PERFGOALS_MAX_UPLOAD_BYTES
    if request.method == "POST" and "discard" in request.POST:
        messages.success(request, f"已删除您等待确认的 {_discard_uploads(request)} 个上传文件，数据库未做任何修改。")
        return redirect("projects:excel_import")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件（.xlsx）。")
        elif refusal := _over_quota(request.user, upload.size):
            messages.error(request, refusal)
        elif upload.size > limit:
            messages.error(request, f"文件大小 {upload.size / 1024 / 1024:.1f} MB，超过上限 {limit / 1024 / 1024:.1f} MB，未导入。")
        else:
            data = upload.read(limit + 1)
            try:
                excel.open_workbook(data)
            except excel.BadWorkbook as error:
                messages.error(request, f"“{upload.name}”：{error}")
            else:
                token = secrets.token_urlsafe(24)
                _store_upload(request.user, token, data)
                pending = request.session.get(SESSION_KEY, {})
                pending[token] = {"name": upload.name, "year": None}
                request.session[SESSION_KEY] = pending
                return redirect("projects:excel_import_preview", token=token)
    pending_count, pending_bytes = _pending_uploads(request.user)
    return render(
        request,
        "projects/excel/import.html",
        {
            "limit_mb": limit / 1024 / 1024,
            "unit": unit_of(request.user),
            "layouts": LAYOUTS.values(),
            "template_framework": template_framework(request.user),
            "pending_count": pending_count,
            "pending_mb": pending_bytes / 1024 / 1024,
        },
    )


def _plan(request, token):
    record = _pending(request, token)
    data = _upload_path(request.user, token).read_bytes()
    return record, excel.read_file(data, user=request.user, year=record.get("year"), unit_code=record.get("unit"))


@login_required
def excel_import_preview(request, token):
    """Every table the file holds, with its fields, quality findings and unreadable cells, a page of
    tables at a time; POST sets the budget year for files that do not state it."""
    _require_importer(request)
    record = _pending(request, token)
    if request.method == "POST" and "unit" in request.POST:
        # The unit chosen among the closest ones the preview offered, for a table whose printed unit
        # matched none; the resolver still refuses a unit that is not the importer's own.
        code = request.POST.get("unit", "").strip()
        if Unit.objects.filter(code=code).exists():
            record["unit"] = code
            pending = request.session[SESSION_KEY]
            pending[token] = record
            request.session[SESSION_KEY] = pending
        else:
            messages.error(request, "请从列出的单位中选择一个。")
        return redirect("projects:excel_import_preview", token=token)
    if request.method == "POST":
        year = budget_year(request.POST.get("year", "").strip())
        if year is not None:
            record["year"] = year
            pending = request.session[SESSION_KEY]
            pending[token] = record
            request.session[SESSION_KEY] = pending
        else:
            messages.error(request, "预算年度应为 2000–2100 之间的四位年份。")
        return redirect("projects:excel_import_preview", token=token)
    try:
        preview = _preview(request, token, record)
    except excel.BadWorkbook as error:
        _forget(request, token)
        messages.error(request, str(error))
        return redirect("projects:excel_import")
    page = Paginator(preview["tables"], PREVIEW_TABLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/excel/preview.html",
        {
            "token": token,
            "file_name": record["name"],
            "year": record.get("year"),
            "missing_year": preview["missing_year"],
            "unit_suggestions": preview.get("unit_suggestions") or [],
            "chosen_unit": record.get("unit"),
            "tables": page.object_list,
            "page": page,
            "table_count": len(preview["tables"]),
            "file_problems": preview["file_problems"],
            "counts": preview["counts"],
            "dry_run_problems": preview["dry_run_problems"],
            "can_confirm": preview["can_confirm"],
            "problem_count": preview["problem_count"],
            "rows_shown": PREVIEW_ROWS_PER_TABLE,
        },
    )


def _preview(request, token, record):
    """The preview of this upload for the budget year the user set: read from the JSON kept beside
    the upload, or computed from the workbook once and kept there."""
    path = _preview_path(request.user, token)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = None
    if kept is not None and kept.get("year") == record.get("year") and kept.get("unit") == record.get("unit"):
        return kept
    record, plan = _plan(request, token)
    preview = _computed_preview(request.user, plan)
    preview["year"] = record.get("year")
    preview["unit"] = record.get("unit")
    _write_private(path, json.dumps(preview, ensure_ascii=False, default=str).encode(), exclusive=False)
    return preview


def _computed_preview(user, plan):
    """What the preview page shows of ``plan``, as plain JSON-ready data."""
    counts, dry_run_problems, compared = None, [], {}
    if plan.ok:
        try:
            result = excel.import_plan(plan, dry_run=True, editor=user)
        except interchange.InterchangeError as error:
            dry_run_problems = [str(problem) for problem in error.problems]
        else:
            counts = {
                name: getattr(result, name)
                for name in ("created", "updated", "unchanged", "indicators_created", "indicators_updated", "indicators_deleted")
            }
            compared = result.compared
    frameworks = framework_snapshot().check_data  # once for the whole file, not once per table
    last_year = _last_years(plan)
    return {
        "missing_year": plan.missing_year,
        "unit_suggestions": [{"code": code, "name": name} for code, name in plan.unit_suggestions.items()],
        "tables": [_table_preview(plan, table, frameworks, compared, last_year) for table in plan.tables],
        "file_problems": [str(problem) for problem in plan.file_problems()],
        "counts": counts,
        "dry_run_problems": dry_run_problems[:PREVIEW_ROWS_PER_TABLE],
        "can_confirm": plan.ok and not dry_run_problems,
        "problem_count": len(plan.problems) + len(dry_run_problems),
    }


# The fields of a table the preview shows; the rest of the document is read again on confirm.
_SHOWN_FIELDS = ("name", "year", "unit", "department", "code", "funds", "overall_goal")


def _last_years(plan):
    """{id(table read): LastYearData or None} of every project table the file would import, as the
    editor reads it for the same table (projects.memory): last year's table of the same project (the
    stored table's source, else the unit's namesake of the year before) and its self-evaluation. A
    fixed number of queries for the whole file."""
    documents = {id(table): plan.document_of(table) for table in plan.tables if table.kind == "project"}
    documents = {key: document for key, document in documents.items() if document is not None and document.get("year")}
    if not documents:
        return {}
    units = {
        (region, name): pk
        for pk, region, name in Unit.objects.filter(
            region__code__in={document.get("region") for document in documents.values()},
            name__in={document.get("unit") for document in documents.values()},
        ).values_list("pk", "region__code", "name")
    }
    stored = {
        str(uid): (pk, copied_from)
        for pk, uid, copied_from in ProjectTable.objects.filter(
            uid__in=[document["uid"] for document in documents.values() if document.get("uid")]
        ).values_list("pk", "uid", "copied_from_id")
    }
    # Each table as it would stand once imported: the stored one (its id, the table it was copied
    # from) with the file's name and year, or a new one of the unit.
    standing = {}
    for key, document in documents.items():
        pk, copied_from = stored.get(document.get("uid") or "", (None, None))
        unit = units.get((document.get("region"), document.get("unit")))
        standing[key] = ProjectTable(pk=pk, unit_id=unit, year=document["year"], name=document.get("name") or "", copied_from_id=copied_from)
    found = last_years(standing.values(), monitoring=False, key=id)
    return {key: (found[id(table)].data if found[id(table)] is not None else None) for key, table in standing.items()}


def _diff_preview(diff):
    """What the preview lists of a stored table's changes (review.document_diff), as JSON-ready data:
    each changed field and each changed row's fields old → new, rows added and removed by name."""
    shown = PREVIEW_ROWS_PER_TABLE

    def row(change):
        return {"level1": change.level1, "level2": change.level2, "name": change.name, "value": change.value}

    return {
        "fields": [{"label": change.label, "old": change.old, "new": change.new} for change in diff.fields],
        "changed": [
            {**row(change), "changes": [{"label": item.label, "old": item.old, "new": item.new} for item in change.changes]}
            for change in diff.changed[:shown]
        ],
        "added": [row(change) for change in diff.added[:shown]],
        "removed": [row(change) for change in diff.removed[:shown]],
        "counts": {"changed": len(diff.changed), "added": len(diff.added), "removed": len(diff.removed)},
    }


def _table_preview(plan, table, frameworks, compared=None, last_year=None):
    document = plan.document_of(table)
    shown = document if document is not None else table.data
    indicators = shown.get("indicators") or []
    checks = None
    if table.kind == "project":
        checks = quality_findings(document, frameworks, CheckContext(last_year=(last_year or {}).get(id(table))))
    if document is None:  # a refused table: its rows as read, but those holding only a blank form's 一级/二级
        indicators = [row for row in indicators if row_is_filled(row)]
    model, stored, incoming = (compared or {}).get((document or {}).get("uid") or "", (None, None, None))
    diff, marks = None, {}
    if stored is not None:
        changes = document_diff(stored, incoming, model=model)
        diff = _diff_preview(changes)
        marks = {**{row.uid: "修改" for row in changes.changed}, **{row.uid: "新增" for row in changes.added if row.uid}}
    return {
        "label": table.label,
        "sheet": table.sheet,
        "kind": table.kind,
        "layout_label": LAYOUTS[table.layout].label if table.layout in LAYOUTS else "其他",
        "action": plan.action_of(table),
        "diff": diff,
        "doc": {
            **{name: shown.get(name) for name in _SHOWN_FIELDS},
            "annual_goals": list((shown.get("goals") or {}).get("annual") or []),
            "sub_targets": [sub.get("title") for sub in shown.get("sub_targets") or []],
            "indicators": [
                {
                    "level1": row.get("level1"),
                    "level2": row.get("level2"),
                    "name": row.get("name"),
                    "value": row.get("value"),
                    "basis": row.get("basis_text") or row.get("basis"),
                    "weight": row.get("weight"),
                    # A row of a stored table's update without a uid matched none of its rows: it is new.
                    "mark": marks.get(row.get("uid") or "", "") or ("新增" if diff and not row.get("uid") else ""),
                }
                for row in indicators[:PREVIEW_ROWS_PER_TABLE]
            ],
            "has_weights": any(row.get("weight") is not None for row in indicators),
            "indicator_count": len(indicators),
        },
        "problems": [
            {"sheet": problem.sheet, "cell": problem.cell, "message": problem.message}
            for problem in plan.problems_of(table)[:PREVIEW_ROWS_PER_TABLE]
        ],
        "problem_count": len(plan.problems_of(table)),
        "warnings": [{"cell": warning.cell, "message": warning.message} for warning in table.warnings[:PREVIEW_ROWS_PER_TABLE]],
        "warning_count": len(table.warnings),
        "checks": None
        if checks is None
        else {
            "score": checks.score,
            "grade_label": str(checks.grade_label),
            "findings": [
                {
                    "severity": finding.severity,
                    "severity_label": str(finding.severity_label),
                    # The row number in front only when the message does not name its row itself (第 N 行（…）).
                    "row": None if finding.row and f"第 {finding.row} 行" in finding.message else finding.row,
                    "message": finding.message,
                    "suggestion": finding.suggestion,
                }
                for finding in checks.findings[:PREVIEW_ROWS_PER_TABLE]
            ],
            "finding_count": len(checks.findings),
        },
    }


def quality_findings(table_document, frameworks, context=None):
    """The quality checks (indicators.checks) on one table as it would be imported, or None when the
    table was refused and so has nothing to check. ``frameworks`` is the framework snapshot's check_data, read once for
    the whole file; ``context`` what the rules read beside the table (last year's results)."""
    if table_document is None:
        return None
    return check_table(table_data_from_document(table_document, frameworks), context)


@login_required
@require_POST
def excel_import_confirm(request, token):
    """Read the kept upload again and write it, all or nothing."""
    _require_importer(request)
    try:
        record, plan = _plan(request, token)
        # The import and its audit event are written together or not at all.
        with transaction.atomic():
            result = excel.import_plan(plan, editor=request.user)
            audit.record(
                "import",
                request=request,
                file=record["name"],
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                tables=[table.pk for table in result.tables],
            )
    except excel.BadWorkbook as error:
        _forget(request, token)
        messages.error(request, str(error))
        return redirect("projects:excel_import")
    except interchange.InterchangeError as error:
        messages.error(request, "未导入，数据库未做任何修改：" + "；".join(error.problems[:10]))
        return redirect("projects:excel_import_preview", token=token)
    except DatabaseError:
        messages.error(request, "未导入：" + database_failed("importing an uploaded workbook") + "上传的文件仍保留，可以再次确认导入。")
        return redirect("projects:excel_import_preview", token=token)
    _forget(request, token)
    messages.success(
        request,
        f"已导入“{record['name']}”：新建 {result.created} 张，更新 {result.updated} 张，未变 {result.unchanged} 张；"
        f"三级指标新增 {result.indicators_created} 条、修改 {result.indicators_updated} 条、删除 {result.indicators_deleted} 条。",
    )
    return redirect(f"{reverse('projects:home')}?year={result.tables[0].year}" if result.tables else reverse("projects:home"))
