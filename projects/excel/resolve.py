"""From what a workbook says to an interchange document this database can take.

The reader only knows names as printed; here they are matched to the organisations, code lists and
tables that exist: the unit by code or name (never created from a spreadsheet), its department and
region, the 项目属性 code, the budget year (asked for when the file does not state it), and the
table each sheet updates: by the uid our exports carry, otherwise by unit + year + project name, so
re-importing a unit's own spreadsheet updates its table instead of adding a second one.

Unit staff import only into their own unit, and only into tables that may still be edited; a table
in the file that would change another unit's table, or a submitted or approved one, is refused with
the sheet named.
"""

import difflib
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings

from indicators.models import Indicator
from projects.excel.text import label_key, split_code_name
from projects.interchange import FORMAT_NAME, FORMAT_VERSION, export_document
from projects.models import CodeItem, Department, DepartmentTarget, ProjectTable, TableStatus, Unit
from projects.permissions import EDITABLE_STATUSES, unit_of
from projects import schema
from projects.excel.tableread import Problem
from projects.excel.template import nothing_filled, row_is_filled

PROJECT_DEFAULTS = {
    "code": "", "attribute": None, "attribute_text": "", "period": "", "fund_use": "", "manager": "", "phone": "",
    "spending_plan": [], "no_direct_beneficiaries": False, "name": "",
}
# Check boxes as units print them: “新增项目□延续项目√”, “☑新增项目 ☐延续项目”.
_TICKED = "√✓✔☑■▇☒"
_UNTICKED = "□☐"
_BOX = re.compile(f"([{_TICKED}{_UNTICKED}]|[\\[(（][ xX√]?[\\])）])")
# What a unit's printed name may carry besides its registered name: a region prefix, 本级, a code,
# a remark in brackets, 中共.
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_UNIT_SUGGESTIONS = 5


def ticked_option(text):
    """The ticked option of a check-box cell (“新增项目□延续项目√” → “延续项目”): None when the cell
    has no boxes, "" when none is ticked, the options joined with “、” when several are."""
    if not re.search(f"[{_TICKED}{_UNTICKED}]", text or ""):
        return None
    parts = [part for part in _BOX.split(text) if part and part.strip()]
    boxes_first = bool(_BOX.fullmatch(parts[0])) if parts else False
    ticked = []
    for index, part in enumerate(parts):
        if not _BOX.fullmatch(part):
            continue
        option_index = index + 1 if boxes_first else index - 1
        if 0 <= option_index < len(parts) and not _BOX.fullmatch(parts[option_index]) and any(char in _TICKED + "xX" for char in part):
            ticked.append(parts[option_index].strip(" ：:，,；;"))
    return "、".join(ticked)


def unit_key(text, region_name=""):
    """A unit's name without what units add or leave out when printing it: code, brackets, 中共, 本级,
    its region's name; width-folded."""
    code, name = split_code_name(text or "")
    key = label_key(_BRACKETED.sub("", name))
    key = key.removeprefix("中共")
    key = key.removesuffix("本级")
    if region_name:
        key = key.replace(label_key(region_name), "")
    return key


def _same_unit(printed, unit):
    """Whether a printed unit name is a longer or shorter form of ``unit``'s registered name: the same
    once code, brackets, 中共, 本级 and the region are set aside, or with a further region prefix
    (自治区, 市) in front. A prefix naming another region is not the unit (石嘴山市财政局 is not
    平罗县财政局)."""
    region = unit.region.name
    registered, stated = unit_key(unit.name, region), unit_key(printed, region)
    if not registered or not stated:
        return False
    if registered == stated:
        return True
    if len(registered) < 3 or not stated.endswith(registered):
        return False
    names_region = label_key(region) in label_key(printed)
    return names_region or label_key(region) not in label_key(unit.name)



@dataclass
class Resolved:
    document: dict
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)  # id(TableRead) → "新建" / "更新"
    documents: dict = field(default_factory=dict)  # id(TableRead) → its entry in the document
    table_problems: dict = field(default_factory=dict)  # id(TableRead) → problems found here
    missing_year: bool = False
    unit_suggestions: dict = field(default_factory=dict)  # code → name of the units nearest to an unknown one

    def refuse(self, table, problem):
        self.problems.append(problem)
        self.table_problems.setdefault(id(table), []).append(problem)


