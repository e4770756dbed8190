"""A workbook whose hidden identities were edited into something that is no identity: the preview names
the sheet and says what to do, the confirm writes nothing, neither is a server error."""

import io

import openpyxl
import pytest
from django.urls import reverse

from projects.excel.writer import ROW_TAG, TABLE_TAG
from projects.models import DepartmentTarget, ProjectTable
from tests.projects.test_excel_views import login, upload
from projects.excel import export_tables


def with_hidden_uids(content, *, tables=True, rows=True, text="not-a-uuid"):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                value = cell.value
                if isinstance(value, str) and ((tables and value.startswith(TABLE_TAG)) or (rows and value.startswith(ROW_TAG))):
                    cell.value = (TABLE_TAG if value.startswith(TABLE_TAG) else ROW_TAG) + text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("which", [{"tables": True, "rows": False}, {"tables": False, "rows": True}])
def test_an_edited_hidden_uid_is_a_named_problem_not_a_server_error(client, seeded, which):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    content = with_hidden_uids(export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), "pingluo"), **which)
    login(client, "pl_unit")
    response = upload(client, content)
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "not-a-uuid" in page and "无效" in page and "请重新导出这张表" in page and "纪检监察事务工作经费" in page
    token = response.url.rstrip("/").split("/")[-1]
    before = ProjectTable.objects.get(pk=table.pk).revision
    confirm = client.post(reverse("projects:excel_import_confirm", args=[token]))
    assert confirm.status_code == 302
    assert ProjectTable.objects.get(pk=table.pk).revision == before


def test_a_table_with_more_rows_than_a_table_may_hold_is_refused_naming_it(client, seeded, settings):
    """A 95,000-row table's first preview ran the checks on every row past gunicorn's timeout; the
    editor holds at most PERFGOALS_MAX_INDICATOR_ROWS, and so does an import."""
    from projects.excel import read_file

    settings.PERFGOALS_MAX_INDICATOR_ROWS = 3
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    content = export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), "pingluo")
    plan = read_file(content)
    assert not plan.ok
    assert any("超过一张表最多 3 条的上限" in str(problem) and "纪检监察事务工作经费" in str(problem) for problem in plan.problems)
