"""Work on target tables that spans models: saving an editor page, copying last year's table."""

from django.db import transaction
from django.utils import timezone

from indicators.checks.services import project_recheck
from indicators.models import Indicator
from perfgoals.history import create_with_history, delete_with_history, record_changes
from projects.models import DepartmentTarget, GoalKind, ProjectTable, TableStatus

INDICATOR_FIELDS = [
    "level2",
    "order",
    "name",
    "description",
    "value_text",
    "value_nature",
    "value_number",
    "value_unit",
    "value_prefix",
    "value_qualitative",
    "basis",
    "basis_text",
    "weight",
    "note",
]


class EditConflict(Exception):
    """Someone saved the table after this editor page was loaded; the later save is refused."""

    def __init__(self, table):
        self.table = table
        who = table.updated_by.get_full_name() or table.updated_by.first_name or table.updated_by.username if table.updated_by else "其他用户"
        when = timezone.localtime(table.updated_at).strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(
            f"保存被拒绝：{who} 在 {when} 保存了这张表，您打开页面之后它已被修改。"
            "您的输入仍保留在页面上，请先复制需要保留的内容，再刷新页面查看对方的修改后重新填写。"
        )


def edit_token(table):
    """What the editor page remembers of the version it showed: the last save's timestamp."""
    return table.updated_at.isoformat() if table and table.pk else ""


def _lock_unchanged(model, table, token):
    """Lock the stored row and refuse if it changed since the page was loaded."""
    current = model.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=table.pk)
    if edit_token(current) != token:
        raise EditConflict(current)
    return current


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
    with transaction.atomic():
        table = form.instance
        if table.pk:
            _lock_unchanged(ProjectTable, table, token)
        else:
            table.unit = unit
            table.department = unit.department
            table.region = unit.region
        table.updated_by = by
        table._history_user = by
        table._history_date = at = timezone.now()
        table = form.save()
        _save_ordered(goals, "project", table, by=by, at=at, kind=GoalKind.ANNUAL)
        _save_ordered(long_term_goals, "project", table, by=by, at=at, kind=GoalKind.LONG_TERM)
        _save_ordered(spending_plan, "project", table, by=by, at=at)
        _save_indicators(indicators, by=by, at=at, project=table)
        project_recheck(project=table, level2s=indicators.level2s)
    return table


def department_target_save(*, form, sub_targets, indicators, by, department=None, token=""):
    """Save the whole-department target page in one transaction; same rules as project_save."""
    with transaction.atomic():
        target = form.instance
        if target.pk:
            _lock_unchanged(DepartmentTarget, target, token)
        else:
            target.department = department
        target.updated_by = by
        target._history_user = by
        target._history_date = at = timezone.now()
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
    with transaction.atomic():
        copy = ProjectTable(
            region=project.region,
            department=project.department,
            unit=project.unit,
            year=year,
            name=project.name,
            code="",
            attribute=project.attribute,
            period=project.period,
            funds_total=project.funds_total,
            funds_fiscal=project.funds_fiscal,
            funds_other=project.funds_other,
            fund_use=project.fund_use,
            framework=project.framework,
            no_direct_beneficiaries=project.no_direct_beneficiaries,
            status=TableStatus.DRAFT,
            copied_from=project,
            updated_by=by,
        )
        copy._history_user = by
        copy._change_reason = reason = "复制上年"
        copy.save()
        create_with_history(
            [type(goal)(project=copy, kind=goal.kind, order=goal.order, text=goal.text) for goal in project.goals.all()],
            by=by,
            reason=reason,
        )
        create_with_history(
            [
                type(point)(project=copy, month=point.month, cumulative_percent=point.cumulative_percent)
                for point in project.spending_plan.all()
            ],
            by=by,
            reason=reason,
        )
        create_with_history(
            [
                Indicator(
                    project=copy,
                    copied_from=row,
                    **{name: getattr(row, name) for name in INDICATOR_FIELDS},
                )
                for row in project.indicators.all()
            ],
            by=by,
            reason=reason,
        )
        project_recheck(project=copy)
    return copy
