"""The JSON interchange format (fixtures/seeds/FORMAT.md): every field of every table, nothing else.

Export is deterministic, so export → import into an empty database → export gives the same bytes.
Import checks the whole document first and reports every problem with where it is; it writes only
when the document is good, and then all of it in one transaction.
"""

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from indicators.models import Basis, Framework, Indicator, Level2
from indicators.checks.services import projects_recheck, projects_recheck_written
from perfgoals.formatting import decimal_text
from perfgoals.history import acting_user, create_with_history, delete_with_history, update_with_history
from perfgoals.text import unstorable_message
from projects import permissions, schema
from projects.models import (
    CodeItem,
    Department,
    DepartmentSubTarget,
    DepartmentTarget,
    GoalKind,
    ProjectGoal,
    ProjectTable,
    Region,
    SpendingCheckpoint,
    TableStatus,
    Unit,
    money_fits,
    money_limit_message,
)
from projects.services import moved_on

FORMAT_NAME = "perfgoals-tables"
FORMAT_VERSION = 1


class InterchangeError(Exception):
    """The document cannot be imported; ``problems`` lists every reason, each naming its place."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# Export


class LevelNames(dict):
    """{二级 id: (一级 name, 二级 name)} of every framework, read in one query at the first row that
    needs it: rows are fetched without their 二级 and 一级, which select_related would build for each."""

    def __missing__(self, pk):
        self.update((l2, (level1, level2)) for l2, level1, level2 in Level2.objects.values_list("pk", "level1__name", "name"))
        return dict.__getitem__(self, pk)


def _rows_by_project(queryset, fields, project_ids):
    """{project table id: [row tuple of ``fields``]} of the rows of these tables, in the queryset's
    order, read as plain values: building and linking a model instance for each of thousands of rows
    costs more than the export does with them."""
    found = {pk: [] for pk in project_ids}
    if project_ids:
        for values in queryset.filter(project_id__in=project_ids).values_list("project_id", *fields):
            found[values[0]].append(values[1:])
    return found


def _indicator_rows(rows, levels):
    """The document rows of indicators given as tuples of _INDICATOR_VALUES."""
    return [
        {
            "uid": str(uid),
            "level1": levels[level2_id][0],
            "level2": levels[level2_id][1],
            "name": name,
            "description": description,
            "value": value_text,
            "basis": basis,
            "basis_text": basis_text,
            "weight": decimal_text(weight),
            "note": note,
        }
        for uid, level2_id, name, description, value_text, basis, basis_text, weight, note in rows
    ]


_INDICATOR_VALUES = ("uid", "level2_id", "name", "description", "value_text", "basis", "basis_text", "weight", "note")
_INDICATORS = Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id"))
# The order tables are exported in (ending with the id, so it is total: parts of an export can be
# fetched separately and still come out in this order).
PROJECT_TABLE_ORDER = (
    "region__code", "department__code", "department__name", "unit__code", "unit__name", "year", "name", "version", "id",
)
DEPARTMENT_TARGET_ORDER = ("department__region__code", "department__code", "department__name", "year", "version", "id")


def export_document(project_tables, department_targets, levels=None):
    """The interchange document for these tables, as a dict ready for json.dumps. ``levels``, a
    LevelNames, lets the parts of one export read the 一级/二级 names once between them."""
    project_tables = list(
        project_tables.select_related("region", "department", "unit__department", "attribute", "framework").order_by(
            *PROJECT_TABLE_ORDER
        )
    )
    project_ids = [table.pk for table in project_tables]
    indicators = _rows_by_project(Indicator.objects.order_by("order", "id"), _INDICATOR_VALUES, project_ids)
    goals_of = _rows_by_project(ProjectGoal.objects.order_by("kind", "order", "id"), ("kind", "text"), project_ids)
    plans = _rows_by_project(SpendingCheckpoint.objects.order_by("month"), ("month", "cumulative_percent"), project_ids)
    department_targets = (
        department_targets.select_related("department__region", "framework")
        .prefetch_related(_INDICATORS, Prefetch("sub_targets", queryset=DepartmentSubTarget.objects.order_by("order", "id")))
        .order_by(*DEPARTMENT_TARGET_ORDER)
    )
    regions, departments, units = {}, {}, {}
    levels = LevelNames() if levels is None else levels
    tables = []
    for table in project_tables:
        regions[table.region.code] = table.region
        departments[table.department_id] = table.department
        units[table.unit_id] = table.unit
        if table.unit.department_id:
            departments[table.unit.department_id] = table.unit.department
        goals = {kind.value: [] for kind in GoalKind}
        for kind, text in goals_of[table.pk]:
            goals[kind].append(text)
        tables.append(
            {
                "uid": str(table.uid),
                "region": table.region.code,
                "department": table.department.name,
                "unit": table.unit.name,
                "year": table.year,
                "name": table.name,
                "code": table.code,
                "attribute": table.attribute.code if table.attribute else None,
                "period": table.period,
                "funds": {
                    "total": decimal_text(table.funds_total),
                    "fiscal": decimal_text(table.funds_fiscal),
                    "other": decimal_text(table.funds_other),
                },
                "fund_use": table.fund_use,
                "spending_plan": [
                    {"month": month, "percent": decimal_text(percent)} for month, percent in plans[table.pk]
                ],
                "goals": goals,
                "framework": table.framework.code,
                "no_direct_beneficiaries": table.no_direct_beneficiaries,
                "status": table.status,
                "version": table.version,
                "indicators": _indicator_rows(indicators[table.pk], levels),
            }
        )
    targets = []
    for target in department_targets:
        region = target.department.region
        regions[region.code] = region
        departments[target.department_id] = target.department
        targets.append(
            {
                "uid": str(target.uid),
                "region": region.code,
                "department": target.department.name,
                "year": target.year,
                "overall_goal": target.overall_goal,
                "funds": {
                    "total": decimal_text(target.funds_total),
                    "basic": decimal_text(target.funds_basic),
                    "project": decimal_text(target.funds_project),
                },
                "framework": target.framework.code,
                "status": target.status,
                "version": target.version,
                "sub_targets": [
                    {
                        "title": sub.title,
                        "goal": sub.goal,
                        "indicator_text": sub.indicator_text,
                        "safeguards": sub.safeguards,
                    }
                    for sub in target.sub_targets.all()
                ],
                "indicators": _indicator_rows(
                    [[getattr(row, name) for name in _INDICATOR_VALUES] for row in target.indicators.all()], levels
                ),
            }
        )
    code_by_region_id = {region.pk: code for code, region in regions.items()}
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "organisations": {
            "regions": [{"code": code, "name": regions[code].name} for code in sorted(regions)],
            "departments": [
                {"region": code_by_region_id[d.region_id], "code": d.code, "name": d.name}
                for d in sorted(departments.values(), key=lambda d: (code_by_region_id[d.region_id], d.code, d.name))
            ],
            "units": [
                {
                    "region": code_by_region_id[u.region_id],
                    "department": departments[u.department_id].name if u.department_id in departments else None,
                    "code": u.code,
                    "name": u.name,
                    "is_department_office": u.is_department_office,
                }
                for u in sorted(units.values(), key=lambda u: (code_by_region_id[u.region_id], u.code, u.name))
            ],
        },
        "project_tables": tables,
        "department_targets": targets,
    }


def dumps(document):
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# Import


@dataclass
class ImportResult:
    """What an import did, counted in tables (project tables and department targets together).

    ``unchanged`` tables matched their current export exactly and were not written at all, so their
    ``updated_at`` and their indicator rows stay as they were. ``indicators`` counts the rows of the
    created and updated tables; ``indicators_created/updated/deleted`` say what happened to them."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    indicators: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    indicators_deleted: int = 0
    tables: list = field(default_factory=list)
    targets: list = field(default_factory=list)


