"""A sheet of units and users, imported all or nothing.

The workbook has a sheet 单位 (区划代码, 主管部门, 单位名称, 单位代码, 部门本级) and a sheet 用户 (用户名, 姓名,
角色, 区划代码, 主管部门, 预算单位); either may be left out. ``sheet_read`` turns it into plain rows;
``sheet_plan`` checks every row against the database and the rest of the file and names each problem by
sheet, row and column; ``sheet_import`` writes the plan in one transaction, only when it has no problem,
and returns each new user's one-time password.
"""

from dataclasses import dataclass, field
from io import BytesIO

from django.contrib.auth import get_user_model
from django.db import transaction
from openpyxl import Workbook

from projects.excel import BadWorkbook, open_workbook
from projects.excel.cells import TooMany, read_sheet
from projects.models import Department, Region, Unit
from projects.people import services
from projects.permissions import assignable_roles, managed_region_id, scope_field_of

UNIT_COLUMNS = ["区划代码", "主管部门", "单位名称", "单位代码", "部门本级"]
USER_COLUMNS = ["用户名", "姓名", "角色", "区划代码", "主管部门", "预算单位"]
SHEETS = {"单位": UNIT_COLUMNS, "用户": USER_COLUMNS}
MAX_ROWS = 2000
YES = {"是", "Y", "y", "1", "TRUE", "True", "true", "√"}


class SheetError(Exception):
    """The file cannot be read as a sheet of units and users at all."""


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def sheet_read(content):
    """{sheet name: [(row number, {column: text})]} from the workbook's bytes, read with the upload
    guards of the table import (size, compression, cell count)."""
    try:
        workbook = open_workbook(content)
    except BadWorkbook as error:
        raise SheetError(str(error)) from error
    found = {}
    for name, columns in SHEETS.items():
        if name not in workbook.sheetnames:
            continue
        try:
            read = read_sheet(workbook, workbook[name], most_cells=MAX_ROWS * len(columns) * 2)
        except TooMany as error:
            raise SheetError(f"工作表“{name}”超过 {MAX_ROWS} 行，请分成几个文件导入。") from error
        if read is None:
            raise SheetError(f"工作表“{name}”含有公式，请复制后“只粘贴数值”再上传。")
        grid = {}
        for cell in read[0]:
            grid.setdefault(cell.row, {})[cell.column] = _text(cell.value)
        header = {text: column for column, text in grid.pop(1, {}).items()}
        missing = [column for column in columns if column not in header]
        if missing:
            raise SheetError(f"工作表“{name}”第 1 行缺少列：{'、'.join(missing)}。")
        found[name] = [
            (number, {column: grid[number].get(header[column], "") for column in columns})
            for number in sorted(grid)
            if any(grid[number].get(header[column]) for column in columns)
        ]
    workbook.close()
    if not found:
        raise SheetError("工作簿中没有名为“单位”或“用户”的工作表。请下载模板，按模板填写。")
    return found


@dataclass
class Plan:
    departments: list = field(default_factory=list)  # (region, name) to create
    units: list = field(default_factory=list)  # dicts of Unit fields, department by (region id, name)
    users: list = field(default_factory=list)  # dicts for services.user_save, scope by names
    problems: list = field(default_factory=list)


