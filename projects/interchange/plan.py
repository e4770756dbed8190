"""The plan of an import: each table and target read and checked, and what it would write kept as a
function to run once the whole document is good."""

from dataclasses import dataclass


from indicators.models import Indicator
from perfgoals.formatting import decimal_text
from perfgoals.history import create_with_history, delete_with_history, update_with_history
from projects import permissions, schema
from projects.breakdown import read_lines
from projects.models import (
    DepartmentSubTarget,
    DepartmentTarget,
    GoalKind,
    ProjectGoal,
    ProjectTable,
    SpendingCheckpoint,
)


# What an import writes on a 三级 row: the schema's row fields but the library entry, which it keeps.
WRITTEN_FIELDS = tuple(name for name in schema.INDICATOR_ROW_FIELDS if name != "library_entry_id")
# The same as stored (the 二级 by its id), compared to tell a changed row from an unchanged one.
COMPARED_ATTRIBUTES = tuple(Indicator._meta.get_field(name).attname for name in WRITTEN_FIELDS)
# The declared values of a row set as read: all but its uid, its 一级/二级 and its 指标值 (parsed by set_value).
TAKEN_AS_READ = tuple(
    field for field in schema.INDICATOR.fields if field.model_field and field.key not in ("uid", "value", "level2")
)


def read_declared(reader, declared, data, where):
    """The document's free-text, money and line fields (projects.schema) as the model stores them, each
    checked as it is read: a text's kind and length, an amount's form and size, a line's parent."""
    values = {}
    for field in declared.fields:
        if field.kind == schema.TEXT:
            max_length = declared.model._meta.get_field(field.model_field).max_length
            values[field.model_field] = reader.text(data, field.key, where, max_length=max_length)
        elif field.kind == schema.MONEY:
            group, _, key = field.key.partition(".")
            amount = (data.get(group) or {}).get(key) if key else data.get(group)
            values[field.model_field] = reader.money(amount, where, field.short_label(declared.model))
        elif field.kind == schema.LINES:
            group, _, key = field.key.partition(".")
            value = (data.get(group) or {}).get(key) if key else data.get(group)
            lines, problems = read_lines(value, lambda amount, label: reader.money(amount, where, label))
            for problem in problems:
                reader.problem(where, problem)
            values[field.model_field] = lines
    return values


@dataclass(frozen=True)
class Keys:
    """What a table's name and code are unique by, as an update will leave them (Reader.keys_of)."""

    uid: object
    year: int
    name: str
    code: str
    version: int
    unit_id: int = None
    region_id: int = None


def check_indicator_uids(reader, rows, owner, where):
    """An indicator uid may appear once, and only on rows of the table being imported: a uid that
    belongs to another table means rows were copied between tables, which would silently move them."""
    seen = {}  # ordered: problems follow the rows
    uids = [row["uid"] for row in rows if row["uid"]]
    for uid in uids:
        if uid in seen:
            reader.problem(where, f"三级指标标识“{uid}”出现了不止一次。")
        seen[uid] = True
    for uid in seen:
        if uid in reader.indicator_owners and reader.indicator_owners[uid] != owner:
            reader.problem(where, f"三级指标标识“{uid}”属于另一张表，不能导入到这里。")


def write_indicators(rows, result, existing, reader, **owner):
    """Write the rows of one table, updating rows whose uid the table already has in place (so each
    kept row keeps its id and only its changed fields are written), creating the new ones and
    deleting the ones the document no longer lists. Returns the rows to create, in order."""
    by_uid = {indicator.uid: indicator for indicator in existing}
    to_create, to_update = [], []
    for order, row in enumerate(rows, 1):
        indicator = by_uid.pop(row["uid"], None) if row["uid"] else None
        is_new = indicator is None
        if is_new:
            indicator = Indicator(**owner)
            if row["uid"]:
                indicator.uid = row["uid"]
        before = None if is_new else [getattr(indicator, name) for name in COMPARED_ATTRIBUTES]
        indicator.level2_id = row["level2"].pk
        indicator.order = order
        for field in TAKEN_AS_READ:
            setattr(indicator, field.model_field, row[field.key])
        indicator.set_value(row["value"])
        if is_new:
            to_create.append(indicator)
        elif before != [getattr(indicator, name) for name in COMPARED_ATTRIBUTES]:
            to_update.append(indicator)
    if by_uid:
        delete_with_history(Indicator.objects.filter(pk__in=[indicator.pk for indicator in by_uid.values()]), **reader.history)
    reader.create_later(to_create)
    if to_update:
        update_with_history(to_update, WRITTEN_FIELDS, **reader.history)
    table = owner.get("project") or owner.get("department_target")
    for uid in by_uid:
        reader.indicator_owners.pop(uid, None)
    for indicator in to_create + to_update:
        reader.indicator_owners[indicator.uid] = (table.uid, None) if "project" in owner else (None, table.uid)
    result.indicators += len(rows)
    result.indicators_created += len(to_create)
    result.indicators_updated += len(to_update)
    result.indicators_deleted += len(by_uid)
    return to_create