def _uuid_or_none(value):
    """``value`` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# Django's Choices.values builds its list anew at every call: once per row of an import of 12,000 rows.
_BASES = frozenset(Basis.values)


class _Reader:
    """Checks one document, collecting every problem with its place, before anything is written."""

    def __init__(self, document, by=None, editor=None):
        self.document = document
        # A unit's staff importing through the browser: every stored document the import would change
        # is checked, on its locked row, to be still editable by them, and keeps its workflow status.
        self.editor = editor
        # Who imports, with one time for each import: the field history of every row written says so.
        self.history = {"by": acting_user(by), "reason": "导入", "at": timezone.now()}
        self.problems = []
        self.level2s = {
            (l2.level1.framework.code, l2.level1.name, l2.name): l2
            for l2 in Level2.objects.select_related("level1__framework")
        }
        self.frameworks = {fw.code: fw for fw in Framework.objects.all()}
        self.attributes = {item.code: item for item in CodeItem.objects.filter(list=CodeItem.List.PROJECT_ATTRIBUTE)}
        self.region_codes = {r.code for r in Region.objects.all()}

    def load_current_exports(self, document):
        """The current export of every table the document names by uid, to tell unchanged tables
        (written not at all) from changed ones. One export for all of them, not one per table."""
        def uids(key):
            return {_uuid_or_none(data.get("uid")) for data in document.get(key) or [] if isinstance(data, dict)} - {None}

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
                    table_uids.add(_uuid_or_none(data.get("uid")))
                    years.add(data.get("year") if isinstance(data.get("year"), int) else None)
                    regions.add(str(data.get("region")))
                rows = data.get("indicators")
                if isinstance(rows, list):
                    row_uids.update(_uuid_or_none(row.get("uid")) for row in rows if isinstance(row, dict))
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
        framework = self.frameworks.get(code)
        if framework is None:
            self.problem(where, f"指标体系“{code}”不存在（可用：{'、'.join(sorted(self.frameworks))}）。")
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
                level2 = self.level2s.get((framework.code, row.get("level1"), row.get("level2")))
                if level2 is None:
                    self.problem(
                        here,
                        f"二级指标“{row.get('level2')}”不在{framework.name}的一级指标“{row.get('level1')}”之下。",
                    )
            basis = row.get("basis") or ""
            if basis and basis not in _BASES:
                self.problem(here, f"指标值确定依据“{basis}”无效（可用：{'、'.join(Basis.values)}）。")
            parsed.append(
                {
                    "uid": self.uid(row, here),
                    "level2": level2,
                    "name": self.text(row, "name", here, max_length=1000),
                    "description": self.text(row, "description", here),
                    "value": self.text(row, "value", here, max_length=500),
                    "basis": basis,
                    "basis_text": self.text(row, "basis_text", here, max_length=500),
                    "weight": self.decimal(row.get("weight"), here, "权重", 0, 100),
                    "note": self.text(row, "note", here),
                }
            )
        return parsed


def _check_header(document):
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise InterchangeError([f"文件不是 perfgoals 的 JSON 交换格式（缺少 \"format\": \"{FORMAT_NAME}\"）。"])
    if document.get("version") != FORMAT_VERSION:
        raise InterchangeError([f"不支持的格式版本 {document.get('version')!r}，本系统读取第 {FORMAT_VERSION} 版。"])


# The shape of a document (fixtures/seeds/FORMAT.md), checked before anything is read or written, so
# that a value of the wrong kind (a list where a name belongs, text where rows belong) or text that
# cannot be stored (perfgoals.text) is reported with its place instead of failing on the way. A key
# may be missing or null, which is an empty value. _SCALAR is any single value (text, number,
# true/false), which the reader judges further; _Text is text of at most ``max_length`` characters.
_SCALAR = "scalar"


@dataclass(frozen=True)
class _Text:
    max_length: int | None = None


_TEXT = _Text()
# What each part of a document must be, derived from the declared schema (projects.schema).
_ROW = schema.INDICATOR.shape(_TEXT, _SCALAR)
_SHAPE = {
    "format": _SCALAR,
    "version": _SCALAR,
    "organisations": {
        "regions": [{"code": _SCALAR, "name": _Text(50)}],
        "departments": [{"region": _SCALAR, "code": _Text(20), "name": _Text(100)}],
        "units": [
            {"region": _SCALAR, "department": _SCALAR, "code": _Text(20), "name": _Text(100), "is_department_office": _SCALAR}
        ],
    },
    "project_tables": [
        schema.PROJECT_TABLE.shape(
            _TEXT,
            _SCALAR,
            {
                "spending_plan": [{"month": _SCALAR, "percent": _SCALAR}],
                "goals": {kind.value: [_TEXT] for kind in GoalKind},
                "indicators": [_ROW],
            },
        )
    ],
    "department_targets": [
        schema.DEPARTMENT_TARGET.shape(
            _TEXT,
            _SCALAR,
            {
                "sub_targets": [{"title": _TEXT, "goal": _TEXT, "indicator_text": _TEXT, "safeguards": _TEXT}],
                "indicators": [_ROW],
            },
        )
    ],
}
_PLACES = {
    "project_tables": "第 {} 张项目表",
    "department_targets": "第 {} 份部门整体绩效目标",
    "regions": "行政区划第 {} 条",
    "departments": "主管部门第 {} 条",
    "units": "预算单位第 {} 条",
    "indicators": "第 {} 行指标",
    "sub_targets": "第 {} 个分项",
    "spending_plan": "资金支出计划第 {} 项",
    GoalKind.ANNUAL.value: "年度目标第 {} 条",
    GoalKind.LONG_TERM.value: "中长期目标第 {} 条",
}


def _place(path):
    """Where ``path`` (keys and list positions) is, in the words the other problems use."""
    parts, keys = [], []
    for position, step in enumerate(path):
        following = path[position + 1] if position + 1 < len(path) else None
        if isinstance(step, int):
            continue
        if isinstance(following, int) and step in _PLACES:
            parts.append(_PLACES[step].format(following + 1))
            keys = []
        else:
            keys.append(str(step))
    named = f"“{'.'.join(keys)}”" if keys else ""
    return "".join(parts) + ("的" if parts and named else "") + named or "文件"


def _shape_problems(value, shape, path=()):
    """Every place where ``value`` does not have ``shape``, as problems."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{_place(path)}：应为对象（{{…}}）。"]
        return [
            problem
            for key, member in shape.items()
            if value.get(key) is not None
            for problem in _shape_problems(value[key], member, path + (key,))
        ]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{_place(path)}：应为列表（[…]）。"]
        return [problem for index, item in enumerate(value) for problem in _shape_problems(item, shape[0], path + (index,))]
    if isinstance(value, (dict, list)) or value is None or (isinstance(shape, _Text) and not isinstance(value, str)):
        return [f"{_place(path)}：应为{'文字' if isinstance(shape, _Text) else '单个的值（文字或数字）'}。"]
    if isinstance(value, str):
        if message := unstorable_message(value, ""):
            return [f"{_place(path)}：{message}"]
        if isinstance(shape, _Text) and shape.max_length and len(value) > shape.max_length:
            return [f"{_place(path)}：超过 {shape.max_length} 个字符。"]
    return []


