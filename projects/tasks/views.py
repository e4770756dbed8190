"""The progress page of a background task, its JSON status (polled by static/js/task_progress.js) and
its result's download. Each task is seen by the user who started it only; anyone else gets a 404."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from projects.tasks import runner
from projects.tasks.models import TaskProgress

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _own(request, pk):
    progress = get_object_or_404(TaskProgress, pk=pk, owner=request.user)
    runner.fail_stale(progress)
    return progress


def _result_path(progress):
    if progress.state != TaskProgress.State.DONE or not progress.result_file:
        return None
    path = runner.task_dir() / progress.result_file
    return path if path.is_file() else None


def status_of(progress):
    path = _result_path(progress)
    expired = progress.state == TaskProgress.State.DONE and progress.kind == TaskProgress.Kind.EXPORT and path is None
    return {
        "state": progress.state,
        "state_label": progress.get_state_display(),
        "title": progress.title,
        "done": progress.done,
        "total": progress.total,
        "todo": max(0, progress.total - progress.done),
        "percent": 100 if progress.state == TaskProgress.State.DONE else (
            round(100 * progress.done / progress.total) if progress.total else 0
        ),
        "seconds_left": progress.seconds_left(),
        "errors": progress.errors,
        "download": reverse("projects:task_download", args=[progress.pk]) if path else "",
        "expired": expired,
        "finished": progress.finished,
    }


@login_required
def task_list(request):
    tasks = TaskProgress.objects.filter(owner=request.user)[:50]
    for progress in tasks:
        runner.fail_stale(progress)
    return render(request, "tasks/list.html", {"tasks": tasks})


@login_required
def task_progress(request, pk):
    progress = _own(request, pk)
    return render(request, "tasks/progress.html", {"progress": progress, "status": status_of(progress)})


@login_required
def task_status(request, pk):
    return JsonResponse(status_of(_own(request, pk)), json_dumps_params={"ensure_ascii": False})


@login_required
def task_download(request, pk):
    progress = _own(request, pk)
    path = _result_path(progress)
    if path is None:
        raise Http404("结果文件不存在或已过期。")
    response = FileResponse(path.open("rb"), content_type=XLSX_TYPE)
    name = progress.result_name or "export.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response
