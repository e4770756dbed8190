"""Small factory functions for tests: each makes one valid object with sensible defaults."""

import dataclasses
import functools
import itertools
import json
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from indicators.checks import FrameworkData, IndicatorData, Level2Spec, TableData
from indicators.models import Framework, Indicator, Level2
from perfgoals.history import create_with_history
from perfgoals.roles import Role
from projects.models import (
    Department,
    DepartmentSubTarget,
    DepartmentTarget,
    ProjectGoal,
    ProjectTable,
    Region,
    SpendingCheckpoint,
    Unit,
    UserScope,
)

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


# Plain-data tables for the quality checks: no database needed.

_REFERENCE = Path(__file__).resolve().parent.parent / "fixtures" / "reference.json"


@functools.cache
def framework_data(code="2015"):
    """The framework as fixtures/reference.json defines it, as the checks see it, without a database."""
    records = json.loads(_REFERENCE.read_text(encoding="utf-8"))
    frameworks = {r["pk"]: r["fields"] for r in records if r["model"] == "indicators.framework"}
    level1s = {r["pk"]: r["fields"] for r in records if r["model"] == "indicators.level1"}
    (pk, fields), = [(pk, fields) for pk, fields in frameworks.items() if fields["code"] == code]
    specs = sorted(
        (
            (level1s[r["fields"]["level1"]]["order"], r["fields"]["order"], level1s[r["fields"]["level1"]]["name"], r["fields"])
            for r in records
            if r["model"] == "indicators.level2" and level1s[r["fields"]["level1"]]["framework"] == pk
        ),
        key=lambda item: item[:2],
    )
    return FrameworkData(
        code=code,
        name=fields["name"],
        level1_names=tuple(dict.fromkeys(level1 for _, _, level1, _ in specs)),
        level2s=tuple(Level2Spec(level1, f["name"], f["requirement"]) for _, _, level1, f in specs),
    )


