"""The export: every field of every table, in a deterministic order, as the interchange document."""

import json

from django.db.models import Prefetch

from indicators.models import Indicator, Level2
from perfgoals.formatting import decimal_text
from projects.models import (
    DepartmentSubTarget,
    GoalKind,
    ProjectGoal,
    SpendingCheckpoint,
)


FORMAT_NAME = "perfgoals-tables"
FORMAT_VERSION = 1


class LevelNames(dict):
    """{二级 id: (一级 name, 二级 name)} of every framework, read in one query at the first row that
    needs it: rows are fetched without their 二级 and 一级, which select_related would build for each."""

    def __missing__(self, pk):
        self.update((l2, (level1, level2)) for l2, level1, level2 in Level2.objects.values_list("pk", "level1__name", "name"))
        return dict.__getitem__(self, pk)


def rows_by_project(queryset, fields, project_ids):
    """{project table id: [row tuple of ``fields``]} of the rows of these tables, in the queryset's
    order, read as plain values: building and linking a model instance for each of thousands of rows
    costs more than the export does with them."""
    found = {pk: [] for pk in project_ids}
    if project_ids:
        for values in queryset.filter(project_id__in=project_ids).values_list("project_id", *fields):
            found[values[0]].append(values[1:])
    return found


def indicator_rows(rows, levels):
    """The document rows of indicators given as tuples of INDICATOR_VALUES."""
    return [
        {
            "uid": str(uid),
            "level1": levels[level2_id][0],
            "level2": levels[level2_id][1],
            "name": name,
            "description": description,
            "value": value_text,
            "midterm_value": midterm_value_text,
            "basis": basis,
            "basis_text": basis_text,
            "weight": decimal_text(weight),
            "note": note,
        }
        for uid, level2_id, name, description, value_text, midterm_value_text, basis, basis_text, weight, note in rows
    ]


INDICATOR_VALUES = ("uid", "level2_id", "name", "description", "value_text", "midterm_value_text", "basis", "basis_text", "weight", "note")
INDICATORS = Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id"))
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
    indicators = rows_by_project(Indicator.objects.order_by("order", "id"), INDICATOR_VALUES, project_ids)
    goals_of = rows_by_project(ProjectGoal.objects.order_by("kind", "order", "id"), ("kind", "text"), project_ids)
    plans = rows_by_project(SpendingCheckpoint.objects.order_by("month"), ("month", "cumulative_percent"), project_ids)
    department_targets = (
        department_targets.select_related("department__region", "framework")
        .prefetch_related(INDICATORS, Prefetch("sub_targets", queryset=DepartmentSubTarget.objects.order_by("order", "id")))
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
                "midterm_funds": {
                    "total": decimal_text(table.midterm_funds_total),
                    "fiscal": decimal_text(table.midterm_funds_fiscal),
                    "other": decimal_text(table.midterm_funds_other),
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
                "indicators": indicator_rows(indicators[table.pk], levels),
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
                "indicators": indicator_rows(
                    [[getattr(row, name) for name in INDICATOR_VALUES] for row in target.indicators.all()], levels
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
