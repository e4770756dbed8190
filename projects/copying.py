"""Copying a document: the one function behind 复制上年 (a draft for another year) and 调整 (the next
version of an approved document).

A copy takes the document's own content (every editable field of the header, and its children: goals,
spending plan, sub-targets, indicator rows) and none of what the workflow owns (status, version,
revision, the links between versions): the caller names those in ``changes``. Each copied indicator row
remembers the row it came from (``copied_from``), so the editor and the review page can show last
year's or the approved value beside the new one. Every row written is recorded in the history with
``reason``.
"""

from dataclasses import dataclass

from indicators.models import FindingExplanation, Indicator
from perfgoals.history import create_with_history
from projects.models import DepartmentSubTarget, DepartmentTarget, ProjectGoal, ProjectTable, SpendingCheckpoint

# Never copied from the header: keys, bookkeeping, what the workflow owns and the stored result of the
# checks (the caller rechecks the copy).
_NOT_CONTENT = frozenset(
    {
        *("id", "uid", "created_at", "updated_at", "updated_by"),
        *("status", "version", "revision", "previous_version", "copied_from"),
        *("quality_score", "quality_grade", "checked_at"),
    }
)
# Never copied from a child row: its key, its parent and its own bookkeeping.
_NOT_ROW_CONTENT = frozenset({"id", "uid", "copied_from", "project", "department_target", "target"})


@dataclass(frozen=True)
class Children:
    """One kind of child row of a document: the model, the key that points at the parent, and the
    related manager's name on the parent."""

    model: type
    parent_field: str
    related_name: str


_CHILDREN = {
    ProjectTable: (
        Children(ProjectGoal, "project", "goals"),
        Children(SpendingCheckpoint, "project", "spending_plan"),
    ),
    DepartmentTarget: (Children(DepartmentSubTarget, "target", "sub_targets"),),
}
_INDICATOR_PARENT = {ProjectTable: "project", DepartmentTarget: "department_target"}


def content_fields(model):
    """The names of ``model``'s own content fields: what a copy takes over unchanged."""
    return [
        field.attname if field.is_relation else field.name
        for field in model._meta.concrete_fields
        if field.name not in _NOT_CONTENT and not field.auto_created
    ]


def _row_fields(model):
    return [
        field.attname if field.is_relation else field.name
        for field in model._meta.concrete_fields
        if field.name not in _NOT_ROW_CONTENT and not field.primary_key
    ]


def copy_document(document, *, by, reason, changes, explanations=False):
    """A new document holding ``document``'s content, with ``changes`` (field → value) applied to the
    header, and its child rows and indicator rows copied. ``explanations`` also copies the unit's
    explanations of warnings (an adjustment keeps them; a new year's table starts without). Returns the
    saved copy; runs inside the caller's transaction."""
    model = type(document)
    copy = model(**{**{name: getattr(document, name) for name in content_fields(model)}, **changes}, updated_by=by)
    copy._history_user = by
    copy._change_reason = reason
    copy.save()
    for children in _CHILDREN[model]:
        fields = _row_fields(children.model)
        create_with_history(
            [
                children.model(**{children.parent_field: copy}, **{name: getattr(row, name) for name in fields})
                for row in getattr(document, children.related_name).all()
            ],
            by=by,
            reason=reason,
        )
    parent = _INDICATOR_PARENT[model]
    rows = list(Indicator.objects.filter(**{parent: document}).order_by("order", "id"))
    fields = [name for name in _row_fields(Indicator) if name not in ("project_id", "department_target_id")]
    copies = create_with_history(
        [Indicator(**{parent: copy}, copied_from=row, **{name: getattr(row, name) for name in fields}) for row in rows],
        by=by,
        reason=reason,
    )
    if explanations and model is ProjectTable:
        new_uid = {str(row.uid): str(new.uid) for row, new in zip(rows, copies)}
        FindingExplanation.objects.bulk_create(
            FindingExplanation(
                project=copy,
                rule=item.rule,
                indicator_uid=new_uid.get(item.indicator_uid, "") if item.indicator_uid else "",
                text=item.text,
                created_by=item.created_by,
            )
            for item in document.finding_explanations.all()
            if not item.indicator_uid or item.indicator_uid in new_uid
        )
    return copy
