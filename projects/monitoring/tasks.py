"""Monitoring work too large for a request, as background tasks (projects.tasks): making the reports of
a new round (20,000 tables and their indicator rows), writing an execution extract into a round's
reports and rechecking their lights, and exporting a round's reports in the annex layout."""

import secrets

from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Department, MonitoringReport, MonitoringRound
from projects.tasks import runner
from projects.tasks.compat import task
from projects.tasks.models import TaskProgress


def start_round_fill(owner, monitoring_round, *, departments=(), min_amount=None):
    """Record and enqueue the making of ``monitoring_round``'s reports; returns the TaskProgress."""
    from projects.monitoring.services import round_tables

    total = round_tables(
        region=monitoring_round.region, year=monitoring_round.year, departments=departments, min_amount=min_amount
    ).count()
    params = {
        "round": monitoring_round.pk,
        "departments": [department.pk for department in departments],
        "min_amount": str(min_amount) if min_amount is not None else None,
    }
    return runner.start(
        owner, TaskProgress.Kind.MONITORING_ROUND, f"为“{monitoring_round}”生成监控表", params, total, round_fill_task
    )


def running_fill(monitoring_round):
    """The unfinished task making ``monitoring_round``'s reports, or None."""
    return (
        TaskProgress.objects.filter(kind=TaskProgress.Kind.MONITORING_ROUND, params__round=monitoring_round.pk)
        .exclude(state__in=(TaskProgress.State.DONE, TaskProgress.State.FAILED))
        .first()
    )


def round_fill_body(progress, report):
    from decimal import Decimal

    from projects.monitoring.services import round_fill

    params = progress.params
    monitoring_round = MonitoringRound.objects.select_related("region").get(pk=params["round"])
    departments = list(Department.objects.filter(pk__in=params.get("departments") or ()))
    min_amount = Decimal(params["min_amount"]) if params.get("min_amount") else None
    count = round_fill(monitoring_round, by=progress.owner, departments=departments, min_amount=min_amount, report=report)
    url = reverse("projects:monitoring_round", args=[monitoring_round.pk])
    return {"results": [{"label": "已生成监控表", "count": count, "url": url}]}


@task()
def round_fill_task(progress_id):
    """Make the reports of the round of a TaskProgress."""
    return runner.run(progress_id, TaskProgress.Kind.MONITORING_ROUND, round_fill_body)


def start_execution_import(owner, monitoring_round, matches, unmatched, source_name):
    """Record and enqueue the writing of the matched 执行数 (``matches``: [[report id, total, fiscal,
    other]] as strings or None) into ``monitoring_round``; ``unmatched`` rows are kept for the result."""
    params = {"round": monitoring_round.pk, "matches": matches, "unmatched": unmatched, "file": source_name}
    return runner.start(
        owner, TaskProgress.Kind.EXECUTION, f"向“{monitoring_round}”导入预算执行数（{source_name}）", params, len(matches),
        execution_task,
    )


def execution_body(progress, report):
    from projects.monitoring.execution import apply_execution

    params = progress.params
    monitoring_round = MonitoringRound.objects.get(pk=params["round"])
    written = apply_execution(monitoring_round, params["matches"], by=progress.owner, report=report)
    url = reverse("projects:monitoring_round", args=[monitoring_round.pk])
    results = [{"label": "已写入执行数", "count": written, "url": url}]
    results += [{"label": f"未匹配：{row}", "count": None} for row in params.get("unmatched", [])]
    return {"results": results}


@task()
def execution_task(progress_id):
    """Write the 执行数 of a TaskProgress into its round's reports and recheck their lights."""
    return runner.run(progress_id, TaskProgress.Kind.EXECUTION, execution_body)


# The order of the round overview's list, which the annex export follows.
OVERVIEW_ORDER = ("table__department__name", "table__unit__name", "table__name", "pk")


def start_reports_export(owner, monitoring_round, reports, filename):
    """Record and enqueue the annex export of ``reports`` (the overview's filtered list, in its order);
    returns the TaskProgress."""
    ids = list(reports.order_by(*OVERVIEW_ORDER).values_list("pk", flat=True))
    params = {"round": monitoring_round.pk, "ids": ids, "filename": filename}
    return runner.start(
        owner, TaskProgress.Kind.MONITORING_EXPORT, f"{filename}（{len(ids)} 张）", params, len(ids), reports_export_task
    )


def reports_export_body(progress, report):
    from projects.monitoring.excel import write_reports

    params = progress.params
    owner = get_user_model().objects.get(pk=progress.owner_id)
    # What the owner may see now: a scope taken away since the export was asked for is respected.
    reports = (
        MonitoringReport.objects.visible_to(owner)
        .filter(pk__in=params["ids"])
        .select_related("monitoring_round", "table__unit", "table__department")
        .order_by(*OVERVIEW_ORDER)
    )
    name = f"monitoring-{progress.pk}-{secrets.token_urlsafe(12)}.xlsx"
    runner.write_aside(name, lambda file: write_reports(reports.iterator(chunk_size=500), file, report))
    report(progress.total, force=True)
    return {"result_file": name, "result_name": params["filename"]}


@task()
def reports_export_task(progress_id):
    """Export the monitoring reports of a TaskProgress, one annex sheet each, to an xlsx file in the task folder."""
    return runner.run(progress_id, TaskProgress.Kind.MONITORING_EXPORT, reports_export_body)