def sheet_plan(rows, *, manager):
    """What importing ``rows`` would create, and every problem, by sheet, row and column."""
    plan = Plan()
    region_id = managed_region_id(manager)
    regions = {r.code: r for r in services.managed_regions(manager)}
    departments = {(d.region_id, d.name) for d in Department.objects.filter(region__in=regions.values())}
    units = {(u.region_id, u.name) for u in Unit.objects.filter(region__in=regions.values())}
    offices = set(Unit.objects.filter(is_department_office=True).values_list("region_id", "department__name"))

    def problem(sheet, number, column, text):
        plan.problems.append(f"工作表“{sheet}”第 {number} 行“{column}”列：{text}")

    def region_of(sheet, number, code):
        if not code:
            problem(sheet, number, "区划代码", "未填写。")
            return None
        if code not in regions:
            where = "不存在" if region_id is None else "不是您管理的区划"
            problem(sheet, number, "区划代码", f"区划 {code} {where}。")
            return None
        return regions[code]

    for number, row in rows.get("单位", []):
        region = region_of("单位", number, row["区划代码"])
        if not row["单位名称"]:
            problem("单位", number, "单位名称", "未填写。")
        if not row["主管部门"]:
            problem("单位", number, "主管部门", "未填写。")
        if region is None or not row["单位名称"] or not row["主管部门"]:
            continue
        key = (region.pk, row["单位名称"])
        if key in units:
            problem("单位", number, "单位名称", f"“{row['单位名称']}”在{region.name}已存在（本文件或系统中）。")
            continue
        department_key = (region.pk, row["主管部门"])
        if department_key not in departments:
            departments.add(department_key)
            plan.departments.append({"region": region.pk, "name": row["主管部门"]})
        is_office = row["部门本级"] in YES
        if is_office and department_key in offices:
            problem("单位", number, "部门本级", f"“{row['主管部门']}”已有部门本级单位。")
            continue
        if is_office:
            offices.add(department_key)
        units.add(key)
        plan.units.append({"region": region.pk, "department": row["主管部门"], "name": row["单位名称"],
                           "code": row["单位代码"], "is_department_office": is_office})

    roles = {role.label: role for role in assignable_roles(manager)}
    usernames = set()
    existing = set(get_user_model().objects.filter(
        username__in=[row["用户名"] for _, row in rows.get("用户", [])]).values_list("username", flat=True))
    for number, row in rows.get("用户", []):
        username, role = row["用户名"], roles.get(row["角色"])
        if not username:
            problem("用户", number, "用户名", "未填写。")
        elif username in existing or username in usernames:
            problem("用户", number, "用户名", f"“{username}”已被使用（本文件或系统中）。")
        usernames.add(username)
        if not row["姓名"]:
            problem("用户", number, "姓名", "未填写。")
        if role is None:
            problem("用户", number, "角色", f"“{row['角色']}”不是可以授予的角色，应为{'、'.join(roles)}之一。")
            continue
        region, field = None, scope_field_of(role)
        if field is not None:
            region = region_of("用户", number, row["区划代码"])
            if region is None:
                continue
        if field == "unit" and (region.pk, row["预算单位"]) not in units:
            problem("用户", number, "预算单位", f"单位填报人需要{region.name}的预算单位，“{row['预算单位']}”不存在。")
            continue
        if field == "department" and (region.pk, row["主管部门"]) not in departments:
            problem("用户", number, "主管部门", f"主管部门审核人需要{region.name}的主管部门，“{row['主管部门']}”不存在。")
            continue
        plan.users.append({"username": username, "name": row["姓名"], "role": role.value, "role_label": role.label,
                           "region_name": region.name if region else "",
                           "region": region.pk if region else None,
                           "department": row["主管部门"] if field == "department" else "",
                           "unit": row["预算单位"] if field == "unit" else ""})
    return plan


@transaction.atomic
def sheet_import(rows, *, manager):
    """Create every department, unit and user of ``rows``, or nothing when any row has a problem.
    Returns (plan, [(username, name, one-time password)]); the plan's problems say why nothing was written."""
    plan = sheet_plan(rows, manager=manager)
    if plan.problems:
        return plan, []
    regions = Region.objects.in_bulk([d["region"] for d in plan.departments] + [u["region"] for u in plan.units]
                                     + [u["region"] for u in plan.users if u["region"]])
    for department in plan.departments:
        Department.objects.create(region=regions[department["region"]], name=department["name"])
    for unit in plan.units:
        region = regions[unit["region"]]
        Unit.objects.create(region=region, department=Department.objects.get(region=region, name=unit["department"]),
                            name=unit["name"], code=unit["code"], is_department_office=unit["is_department_office"])
    passwords = []
    for entry in plan.users:
        region = regions.get(entry["region"])
        account, password = services.user_save(
            by=manager, username=entry["username"], name=entry["name"], role=entry["role"], region=region,
            department=Department.objects.get(region=region, name=entry["department"]) if entry["department"] else None,
            unit=Unit.objects.get(region=region, name=entry["unit"]) if entry["unit"] else None,
        )
        passwords.append((account.username, account.first_name, password))
    return plan, passwords


def sheet_template():
    """A blank workbook with both sheets and their headers, and one example row each."""
    workbook = Workbook()
    units = workbook.active
    units.title = "单位"
    units.append(UNIT_COLUMNS)
    units.append(["640221", "平罗县教育局", "平罗县第一中学", "", "否"])
    users = workbook.create_sheet("用户")
    users.append(USER_COLUMNS)
    users.append(["pl_school1", "平罗一中填报人", "单位填报人", "640221", "", "平罗县第一中学"])
    for sheet in (units, users):
        for column in "ABCDEF":
            sheet.column_dimensions[column].width = 22
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
