"""Storing check results on saved tables and recording units' explanations.

project_recheck is what a save, an import or setup_demo calls; projects_recheck does the same for many
tables in chunks with a fixed number of queries per chunk; finding_explain records a unit's answer to
a 警告. All of them read tables through the same builder the editor and import preview use, so a
stored result is exactly what check_table says about the table.
"""

import functools
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.checks.data import CheckContext, SiblingGroup, SiblingTable, table_data_from_project
from indicators.checks.engine import check_table
from indicators.checks.registry import RULES
from indicators.checks.wording import normalized
from indicators.frameworks import framework_snapshot
from indicators.library.snapshot import LibraryCache
from indicators.models import CheckFinding, FindingExplanation, Indicator, Severity
from perfgoals.text import unstorable_message
from projects import tallies
from projects.memory import last_year_data, last_years
from projects.models import ProjectGoal, ProjectTable, SpendingCheckpoint

CHUNK_SIZE = 200


def tables_in_scope(*, region=None, department=None, year=None):
    """The tables the check commands work on: a region code, a department code or name (平罗's
    departments have no code), a budget year; any left out is not a filter."""
    tables = ProjectTable.objects.all()
    if region:
        tables = tables.filter(region__code=region)
    if department:
        tables = tables.filter(Q(department__code=department) | Q(department__name=department))
    if year:
        tables = tables.filter(year=year)
    return tables


# The columns of a 三级 row the checks read (and _store maps findings by), read as plain tuples:
# building a model instance per row, and a related manager per table for each of its three lists,
# were most of what rechecking thousands of tables cost.
CheckedRow = namedtuple(
    "CheckedRow",
    "pk uid level2_id name description value_text value_nature value_number value_unit value_prefix "
    "value_qualitative basis basis_text midterm_value_text",
)
CheckedGoal = namedtuple("CheckedGoal", "kind text")
CheckedPoint = namedtuple("CheckedPoint", "month cumulative_percent")


def tables_for_check(queryset):
    """The tables of the queryset, each with everything check_table reads, in four queries whatever
    their number: ``checked_rows``, ``checked_goals`` and ``checked_plan`` hold the rows (in order, uid
    as text), goals and spending plan that table_data_from_project reads. Rows come without their 二级:
    _check names each row's 一级 and 二级 from the framework snapshot (indicators.frameworks)."""
    tables = list(queryset.select_related("framework", "region", "department", "unit"))
    by_pk = {table.pk: table for table in tables}
    for table in tables:
        table.checked_rows, table.checked_goals, table.checked_plan = [], [], []
    rows = Indicator.objects.filter(project__in=list(by_pk)).order_by("order", "id")
    for project_id, pk, uid, *values in rows.values_list("project_id", *CheckedRow._fields):
        by_pk[project_id].checked_rows.append(CheckedRow(pk, str(uid), *values))
    goals = ProjectGoal.objects.filter(project__in=list(by_pk)).order_by("kind", "order", "id")
    for project_id, *values in goals.values_list("project_id", *CheckedGoal._fields):
        by_pk[project_id].checked_goals.append(CheckedGoal(*values))
    plan = SpendingCheckpoint.objects.filter(project__in=list(by_pk)).order_by("month")
    for project_id, *values in plan.values_list("project_id", *CheckedPoint._fields):
        by_pk[project_id].checked_plan.append(CheckedPoint(*values))
    return tables


def _siblings(tables, known=None):
    """For each table, the other tables of its unit and year (other versions of itself excluded), as
    indicator-name sets for the copy-paste rule. One query for all the tables given, none when every
    unit and year is in ``known``: {(unit id, year): (SiblingGroup, {project id: position})}, which a
    recheck carries from one chunk to the next (a big unit's tables span chunks) and which is left
    holding the groups of these tables only."""
    known = {} if known is None else known
    keys = {(table.unit_id, table.year) for table in tables}
    missing = keys - known.keys()
    if missing:
        known.update(_sibling_groups(missing))
    for key in known.keys() - keys:
        del known[key]
    empty = (SiblingGroup(()), {})
    result = {}
    for table in tables:
        group, positions = known.get((table.unit_id, table.year), empty)
        result[table.pk] = group.siblings_of(positions.get(table.pk), table.name)
    return result


