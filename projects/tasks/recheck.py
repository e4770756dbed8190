"""The recheck of a region's tables after a rule change, as a background task (the command-line
``recheck_tables`` does the same in the foreground)."""

from collections import Counter

from indicators.choices import Grade
from projects.findings import projects_recheck, tables_in_scope
from projects.models import ProjectTable
from projects.tasks import runner
from projects.tasks.compat import task
from projects.tasks.models import TaskProgress

# Tables rechecked between two progress reports: the tables of one unit and year stay together.
RECHECK_PART = 500


def start_recheck(owner, region=None, year=None, label="", department=None):
    """Record and enqueue the recheck of every table of ``region`` (a code; all regions when None),
    ``year`` and ``department`` (a code or name; all when None); returns the TaskProgress."""
    total = tables_in_scope(region=region, department=department, year=year).count()
    title = f"重新检查{label or '全部'}的绩效目标表"
    params = {"region": region, "year": year, "department": department}
    return runner.start(owner, TaskProgress.Kind.RECHECK, title, params, total, recheck_task)


def recheck_body(progress, report):
    params = progress.params
    tables = tables_in_scope(region=params.get("region"), department=params.get("department"), year=params.get("year"))
    rows = sorted(tables.values_list("unit_id", "year", "pk"))
    ids = [pk for _, _, pk in rows]
    done = changed = 0
    grades = Counter()
    for start in range(0, len(ids), RECHECK_PART):
        part = ProjectTable.objects.filter(pk__in=ids[start : start + RECHECK_PART])
        before = {pk: (score, grade) for pk, score, grade in part.values_list("pk", "quality_score", "quality_grade")}
        done += projects_recheck(part)
        for pk, score, grade in part.values_list("pk", "quality_score", "quality_grade"):
            changed += before.get(pk) != (score, grade)
            grades[grade] += 1
        report(done)
    return {"results": summary(done, changed, grades)}


def summary(done, changed, grades):
    """What the progress page lists when the recheck is done: the tables whose score or grade moved, and
    how many tables each grade now holds."""
    lines = [{"label": "已重新检查", "count": done}, {"label": "得分或等级有变化", "count": changed}]
    lines += [{"label": f"现为“{label}”", "count": grades[value]} for value, label in Grade.choices if grades[value]]
    if grades[""]:
        lines.append({"label": "未评级", "count": grades[""]})
    return lines


@task()
def recheck_task(progress_id):
    """Recheck and store the findings of the tables of a TaskProgress."""
    return runner.run(progress_id, TaskProgress.Kind.RECHECK, recheck_body)