def canonical_indicators(rows):
    """The rows read, as the export would write them once stored: to tell an unchanged table."""
    return [{field.key: _canonical_value(field, row) for field in schema.INDICATOR.fields} for row in rows]


def _canonical_value(field, row):
    if field.key == "level1":
        return row["level2"].level1.name
    if field.key == "level2":
        return row["level2"].name
    return field.written(row[field.key])


def import_project_table(reader, data, index, regions, departments, units, result):
    label = data.get("name") or "（未命名）"
    where = f"第 {index} 张项目表（{label}）"
    region = regions.get(data.get("region"))
    if region is None:
        reader.problem(where, f"行政区划“{data.get('region')}”不存在。")
        return
    department = departments.get((region.code, data.get("department")))
    if department is None:
        reader.problem(where, f"主管部门“{data.get('department')}”不在组织机构中。")
    unit = units.get((region.code, data.get("unit")))
    if unit is None:
        reader.problem(where, f"实施单位“{data.get('unit')}”不在组织机构中。")
    year = reader.year(data, where)
    framework = reader.framework(data, where)
    status, version = reader.status_and_version(data, where)
    attribute = None
    if data.get("attribute"):
        attribute = reader.attributes.get(data["attribute"])
        if attribute is None:
            reader.problem(where, f"项目属性代码“{data['attribute']}”不在代码表中。")
    fields = {
        "region": region,
        "department": department,
        "unit": unit,
        "year": year,
        "attribute": attribute,
        **read_declared(reader, schema.PROJECT_TABLE, data, where),
        "framework_id": framework.pk if framework is not None else None,
        "no_direct_beneficiaries": bool(data.get("no_direct_beneficiaries")),
        "status": status,
        "version": version,
    }
    plan = []
    for point in data.get("spending_plan") or []:
        month = point.get("month")
        if not isinstance(month, int) or not 1 <= month <= 12:
            reader.problem(where, f"资金支出计划的月份“{month}”应为 1–12。")
            continue
        if month in {seen for seen, _ in plan}:
            reader.problem(where, f"资金支出计划的{month}月底重复填写。")
            continue
        plan.append((month, reader.decimal(point.get("percent"), where, f"{month}月底累计支出比例", 0, 100)))
    goals = data.get("goals") or {}
    for kind in goals:
        if kind not in GoalKind.values:
            reader.problem(where, f"目标类别“{kind}”无效。")
    indicators = reader.indicators(data.get("indicators") or [], framework, where)
    uid = reader.uid(data, where)
    if reader.problems:
        return
    existing = reader.stored_tables.get(uid) if uid else None
    if fields["name"] and reader.taken("taken_names", (unit.pk, year, fields["name"], version), existing):
        reader.problem(where, f"{unit}已有 {year} 年同名项目表（第 {version} 版）。")
        return
    if fields["code"] and reader.taken("taken_codes", (region.pk, year, fields["code"], version), existing):
        reader.problem(where, f"项目编码“{fields['code']}”在{region.name} {year} 年已被使用。")
        return
    check_indicator_uids(reader, indicators, (existing.uid, None) if existing else None, where)
    if reader.problems:
        return None
    if existing:
        given = {
            "uid": str(uid),
            "spending_plan": [
                {"month": month, "percent": decimal_text(percent)} for month, percent in sorted(plan, key=lambda p: p[0])
            ],
            "goals": {kind.value: list(goals.get(kind.value) or []) for kind in GoalKind},
            "indicators": canonical_indicators(indicators),
        }
        incoming = schema.PROJECT_TABLE.document(ProjectTable(**fields), reader.frameworks, given)
        if incoming == reader.current_tables.get(str(uid)):
            result.unchanged += 1
            return None
        if refusal := reader.refusal(existing, permissions.can_edit):
            reader.problem(where, refusal)
            return None
        result.compared[str(uid)] = (ProjectTable, reader.current_tables.get(str(uid)), incoming)
        if reader.editor is not None:
            fields["status"], fields["version"] = existing.status, existing.version
        table = existing
        keys = Keys(
            table.uid, fields["year"], fields["name"], fields["code"], fields["version"], unit.pk, region.pk
        )
        reader.claim(keys, reader.keys_of(table))
    else:
        table = ProjectTable(**fields)
        if uid:
            table.uid = uid
        reader.claim(table)
        reader.stored_tables[table.uid] = table
    reader.own_rows(indicators, (table.uid, None))

    def write():
        """The writes this table's plan makes, run once the whole document has been checked."""
        reader.rewriting(table.uid)
        if existing:
            for name, value in fields.items():
                setattr(table, name, value)
            table.revision += 1
            table._history_user = reader.history["by"]
            table.save()
            delete_with_history(table.goals.all(), **reader.history)
            delete_with_history(table.spending_plan.all(), **reader.history)
            result.updated += 1
        else:
            reader.create_later([table])
            result.created += 1
        checkpoints = [SpendingCheckpoint(project=table, month=month, cumulative_percent=percent) for month, percent in plan]
        texts = [
            ProjectGoal(project=table, kind=kind, order=order, text=text)
            for kind, items in goals.items()
            for order, text in enumerate(items or [], 1)
        ]
        reader.create_later(checkpoints)
        reader.create_later(texts)
        rows = write_indicators(indicators, result, table.indicators.all() if existing else (), reader, project=table)
        if not existing:
            reader.created_tables[table.uid] = (table, rows, texts, checkpoints)
        result.tables.append(table)

    return write


