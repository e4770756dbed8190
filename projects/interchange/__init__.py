"""The JSON interchange format (fixtures/seeds/FORMAT.md): every field of every table, nothing else.

Export is deterministic, so export → import into an empty database → export gives the same bytes.
Import checks the whole document first and reports every problem with where it is; it writes only
when the document is good, and then all of it in one transaction.
"""

import json

from django.db import transaction

from indicators.frameworks import framework_scope
from projects.findings import projects_recheck, projects_recheck_written
from perfgoals.formatting import decimal_text  # noqa: F401  (tests format amounts as the export does)
from projects import tallies
from projects.models import ProjectTable
from projects.interchange.export import (  # noqa: F401  (the interchange API, importable from here)
    DEPARTMENT_TARGET_ORDER,
    FORMAT_NAME,
    FORMAT_VERSION,
    PROJECT_TABLE_ORDER,
    dumps,
    export_document,
)
from projects.interchange.outcome import ImportResult, InterchangeError
from projects.interchange.plan import import_department_target, import_project_table
from projects.interchange.reader import Reader, organisations
from projects.interchange.shape import check_header, check_shape


def import_document(document, *, by=None, editor=None):
    """Import a whole interchange document, all or nothing. Raises InterchangeError listing every problem.
    ``by`` is who imports, for the field history (by default the user of the request being served).
    The stored documents it changes are locked until it commits and their revision moves on.
    ``editor``: the unit's staff member importing through the browser; those documents are then
    re-checked on the locked row as the editor's save does, and keep their workflow status."""
    check_header(document)
    check_shape(document)
    result = ImportResult()
    # One framework snapshot for the whole import (its reading, its comparisons, its rechecks), also
    # outside a request (a command, a background task).
    # The tallies of every unit-year the import writes are refreshed once, at its end.
    with framework_scope(), transaction.atomic(), tallies.deferred():
        reader = Reader(document, by=by, editor=editor)
        reader.load_current_exports(document)
        reader.load_stored(document)
        regions, departments, units = organisations(reader, document)
        # First the plan: every table and target is read and checked, and what it would write is kept;
        # nothing is written while any part of the document has a problem.
        writes = []
        for index, data in enumerate(document.get("project_tables") or [], 1):
            if not isinstance(data, dict):
                reader.problem(f"第 {index} 张项目表", "应为对象。")
                continue
            writes.append(import_project_table(reader, data, index, regions, departments, units, result))
        for index, data in enumerate(document.get("department_targets") or [], 1):
            if not isinstance(data, dict):
                reader.problem(f"第 {index} 份部门整体绩效目标", "应为对象。")
                continue
            writes.append(import_department_target(reader, data, index, regions, departments, result))
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