# A small training project written the way the checks want it: every mandatory 二级, measurable values,
# a cost that reconciles with 20 万元 of funds, a plan reaching 100%.
CLEAN_ROWS = (
    ("产出指标", "数量指标", "举办业务培训期数", "≥ 4 期"),
    ("产出指标", "数量指标", "培训基层干部人次", "≥ 200 人次"),
    ("产出指标", "质量指标", "培训考核合格率", "≥ 95%"),
    ("产出指标", "时效指标", "培训完成时间", "2024 年 11 月底前"),
    ("产出指标", "成本指标", "培训经费", "≤ 20 万元"),
    ("效益指标", "社会效益指标", "参训人员业务考核平均分", "≥ 85 分"),
    ("效益指标", "可持续影响指标", "培训课件持续使用年限", "≥ 3 年"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥ 90%"),
)


def indicator_data(index=1, level1="产出指标", level2="数量指标", name="举办业务培训期数", value="≥ 4 期", **fields):
    return IndicatorData(
        index=index, level1=level1, level2=level2, name=name, value_text=value, uid=fields.pop("uid", f"row-{index}"), **fields
    )


def table_data(rows=CLEAN_ROWS, **fields):
    """A TableData whose rows are (level1, level2, name, value) tuples or IndicatorData; by default a clean table."""
    indicators = [
        row if isinstance(row, IndicatorData) else indicator_data(index, *row)
        for index, row in enumerate(rows, 1)
    ]
    indicators = [dataclasses.replace(row, index=index) for index, row in enumerate(indicators, 1)]
    defaults = {
        "year": 2024,
        "name": "基层干部业务培训经费",
        "framework": framework_data(fields.pop("framework_code", "2015")),
        "funds_total": Decimal("20"),
        "funds_fiscal": Decimal("20"),
        "funds_other": None,
        "goals": ("举办业务培训 4 期，培训基层干部 200 人次，考核合格率达到 95% 以上。",),
        "spending_plan": ((3, Decimal("25")), (6, Decimal("50")), (9, Decimal("75")), (12, Decimal("100"))),
    }
    return TableData(indicators=indicators, **{**defaults, **fields})


def with_row(data, index, **changes):
    """The table with row `index` changed: name, value, level1, level2, description …"""
    rows = []
    for row in data.indicators:
        if row.index == index:
            if "value" in changes:
                changes["value_text"] = changes.pop("value")
            row = dataclasses.replace(row, parsed=None, **changes)
        rows.append(row)
    return dataclasses.replace(data, indicators=tuple(rows))


def with_extra_rows(data, *rows):
    """The table with (level1, level2, name, value) rows appended."""
    extra = [indicator_data(len(data.indicators) + number, *row) for number, row in enumerate(rows, 1)]
    return dataclasses.replace(data, indicators=data.indicators + tuple(extra))


def without_rows(data, predicate):
    """The table without the rows for which predicate(row) is true, renumbered from 1."""
    kept = [row for row in data.indicators if not predicate(row)]
    return dataclasses.replace(
        data, indicators=tuple(dataclasses.replace(row, index=index) for index, row in enumerate(kept, 1))
    )


def stored_table(unit_obj=None, rows=CLEAN_ROWS, funds=Decimal("20"), **fields):
    """A saved ProjectTable with the given rows, goals and spending plan, like table_data() but stored."""
    table = project_table(
        unit_obj, funds_total=funds, funds_fiscal=funds, **{"name": "基层干部业务培训经费", **fields}
    )
    ProjectGoal.objects.create(project=table, order=1, text="举办业务培训 4 期，培训基层干部 200 人次，考核合格率达到 95% 以上。")
    create_with_history(
        SpendingCheckpoint(project=table, month=month, cumulative_percent=percent)
        for month, percent in ((3, 25), (6, 50), (9, 75), (12, 100))
    )
    for order, (level1_name, level2_name, name, value) in enumerate(rows, 1):
        indicator(table, level1_name, level2_name, name=name, value=value, order=order)
    return table


# Data for the overview's lists and dashboard (tracker issue 7).


def finding(table, rule="vague_wording", indicator_obj=None, message=None):
    """A stored check finding of ``rule`` on ``table`` (or on one of its rows), as the checks would store it."""
    from indicators.checks import RULES
    from indicators.models import CheckFinding

    spec = RULES[rule]
    return CheckFinding.objects.create(
        project=table,
        rule=rule,
        severity=spec.severity,
        criterion=spec.criterion,
        opinion=spec.opinion,
        message=message or f"{spec.title}（测试）",
        indicator=indicator_obj,
        row=indicator_obj.order if indicator_obj else None,
    )


def review_record(table, action, actor, *, at=None, round=1, reason="", to_status=None):
    """A review record as projects.workflow writes one, for tests of what lists and charts read from the
    history (the workflow's own tests cover how records come to be written)."""
    from django.utils import timezone

    from projects.models import ReviewRecord

    return ReviewRecord.objects.create(
        project=table,
        actor=actor,
        action=action,
        at=at or timezone.now(),
        from_status=table.status,
        to_status=to_status or table.status,
        round=round,
        reason=reason,
    )


OVERVIEW_ROWS = (
    ("产出指标", "数量指标", "培训人次", "≥ 200 人次"),
    ("产出指标", "质量指标", "培训合格率", "≥ 95%"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥ 100%"),
)


def overview_region(count, *, year=2024, departments=2, units_per_department=2, region_obj=None):
    """A region whose ``count`` tables of ``year`` are spread over ``departments`` departments of
    ``units_per_department`` units each; every table has three rows, a finding on each row and one on
    the table, a first submission and, for every other table, a return. Built with bulk inserts so that
    tests can compare the queries of a list at two sizes. Returns (region, tables)."""
    from django.utils import timezone

    from indicators.models import CheckFinding
    from indicators.checks import RULES
    from projects.models import ReviewRecord

    region_obj = region_obj or region()
    units = [
        unit(department_obj)
        for department_obj in [department(region_obj) for _ in range(departments)]
        for _ in range(units_per_department)
    ]
    actor = user(Role.UNIT_STAFF, unit=units[0])
    legacy = framework("2015")
    statuses = ("draft", "department_review", "finance_review", "returned", "approved")
    grades = ("excellent", "good", "fair", "poor", "")
    tables = ProjectTable.objects.bulk_create(
        ProjectTable(
            region=region_obj,
            department=units[number % len(units)].department,
            unit=units[number % len(units)],
            year=year,
            name=f"批量项目{next(_sequence)}",
            framework=legacy,
            funds_total=Decimal(10 + number),
            funds_fiscal=Decimal(10 + number),
            status=statuses[number % len(statuses)],
            quality_score=50 + (number * 7) % 50 if grades[number % len(grades)] else None,
            quality_grade=grades[number % len(grades)],
        )
        for number in range(count)
    )
    levels = {(l1, l2): level2(l1, l2) for l1, l2, _, _ in OVERVIEW_ROWS}
    rows = []
    for table in tables:
        for order, (l1, l2, name, value) in enumerate(OVERVIEW_ROWS, 1):
            row = Indicator(project=table, level2=levels[(l1, l2)], name=name, order=order)
            row.set_value(value)
            rows.append(row)
    rows = Indicator.objects.bulk_create(rows)
    findings = []
    for row in rows:
        spec = RULES["satisfaction_full" if row.order == 3 else "description_repeats_name"]
        findings.append(
            CheckFinding(project=row.project, indicator=row, row=row.order, rule=spec.code, severity=spec.severity,
                         criterion=spec.criterion, opinion=spec.opinion, message=spec.title)
        )
    spec = RULES["vague_wording"]
    findings += [
        CheckFinding(project=table, rule=spec.code, severity=spec.severity, criterion=spec.criterion,
                     opinion=spec.opinion, message=spec.title)
        for table in tables
    ]
    CheckFinding.objects.bulk_create(findings)
    now = timezone.now()
    records = [
        ReviewRecord(project=table, actor=actor, action="submit", at=now, from_status="draft",
                     to_status="department_review", round=1)
        for table in tables
    ]
    records += [
        ReviewRecord(project=table, actor=actor, action="return", at=now, from_status="department_review",
                     to_status="returned", round=1, reason="not_quantified")
        for table in tables[::2]
    ]
    ReviewRecord.objects.bulk_create(records)
    # Inserted in bulk, past the signals: the units' tallies are counted once, as bench/generate.py does.
    from projects import tallies

    tallies.refresh([unit_obj.pk for unit_obj in units], year)
    return region_obj, tables


def stored_target(department_obj, rows=CLEAN_ROWS, year=2024, **fields):
    """A saved 部门整体绩效目标 with an overall goal, one sub-target and the given indicator rows."""
    target = DepartmentTarget.objects.create(
        department=department_obj,
        year=year,
        framework=framework(),
        overall_goal=fields.pop("overall_goal", f"{year} 年完成案件查办、廉政教育和干部培训任务，群众满意度达到 90% 以上。"),
        **fields,
    )
    DepartmentSubTarget.objects.create(target=target, order=1, title="干部培训", goal="举办业务培训 4 期", indicator_text="培训人次 ≥ 200")
    for order, (level1_name, level2_name, name, value) in enumerate(rows, 1):
        row = Indicator(department_target=target, level2=level2(level1_name, level2_name), name=name, order=order)
        row.set_value(value)
        row.save()
    return target