def import_department_target(reader, data, index, regions, departments, result):
    where = f"第 {index} 份部门整体绩效目标（{data.get('department')}）"
    department = departments.get((data.get("region"), data.get("department")))
    if department is None:
        reader.problem(where, f"主管部门“{data.get('department')}”不在组织机构中。")
    year = reader.year(data, where)
    framework = reader.framework(data, where)
    status, version = reader.status_and_version(data, where)
    subs = []
    for number, sub in enumerate(data.get("sub_targets") or [], 1):
        here = f"{where}第 {number} 个分项"
        subs.append(
            {
                "title": reader.text(sub, "title", here, required=True, max_length=200),
                "goal": reader.text(sub, "goal", here),
                "indicator_text": reader.text(sub, "indicator_text", here),
                "safeguards": reader.text(sub, "safeguards", here),
            }
        )
    indicators = reader.indicators(data.get("indicators") or [], framework, where)
    uid = reader.uid(data, where)
    declared = read_declared(reader, schema.DEPARTMENT_TARGET, data, where)
    if reader.problems:
        return None
    existing = reader.stored_target(uid)
    if reader.target_taken(department, year, version, existing):
        reader.problem(where, f"{department.name} {year} 年已有部门整体绩效目标（第 {version} 版）。")
        return None
    check_indicator_uids(reader, indicators, (None, existing.uid) if existing else None, where)
    if reader.problems:
        return None
    fields = {
        "department": department,
        "year": year,
        **declared,
        "framework_id": framework.pk if framework is not None else None,
        "status": status,
        "version": version,
    }
    if existing:
        given = {
            "uid": str(uid),
            "region": department.region.code,
            "sub_targets": subs,
            "indicators": canonical_indicators(indicators),
        }
        incoming = schema.DEPARTMENT_TARGET.document(DepartmentTarget(**fields), reader.frameworks, given)
        if incoming == reader.current_targets.get(str(uid)):
            result.unchanged += 1
            return None
        if refusal := reader.refusal(existing, permissions.can_edit_department_target):
            reader.problem(where, refusal)
            return None
        result.compared[str(uid)] = (DepartmentTarget, reader.current_targets.get(str(uid)), incoming)
        if reader.editor is not None:
            fields["status"], fields["version"] = existing.status, existing.version
        target = existing
    else:
        target = DepartmentTarget(**fields)
        if uid:
            target.uid = uid
    reader.claim_target(target, department, year, fields["version"])
    reader.own_rows(indicators, (None, target.uid))

    def write():
        """The writes this target's plan makes, run once the whole document has been checked."""
        stored = target.pk is not None
        if stored:
            reader.rewriting(target.uid)
        for name, value in fields.items():
            setattr(target, name, value)
        if stored:
            target.revision += 1
        target._history_user = reader.history["by"]
        target.save()
        if stored:
            delete_with_history(target.sub_targets.all(), **reader.history)
            result.updated += 1
        else:
            reader.rewriting(target.uid)
            result.created += 1
        create_with_history(
            (DepartmentSubTarget(target=target, order=order, **sub) for order, sub in enumerate(subs, 1)), **reader.history
        )
        write_indicators(indicators, result, target.indicators.all() if stored else (), reader, department_target=target)
        result.targets.append(target)

    return write
