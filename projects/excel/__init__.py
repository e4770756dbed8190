"""Excel in and out: the official layouts, print-ready exports, tolerant imports, lossless round trips.

Entry points:
- ``export_tables(project_tables, department_targets, layout)`` → xlsx bytes of the tables (querysets),
  project tables in ``layout`` (pingluo, dingzhou, flat), department targets in the 部门整体 layout
  (``layout="department"`` writes those only);
- ``read_file(data, user=None, year=None)`` → an ``ImportPlan``: every table found, the interchange
  document to import, every problem (sheet, cell, what was expected) and warning; nothing is written;
- ``import_plan(plan, dry_run=False)`` → ``interchange.ImportResult``, all or nothing, through
  ``projects.interchange.import_document``.
"""

import warnings
from dataclasses import dataclass, field

from django.db import transaction

from indicators.frameworks import framework_snapshot
from projects import interchange
from projects.excel.cells import open_read_only
from projects.excel.layouts import LAYOUTS, PROJECT_LAYOUTS
from projects.excel.levels import Frameworks
from projects.excel.reader import read_workbook
from projects.excel.tableread import Problem
from projects.excel.resolve import Resolver
from projects.excel.safety import BadWorkbook, check_workbook_bytes
from projects.excel.writer import workbook_bytes
from projects.models import DepartmentTarget, ProjectTable

__all__ = [
    "LAYOUTS", "PROJECT_LAYOUTS", "BadWorkbook", "ImportPlan", "Problem", "export_tables", "import_plan",
    "open_workbook", "read_file",
]


# Tables fetched and written at a time: an export of any size holds this many tables in memory.
EXPORT_CHUNK = 200


def export_tables(project_tables, department_targets, layout):
    """The xlsx bytes of these tables: one sheet per table (one list for ``flat``) after a 汇总 sheet."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    if layout == "department":
        project_tables = project_tables.none()
    return workbook_bytes(export_parts(project_tables, department_targets), layout)


def export_parts(project_tables, department_targets, chunk=EXPORT_CHUNK):
    """The interchange document of these tables in parts of ``chunk`` tables, project tables first,
    in the order of one whole export."""
    table_ids = list(project_tables.order_by(*interchange.PROJECT_TABLE_ORDER).values_list("pk", flat=True))
    target_ids = list(department_targets.order_by(*interchange.DEPARTMENT_TARGET_ORDER).values_list("pk", flat=True))
    snapshot = framework_snapshot()  # the 指标体系 and 一级/二级 names read once for every part
    for start in range(0, len(table_ids), chunk):
        yield interchange.export_document(
            ProjectTable.objects.filter(pk__in=table_ids[start : start + chunk]), DepartmentTarget.objects.none(), snapshot
        )
    for start in range(0, len(target_ids), chunk):
        yield interchange.export_document(
            ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk__in=target_ids[start : start + chunk]), snapshot
        )


def open_workbook(data, max_bytes=None):
    """An openpyxl workbook from uploaded bytes, or BadWorkbook with the reason in Chinese."""
    check_workbook_bytes(data, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return open_read_only(data)
    except Exception as error:  # openpyxl raises many kinds on damaged parts
        raise BadWorkbook("文件已损坏或不是有效的 Excel 工作簿，无法读取，未导入。") from error


@dataclass
class ImportPlan:
    """What a file would import: the tables found (with 新建/更新), the document, problems, warnings."""

    tables: list = field(default_factory=list)
    document: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)
    documents: dict = field(default_factory=dict)
    table_problems: dict = field(default_factory=dict)
    missing_year: bool = False
    unit_suggestions: dict = field(default_factory=dict)  # code → name: the units nearest to one not found

    @property
    def ok(self):
        return not self.problems

    def action_of(self, table):
        return self.actions.get(id(table), "不导入")

    def document_of(self, table):
        """The table's entry in the document to import, or None when it was refused."""
        return self.documents.get(id(table))

    def problems_of(self, table):
        """What the reader and the resolver found wrong in this table."""
        return table.problems + self.table_problems.get(id(table), [])

    def file_problems(self):
        """Problems that belong to no table (for example: no table found at all)."""
        listed = {id(problem) for table in self.tables for problem in self.problems_of(table)}
        return [problem for problem in self.problems if id(problem) not in listed]


def read_file(data, *, user=None, year=None, keep_status=False, max_bytes=None, frameworks=None, unit_code=None):
    """Read and resolve a workbook without writing anything. BadWorkbook for files that are no workbook.
    ``unit_code``: the unit every table is imported for, whatever it prints (``--unit``, or chosen in
    the preview)."""
    workbook = open_workbook(data, max_bytes)
    try:
        read = read_workbook(workbook, frameworks or Frameworks.load())
    finally:
        workbook.close()
    resolved = Resolver(user=user, year=year, keep_status=keep_status, unit_code=unit_code).resolve(read)
    return ImportPlan(
        tables=read.tables,
        document=resolved.document,
        problems=resolved.problems,
        warnings=resolved.warnings,
        actions=resolved.actions,
        documents=resolved.documents,
        table_problems=resolved.table_problems,
        missing_year=resolved.missing_year,
        unit_suggestions=resolved.unit_suggestions,
    )


class _DryRun(Exception):
    pass


def import_plan(plan, dry_run=False, editor=None, by=None):
    """Write the plan's document, all or nothing (InterchangeError lists every problem). With
    ``dry_run`` everything is checked and counted the same way, then rolled back. ``editor``: the unit's
    staff importing through the browser (interchange.import_document locks and re-checks for them);
    ``by``: who imports, for the field history, when no request names them (a background task)."""
    if plan.problems:
        raise interchange.InterchangeError([str(problem) for problem in plan.problems])
    if not dry_run:
        return interchange.import_document(plan.document, editor=editor, by=by)
    outcome = {}
    try:
        with transaction.atomic():
            outcome["result"] = interchange.import_document(plan.document, editor=editor, by=by)
            raise _DryRun
    except _DryRun:
        pass
    return outcome["result"]