def _sibling_groups(keys):
    """{(unit id, year): (SiblingGroup, {project id: position in it})} of the tables of these units and
    years that have indicators. One query."""
    rows = Indicator.objects.filter(
        project__unit_id__in={unit for unit, _ in keys}, project__year__in={year for _, year in keys}
    ).values_list("project_id", "project__unit_id", "project__year", "project__name", "level2__name", "name")
    by_project = {}
    for project_id, unit_id, year, name, level2, indicator_name in rows:
        entry = by_project.get(project_id)
        if entry is None:
            if (unit_id, year) not in keys:
                continue
            entry = by_project[project_id] = ((unit_id, year), name, set())
        if text := normalized(indicator_name):
            entry[2].add((level2, text))
    # Each loaded table becomes one SiblingTable in its unit and year's SiblingGroup, shared by every
    # table of the group: no list of the other tables is built per table.
    members = {}
    for project_id, (key, name, names) in by_project.items():
        members.setdefault(key, []).append((project_id, SiblingTable(name=name, indicator_names=frozenset(names))))
    return {
        key: (SiblingGroup(sibling for _, sibling in entries), {project_id: position for position, (project_id, _) in enumerate(entries)})
        for key, entries in members.items()
    }


def _explained(tables):
    """(rule, indicator uid or "") pairs each table's unit has explained. One query."""
    result = {table.pk: set() for table in tables}
    for project_id, rule, uid in FindingExplanation.objects.filter(project__in=tables).values_list(
        "project_id", "rule", "indicator_uid"
    ):
        result[project_id].add((rule, uid))
    return result


def _check(tables, snapshot, known_siblings=None):
    """(table, CheckResult) for loaded tables (see tables_for_check), with siblings and explanations
    (``known_siblings``: see _siblings); ``snapshot`` is the framework snapshot."""
    siblings = _siblings(tables, known_siblings)
    explained = _explained(tables)
    frameworks, names = snapshot.check_data, snapshot.level_names
    library = LibraryCache(snapshot)
    memory = last_years(tables, monitoring=False)
    for table in tables:
        last_year = memory[table.pk]
        context = CheckContext(
            siblings=siblings[table.pk],
            explained=frozenset(explained[table.pk]),
            library=library.for_table(table),
            last_year=last_year.data if last_year is not None else None,
        )
        code = snapshot.framework(table.framework_id).code
        yield table, check_table(table_data_from_project(table, frameworks, names, framework_code=code), context)


FINDING_FIELDS = ("rule", "severity", "criterion", "opinion", "message", "suggestion", "indicator_id", "row")


def _store(results):
    """Make the stored findings of these tables what the checks found, and write their score, grade and
    check time, in one transaction.

    Stored findings are compared with the new ones in order: the part that is the same (often all of
    it) stays, the rest is deleted and inserted, so the findings read back by id come in the order the
    checks gave them, as if all had been replaced, and a recheck that changes nothing writes none."""
    now = timezone.now()
    tables = [table for table, _ in results]
    stored = {table.pk: [] for table in tables}
    for pk, project_id, *values in CheckFinding.objects.filter(project__in=list(stored)).order_by("id").values_list(
        "pk", "project_id", *FINDING_FIELDS
    ):
        stored[project_id].append((pk, tuple(values)))
    created, deleted = [], []
    # One UPDATE per (score, grade) that changed and one for the check time of the rest: a bulk_update
    # built a CASE over every id for each column (a third of a recheck's time). update() leaves
    # updated_at alone: a recheck is not an edit of the table.
    by_result, unchanged = {}, []
    changed = []  # (table, rules of its findings deleted, rules of those inserted): for the tallies
    unit_years = {table.pk: (table.unit_id, table.year) for table in tables}
    for table, result in results:
        indicator_ids = {row.uid: row.pk for row in table.checked_rows}
        found = [
            (
                finding.rule,
                finding.severity,
                finding.criterion,
                finding.opinion,
                finding.message,
                finding.suggestion,
                indicator_ids.get(finding.indicator_uid),
                finding.row,
            )
            for finding in result.findings
        ]
        old = stored[table.pk]
        same = 0
        while same < min(len(old), len(found)) and old[same][1] == found[same]:
            same += 1
        deleted += [pk for pk, _ in old[same:]]
        created += [CheckFinding(project_id=table.pk, **dict(zip(FINDING_FIELDS, values))) for values in found[same:]]
        if same < max(len(old), len(found)):
            changed.append((table, [values[0] for _, values in old[same:]], [values[0] for values in found[same:]]))
        if (table.quality_score, table.quality_grade) == (result.score, result.grade):
            unchanged.append(table.pk)
        else:
            by_result.setdefault((result.score, result.grade), []).append(table.pk)
        table.quality_score = result.score
        table.quality_grade = result.grade
        table.checked_at = now
    # Inside a save the save's transaction is enough: no savepoint of its own. The findings are written
    # past the model signals, so the tallies are told what changed (the scores' update_in tells them
    # itself); all are written once, at the end.
    with transaction.atomic(savepoint=False), tallies.deferred():
        for table, gone, added in changed:
            tallies.findings_replaced(table, gone, added)
        if deleted:
            CheckFinding.objects.filter(pk__in=deleted).delete()
        if created:
            CheckFinding.objects.bulk_create(created)
        for (score, grade), ids in by_result.items():
            ProjectTable.objects.filter(pk__in=ids).update_in(
                {unit_years[pk] for pk in ids}, quality_score=score, quality_grade=grade, checked_at=now
            )
        if unchanged:
            ProjectTable.objects.filter(pk__in=unchanged).update(checked_at=now)