def _check_shape(document):
    problems = _shape_problems(document, _SHAPE)
    if problems:
        raise InterchangeError(problems)


def _organisations(reader, document):
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


_INDICATOR_FIELDS = ("level2", "order", "name", "description", "basis", "basis_text", "weight", "note")
_VALUE_FIELDS = ("value_text", "value_nature", "value_number", "value_unit", "value_prefix", "value_qualitative")


@dataclass(frozen=True)
class _Keys:
    """What a table's name and code are unique by, as an update will leave them (Reader.keys_of)."""

    uid: object
    year: int
    name: str
    code: str
    version: int
    unit_id: int = None
    region_id: int = None


def _check_indicator_uids(reader, rows, owner, where):
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


def _write_indicators(rows, result, existing, reader, **owner):
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
        before = None if is_new else [getattr(indicator, name) for name in _INDICATOR_FIELDS + _VALUE_FIELDS]
        indicator.level2 = row["level2"]
        indicator.order = order
        for name in ("name", "description", "basis", "basis_text", "weight", "note"):
            setattr(indicator, name, row[name])
        indicator.set_value(row["value"])
        if is_new:
            to_create.append(indicator)
        elif before != [getattr(indicator, name) for name in _INDICATOR_FIELDS + _VALUE_FIELDS]:
            to_update.append(indicator)
    if by_uid:
        delete_with_history(Indicator.objects.filter(pk__in=[indicator.pk for indicator in by_uid.values()]), **reader.history)
    reader.create_later(to_create)
    if to_update:
        update_with_history(to_update, _INDICATOR_FIELDS + _VALUE_FIELDS, **reader.history)
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


