"""Blank templates: each declared layout printed with nothing filled in, to be filled by hand or in
Excel and imported (issue 17 point 7).

A template is an interchange document with every field empty, written by the one writer: the header
labels, the spending-plan months, the 分项目标 rows and the indicator grid are those of the layout, and
the grid holds the framework's 一级/二级 (ROWS_PER_LEVEL2 rows each, with the （必填） notes of forms
that print them) so a unit only types 三级 names and values. The framework travels hidden with the
sheet, so the reader matches the rows against the same one. Read back unchanged, a template is an
empty but valid table (the resolver then says that nothing was filled, projects.excel.resolve)."""

from projects import schema
from projects.excel.layouts import LAYOUTS
from projects.excel.writer import get_path, workbook_bytes
from projects.interchange.export import FORMAT_NAME, FORMAT_VERSION

# Blank 三级 rows printed under each 二级: room for the usual two or three indicators of a category.
ROWS_PER_LEVEL2 = 2
# Blank 分项目标 rows of the 部门整体 layout.
SUB_TARGET_ROWS = 3


def blank_rows(framework):
    """The indicator grid of a blank form: each 二级 of ``framework`` (indicators.frameworks.FrameworkEntry)
    in printed order, ROWS_PER_LEVEL2 times, everything else empty."""
    return [
        {
            "uid": "", "level1": level2.level1.name, "level2": level2.name, "name": "", "description": "", "value": "",
            "midterm_value": "", "basis": "", "basis_text": "", "weight": None, "note": "",
        }
        for level2 in framework.level2s
        for _ in range(ROWS_PER_LEVEL2)
    ]


def blank_document(layout_name, framework):
    """The interchange document of one blank table in ``layout_name``: a project table for the project
    layouts, a department target for 部门整体."""
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "project_tables": [], "department_targets": []}
    if LAYOUTS[layout_name].kind == "department":
        document["department_targets"].append(
            {
                "uid": "", "region": "", "department": "", "year": None, "overall_goal": "",
                "funds": {"total": None, "basic": None, "project": None}, "framework": framework.code,
                "sub_targets": [{"title": "", "goal": "", "indicator_text": "", "safeguards": ""}] * SUB_TARGET_ROWS,
                "indicators": blank_rows(framework),
            }
        )
        return document
    document["project_tables"].append(
        {
            "uid": "", "region": "", "department": "", "unit": "", "year": None, "name": "", "code": "",
            "attribute": None, "attribute_text": "", "period": "",
            "funds": {"total": None, "fiscal": None, "other": None},
            "midterm_funds": {"total": None, "fiscal": None, "other": None},
            "fund_use": "", "manager": "", "phone": "", "spending_plan": [],
            "goals": {"annual": [], "long_term": []}, "framework": framework.code, "no_direct_beneficiaries": False,
            "indicators": blank_rows(framework),
        }
    )
    return document


def template_bytes(layout_name, framework):
    """The xlsx bytes of the blank template of ``layout_name``, its grid from ``framework``."""
    return workbook_bytes(blank_document(layout_name, framework), layout_name, summary=False)


# What a form's filling is not: who and where the table belongs to, its year and framework (printed or
# carried by any blank form), the workflow's fields, a flag, and the rows (looked at one by one).
_NOT_FILLING = frozenset(
    {"uid", "region", "department", "unit", "year", "framework", "status", "version", "no_direct_beneficiaries", "indicators"}
)
# A 三级 row's filling: all but its uid and the 一级/二级 a template prints.
_ROW_FILLING = tuple(key for key in schema.INDICATOR.keys if key not in ("uid", "level1", "level2"))


def _filled(value):
    if isinstance(value, dict):
        return any(_filled(item) for key, item in value.items() if key != "month")
    if isinstance(value, (list, tuple)):
        return any(_filled(item) for item in value)
    return value not in (None, "")


def row_is_filled(row):
    """Whether a 三级 row read from a sheet holds anything but the 一级/二级 a blank form prints (a row
    of ours, with its hidden uid, always counts)."""
    return bool(row.get("uid")) or any(_filled(row.get(key)) for key in _ROW_FILLING)


def nothing_filled(data, kind):
    """Whether a table read from a sheet (``kind`` project or department) is a blank form: no declared
    field filled (projects.schema) and no 三级 row beyond the printed 一级/二级."""
    declared = schema.DEPARTMENT_TARGET if kind == "department" else schema.PROJECT_TABLE
    keys = declared.leaf_keys(leaving_out=_NOT_FILLING)
    if any(_filled(get_path(data, key)) for key in keys):
        return False
    return not any(row_is_filled(row) for row in data.get("indicators") or ())
