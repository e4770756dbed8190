"""The reader: checks each value of a document, collecting every problem with its place, and looks up
what the checks need for the whole document at once."""

import uuid
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone

from indicators.frameworks import framework_snapshot
from indicators.models import Basis, Indicator
from perfgoals.history import acting_user, create_with_history
from projects.models import (
    CodeItem,
    Department,
    DepartmentTarget,
    ProjectTable,
    Region,
    TableStatus,
    Unit,
    money_fits,
    money_limit_message,
)
from projects.services import moved_on
from projects.interchange.export import export_document


def uuid_or_none(value):
    """``value`` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# Django's Choices.values builds its list anew at every call: once per row of an import of 12,000 rows.
BASES = frozenset(Basis.values)


class Reader:
    """Checks one document, collecting every problem with its place, before anything is written."""

    def __init__(self, document, by=None, editor=None):
        self.document = document
        # A unit's staff importing through the browser: every stored document the import would change
        # is checked, on its locked row, to be still editable by them, and keeps its workflow status.
        self.editor = editor
        # Who imports, with one time for each import: the field history of every row written says so.
        self.history = {"by": acting_user(by), "reason": "导入", "at": timezone.now()}
        self.problems = []
        # 一级/二级 as the snapshot holds them (indicators.frameworks): plain records, one query per import.
        self.frameworks = framework_snapshot()
        self.attributes = {item.code: item for item in CodeItem.objects.filter(list=CodeItem.List.PROJECT_ATTRIBUTE)}
        self.region_codes = {r.code for r in Region.objects.all()}

    def load_current_exports(self, document):
        """The current export of every table the document names by uid, to tell unchanged tables
        (written not at all) from changed ones. One export for all of them, not one per table."""
        def uids(key):
            return {uuid_or_none(data.get("uid")) for data in document.get(key) or [] if isinstance(data, dict)} - {None}

        current = export_document(
            ProjectTable.objects.filter(uid__in=uids("project_tables")),
            DepartmentTarget.objects.filter(uid__in=uids("department_targets")),
        )
        self.current_tables = {data["uid"]: data for data in current["project_tables"]}
        self.current_targets = {data["uid"]: data for data in current["department_targets"]}

    def load_stored(self, document):
        """What the checks of each table look up, read for the whole document at once and then kept
        as the database is while tables are written, instead of a few queries per table: the stored
        project tables the document names by uid, the names and codes taken in its years (a name is
        unique per unit, year and version, a code per region, year and version), and the table each
        indicator uid the document lists belongs to."""
        table_uids, row_uids, years, regions = set(), set(), set(), set()
        for key in ("project_tables", "department_targets"):
            for data in document.get(key) or []:
                if not isinstance(data, dict):
                    continue
                if key == "project_tables":
                    table_uids.add(uuid_or_none(data.get("uid")))
                    years.add(data.get("year") if isinstance(data.get("year"), int) else None)
                    regions.add(str(data.get("region")))
                rows = data.get("indicators")
                if isinstance(rows, list):
                    row_uids.update(uuid_or_none(row.get("uid")) for row in rows if isinstance(row, dict))
        # Locked until the import commits: a submission or an approval landing meanwhile is either
        # seen here (and the import refused) or waits for the import to finish.
        self.stored_tables = ProjectTable.objects.select_for_update(of=("self",)).in_bulk(table_uids - {None}, field_name="uid")
        self.taken_names, self.taken_codes = {}, {}
        # Tables are named by uid here, not id: new tables get their ids only when they are created,
        # all together at the end (create_pending).
        for table_uid, unit_id, region_id, year, name, code, version in ProjectTable.objects.filter(
            Q(region__code__in=regions) | Q(unit__region__code__in=regions), year__in=years - {None}
        ).values_list("uid", "unit_id", "region_id", "year", "name", "code", "version"):
            if name:
                self.taken_names[(unit_id, year, name, version)] = table_uid
            if code:
                self.taken_codes[(region_id, year, code, version)] = table_uid
        self.indicator_owners = {  # uid → (project table uid, department target uid)
            uid: (project, target)
            for uid, project, target in Indicator.objects.filter(uid__in=row_uids - {None}).values_list(
                "uid", "project__uid", "department_target__uid"
            )
        }
        self.planned_targets = {}  # uid → department target, stored or planned by this document
        self.taken_targets = {}  # (department id, year, version) → uid of the target planned to hold it
        self.written = set()  # uids of the tables written so far
        self.pending = {}  # model → rows to create at the end
        # uid → (table, indicators, goals, spending plan) of each project table the import creates and
        # writes once: what checking it reads, at hand (projects_recheck_written).
        self.created_tables = {}

    @staticmethod
    def keys_of(table):
        return (
            ("taken_names", (table.unit_id, table.year, table.name, table.version)) if table.name else None,
            ("taken_codes", (table.region_id, table.year, table.code, table.version)) if table.code else None,
        )

    def claim(self, table, before=()):
        """Note the name and code ``table`` now holds, and release the ones it held ``before``."""
        for index, key in filter(None, before):
            if getattr(self, index).get(key) == table.uid:
                del getattr(self, index)[key]
        for index, key in filter(None, self.keys_of(table)):
            getattr(self, index)[key] = table.uid

    def own_rows(self, rows, owner):
        """Note that the rows' uids now belong to ``owner`` (project table uid, department target uid),
        and that this document's other rows stop belonging to it, so later tables are checked against
        the document as it will be written."""
        uids = {row["uid"] for row in rows if row["uid"]}
        for uid, holder in list(self.indicator_owners.items()):
            if holder == owner and uid not in uids:
                del self.indicator_owners[uid]
        for uid in uids:
            self.indicator_owners[uid] = owner

    def stored_target(self, uid):
        """The department target with ``uid``: stored (locked until the import commits), or planned
        earlier in this document; None for a new one."""
        if not uid:
            return None
        if uid not in self.planned_targets:
            self.planned_targets[uid] = DepartmentTarget.objects.select_for_update(of=("self",)).filter(uid=uid).first()
        return self.planned_targets[uid]

    def target_taken(self, department, year, version, existing):
        """Whether a department target other than ``existing`` holds this department, year and version,
        stored or planned earlier in this document."""
        key = (department.pk, year, version)
        if key in self.taken_targets:
            return existing is None or self.taken_targets[key] != existing.uid
        stored = DepartmentTarget.objects.filter(department=department, year=year, version=version)
        return stored.exclude(pk=existing.pk if existing and existing.pk else None).exists()

    def claim_target(self, target, department, year, version):
        for key, uid in list(self.taken_targets.items()):
            if uid == target.uid:
                del self.taken_targets[key]
        self.taken_targets[(department.pk, year, version)] = target.uid
        self.planned_targets[target.uid] = target

    def taken(self, index, key, existing):
        """Whether a table other than ``existing`` holds ``key``."""
        holder = getattr(self, index).get(key)
        return holder is not None and (existing is None or holder != existing.uid)

    def create_later(self, objs):
        """Rows to create once the whole document has been checked and its tables written: one bulk
        insert (and one of history records) per kind of row for the whole import, not per table."""
        for obj in objs:
            self.pending.setdefault(type(obj), []).append(obj)

    def create_pending(self):
        # New project tables first, as the rows point at them. Their history records are the ones
        # saving a table one at a time writes (no reason, the time of writing), as before they were
        # created in bulk.
        tables = self.pending.pop(ProjectTable, [])
        create_with_history(tables, batch_size=1000, by=self.history["by"], reason=None)
        for objs in self.pending.values():
            create_with_history(objs, batch_size=1000, **self.history)
        self.pending = {}

    def rewriting(self, uid):
        """Before a table the import has already written is written again (its uid twice in the
        document), the rows it got the first time are created, so they are found and replaced."""
        if uid in self.written:
            self.create_pending()
            self.created_tables.pop(uid, None)  # written again: read back to be checked
        self.written.add(uid)

    def problem(self, where, message):
        self.problems.append(f"{where}：{message}")

    def text(self, data, key, where, required=False, max_length=None):
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(where, f"“{key}”应为文字。")
            return ""
        if required and not value.strip():
            self.problem(where, f"缺少“{key}”。")
        if max_length and len(value) > max_length:
            self.problem(where, f"“{key}”超过 {max_length} 个字符。")
        return value

    def decimal(self, value, where, label, minimum=None, maximum=None):
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.problem(where, f"{label}应写成文字形式的数字（例如 \"19.56\"），而不是 {value!r}。")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.problem(where, f"{label}“{value}”不是数字。")
            return None
        if not number.is_finite() or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            self.problem(where, f"{label}“{value}”超出允许范围。")
            return None
        return number

    def money(self, value, where, label):
        """An amount in 万元, refused unless the database keeps it exactly (projects.models.MONEY)."""
        number = self.decimal(value, where, label, 0)
        if number is not None and not money_fits(number):
            self.problem(where, money_limit_message(label, value))
            return None
        return number

    def uid(self, data, where):
        value = data.get("uid")
        if value in (None, ""):
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError:
            self.problem(where, f"标识“{value}”不是有效的 UUID。")
            return None

    def framework(self, data, where):
        code = data.get("framework")
        framework = self.frameworks.by_code.get(code)
        if framework is None:
            self.problem(where, f"指标体系“{code}”不存在（可用：{'、'.join(sorted(self.frameworks.by_code))}）。")
        return framework

    def year(self, data, where):
        year = data.get("year")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            self.problem(where, f"预算年度“{year}”应为 2000–2100 之间的整数。")
            return None
        return year

    def refusal(self, locked, may_edit):
        """Why the importing unit may not overwrite the stored, locked document any more, or None. A
        table submitted or approved since the file was read stays as the workflow left it."""
        if self.editor is None or may_edit(self.editor, locked):
            return None
        return moved_on(locked, "不能再导入覆盖；本次导入未写入任何内容")

    def status_and_version(self, data, where):
        status = data.get("status", TableStatus.DRAFT)
        if status not in TableStatus.values:
            self.problem(where, f"状态“{status}”无效。")
        version = data.get("version", 1)
        if not isinstance(version, int) or not 1 <= version <= 32767:
            self.problem(where, f"版本“{version}”应为正整数。")
        return status, version

    def indicators(self, rows, framework, where):
        parsed = []
        if not isinstance(rows, list):
            self.problem(where, "“indicators”应为列表。")
            return parsed
        for index, row in enumerate(rows, 1):
            here = f"{where}第 {index} 行指标"
            if not isinstance(row, dict):
                self.problem(here, "应为对象。")
                continue
            level2 = None
            if framework is not None:
                level2 = self.frameworks.level2(framework.code, row.get("level1"), row.get("level2"))
                if level2 is None:
                    self.problem(
                        here,
                        f"二级指标“{row.get('level2')}”不在{framework.name}的一级指标“{row.get('level1')}”之下。",
                    )
            basis = row.get("basis") or ""
            if basis and basis not in BASES:
                self.problem(here, f"指标值确定依据“{basis}”无效（可用：{'、'.join(Basis.values)}）。")
            parsed.append(
                {
                    "uid": self.uid(row, here),
                    "level2": level2,
                    "name": self.text(row, "name", here, max_length=1000),
                    "description": self.text(row, "description", here),
                    "value": self.text(row, "value", here, max_length=500),
                    "midterm_value": self.text(row, "midterm_value", here, max_length=500),
                    "basis": basis,
                    "basis_text": self.text(row, "basis_text", here, max_length=500),
                    "weight": self.decimal(row.get("weight"), here, "权重", 0, 100),
                    "note": self.text(row, "note", here),
                }
            )
        return parsed


def organisations(reader, document):
    """Create the regions, departments and units the document names; return lookups by (region, name)."""
    organisations = document.get("organisations") or {}
    for index, region in enumerate(organisations.get("regions") or [], 1):
        code = str(region.get("code") or "")
        if len(code) != 6 or not code.isdigit():
            reader.problem(f"行政区划第 {index} 条", f"区划代码“{code}”应为 6 位数字。")
            continue
        Region.objects.get_or_create(code=code, defaults={"name": region.get("name") or ""})
    regions = {r.code: r for r in Region.objects.all()}
    for department in organisations.get("departments") or []:
        region = regions.get(department.get("region"))
        if region is None:
            reader.problem(f"主管部门“{department.get('name')}”", f"行政区划“{department.get('region')}”不存在。")
            continue
        name, code = department.get("name") or "", department.get("code") or ""
        if code and Department.objects.filter(region=region, code=code).exclude(name=name).exists():
            reader.problem(f"主管部门“{name}”", f"部门代码“{code}”在{region.name}已属于另一个部门。")
            continue
        Department.objects.get_or_create(region=region, name=name, defaults={"code": code})
    departments = {(d.region.code, d.name): d for d in Department.objects.select_related("region")}
    for unit in organisations.get("units") or []:
        region = regions.get(unit.get("region"))
        if region is None:
            reader.problem(f"预算单位“{unit.get('name')}”", f"行政区划“{unit.get('region')}”不存在。")
            continue
        department = departments.get((region.code, unit.get("department")))
        name, code = unit.get("name") or "", unit.get("code") or ""
        if code and Unit.objects.filter(region=region, code=code).exclude(name=name).exists():
            reader.problem(f"预算单位“{name}”", f"单位代码“{code}”在{region.name}已属于另一个单位。")
            continue
        Unit.objects.get_or_create(
            region=region,
            name=name,
            defaults={
                "code": code,
                "department": department,
                "is_department_office": bool(unit.get("is_department_office")),
            },
        )
    units = {(u.region.code, u.name): u for u in Unit.objects.select_related("region")}
    return regions, departments, units
