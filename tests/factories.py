"""Small factory functions for tests: each makes one valid object with sensible defaults."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from indicators.models import Framework, Indicator, Level2
from perfgoals.roles import Role
from projects.models import Department, ProjectTable, Region, Unit, UserScope

_sequence = itertools.count(1)


def region(code=None, name=None):
    number = next(_sequence)
    return Region.objects.create(code=code or f"{900000 + number}", name=name or f"测试县{number}")


def department(region_obj=None, code="", name=None):
    region_obj = region_obj or region()
    return Department.objects.create(region=region_obj, code=code, name=name or f"测试部门{next(_sequence)}")


def unit(department_obj=None, code="", name=None, is_department_office=False):
    department_obj = department_obj or department()
    return Unit.objects.create(
        region=department_obj.region,
        department=department_obj,
        code=code,
        name=name or f"测试单位{next(_sequence)}",
        is_department_office=is_department_office,
    )


def framework(code="2015"):
    return Framework.objects.get(code=code)


def level2(level1_name, level2_name, framework_code="2015"):
    return Level2.objects.get(level1__framework__code=framework_code, level1__name=level1_name, name=level2_name)


def project_table(unit_obj=None, year=2024, name=None, framework_code="2015", **fields):
    unit_obj = unit_obj or unit()
    return ProjectTable.objects.create(
        region=unit_obj.region,
        department=unit_obj.department,
        unit=unit_obj,
        year=year,
        name=name if name is not None else f"测试项目{next(_sequence)}",
        framework=framework(framework_code),
        **fields,
    )


def indicator(table, level1_name="产出指标", level2_name="数量指标", name="培训人数", value="≥ 100 人", order=0):
    row = Indicator(
        project=table,
        level2=level2(level1_name, level2_name, table.framework.code),
        name=name,
        order=order,
    )
    row.set_value(value)
    row.save()
    return row


def user(role, *, unit=None, department=None, region=None, username=None):
    account = get_user_model().objects.create_user(
        username=username or f"user{next(_sequence)}", password="test-pass-123"
    )
    account.groups.add(Group.objects.get_or_create(name=Role(role).label)[0])
    if unit or department or region:
        UserScope.objects.create(
            user=account,
            unit=unit,
            department=department,
            region=region or (unit.region if unit else department.region if department else None),
        )
    return account
