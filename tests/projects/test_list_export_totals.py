"""List exports (issue 17): a 合计 row below the rows, each project counted once as its version in
force; amounts in a number format; a 最后修改 column wide enough not to show ###."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from perfgoals.xlsx import FIRST_DATA_ROW, HEADER_ROW, MONEY_FORMAT
from projects.models import ProjectTable, TableStatus
from tests.projects.test_version_in_force import adjust


@pytest.fixture
def finance(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    return client


def exported(client, name, **query):
    response = client.get(reverse(name), {"year": 2023, "export": "xlsx", **query})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW)]
    return sheet, headers, rows


def money_in_force():
    return sum(
        (table.funds_total for table in ProjectTable.objects.filter(year=2023, unit__region__code="640221").in_force()),
        Decimal(0),
    )


def test_the_table_list_export_ends_with_a_total_row_of_its_money(finance):
    sheet, headers, rows = exported(finance, "projects:project_list")
    *data, total = rows
    column = headers.index("年度资金总额（万元）")
    assert total[0].value == "合计" and total[0].font.b
    assert Decimal(str(total[column].value)) == money_in_force()
    assert Decimal(str(total[column].value)) == sum(Decimal(str(row[column].value or 0)) for row in data)
    # The autofilter covers the rows, not the total (sorting the list keeps 合计 at the bottom).
    assert sheet.auto_filter.ref.endswith(str(FIRST_DATA_ROW + len(data) - 1))


def test_an_adjustment_under_way_is_counted_once_in_the_exported_total(finance):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)
    before = money_in_force()
    adjust(table, funds_total=table.funds_total + 10)
    sheet, headers, rows = exported(finance, "projects:project_list")
    *data, total = rows
    column = headers.index("年度资金总额（万元）")
    # Both versions are listed, but the total adds version 1 only (the approved one in force).
    assert [row[headers.index("项目名称")].value for row in data].count(table.name) == 2
    assert Decimal(str(total[column].value)) == before
    assert total[0].value.startswith("合计（") and "现行版本" in total[0].value


def test_amounts_are_exported_in_a_money_format_and_times_fit_their_column(finance):
    sheet, headers, rows = exported(finance, "projects:project_list")
    column = headers.index("年度资金总额（万元）")
    assert all(row[column].number_format == MONEY_FORMAT for row in rows if row[column].value is not None)
    updated = headers.index("最后修改")
    letter = rows[0][updated].column_letter
    assert sheet.column_dimensions[letter].width >= 16


def test_the_department_progress_export_totals_its_money_columns(finance):
    sheet, headers, rows = exported(finance, "projects:department_progress")
    *data, total = rows
    assert total[0].value == "合计"
    for header in ("资金合计（万元）", "批复金额"):
        column = headers.index(header)
        assert Decimal(str(total[column].value or 0)) == sum(Decimal(str(row[column].value or 0)) for row in data)
    assert Decimal(str(total[headers.index("资金合计（万元）")].value)) == money_in_force()