def project_recheck(*, project):
    """检查一张表并保存得分、等级和问题清单。Run after every save of the table or its rows.

    Reads the table afresh, so it sees what was just saved; the instance passed in gets the new score,
    grade and check time too. A fixed number of queries, however many rows the table has; none for the
    frameworks when the request has read them already (indicators.frameworks)."""
    (table,) = tables_for_check(ProjectTable.objects.filter(pk=project.pk))
    results = list(_check([table], framework_snapshot()))
    _store(results)
    project.quality_score, project.quality_grade, project.checked_at = (
        table.quality_score,
        table.quality_grade,
        table.checked_at,
    )
    return results[0][1]


def _chunks(queryset, size, by_unit=False):
    """Lists of loaded tables, `size` at a time, in the queryset's order, or with ``by_unit`` grouped by
    unit and year, so that the tables of one unit and year (each other's siblings) share a chunk and
    their rows are read once, not once per chunk they are spread over."""
    ids = list(queryset.values_list("pk", "unit_id", "year"))
    if by_unit:
        ids.sort(key=lambda row: (row[1], row[2], row[0]))
    ids = [pk for pk, _, _ in ids]
    for start in range(0, len(ids), size):
        part = ids[start : start + size]
        position = {pk: index for index, pk in enumerate(part)}
        tables = tables_for_check(ProjectTable.objects.filter(pk__in=part))
        yield sorted(tables, key=lambda table: position[table.pk])


def projects_check(queryset, chunk_size=CHUNK_SIZE):
    """(table, CheckResult) for every table in the queryset, computed and not stored (check_tables)."""
    snapshot = framework_snapshot()
    for chunk in _chunks(queryset, chunk_size):
        yield from _check(chunk, snapshot)


def projects_recheck(queryset, chunk_size=CHUNK_SIZE):
    """Recheck and store every table in the queryset, for when the rules change. Returns how many.

    Works in chunks: per chunk a fixed number of queries (tables, rows, goals, plans, siblings,
    explanations, 二级 names, stored findings, delete, insert) and one update per changed score and grade, so thousands
    of tables take seconds, not minutes."""
    return _check_and_store(_chunks(queryset, chunk_size, by_unit=True))


def _check_and_store(chunks):
    """Check and store loaded tables (see tables_for_check) chunk by chunk, the tables of one unit and
    year together: frameworks and level names read once, each unit's siblings once. Returns how many."""
    snapshot = framework_snapshot()
    count = 0
    known_siblings = {}
    for chunk in chunks:
        results = list(_check(chunk, snapshot, known_siblings))
        _store(results)
        count += len(results)
    return count


