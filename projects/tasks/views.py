"""The progress page of a background task, its JSON status (polled by static/js/task_progress.js) and
its result's download; the pages that start the batch import and the recheck. Each task is seen by the
user who started it only; anyone else gets a 404."""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from projects import permissions
from projects.findings import tables_in_scope
from projects.models import Department, Region, budget_year
from projects.overview import visible_years
from projects.tasks import imports, runner
from projects.tasks.models import TaskProgress
from projects.tasks.recheck import start_recheck

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
    expired = progress.state == TaskProgress.State.DONE and progress.gives_file and path is None
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
        "unit": progress.unit,
    }


@login_required
def task_list(request):
    tasks = TaskProgress.objects.filter(owner=request.user)[:50]
    for progress in tasks:
        runner.fail_stale(progress)
    context = {
        "tasks": tasks,
        "can_recheck": permissions.can_start_recheck(request.user),
        "can_import": permissions.can_import(request.user),
    }
    return render(request, "tasks/list.html", context)


@login_required
def task_progress(request, pk):
    progress = _own(request, pk)
    context = {"progress": progress, "status": status_of(progress)}
    if progress.kind == TaskProgress.Kind.IMPORT:
        context.update(import_context(progress))
    return render(request, "tasks/progress.html", context)


RESULT_LABELS = {"ok": "可以导入", "imported": "已导入", "refused": "未导入"}


def import_context(progress):
    """What the progress page shows of a batch import: each file's outcome, and whether the files found
    importable wait for a confirm."""
    results = [{**result, "label": RESULT_LABELS[result["state"]]} for result in progress.results]
    importable = sum(result["state"] == "ok" for result in results)
    waiting = (
        progress.state == TaskProgress.State.DONE and not progress.params.get("apply") and importable
        and not progress.params.get("applied")
    )
    applied = progress.params.get("applied")
    return {
        "results": results,
        "importable": importable,
        "refused": sum(result["state"] == "refused" for result in results),
        "imported": sum(result["state"] == "imported" for result in results),
        "awaiting_confirm": waiting,
        "applied_url": reverse("projects:task_progress", args=[applied]) if applied else "",
    }


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


@login_required
@require_POST
def task_import_apply(request, pk):
    """Import the files a finished batch check found importable (each all or nothing), as a new task."""
    checked = _own(request, pk)
    started = imports.start_apply(checked) if checked.kind == TaskProgress.Kind.IMPORT else None
    if started is None:
        messages.error(request, "没有可以导入的文件：检查尚未完成，或全部文件都未通过检查。数据库未做任何修改。")
        return redirect("projects:task_progress", checked.pk)
    return redirect("projects:task_progress", started.pk)


@login_required
def excel_import_batch(request):
    """Upload several .xlsx files (or a .zip of them): kept on the server, then each checked (and on
    request imported) in the background, file by file."""
    if not permissions.can_import(request.user):
        raise PermissionDenied("只有单位填报人可以导入绩效目标表。")
    runner.purge_expired()
    if request.method == "POST":
        year_text = request.POST.get("year", "").strip()
        year = budget_year(year_text) if year_text else None
        if year_text and year is None:
            messages.error(request, "预算年度应为 2000–2100 之间的四位年份，或留空（按文件中的年度）。")
        else:
            try:
                files, notes = imports.files_of_upload(request.FILES.getlist("files"))
            except imports.BadBatch as error:
                messages.error(request, str(error))
            else:
                for note in notes:
                    messages.warning(request, note)
                progress = imports.start_import(request.user, files, year=year, apply=request.POST.get("mode") == "apply")
                return redirect("projects:task_progress", progress.pk)
    return render(
        request,
        "tasks/import_start.html",
        {
            "unit": permissions.unit_of(request.user),
            "most_files": settings.PERFGOALS_BATCH_IMPORT_FILES,
            "most_mb": settings.PERFGOALS_BATCH_IMPORT_BYTES / 1024 / 1024,
            "each_mb": settings.PERFGOALS_MAX_UPLOAD_BYTES / 1024 / 1024,
        },
    )


class RecheckForm(forms.Form):
    """重新检查的范围：行政区划（管理员可选，财政为本区划）、预算年度、主管部门（可选）。"""

    region = forms.ModelChoiceField(Region.objects.none(), label="行政区划", required=False, empty_label="全部区划")
    year = forms.TypedChoiceField(label="预算年度", coerce=int, required=False, empty_value=None)
    department = forms.ModelChoiceField(Department.objects.none(), label="主管部门", required=False, empty_label="全部部门")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        region_id = permissions.recheck_region_id(user)
        self.region_id = region_id
        if region_id is None:
            self.fields["region"].queryset = Region.objects.all()
            departments = Department.objects.select_related("region").order_by("region__code", "name")
            self.fields["department"].label_from_instance = lambda department: f"{department.region.name} · {department.name}"
        else:
            del self.fields["region"]
            departments = Department.objects.filter(region_id=region_id).order_by("name")
        self.fields["department"].queryset = departments
        self.fields["year"].choices = [("", "全部年度")] + [(year, f"{year} 年") for year in visible_years(user)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        region = data.get("region") if self.region_id is None else Region.objects.get(pk=self.region_id)
        department = data.get("department")
        if department is not None and region is not None and department.region_id != region.pk:
            self.add_error("department", f"“{department.name}”不属于{region.name}，请重新选择主管部门或行政区划。")
        data["scope_region"] = department.region if department is not None else region
        return data

    def scope(self):
        """(region code or None, department name or None, year or None, the label of the range)."""
        region, department, year = self.cleaned_data["scope_region"], self.cleaned_data["department"], self.cleaned_data["year"]
        label = "".join(
            part for part in (f"{year}年" if year else "", region.name if region else "全部区划", department.name if department else "") if part
        )
        return region.code if region else None, department.name if department else None, year, label


@login_required
def task_recheck(request):
    """重新检查：审核规则修改后，把一个区划（某年度、某部门）的表在后台重新检查一遍，显示进度和结果。"""
    if not permissions.can_start_recheck(request.user):
        raise PermissionDenied("只有财政审核人和管理员可以重新检查绩效目标表。")
    form = RecheckForm(request.POST or None, user=request.user, initial={"year": request.GET.get("year")})
    if request.method == "POST" and form.is_valid():
        region, department, year, label = form.scope()
        if not tables_in_scope(region=region, department=department, year=year).exists():
            messages.error(request, f"{label}没有绩效目标表，未发起重新检查。")
        else:
            progress = start_recheck(request.user, region=region, year=year, department=department, label=label)
            return redirect("projects:task_progress", progress.pk)
    return render(request, "tasks/recheck_start.html", {"form": form})