def _canonical_indicators(rows):
    return [
        {
            "uid": str(row["uid"]) if row["uid"] else None,
            "level1": row["level2"].level1.name,
            "level2": row["level2"].name,
            "name": row["name"],
            "description": row["description"],
            "value": row["value"],
            "basis": row["basis"],
            "basis_text": row["basis_text"],
            "weight": decimal_text(row["weight"]),
            "note": row["note"],
        }
        for row in rows
    ]


def _import_project_table(reader, data, index, regions, departments, units, result):
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
    funds = data.get("funds") or {}
    fields = {
        "region": region,
        "department": department,
        "unit": unit,
        "year": year,
        "name": reader.text(data, "name", where, max_length=200),
        "code": reader.text(data, "code", where, max_length=40),
        "attribute": attribute,
        "period": reader.text(data, "period", where, max_length=50),
        "funds_total": reader.money(funds.get("total"), where, "年度资金总额"),
        "funds_fiscal": reader.money(funds.get("fiscal"), where, "财政拨款"),
        "funds_other": reader.money(funds.get("other"), where, "其他资金"),
        "fund_use": reader.text(data, "fund_use", where),
        "framework": framework,
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
    _check_indicator_uids(reader, indicators, (existing.uid, None) if existing else None, where)
    if reader.problems:
        return None
    if existing:
        incoming = {
            "uid": str(uid),
            "region": region.code,
            "department": department.name,
            "unit": unit.name,
            "year": year,
            "name": fields["name"],
            "code": fields["code"],
            "attribute": attribute.code if attribute else None,
            "period": fields["period"],
            "funds": {
                "total": decimal_text(fields["funds_total"]),
                "fiscal": decimal_text(fields["funds_fiscal"]),
                "other": decimal_text(fields["funds_other"]),
            },
            "fund_use": fields["fund_use"],
            "spending_plan": [
                {"month": month, "percent": decimal_text(percent)} for month, percent in sorted(plan, key=lambda p: p[0])
            ],
            "goals": {kind.value: list(goals.get(kind.value) or []) for kind in GoalKind},
            "framework": framework.code,
            "no_direct_beneficiaries": fields["no_direct_beneficiaries"],
            "status": status,
            "version": version,
            "indicators": _canonical_indicators(indicators),
        }
        if incoming == reader.current_tables.get(str(uid)):
            result.unchanged += 1
            return None
        if refusal := reader.refusal(existing, permissions.can_edit):
            reader.problem(where, refusal)
            return None
        if reader.editor is not None:
            fields["status"], fields["version"] = existing.status, existing.version
        table = existing
        keys = _Keys(
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
        rows = _write_indicators(indicators, result, table.indicators.all() if existing else (), reader, project=table)
        if not existing:
            reader.created_tables[table.uid] = (table, rows, texts, checkpoints)
        result.tables.append(table)

    return write


def _import_department_target(reader, data, index, regions, departments, result):
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
    overall_goal = reader.text(data, "overall_goal", where)
    funds = data.get("funds") or {}
    funds_total = reader.money(funds.get("total"), where, "部门预算总额")
    funds_basic = reader.money(funds.get("basic"), where, "基本支出")
    funds_project = reader.money(funds.get("project"), where, "项目支出")
    if reader.problems:
        return None
    existing = reader.stored_target(uid)
    if reader.target_taken(department, year, version, existing):
        reader.problem(where, f"{department.name} {year} 年已有部门整体绩效目标（第 {version} 版）。")
        return None
    _check_indicator_uids(reader, indicators, (None, existing.uid) if existing else None, where)
    if reader.problems:
        return None
    fields = {
        "department": department,
        "year": year,
        "overall_goal": overall_goal,
        "funds_total": funds_total,
        "funds_basic": funds_basic,
        "funds_project": funds_project,
        "framework": framework,
        "status": status,
        "version": version,
    }
    if existing:
        incoming = {
            "uid": str(uid),
            "region": department.region.code,
            "department": department.name,
            "year": year,
            "overall_goal": overall_goal,
            "funds": {
                "total": decimal_text(funds_total),
                "basic": decimal_text(funds_basic),
                "project": decimal_text(funds_project),
            },
            "framework": framework.code,
            "status": status,
            "version": version,
            "sub_targets": subs,
            "indicators": _canonical_indicators(indicators),
        }
        if incoming == reader.current_targets.get(str(uid)):
            result.unchanged += 1
            return None
        if refusal := reader.refusal(existing, permissions.can_edit_department_target):
            reader.problem(where, refusal)
            return None
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
        _write_indicators(indicators, result, target.indicators.all() if stored else (), reader, department_target=target)
        result.targets.append(target)

    return write


def import_document(document, *, by=None, editor=None):
    """Import a whole interchange document, all or nothing. Raises InterchangeError listing every problem.
    ``by`` is who imports, for the field history (by default the user of the request being served).
    The stored documents it changes are locked until it commits and their revision moves on.
    ``editor``: the unit's staff member importing through the browser; those documents are then
    re-checked on the locked row as the editor's save does, and keep their workflow status."""
    _check_header(document)
    _check_shape(document)
    result = ImportResult()
    with transaction.atomic():
        reader = _Reader(document, by=by, editor=editor)
        reader.load_current_exports(document)
        reader.load_stored(document)
        regions, departments, units = _organisations(reader, document)
        # First the plan: every table and target is read and checked, and what it would write is kept;
        # nothing is written while any part of the document has a problem.
        writes = []
        for index, data in enumerate(document.get("project_tables") or [], 1):
            if not isinstance(data, dict):
                reader.problem(f"第 {index} 张项目表", "应为对象。")
                continue
            writes.append(_import_project_table(reader, data, index, regions, departments, units, result))
        for index, data in enumerate(document.get("department_targets") or [], 1):
            if not isinstance(data, dict):
                reader.problem(f"第 {index} 份部门整体绩效目标", "应为对象。")
                continue
            writes.append(_import_department_target(reader, data, index, regions, departments, result))
        if reader.problems:
            raise InterchangeError(reader.problems)
        # Then the writes, in the document's order.
        for write in filter(None, writes):
            write()
        reader.create_pending()
        # Imported tables are checked like saved ones, so lists sort by their score at once: new ones
        # as they were written, the others read back.
        projects_recheck_written(reader.created_tables.values())
        if others := [table.pk for table in result.tables if table.uid not in reader.created_tables]:
            projects_recheck(ProjectTable.objects.filter(pk__in=others))
    return result


def load(stream_or_text):
    """Parse JSON text, turning a syntax error into an InterchangeError that names the line."""
    text = stream_or_text if isinstance(stream_or_text, str) else stream_or_text.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InterchangeError([f"第 {error.lineno} 行第 {error.colno} 列：JSON 格式错误（{error.msg}）。"]) from error