def projects_recheck_written(written, chunk_size=CHUNK_SIZE):
    """projects_recheck for tables just created, given with what they were created from: ``written``
    holds (table, indicators, goals, spending plan) of saved objects, each list in the order the
    table keeps it. They are checked as they are instead of being read back (an import of 1,000
    tables spent 0.2-0.3 s reading back what it had just written), except a table with a decimal the
    database rounds (more places than its column keeps): that one is read back. Returns how many."""
    written = list(written)
    if not written:
        return 0
    loaded, read_back = [], []
    for table, rows, goals, plan in written:
        if not all(_as_stored(obj) for obj in (table, *rows, *plan)):
            read_back.append(table.pk)
            continue
        table.checked_rows = [
            CheckedRow(row.pk, str(row.uid), *(getattr(row, name) for name in CheckedRow._fields[2:])) for row in rows
        ]
        table.checked_goals = [CheckedGoal(goal.kind, goal.text) for goal in sorted(goals, key=lambda goal: (goal.kind, goal.order))]
        table.checked_plan = [CheckedPoint(point.month, point.cumulative_percent) for point in sorted(plan, key=lambda point: point.month)]
        loaded.append(table)
    loaded.sort(key=lambda table: (table.unit_id, table.year, table.pk))
    count = _check_and_store(loaded[start : start + chunk_size] for start in range(0, len(loaded), chunk_size))
    if read_back:
        count += projects_recheck(ProjectTable.objects.filter(pk__in=read_back), chunk_size)
    return count


@functools.cache
def _decimal_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.DecimalField)]


def _as_stored(obj):
    """Give each decimal of ``obj`` the places its column keeps, as reading the row back would, and
    say whether every value stays what it was (False when the database would round one: more places
    than the column keeps, or more than the 15 significant digits SQLite keeps)."""
    for field in _decimal_fields(type(obj)):
        value = getattr(obj, field.attname)
        if value is None:
            continue
        try:
            stored = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        except InvalidOperation:
            return False
        if stored != value or len(stored.normalize().as_tuple().digits) > 15:
            return False
        setattr(obj, field.attname, stored)
    return True


def finding_explain(*, project, rule_code, indicator_uid, text, by):
    """单位对一条警告作出说明，说明随表保存供审核人查看。

    Only a 警告 (or 提示) that the table has now can be explained: an 错误 must be fixed, not explained,
    and an explanation of something the checks do not find would mislead the reviewer. The explanation
    is keyed by rule and indicator uid, so later rechecks keep it while the finding comes back."""
    rule = RULES.get(rule_code)
    if rule is None:
        raise ValidationError(f"没有代码为“{rule_code}”的审核规则。")
    if rule.severity == Severity.ERROR:
        raise ValidationError(f"“{rule.title}”是错误，必须修改后才能提交，不能用说明代替修改。")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写说明：为什么这一项可以不按检查建议修改。")
    if message := unstorable_message(text, "说明"):
        raise ValidationError(message)
    uid = str(indicator_uid) if indicator_uid else ""
    (table,) = tables_for_check(ProjectTable.objects.filter(pk=project.pk))
    (_, result), = _check([table], framework_snapshot())
    if not any(finding.key == (rule_code, uid) for finding in result.findings):
        raise ValidationError(f"本表目前没有“{rule.title}”这一问题，无需说明。请先保存最新内容再说明。")
    with transaction.atomic():
        explanation, _ = FindingExplanation.objects.update_or_create(
            project=table, rule=rule_code, indicator_uid=uid, defaults={"text": text, "created_by": by}
        )
        project_recheck(project=project)
    return explanation


def check_context_for(project):
    """The context check_table needs for one table, saved or not (the editor checks unsaved input):
    the unit's other tables of the year, the explanations the unit has given and last year's results."""
    siblings = _siblings([project])[project.pk]
    explained = _explained([project])[project.pk] if project.pk else set()
    library = LibraryCache().for_table(project) if project.framework_id and project.region_id else None
    return CheckContext(
        siblings=siblings, explained=frozenset(explained), library=library, last_year=last_year_data(project)
    )


def project_findings(*, project):
    """The stored findings of a table, each with `.explanation` (FindingExplanation or None), in order:
    what the detail page and reviewers read."""
    explanations = {
        (item.rule, item.indicator_uid): item
        for item in FindingExplanation.objects.filter(project=project).select_related("created_by")
    }
    findings = list(project.findings.select_related("indicator").order_by("id"))
    for finding in findings:
        uid = str(finding.indicator.uid) if finding.indicator else ""
        finding.explanation = explanations.get((finding.rule, uid))
    return findings