def _is_uid(text):
    try:
        uuid.UUID(str(text))
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _unreadable_uid(table):
    """A Problem when the hidden identity our exports write for a table or a row was altered into
    something that is no identity; the table is then refused rather than guessed."""
    advice = "这是本系统导出时写入的隐藏内容，被改动过。请重新导出这张表，在新文件上修改后再导入。"
    rows, most = len(table.data.get("indicators") or []), settings.PERFGOALS_MAX_INDICATOR_ROWS
    if rows > most:
        return Problem(table.sheet, "", f"“{table.label}”有 {rows} 条三级指标，超过一张表最多 {most} 条的上限，未导入。")
    uid = table.data.get("uid")
    if uid and not _is_uid(uid):
        return Problem(table.sheet, table.cells.get("uid", ""), f"“{table.label}”的隐藏表标识“{str(uid)[:40]}”无效。{advice}")
    for number, row in enumerate(table.data.get("indicators") or [], 1):
        if isinstance(row, dict) and row.get("uid") and not _is_uid(row["uid"]):
            return Problem(table.sheet, row.get("cell", ""), f"第 {number} 条三级指标的隐藏行标识“{str(row['uid'])[:40]}”无效。{advice}")
    return None


class Resolver:
    def __init__(self, user=None, year=None, keep_status=False, unit_code=None):
        self.user = user
        self.year = year
        self.unit_code = unit_code  # “--unit CODE” or the unit chosen in the preview: every table is this unit's
        self.keep_status = keep_status  # command-line restores carry status/version; the browser never sets them
        self.own_unit = unit_of(user) if user is not None else None
        self.units = list(Unit.objects.select_related("region", "department"))
        self.departments = list(Department.objects.select_related("region"))
        self.attributes = {item.code: item for item in CodeItem.objects.filter(list=CodeItem.List.PROJECT_ATTRIBUTE)}

    def resolve(self, workbook_read):
        result = Resolved({"format": FORMAT_NAME, "version": FORMAT_VERSION, "project_tables": [], "department_targets": []})
        result.problems.extend(workbook_read.all_problems())
        result.warnings.extend(workbook_read.all_warnings())
        orgs = {"regions": {}, "departments": {}, "units": {}}
        seen_uids = {}
        self.stored = self.stored_tables(table.data.get("uid") for table in workbook_read.tables if table.kind != "department")
        for table in workbook_read.tables:
            if problem := _unreadable_uid(table):
                result.refuse(table, problem)
                continue
            uid = table.data.get("uid")
            if uid:
                if uid in seen_uids:
                    result.refuse(table, Problem(table.sheet, "", f"与工作表“{seen_uids[uid]}”是同一张表（标识相同），请删去重复的工作表。"))
                    continue
                seen_uids[uid] = table.sheet
            problems_before = len(result.problems)
            if table.kind == "department":
                data = self.department_target(table, result, orgs)
                if data is not None and len(result.problems) == problems_before:
                    result.document["department_targets"].append(data)
                    result.documents[id(table)] = data
            else:
                data = self.project_table(table, result, orgs)
                if data is not None and len(result.problems) == problems_before:
                    result.document["project_tables"].append(data)
                    result.documents[id(table)] = data
        result.document["organisations"] = {
            "regions": [{"code": r.code, "name": r.name} for r in orgs["regions"].values()],
            "departments": [
                {"region": d.region.code, "code": d.code, "name": d.name} for d in orgs["departments"].values()
            ],
            "units": [
                {
                    "region": u.region.code, "department": u.department.name if u.department else None,
                    "code": u.code, "name": u.name, "is_department_office": u.is_department_office,
                }
                for u in orgs["units"].values()
            ],
        }
        return result

    def problem(self, result, table, cell_key, message):
        result.refuse(table, Problem(table.sheet, table.cells.get(cell_key, ""), message))

    def hint(self, result, table, cell_key, message):
        """A reading choice the preview shows beside the table (and the command line prints)."""
        hint = Problem(table.sheet, table.cells.get(cell_key, ""), message)
        table.warnings.append(hint)
        result.warnings.append(hint)

    def year_of(self, table, result):
        year = table.data.get("year") or self.year
        if not year:
            result.missing_year = True
            self.problem(result, table, "year", f"“{table.label}”：文件中没有写明预算年度，请在导入时指定预算年度。")
        elif not 2000 <= int(year) <= 2100:
            self.problem(result, table, "year", f"预算年度 {year} 应在 2000–2100 之间。")
        return year

    def find_unit(self, table, result, region_code):
        text = table.data.get("unit") or ""
        code, name = split_code_name(text)
        candidates = [u for u in self.units if not region_code or u.region.code == region_code]
        if self.unit_code:
            stated = [u for u in self.units if u.code == self.unit_code]
            if len(stated) != 1:
                self.problem(result, table, "unit", f"指定的单位代码“{self.unit_code}”在系统中不存在。")
                return None
            if text and not _same_unit(text, stated[0]):
                self.hint(result, table, "unit", f"表中实施单位为“{text}”，按指定的单位“{stated[0].name}”导入。")
            return stated[0]
        if not text:
            if self.own_unit is not None:
                self.hint(result, table, "unit", f"表中没有写明实施单位，按本单位“{self.own_unit.name}”导入。")
            return self.own_unit
        found = [u for u in candidates if code and u.code == code] or [
            u for u in candidates if label_key(u.name) == label_key(name)
        ]
        if len(found) > 1 and self.own_unit in found:
            return self.own_unit
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.problem(result, table, "unit", f"实施单位“{text}”在多个行政区划中都有，无法确定是哪一个。")
            return None
        # A longer or shorter form of a registered name: the signed-in unit's own first, then (from the
        # command line) any one unit it can only be.
        if self.own_unit is not None:
            found = [self.own_unit] if _same_unit(text, self.own_unit) else []
        else:
            found = [u for u in candidates if _same_unit(text, u)]
        if len(found) == 1:
            self.hint(result, table, "unit", f"实施单位“{text}”按系统中登记的“{found[0].name}”读取。")
            return found[0]
        if len(found) > 1:
            names = "、".join(f"{u.name}（{u.code}）" for u in found[:_UNIT_SUGGESTIONS])
            self.problem(result, table, "unit", f"实施单位“{text}”可能是：{names}，无法确定是哪一个；请指定单位。")
            return None
        return None

    def closest_units(self, text, region_code):
        """The registered units whose names are nearest to a printed one, nearest first."""
        candidates = [u for u in self.units if not region_code or u.region.code == region_code] or self.units
        stated = unit_key(text)
        scored = sorted(
            ((difflib.SequenceMatcher(None, stated, unit_key(u.name, u.region.name)).ratio(), u) for u in candidates),
            key=lambda pair: -pair[0],
        )
        return [u for ratio, u in scored[:_UNIT_SUGGESTIONS] if ratio >= 0.3]

    def unfilled(self, table, result, data):
        """A blank form (a template downloaded and uploaded unchanged) is refused with the reason; the
        rows of a filled one that hold only the printed 一级/二级 are left out, said once."""
        if nothing_filled(data, table.kind):
            what = "总体绩效目标、部门预算、分项绩效目标" if table.kind == "department" else "项目名称、项目资金、年度总体目标"
            self.problem(
                result, table, "", f"这是一张空白的表：{what}和三级指标都没有填写，没有可导入的内容。请填写后再上传，或删去这张工作表。"
            )
            return True
        rows = data.get("indicators") or []
        kept = [row for row in rows if row_is_filled(row)]
        if len(kept) < len(rows):
            self.hint(result, table, "", f"{len(rows) - len(kept)} 行只有一级/二级指标，没有填写三级指标和指标值，未导入。")
            data["indicators"] = kept
        return False

    def project_table(self, table, result, orgs):
        data = dict(table.data)
        if self.unfilled(table, result, data):
            return None
        year = self.year_of(table, result)
        region_code = data.get("region") or (self.own_unit.region.code if self.own_unit else None)
        if not region_code and (data.get("code") or "")[:6].isdigit():
            region_code = data["code"][:6]
        problems_before = len(result.problems)
        unit = self.find_unit(table, result, region_code)
        if unit is None:
            if len(result.problems) > problems_before:
                return None
            if data.get("unit"):
                closest = self.closest_units(data["unit"], region_code)
                if self.own_unit is not None:  # the one unit its staff may import for, offered first
                    result.unit_suggestions.setdefault(self.own_unit.code, self.own_unit.name)
                for suggested in closest:
                    result.unit_suggestions.setdefault(suggested.code, suggested.name)
                nearest = f"最接近的单位：{'、'.join(f'{u.name}（{u.code}）' for u in closest)}；" if closest else ""
                self.problem(result, table, "unit", f"系统中没有实施单位“{data['unit']}”，{nearest}请核对单位名称或代码，或在下方指定单位。")
            else:
                self.problem(result, table, "unit", "表中没有写明实施单位。")
            return None
        if self.own_unit is not None and unit.pk != self.own_unit.pk:
            self.problem(result, table, "unit", f"实施单位“{unit.name}”不是本单位（{self.own_unit.name}），只能导入本单位的表。")
            return None
        if unit.department is None:
            self.problem(result, table, "unit", f"实施单位“{unit.name}”没有所属主管部门，请联系管理员。")
            return None
        stated = data.get("department")
        if stated:
            code, name = split_code_name(stated)
            if label_key(name) != label_key(unit.department.name) and code != unit.department.code:
                result.warnings.append(Problem(table.sheet, table.cells.get("department", ""),
                                               f"表中的主管部门“{stated}”与系统中{unit.name}的主管部门“{unit.department.name}”不一致，按系统中的读取。"))
        data.update(region=unit.region.code, department=unit.department.name, unit=unit.name, year=year)
        data["attribute"] = self.attribute(table, result, data.get("attribute"), data)
        for key, value in PROJECT_DEFAULTS.items():
            data.setdefault(key, value)
        data.setdefault("funds", {"total": None, "fiscal": None, "other": None})
        data["funds"].setdefault("breakdown", [])
        data.setdefault("midterm_funds", {"total": None, "fiscal": None, "other": None})
        goals = data.get("goals") or {}
        data["goals"] = {"annual": goals.get("annual") or [], "long_term": goals.get("long_term") or []}
        existing = self.existing_table(table, data, unit, year, result)
        if existing is not None and not table.framework_evidence:
            data["framework"] = existing.framework.code
        if existing is not None and not self.writable(table, existing, unit, result):
            return None
        self.set_status(data, existing)
        ordered = _ordered(data, project=True)
        if existing is not None and not self.may_change(table, existing, ordered, result, project=True):
            return None
        orgs["regions"][unit.region.code] = unit.region
        orgs["departments"][unit.department.pk] = unit.department
        orgs["units"][unit.pk] = unit
        result.actions[id(table)] = "更新" if existing is not None else "新建"
        return ordered

    def attribute(self, table, result, text, data):
        """The 项目属性 code for what the table prints: a code, “0101-一年期项目”, a name, or the ticked
        box of “新增项目□延续项目√”. Anything else is kept as printed (attribute_text) with a hint: an
        optional code never refuses a table."""
        data.setdefault("attribute_text", "")
        if not text:
            return None
        printed = text
        ticked = ticked_option(text)
        if ticked is not None:
            if not ticked:
                self.hint(result, table, "attribute", f"项目属性“{printed}”没有勾选任何一项，未读取。")
                return None
            self.hint(result, table, "attribute", f"项目属性“{printed}”按勾选的“{ticked}”读取。")
            text = ticked
        if text in self.attributes:
            return text
        head = text.replace("—", "-").replace("－", "-").split("-", 1)[0].strip()
        if head in self.attributes:
            return head
        by_name = [code for code, item in self.attributes.items() if label_key(item.name) == label_key(text)]
        if by_name:
            return by_name[0]
        choices = "、".join(f"{code}-{item.name}" for code, item in self.attributes.items())
        data["attribute_text"] = text
        self.hint(result, table, "attribute", f"项目属性“{text}”不在代码表中（可用：{choices}），已按原文保存，请在编辑页核对。")
        return None

    def stored_tables(self, uids):
        """The stored project tables with these uids, by uid, in one query for the whole file."""
        valid = set()
        for uid in uids:
            try:
                valid.add(uuid.UUID(uid))
            except (TypeError, ValueError, AttributeError):
                continue
        return {str(table.uid): table for table in ProjectTable.objects.filter(uid__in=valid).select_related("unit", "framework")}

    def existing_table(self, table, data, unit, year, result):
        uid = data.get("uid")
        if uid:
            try:
                return self.stored.get(str(uuid.UUID(uid)))
            except (TypeError, ValueError, AttributeError):
                return ProjectTable.objects.filter(uid=uid).select_related("unit", "framework").first()
        if not data.get("name") or not year:
            return None
        existing = (
            ProjectTable.objects.filter(unit=unit, year=year, name=data["name"]).order_by("-version").first()
        )
        if existing is not None:
            data["uid"] = str(existing.uid)
            _adopt_row_uids(data["indicators"], Indicator.objects.filter(project=existing).select_related("level2__level1"))
        return existing

    def writable(self, table, existing, unit, result):
        if self.user is None:
            return True
        if self.own_unit is None:
            self.problem(result, table, "", "只有单位填报人可以导入绩效目标表。")
            return False
        if existing.unit_id != self.own_unit.pk:
            result.refuse(table, Problem(table.sheet, "", f"“{table.label}”属于其他单位，不能导入。"))
            return False
        return True

    def may_change(self, table, existing, ordered, result, project):
        """A table that is no longer editable may be in the file, as long as the file leaves it as it is."""
        if self.user is None or existing.status in EDITABLE_STATUSES:
            return True
        if project:
            current = export_document(ProjectTable.objects.filter(pk=existing.pk), DepartmentTarget.objects.none())
            unchanged = current["project_tables"] == [ordered]
        else:
            current = export_document(ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk=existing.pk))
            unchanged = current["department_targets"] == [ordered]
        if not unchanged:
            result.refuse(table, Problem(
                table.sheet, "", f"“{table.label}”当前状态为“{existing.get_status_display()}”，不能修改；请删去这张工作表，或待退回后再导入。"
            ))
        return unchanged

    def set_status(self, data, existing):
        if self.keep_status and "status" in data:
            data.setdefault("version", 1)
            return
        data["status"] = existing.status if existing is not None else TableStatus.DRAFT
        data["version"] = existing.version if existing is not None else 1

    def department_target(self, table, result, orgs):
        data = dict(table.data)
        if self.unfilled(table, result, data):
            return None
        year = self.year_of(table, result)
        text = data.get("department") or ""
        code, name = split_code_name(text)
        region_code = data.get("region") or (self.own_unit.region.code if self.own_unit else None)
        candidates = [d for d in self.departments if not region_code or d.region.code == region_code]
        found = [d for d in candidates if code and d.code == code] or [d for d in candidates if label_key(d.name) == label_key(name)]
        if not text and self.own_unit is not None and self.own_unit.department is not None:
            found = [self.own_unit.department]
        if len(found) != 1:
            self.problem(result, table, "department", f"系统中没有（或有多个）主管部门“{text}”，请核对部门名称或代码。")
            return None
        department = found[0]
        if self.user is not None and not (
            self.own_unit is not None and self.own_unit.is_department_office and self.own_unit.department_id == department.pk
        ):
            self.problem(result, table, "department", f"部门整体绩效目标只能由{department.name}的部门本级单位导入。")
            return None
        data.update(region=department.region.code, department=department.name, year=year)
        data.setdefault("overall_goal", "")
        data["funds"] = {key: (data.get("funds") or {}).get(key) for key in ("total", "basic", "project")}
        data.setdefault("sub_targets", [])
        uid = data.get("uid")
        existing = DepartmentTarget.objects.filter(uid=uid).first() if uid else (
            DepartmentTarget.objects.filter(department=department, year=year).order_by("-version").first() if year else None
        )
        if existing is not None and not table.framework_evidence:
            data["framework"] = existing.framework.code
        if existing is not None and not uid:
            data["uid"] = str(existing.uid)
            _adopt_row_uids(data["indicators"], Indicator.objects.filter(department_target=existing).select_related("level2__level1"))
        if existing is not None and self.user is not None and existing.department_id != department.pk:
            result.refuse(table, Problem(table.sheet, "", f"“{table.label}”属于其他部门，不能导入。"))
            return None
        self.set_status(data, existing)
        ordered = _ordered(data, project=False)
        if existing is not None and not self.may_change(table, existing, ordered, result, project=False):
            return None
        orgs["regions"][department.region.code] = department.region
        orgs["departments"][department.pk] = department
        result.actions[id(table)] = "更新" if existing is not None else "新建"
        return ordered


def _adopt_row_uids(rows, existing):
    """Rows of a file without uids take the uid of the existing row with the same 一级/二级/三级, in
    order, so an unchanged row stays the same row and only real edits show as changes."""
    pool = {}
    for indicator in existing:
        key = (indicator.level2.level1.name, indicator.level2.name, indicator.name)
        pool.setdefault(key, []).append(str(indicator.uid))
    for row in rows:
        if not row.get("uid"):
            candidates = pool.get((row["level1"], row["level2"], row["name"]))
            if candidates:
                row["uid"] = candidates.pop(0)


# The order of a document's keys, as the interchange export writes them (projects.schema).
_PROJECT_ORDER = schema.PROJECT_TABLE.top_level_keys
_TARGET_ORDER = schema.DEPARTMENT_TARGET.top_level_keys
_ROW_ORDER = schema.INDICATOR.keys


def _ordered(data, project):
    keys = _PROJECT_ORDER if project else _TARGET_ORDER
    ordered = {key: data.get(key) for key in keys}
    ordered["indicators"] = [{key: row.get(key) for key in _ROW_ORDER} for row in data.get("indicators") or []]
    for row in ordered["indicators"]:
        row["weight"] = row["weight"] if row["weight"] not in ("",) else None
    return ordered
