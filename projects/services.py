"""Work on target tables that spans models: saving an editor page, copying last year's table."""

from django.db import transaction
from django.utils import timezone

from projects.findings import project_recheck
from indicators.models import Indicator
from perfgoals.history import create_with_history, delete_with_history, record_changes
from projects import permissions, tallies
from projects.copying import copy_document
from projects.schema import INDICATOR_ROW_FIELDS
from projects.models import DepartmentTarget, GoalKind, ProjectTable

# The fields of a 三级 row the editor writes and a copy takes over: declared in projects.schema.
INDICATOR_FIELDS = INDICATOR_ROW_FIELDS


# What the workflow owns on a document: an editor's save never writes these, whatever the page held.
WORKFLOW_FIELDS = ("status", "version", "previous_version_id", "copied_from_id", "revision")


def _name(user):
    return (user.get_full_name() or user.first_name or user.username) if user else "其他用户"


class EditConflict(Exception):
    """The document changed after this editor page was loaded (saved by someone, or moved on by a
    workflow action); the later save is refused and changes nothing."""

    KEEP = "您的输入仍保留在页面上，请先复制需要保留的内容，再刷新页面查看最新内容后重新填写。"

    def __init__(self, table, *, reason=""):
        self.table = table
        if reason:
            message = f"保存被拒绝：{reason}{self.KEEP}"
        else:
            when = timezone.localtime(table.updated_at).strftime("%Y-%m-%d %H:%M:%S")
            message = f"保存被拒绝：{_name(table.updated_by)} 在 {when} 保存了这张表，您打开页面之后它已被修改。{self.KEEP}"
        super().__init__(message)


def edit_token(table):
    """What the editor page remembers of the version it showed: the document's revision, which every
    save and every workflow action moves on."""
    return str(table.revision) if table and table.pk else ""


# How a refusal names the workflow action that moved the document on ("已于 … 被 … 提交审核").
_DONE = {"submit": "提交审核", "pass": "审核通过", "approve": "批复", "adjust": "发起调整"}


def _last_action(document):
    return document.reviews.select_related("actor").order_by("-at", "-id").first() if hasattr(document, "reviews") else None


def moved_on(document, refused="不能再修改"):
    """Why ``document`` (read on its locked row) can no longer be changed: who took which workflow
    action when, and the state it is in now. The editor's save and the import say the same."""
    last = _last_action(document)
    state = f"（当前状态：{document.get_status_display()}）"
    if last is None:
        return f"这张表{state}{refused}。"
    when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")
    done = _DONE.get(last.action, last.get_action_display())
    return f"这张表已于 {when} 被 {_name(last.actor)}{done}{state}，{refused}。"


def _lock_for_edit(model, table, token, may_edit, by):
    """The stored row, locked until the end of the transaction, after checking on it, not on the copy
    the page was built from, that ``by`` may still edit it and that nothing changed it since ``token``.
    A submit or an approval that got the lock first is seen here, and the save is refused."""
    current = model.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=table.pk)
    if not may_edit(by, current):
        raise EditConflict(current, reason=moved_on(current))
    if edit_token(current) != token:
        last = _last_action(current)
        if last is not None and last.at > current.updated_at:
            # A withdrawal or a return since the page was loaded: still editable, but not this page.
            raise EditConflict(current, reason=moved_on(current, "您打开页面之后它已有变化"))
        raise EditConflict(current)
    return current


def _save_owned_fields(form, current, by, at):
    """Save the form's own fields onto the locked row: the workflow's fields keep their stored values,
    and the revision moves on."""
    table = form.instance
    for name in WORKFLOW_FIELDS:
        if hasattr(current, name):
            setattr(table, name, getattr(current, name))
    table.revision = current.revision + 1
    table.updated_by = by
    table._history_user = by
    table._history_date = at
    table = form.save(commit=False)
    owned = [field.name for field in table._meta.concrete_fields if field.name in form.fields]
    table.save(update_fields=[*owned, "updated_by", "updated_at", "revision"])
    form.save_m2m()
    return table


