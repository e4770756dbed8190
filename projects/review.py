"""What the review pages read: a reviewer's queue, what changed since the previous submission, and
the history of a table across its versions.

Nothing here writes; the workflow itself is projects.workflow.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from indicators.frameworks import framework_snapshot
from indicators.models import Basis, Framework, Indicator, Level2
from perfgoals.formatting import decimal_text
from perfgoals.history import BASELINE_REASON
from projects import permissions, schema
from projects.breakdown import lines_text
from projects.models import (
    CodeItem,
    DepartmentSubTarget,
    DepartmentTarget,
    GoalKind,
    ProjectGoal,
    ProjectTable,
    ReviewAction,
    ReviewRecord,
    SpendingCheckpoint,
)
from projects.workflow import WORKFLOW_CHANGE_REASON


def awaiting(user):
    """The tables waiting for this reviewer: a department reviewer's 待主管部门审核 tables of their
    department, a finance officer's 待财政审核 tables of their region; nothing for anyone else.

    Each table is annotated with ``rounds`` (how many times it has been submitted) and
    ``submitted_at`` (its last submission), oldest submission first. One query, whatever its length."""
    status = permissions.awaited_status(user)
    if status is None:
        return ProjectTable.objects.none()
    tables = ProjectTable.objects.visible_to(user).filter(status=status)
    return with_submissions(tables.select_related("unit", "department", "region"), "project").order_by("submitted_at", "id")


def with_submissions(documents, link):
    """``documents`` annotated with ``rounds`` (how many times each was submitted) and ``submitted_at``
    (its last submission), read by ``link`` (the ReviewRecord field pointing at the document).

    Scalar subqueries on the (document, action, at) index of ReviewRecord, not a join with a GROUP BY:
    the queue's count stays a plain count of the documents, and PostgreSQL starts from the documents
    awaited rather than from every table of the region (a join it plans badly when a kind, such as the
    self-evaluations, has no rows yet)."""
    submits = ReviewRecord.objects.filter(**{link: OuterRef("pk")}, action=ReviewAction.SUBMIT).order_by()
    count = submits.annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1]
    return documents.annotate(
        rounds=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        submitted_at=Subquery(submits.order_by("-at").values("at")[:1]),
    )


def awaiting_targets(user):
    """The whole-department targets waiting for this reviewer, at the same step as ``awaiting``'s
    tables, oldest submission first."""
    status = permissions.awaited_status(user)
    if status is None:
        return DepartmentTarget.objects.none()
    targets = DepartmentTarget.objects.visible_to(user).filter(status=status).select_related("department")
    return with_submissions(targets, "department_target").order_by("submitted_at", "id")


def _versions(project):
    """{document id: version} of every version of this table or target (linked by previous_version). One query."""
    siblings = (
        ProjectTable.objects.filter(unit_id=project.unit_id, year=project.year)
        if isinstance(project, ProjectTable)
        else DepartmentTarget.objects.filter(department_id=project.department_id, year=project.year)
    )
    rows = list(siblings.values_list("id", "previous_version_id", "version"))
    previous = {pk: before for pk, before, _ in rows}
    following = {}
    for pk, before, _ in rows:
        following.setdefault(before, []).append(pk)
    root = project.pk
    while previous.get(root):
        root = previous[root]
    found, todo = set(), [root]
    while todo:
        pk = todo.pop()
        found.add(pk)
        todo.extend(following.get(pk, ()))
    return {pk: version for pk, _, version in rows if pk in found}


def _ancestors(project):
    """This table and the versions it was adjusted from, newest first. One query."""
    rows = dict(ProjectTable.objects.filter(unit_id=project.unit_id, year=project.year).values_list("id", "previous_version_id"))
    chain, pk = [], project.pk
    while pk:
        chain.append(pk)
        pk = rows.get(pk)
    return chain


# Comparing two submissions


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """A 三级 row added, removed or changed; ``changes`` lists the changed fields of a changed row."""

    uid: str
    level1: str
    level2: str
    name: str
    value: str
    changes: tuple = ()


@dataclass(frozen=True)
class DocumentDiff:
    """One document against another: changed header fields, 三级 rows added, removed and changed."""

    fields: tuple = ()
    added: tuple = ()
    removed: tuple = ()
    changed: tuple = ()

    @property
    def has_changes(self):
        return bool(self.fields or self.added or self.removed or self.changed)

    def lines(self):
        """Each change as one line of text, old → new, for a report that is no page (a dry run's)."""
        for change in self.fields:
            yield f"{change.label}：{change.old or '（空）'} → {change.new or '（空）'}"
        for row in self.changed:
            for change in row.changes:
                yield f"三级指标“{row.name}”（{row.level2}）{change.label}：{change.old or '（空）'} → {change.new or '（空）'}"
        for row in self.added:
            yield f"新增三级指标“{row.name}”（{row.level1} / {row.level2}）：{row.value or '（未填指标值）'}"
        for row in self.removed:
            yield f"删除三级指标“{row.name}”（{row.level1} / {row.level2}）：{row.value or '（未填指标值）'}"


@dataclass(frozen=True)
class SubmissionDiff(DocumentDiff):
    """The latest submission against the one before it (in this version or the version it adjusts).
    ``previous`` is None for a first submission, and then nothing is listed as changed."""

    latest: ReviewRecord | None = None
    previous: ReviewRecord | None = None


def _framework_names():
    """{(Level2, id): "一级 / 二级", (Framework, id): name} of every framework, as history entries name
    a row's 二级 and a table's 指标体系 (the request's framework snapshot, indicators.frameworks)."""
    snapshot = framework_snapshot()
    names = {(Level2, pk): f"{level2.level1.name} / {level2.name}" for pk, level2 in snapshot.level2_by_pk.items()}
    names.update(((Framework, framework.pk), framework.name) for framework in snapshot.frameworks)
    return names


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _plan_text(points):
    return "；".join(f"{point['month']}月底 {point['percent'] or ''}%" for point in points or ())


def _goals_text(goals, kind):
    return "\n".join((goals or {}).get(kind) or ())


# What a document's diff compares: its declared fields (projects.schema) but who and where it belongs to,
# the workflow's own fields and its rows (compared row by row below).
_NOT_COMPARED = ("uid", "region", "department", "unit", "status", "version", "indicators")


def _sub_targets_text(subs):
    return "\n".join(
        "：".join(part for part in (sub.get("title"), sub.get("goal")) if part) for sub in subs or () if isinstance(sub, dict)
    )


def _header_render(field, model):
    """How a reader reads one declared field of the document: as text, a flag as 是/否."""
    if field.key == "spending_plan":
        return lambda data: _plan_text(data.get("spending_plan"))
    if field.kind == schema.LINES:
        group, _, key = field.key.partition(".")
        return lambda data: lines_text((data.get(group) or {}).get(key))
    if field.key == "sub_targets":
        return lambda data: _sub_targets_text(data.get("sub_targets"))
    group, _, key = field.key.partition(".")
    if field.model_field and isinstance(model._meta.get_field(field.model_field), BooleanField):
        return lambda data: _text(bool(data.get(group)))
    if key:
        return lambda data: _text((data.get(group) or {}).get(key))
    return lambda data: _text(data.get(group))


def _header(declared):
    for field in declared.fields:
        if field.key in _NOT_COMPARED:
            continue
        if field.groups:  # the goals, one entry per kind
            for kind in GoalKind:
                yield (kind.value, kind.label, lambda data, key=field.key, kind=kind: _goals_text(data.get(key), kind))
        else:
            yield (field.model_field or field.key, field.label(declared.model), _header_render(field, declared.model))


_HEADERS = {
    ProjectTable: tuple(_header(schema.PROJECT_TABLE)),
    DepartmentTarget: tuple(_header(schema.DEPARTMENT_TARGET)),
}

_BASIS = dict(Basis.choices)

# (interchange key, label) of a 三级 row, as a reviewer reads it: its declared fields but its uid.
_ROW = tuple((field.key, field.label(Indicator)) for field in schema.INDICATOR.fields if field.key != "uid")


def _row_value(row, key):
    value = row.get(key)
    if key == "basis":
        return _BASIS.get(value, _text(value))
    return _text(value)


def _row_change(row, changes=()):
    return RowChange(
        uid=row.get("uid") or "",
        level1=_text(row.get("level1")),
        level2=_text(row.get("level2")),
        name=_text(row.get("name")),
        value=_text(row.get("value")),
        changes=tuple(changes),
    )


def submission_diff(project):
    """What changed between the latest submission of this table and the one before it: header fields
    (label, old, new) and 三级 rows added, removed and changed, each changed row with its changed
    fields. Rows are matched by uid; a row copied into an adjustment is matched to the approved row
    it was copied from. Both sides are the snapshots taken at submission, not the live table."""
    submits = list(
        ReviewRecord.objects.filter(project_id__in=_ancestors(project), action=ReviewAction.SUBMIT)
        .select_related("actor")
        .order_by("-at", "-id")[:2]
    )
    if len(submits) < 2:
        return SubmissionDiff(latest=submits[0] if submits else None, previous=None)
    latest, previous = submits
    new, old = latest.snapshot or {}, previous.snapshot or {}
    new_rows = new.get("indicators") or ()
    copied = dict(
        Indicator.objects.filter(uid__in=[row.get("uid") for row in new_rows if row.get("uid")], copied_from__isnull=False)
        .values_list("uid", "copied_from__uid")
    )
    diff = document_diff(old, new, copied={str(uid): str(source) for uid, source in copied.items()})
    return SubmissionDiff(
        latest=latest, previous=previous, fields=diff.fields, added=diff.added, removed=diff.removed, changed=diff.changed
    )


def document_diff(old, new, *, model=ProjectTable, copied=None):
    """What changed from one interchange document of a table (or, with ``model``, a department target)
    to another: header fields (label, old, new) and 三级 rows added, removed and changed, each changed
    row with its changed fields. Rows are matched by uid; ``copied`` ({new row uid: old row uid})
    matches a row copied into an adjustment to the row it was copied from. What a reviewer reads
    between two submissions and what an import preview shows against the stored table."""
    copied = copied or {}
    fields = []
    for _key, label, render in _HEADERS[model]:
        before, after = render(old), render(new)
        if before != after:
            fields.append(FieldChange(label, before, after))
    old_rows = {row.get("uid"): row for row in old.get("indicators") or ()}
    added, changed, matched = [], [], set()
    for row in new.get("indicators") or ():
        uid = row.get("uid")
        before = old_rows.get(uid) if uid else None
        if before is None and copied.get(uid) in old_rows:
            before = old_rows[copied[uid]]
        if before is None:
            added.append(_row_change(row))
            continue
        matched.add(before.get("uid"))
        changes = [
            FieldChange(label, _row_value(before, key), _row_value(row, key))
            for key, label in _ROW
            if _row_value(before, key) != _row_value(row, key)
        ]
        if changes:
            changed.append(_row_change(row, changes))
    removed = [_row_change(row) for row in old.get("indicators") or () if row.get("uid") not in matched]
    return DocumentDiff(fields=tuple(fields), added=tuple(added), removed=tuple(removed), changed=tuple(changed))


# The history of a table


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a table's history page.

    ``kind`` is "review" (a ReviewRecord: ``action`` is its action, old/new its statuses, ``note`` the
    reason and comment), or "created", "changed" or "deleted" (a field or row change: ``subject`` is
    the model's Chinese name, ``item`` names the row, ``field`` the changed field, with old and new
    values; ``note`` says where a change came from, e.g. 导入 or 复制上年)."""

    at: datetime
    user: object
    version: int
    kind: str
    action: str
    subject: str
    item: str
    field: str
    old: str
    new: str
    note: str = ""
    record: ReviewRecord | None = None


_ACTION_BY_TYPE = {"+": ("created", "新增"), "~": ("changed", "修改"), "-": ("deleted", "删除")}

# Fields of the table a user changes (projects.schema), and its status; the rest are bookkeeping (ids,
# times, who saved, version links).
_TABLE_FIELDS = tuple(
    ProjectTable._meta.get_field(name).attname for name in (*schema.PROJECT_TABLE_EDITED_FIELDS, "status")
)
# Fields of a row a user types (projects.schema); order and the parsed parts of the 指标值 follow from them.
_INDICATOR_FIELDS = tuple(Indicator._meta.get_field(name).attname for name in schema.INDICATOR.stored_fields(("uid",)))


def _value(model, attname, value, names):
    if value is None or value == "":
        return ""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if field.is_relation:
        return names.get((field.related_model, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "normalize"):
        return decimal_text(value)
    if isinstance(value, list):  # the funds breakdown's lines (projects.breakdown)
        return lines_text(value)
    return _text(value)


def _is_told_elsewhere(record):
    """Creation records that are no one's edit: the copy made when an adjustment starts (its review
    record tells it) and the starting point given to rows that existed before history was kept."""
    reason = record.history_change_reason or ""
    return reason == BASELINE_REASON or reason.startswith(ReviewAction.ADJUST.label)


def _row_name(record, names):
    level2 = names.get((Level2, record.level2_id))
    return " / ".join(part for part in (level2, record.name) if part)


def _summary(model, record, item):
    """How a created or deleted row reads: a 三级 row by its 二级, name and value, a table by its name."""
    if model is Indicator:
        return "：".join(part for part in (item(record), record.value_text) if part)
    if model is ProjectTable:
        return record.name
    if model is DepartmentSubTarget:
        return record.title
    return ""


def _object_entries(records, model, fields, versions, names, *, subject, item=lambda record: "", parent="project_id"):
    """Entries of one tracked model: creation, each changed field against the record before, deletion.
    ``parent`` names the key of a row's document (a document's own records use their id)."""
    entries = []
    last = {}
    for record in records:
        version = versions.get(getattr(record, parent, None) or record.id, 0)
        before = last.get(record.id)
        last[record.id] = record
        kind, action = _ACTION_BY_TYPE[record.history_type]
        common = {
            "at": record.history_date,
            "user": record.history_user,
            "version": version,
            "kind": kind,
            "action": action,
            "subject": subject,
            "item": item(record),
            "note": record.history_change_reason or "",
        }
        if record.history_type == "+":
            if not _is_told_elsewhere(record):
                entries.append(HistoryEntry(field="", old="", new=_summary(model, record, item), **common))
            continue
        if record.history_type == "-":
            entries.append(HistoryEntry(field="", old=_summary(model, record, item), new="", **common))
            continue
        if before is None:
            continue
        workflow = record.history_change_reason == WORKFLOW_CHANGE_REASON
        for attname in fields:
            if workflow and attname == "status":
                continue
            old, new = getattr(before, attname), getattr(record, attname)
            if old != new:
                field = next(f for f in model._meta.concrete_fields if f.attname == attname)
                entries.append(
                    HistoryEntry(
                        field=str(field.verbose_name),
                        old=_value(model, attname, old, names),
                        new=_value(model, attname, new, names),
                        **common,
                    )
                )
    return entries


def _list_entries(records, versions, *, subject, render):
    """Entries of rows shown as one value of the table (goals, spending plan): the rows are replayed
    save by save (records of one save share their time), and each save that changed the rendered text
    is one entry per field label, old and new. A save that touches a row whose earlier value was never
    recorded shows nothing rather than a wrong old value."""
    entries = []
    state = {}
    groups = []
    for record in records:
        key = (record.project_id, record.history_date)
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(record)
    for (project_id, at), group in groups:
        rows = state.setdefault(project_id, {})
        before = render(rows.values())
        unknown = any(record.history_type != "+" and record.id not in rows for record in group)
        for record in group:
            if record.history_type == "-":
                rows.pop(record.id, None)
            else:
                rows[record.id] = record
        after = render(rows.values())
        if unknown or any(_is_told_elsewhere(record) for record in group):
            continue
        for label in after:
            if before.get(label, "") != after[label]:
                entries.append(
                    HistoryEntry(
                        at=at,
                        user=group[-1].history_user,
                        version=versions.get(project_id, 0),
                        kind="changed",
                        action="修改",
                        subject=subject,
                        item="",
                        field=label,
                        old=before.get(label, ""),
                        new=after[label],
                        note=group[-1].history_change_reason or "",
                    )
                )
    return entries


_TARGET_FIELDS = ("year", "overall_goal", "funds_total", "funds_basic", "funds_project", "framework_id", "status")
_SUB_TARGET_FIELDS = ("title", "goal", "indicator_text", "safeguards")


def target_history(target):
    """Everything that happened to a department's whole-department targets of one year, across all
    versions, oldest first: review records, and changes to the target, its sub-targets and its rows."""
    versions = _versions(target)
    ids = list(versions)
    own = DepartmentTarget.history.filter(id__in=ids).select_related("history_user").order_by("history_date", "history_id")
    rows = list(
        Indicator.history.filter(department_target_id__in=ids).select_related("history_user").order_by("history_date", "history_id")
    )
    subs = DepartmentSubTarget.history.filter(target_id__in=ids).select_related("history_user").order_by("history_date", "history_id")
    names = _framework_names()
    records = ReviewRecord.objects.filter(department_target_id__in=ids).select_related("actor").prefetch_related("comments")
    entries = [_review_entry(record, versions.get(record.department_target_id, 0)) for record in records]
    entries += _object_entries(list(own), DepartmentTarget, _TARGET_FIELDS, versions, names, subject=str(DepartmentTarget._meta.verbose_name))
    entries += _object_entries(
        list(subs),
        DepartmentSubTarget,
        _SUB_TARGET_FIELDS,
        versions,
        names,
        subject=str(DepartmentSubTarget._meta.verbose_name),
        item=lambda record: record.title,
        parent="target_id",
    )
    entries += _object_entries(
        rows,
        Indicator,
        _INDICATOR_FIELDS,
        versions,
        names,
        subject=str(Indicator._meta.verbose_name),
        item=lambda record: _row_name(record, names),
        parent="department_target_id",
    )
    return sorted(entries, key=lambda entry: entry.at)


def _review_entry(record, version):
    note = "；".join(
        part
        for part in (record.get_reason_display() if record.reason else "", record.get_grade_display() if record.grade else "", record.comment)
        if part
    )
    return HistoryEntry(
        at=record.at,
        user=record.actor,
        version=version,
        kind="review",
        action=record.get_action_display(),
        subject=str(ReviewRecord._meta.verbose_name),
        item="",
        field=_label(ProjectTable, "status"),
        old=record.get_from_status_display(),
        new=record.get_to_status_display(),
        note=note,
        record=record,
    )


def _render_goals(rows):
    rows = sorted(rows, key=lambda row: (row.kind, row.order, row.id))
    return {kind.label: "\n".join(row.text for row in rows if row.kind == kind) for kind in GoalKind}


def _render_plan(rows):
    rows = sorted(rows, key=lambda row: row.month)
    label = str(SpendingCheckpoint._meta.verbose_name)
    return {label: "；".join(f"{row.month}月底 {decimal_text(row.cumulative_percent) or ''}%" for row in rows)}


def table_history(project):
    """Everything that happened to this table, across all its versions, oldest first: each review
    record, and each change to a field of the table, a goal, the spending plan or a 三级 row (who,
    when, which, old and new value). A fixed number of queries, however long the history."""
    versions = _versions(project)
    ids = list(versions)
    table_records = list(
        ProjectTable.history.filter(id__in=ids).select_related("history_user").order_by("history_date", "history_id")
    )
    row_records = list(
        Indicator.history.filter(project_id__in=ids).select_related("history_user").order_by("history_date", "history_id")
    )
    goal_records = list(
        ProjectGoal.history.filter(project_id__in=ids).select_related("history_user").order_by("history_date", "history_id")
    )
    plan_records = list(
        SpendingCheckpoint.history.filter(project_id__in=ids)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = _framework_names()
    attribute_ids = {record.attribute_id for record in table_records if record.attribute_id}
    for item in CodeItem.objects.filter(pk__in=attribute_ids):
        names[(CodeItem, item.pk)] = str(item)

    entries = []
    for record in ReviewRecord.objects.filter(project_id__in=ids).select_related("actor").prefetch_related("comments"):
        entries.append(_review_entry(record, versions.get(record.project_id, 0)))
    entries += _object_entries(
        table_records, ProjectTable, _TABLE_FIELDS, versions, names, subject=str(ProjectTable._meta.verbose_name)
    )
    entries += _object_entries(
        row_records,
        Indicator,
        _INDICATOR_FIELDS,
        versions,
        names,
        subject=str(Indicator._meta.verbose_name),
        item=lambda record: _row_name(record, names),
    )
    entries += _list_entries(goal_records, versions, subject=str(ProjectGoal._meta.verbose_name), render=_render_goals)
    entries += _list_entries(plan_records, versions, subject=str(SpendingCheckpoint._meta.verbose_name), render=_render_plan)
    return sorted(entries, key=lambda entry: entry.at)
