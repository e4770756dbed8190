"""The two monitoring imports, each previewed before anything is written: the finance bureau's budget
execution extract into a round (written by a background task), and a unit's filled report from Excel.

The uploaded file waits for the confirm in the task folder (0600, a random name); the confirm reads it
again, so what is written is what the preview showed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from projects import permissions
from projects.models import MonitoringReport, MonitoringRound
from projects.monitoring.execution import BadExtract, read_extract
from projects.monitoring.report_import import BadReportFile, changed_rows, changes, check_report, import_report
from projects.monitoring.tasks import start_execution_import
from projects.tasks import runner
from projects.uploads import read_upload, safe_name


def _stash(data):
    return runner.stash_upload("monitoring-upload", data)


def _unstash(token):
    return runner.stashed_upload("monitoring-upload", token)


def _drop(token):
    runner.drop_upload("monitoring-upload", token)


def _posted_file(request, template, context, back, *, stashed_name=""):
    """The file a preview form posts: the upload kept at the preview, named by its token (the confirm,
    or a second look), or a new upload. Returns (token, name, data, None), or a response in the fourth
    place when there is nothing to read: the kept upload expired (back to ``back``, a URL name and pk), or
    the new one is missing or too large (the page again, saying why)."""
    token = request.POST.get("token", "")
    if token:
        data = _unstash(token)
        if data is None:
            messages.error(request, "上传的文件已过期，请重新上传。")
            return token, "", None, redirect(*back)
        return token, safe_name(request.POST.get("name", "")) or stashed_name, data, None
    name, data, problem = read_upload(request)
    if problem:
        context["error"] = problem
        return token, "", None, render(request, template, context, status=400)
    return token, name, data, None


@login_required
def execution_import(request, pk):
    """导入预算执行数：上传执行数文件 → 预览（匹配的、未匹配的逐行列出）→ 确认后在后台写入。"""
    if not permissions.can_open_monitoring_rounds(request.user):
        raise PermissionDenied("预算执行数由财政导入。")
    monitoring_round = get_object_or_404(MonitoringRound.objects.visible_to(request.user), pk=pk)
    context = {"round": monitoring_round}
    if request.method == "POST":
        template = "projects/monitoring/execution_import.html"
        token, name, data, refused = _posted_file(request, template, context, ("projects:monitoring_execution", pk))
        if refused:
            return refused
        try:
            extract = read_extract(monitoring_round, name, data)
        except BadExtract as error:
            _drop(token)
            context["error"] = f"文件未导入，没有写入任何执行数：{error}"
            return render(request, template, context, status=400)
        if token and request.POST.get("confirm"):
            _drop(token)
            progress = start_execution_import(request.user, monitoring_round, extract.matches, extract.unmatched, name)
            messages.success(request, f"正在后台写入 {len(extract.matches)} 张监控表的执行数。")
            return redirect("projects:task_progress", pk=progress.pk)
        context.update({"extract": extract, "token": _stash(data), "name": safe_name(name)})
    return render(request, "projects/monitoring/execution_import.html", context)


@login_required
def report_import(request, pk):
    """从 Excel 导入填好的监控表：上传 → 预览（哪些行有改动，或逐格列出问题）→ 确认后写入，全有或全无。"""
    report = get_object_or_404(
        MonitoringReport.objects.visible_to(request.user).select_related("monitoring_round", "table__unit", "table__department"),
        pk=pk,
    )
    if not permissions.can_edit_monitoring_report(request.user, report):
        raise PermissionDenied(f"这份监控表当前为“{report.get_status_display()}”，您不能导入。")
    context = {"report": report, "round": report.monitoring_round}
    if request.method == "POST":
        token, name, data, refused = _posted_file(
            request, "projects/monitoring/report_import.html", context, ("projects:monitoring_report_import", pk), stashed_name="report.xlsx"
        )
        if refused:
            return refused
        try:
            if token and request.POST.get("confirm"):
                changed = import_report(report, name, data, by=request.user)
                _drop(token)
                messages.success(request, f"已从 Excel 导入监控表，{changed} 行指标有改动。")
                return redirect("projects:monitoring_report", pk=report.pk)
            form, formset = check_report(report, name, data)
            changed_fields, changed_lines = changes(form, formset)
        except BadReportFile as error:
            _drop(token)
            context.update({"error": str(error), "problems": error.problems})
            return render(request, "projects/monitoring/report_import.html", context, status=400)
        context.update(
            {"changed": changed_rows(formset), "changed_fields": changed_fields, "changed_lines": changed_lines, "token": token or _stash(data)}
        )
    return render(request, "projects/monitoring/report_import.html", context)