def _save_indicators(indicator_formset, by=None, at=None, **owner):
    """Write the grid in a fixed number of queries: delete, update and create in bulk, with the field
    history of the rows deleted, created and changed by the user. A row saved unchanged, or only
    renumbered because a row above it was deleted, gets no history record; a row whose every column
    is as it was loaded is not written at all (an unchanged 30-row grid was one UPDATE of 14 CASE
    expressions over 30 ids, most of a save's time)."""
    deleted = [row.pk for row in indicator_formset.rows_to_delete()]
    if deleted:
        delete_with_history(Indicator.objects.filter(pk__in=deleted), by=by, at=at)
    updated, created, changed = [], [], []
    for order, form in enumerate(indicator_formset.rows_in_order(), 1):
        row = form.save(commit=False)
        if row.pk and form.has_changed():
            changed.append(row)
        row.order = order
        for name, value in owner.items():
            setattr(row, name, value)
        if row.pk and indicator_formset.is_unchanged(row):
            continue
        (updated if row.pk else created).append(row)
    if updated:
        Indicator.objects.bulk_update(updated, INDICATOR_FIELDS, batch_size=200)
    record_changes(changed, by=by, at=at)
    if created:
        create_with_history(created, by=by, at=at, batch_size=200)


def _save_ordered(formset, owner_field, owner, by=None, at=None, **extra):
    deleted = [row.pk for row in formset.forms_to_delete()]
    if deleted:
        delete_with_history(formset.model.objects.filter(pk__in=deleted), by=by, at=at)
    updated, created, changed = [], [], []
    for order, form in enumerate(formset.kept_forms(), 1):
        row = form.save(commit=False)
        if row.pk and form.has_changed():
            changed.append(row)
        setattr(row, owner_field, owner)
        if hasattr(row, "order"):
            row.order = order
        for name, value in extra.items():
            setattr(row, name, value)
        if row.pk and formset.is_unchanged(row):
            continue
        (updated if row.pk else created).append(row)
    fields = [name for name in formset.form._meta.fields] + [name for name in ("order",) if hasattr(formset.model, "order")]
    fields += list(extra)
    if updated:
        formset.model.objects.bulk_update(updated, fields)
    record_changes(changed, by=by, at=at)
    if created:
        create_with_history(created, by=by, at=at)


def project_save(*, form, goals, long_term_goals, spending_plan, indicators, by, unit=None, token=""):
    """Save the editor page: the table, its goals, spending plan and indicator rows, all in one
    transaction, after every form has been validated. A new table belongs to ``unit``.
    Raises EditConflict when the table was saved by someone else since ``token``."""
    at = timezone.now()
    # The unit-year's tallies are refreshed once, after the table, its rows and its findings are written.
    with transaction.atomic(), tallies.deferred():
        table = form.instance
        if table.pk:
            current = _lock_for_edit(ProjectTable, table, token, permissions.can_edit, by)
            table = _save_owned_fields(form, current, by, at)
        else:
            table.unit = unit
            table.department = unit.department
            table.region = unit.region
            table.updated_by = by
            table._history_user = by
            table._history_date = at
            table = form.save()
        _save_ordered(goals, "project", table, by=by, at=at, kind=GoalKind.ANNUAL)
        _save_ordered(long_term_goals, "project", table, by=by, at=at, kind=GoalKind.LONG_TERM)
        _save_ordered(spending_plan, "project", table, by=by, at=at)
        _save_indicators(indicators, by=by, at=at, project=table)
        project_recheck(project=table)
    return table


def department_target_save(*, form, sub_targets, indicators, by, department=None, token=""):
    """Save the whole-department target page in one transaction; same rules as project_save."""
    at = timezone.now()
    with transaction.atomic():
        target = form.instance
        if target.pk:
            current = _lock_for_edit(DepartmentTarget, target, token, permissions.can_edit_department_target, by)
            target = _save_owned_fields(form, current, by, at)
        else:
            target.department = department
            target.updated_by = by
            target._history_user = by
            target._history_date = at
            target = form.save()
        _save_ordered(sub_targets, "target", target, by=by, at=at)
        _save_indicators(indicators, by=by, at=at, department_target=target)
    return target


class CopyRefused(Exception):
    """复制上年被拒绝的原因（中文）。"""


def project_copy_to_year(*, project, year, by):
    """复制上年：把一张表复制为新年度的草稿。每条三级指标记住它来自哪一条，
    编辑页据此把上年的指标值显示在今年的旁边。项目编码含有年度，不复制，由单位重新填写。"""
    if ProjectTable.objects.filter(unit=project.unit, year=year, name=project.name).exists():
        raise CopyRefused(f"{year} 年已有同名项目表“{project.name}”，未重复复制。")
    with transaction.atomic(), tallies.deferred():
        copy = copy_document(
            project,
            by=by,
            reason="复制上年",
            changes={"year": year, "code": "", "copied_from": project},
        )
        project_recheck(project=copy)
    return copy
