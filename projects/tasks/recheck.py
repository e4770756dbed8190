"""The recheck of a region's tables after a rule change, as a background task (the command-line
``recheck_tables`` does the same in the foreground)."""

from projects.findings import projects_recheck, tables_in_scope
from projects.models import ProjectTable
from projects.tasks import runner
from projects.tasks.compat import task
from projects.tasks.models import TaskProgress

# Tables rechecked between two progress reports: the tables of one unit and year stay together.
RECHECK_PART = 500


def start_recheck(owner, region=None, year=None, label=""):
    """Record and enqueue the recheck of every table of ``region`` (a code; all regions when None) and
    ``year``; returns the TaskProgress."""
    total = tables_in_scope(region=region, year=year).count()
    title = f"重新检查{label or '全部'}的绩效目标表"
    return runner.start(owner, TaskProgress.Kind.RECHECK, title, {"region": region, "year": year}, total, recheck_task)


def recheck_body(progress, report):
    tables = tables_in_scope(region=progress.params.get("region"), year=progress.params.get("year"))
    rows = sorted(tables.values_list("unit_id", "year", "pk"))
    ids = [pk for _, _, pk in rows]
    done = 0
    for start in range(0, len(ids), RECHECK_PART):
        done += projects_recheck(ProjectTable.objects.filter(pk__in=ids[start : start + RECHECK_PART]))
        report(done)
    return {}


@task()
def recheck_task(progress_id):
    """Recheck and store the findings of the tables of a TaskProgress."""
    return runner.run(progress_id, TaskProgress.Kind.RECHECK, recheck_body)
