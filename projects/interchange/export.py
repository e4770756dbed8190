"""The export: every field of every table, in a deterministic order, as the interchange document."""

import json

from django.db.models import Prefetch

from indicators.frameworks import framework_snapshot
from indicators.models import Indicator
from perfgoals.formatting import decimal_text
from projects import schema
from projects.models import (
    DepartmentSubTarget,
    GoalKind,
    ProjectGoal,
    SpendingCheckpoint,
)


FORMAT_NAME = "perfgoals-tables"
FORMAT_VERSION = 1


def rows_by_project(queryset, fields, project_ids):
    """{project table id: [row tuple of ``fields``]} of the rows of these tables, in the queryset's
    order, read as plain values: building and linking a model instance for each of thousands of rows
    costs more than the export does with them."""
    found = {pk: [] for pk in project_ids}
    if project_ids:
        for values in queryset.filter(project_id__in=project_ids).values_list("project_id", *fields):
            found[values[0]].append(values[1:])
    return found


# The stored values of a 三级 row the document writes, read as plain tuples in the schema's order.
INDICATOR_VALUES = tuple(field.attname for field in schema.INDICATOR.fields if field.model_field)


def indicator_rows(rows, snapshot):
    """The document rows of indicators given as tuples of INDICATOR_VALUES."""
    documented = schema.INDICATOR.document
    found = []
    for values in rows:
        stored = dict(zip(INDICATOR_VALUES, values))
        level1 = snapshot.level2_by_pk[stored["level2_id"]].level1.name
        found.append(documented(stored, snapshot, {"level1": level1}, read=dict.__getitem__))
    return found


INDICATORS = Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id"))
# The order tables are exported in (ending with the id, so it is total: parts of an export can be
# fetched separately and still come out in this order).
PROJECT_TABLE_ORDER = (
    "region__code", "department__code", "department__name", "unit__code", "unit__name", "year", "name", "version", "id",
)
DEPARTMENT_TARGET_ORDER = ("department__region__code", "department__code", "department__name", "year", "version", "id")


def export_document(project_tables, department_targets, snapshot=None):
    """The interchange document for these tables, as a dict ready for json.dumps: each table's fields as
    projects.schema declares them. ``snapshot``, the frameworks (indicators.frameworks), lets the parts of
    one export read the 指标体系 and the 一级/二级 names once between them."""
    project_tables = list(
        project_tables.select_related("region", "department", "unit__department", "attribute").order_by(
            *PROJECT_TABLE_ORDER
        )
    )
    project_ids = [table.pk for table in project_tables]
    indicators = rows_by_project(Indicator.objects.order_by("order", "id"), INDICATOR_VALUES, project_ids)
    goals_of = rows_by_project(ProjectGoal.objects.order_by("kind", "order", "id"), ("kind", "text"), project_ids)
    plans = rows_by_project(SpendingCheckpoint.objects.order_by("month"), ("month", "cumulative_percent"), project_ids)
    department_targets = (
        department_targets.select_related("department__region")
        .prefetch_related(INDICATORS, Prefetch("sub_targets", queryset=DepartmentSubTarget.objects.order_by("order", "id")))
        .order_by(*DEPARTMENT_TARGET_ORDER)
    )
    regions, departments, units = {}, {}, {}
    snapshot = framework_snapshot() if snapshot is None else snapshot
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
        given = {
            "spending_plan": [{"month": month, "percent": decimal_text(percent)} for month, percent in plans[table.pk]],
            "goals": goals,
            "indicators": indicator_rows(indicators[table.pk], snapshot),
        }
        tables.append(schema.PROJECT_TABLE.document(table, snapshot, given))
    targets = []
    for target in department_targets:
        region = target.department.region
        regions[region.code] = region
        departments[target.department_id] = target.department
        given = {
            "region": region.code,
            "sub_targets": [
                {"title": sub.title, "goal": sub.goal, "indicator_text": sub.indicator_text, "safeguards": sub.safeguards}
                for sub in target.sub_targets.all()
            ],
            "indicators": indicator_rows(
                [[getattr(row, name) for name in INDICATOR_VALUES] for row in target.indicators.all()], snapshot
            ),
        }
        targets.append(schema.DEPARTMENT_TARGET.document(target, snapshot, given))
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
