"""The official-layout export of a list selection as a background task.

The tables are read 200 at a time (projects.excel.export_parts) and written, sheet by sheet as each is
finished, into a 0600 file beside its final name under PERFGOALS_TASK_DIR, renamed once complete
(projects.excel.package: the worker's memory does not grow with the number of tables).
"""

import secrets

from django.contrib.auth import get_user_model

from projects.excel import export_parts
from projects.excel.layouts import PROJECT_LAYOUTS
from projects.excel.writer import write_workbook
from projects.models import DepartmentTarget, ProjectTable
from projects.tasks import runner
from projects.tasks.compat import task
from projects.tasks.models import TaskProgress


def start_export(owner, queryset, layout, filename):
    """Record and enqueue the export of every row of ``queryset`` (project tables or department
    targets) that ``owner`` sees; returns the TaskProgress."""
    targets = queryset.model is DepartmentTarget
    layout = "department" if targets else (layout if layout in PROJECT_LAYOUTS else "pingluo")
    ids = list(queryset.order_by().values_list("pk", flat=True))
    params = {"layout": layout, "model": "target" if targets else "table", "ids": ids, "filename": filename}
    title = f"{filename}（{len(ids)} 张）"
    return runner.start(owner, TaskProgress.Kind.EXPORT, title, params, len(ids), export_task)


def counted(parts, report):
    """The parts of the document, reporting after each one how many tables were handed on before it."""
    done = 0
    for part in parts:
        yield part
        done += len(part.get("project_tables") or []) + len(part.get("department_targets") or [])
        report(done)


def export_body(progress, report):
    params = progress.params
    owner = get_user_model().objects.get(pk=progress.owner_id)
    # What the owner may see now: a scope taken away since the export was asked for is respected.
    if params["model"] == "target":
        tables = ProjectTable.objects.none()
        targets = DepartmentTarget.objects.visible_to(owner).filter(pk__in=params["ids"])
    else:
        tables = ProjectTable.objects.visible_to(owner).filter(pk__in=params["ids"])
        targets = DepartmentTarget.objects.none()
    parts = counted(export_parts(tables, targets), report)
    name = f"export-{progress.pk}-{secrets.token_urlsafe(12)}.xlsx"
    runner.write_aside(name, lambda file: write_workbook(parts, params["layout"], file))
    report(progress.total, force=True)
    return {"result_file": name, "result_name": params["filename"]}


@task()
def export_task(progress_id):
    """Export the tables of a TaskProgress to an xlsx file in the task folder."""
    return runner.run(progress_id, TaskProgress.Kind.EXPORT, export_body)
