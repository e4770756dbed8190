"""Amounts are exact on SQLite as on PostgreSQL (issue 22, finding 4): the largest allowed amounts save
and read back digit for digit through the editor, the JSON import and the Excel import; one digit
more is refused with a message naming the field, never rounded and never a 500.

The same tests run on both databases (.ci/run runs the suite on PostgreSQL too)."""

import copy
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from projects import interchange
from projects.excel import export_tables, import_plan, read_file
from projects.models import MAX_MONEY, DepartmentTarget, ProjectTable
from tests.projects.excel_helpers import workbook_bytes
from tests.projects.test_editor import editor_post

LARGEST = ("999999999.999999", "123456789.123456", "0.000001")
TOO_LARGE = [
    ("1000000000", "年度资金总额最多 9 位整数、6 位小数（万元）"),
    ("999999999999.999999", "年度资金总额最多 9 位整数、6 位小数（万元）"),
    ("123456789012.345678", "年度资金总额最多 9 位整数、6 位小数（万元）"),
    ("1.1234567", "年度资金总额最多 9 位整数、6 位小数（万元）"),
]


@pytest.fixture
def pingluo_table(seeded):
    return ProjectTable.objects.get(name="纪检监察事务工作经费")


def stored_funds(table):
    table = ProjectTable.objects.get(pk=table.pk)
    return (table.funds_total, table.funds_fiscal, table.funds_other)


def test_the_largest_amounts_save_and_read_back_exactly(pingluo_table):
    assert MAX_MONEY == Decimal(LARGEST[0])
    ProjectTable.objects.filter(pk=pingluo_table.pk).update(
        funds_total=Decimal(LARGEST[0]), funds_fiscal=Decimal(LARGEST[1]), funds_other=Decimal(LARGEST[2])
    )
    assert stored_funds(pingluo_table) == tuple(Decimal(text) for text in LARGEST)
    assert [str(value) for value in stored_funds(pingluo_table)] == list(LARGEST)


def test_the_editor_saves_the_largest_amounts_exactly(client, pingluo_table):
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    data = editor_post(pingluo_table, funds_total=LARGEST[0], funds_fiscal=LARGEST[1], funds_other=LARGEST[2])
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data)
    assert response.status_code == 302
    assert stored_funds(pingluo_table) == tuple(Decimal(text) for text in LARGEST)
    assert client.get(reverse("projects:project_detail", args=[pingluo_table.pk])).status_code == 200


@pytest.mark.parametrize(("amount", "message"), TOO_LARGE)
def test_the_editor_refuses_one_digit_more_with_a_message_beside_the_field(client, pingluo_table, amount, message):
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    before = stored_funds(pingluo_table)
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), editor_post(pingluo_table, funds_total=amount))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{amount}"' in page
    assert stored_funds(pingluo_table) == before


def pingluo_document():
    return interchange.export_document(ProjectTable.objects.filter(region__code="640221"), DepartmentTarget.objects.none())


def test_the_json_import_saves_the_largest_amounts_exactly(pingluo_table):
    document = pingluo_document()
    document["project_tables"][0]["funds"].update(zip(("total", "fiscal", "other"), LARGEST, strict=True))
    interchange.import_document(document)
    assert pingluo_document() == document


@pytest.mark.parametrize(("amount", "message"), TOO_LARGE)
def test_the_json_import_refuses_one_digit_more_naming_the_field(pingluo_table, amount, message):
    before = stored_funds(pingluo_table)
    document = copy.deepcopy(pingluo_document())
    document["project_tables"][0]["funds"]["total"] = amount
    with pytest.raises(interchange.InterchangeError) as refused:
        interchange.import_document(document)
    assert any(message in problem and amount in problem for problem in refused.value.problems)
    assert stored_funds(pingluo_table) == before


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "flat"])
def test_the_largest_amounts_round_trip_through_excel_exactly(pingluo_table, layout):
    ProjectTable.objects.filter(pk=pingluo_table.pk).update(
        funds_total=Decimal(LARGEST[0]), funds_fiscal=Decimal(LARGEST[1]), funds_other=Decimal(LARGEST[2])
    )
    before = pingluo_document()
    content = export_tables(ProjectTable.objects.filter(pk=pingluo_table.pk), DepartmentTarget.objects.none(), layout)
    plan = read_file(content, keep_status=True)
    assert plan.problems == []
    assert plan.document["project_tables"] == [t for t in before["project_tables"] if t["uid"] == str(pingluo_table.uid)]
    assert import_plan(plan).unchanged == 1


@pytest.mark.parametrize("layout", ["pingluo", "flat"])
def test_the_excel_import_refuses_one_digit_more_naming_the_cell(pingluo_table, layout):
    before = stored_funds(pingluo_table)
    content = export_tables(ProjectTable.objects.filter(pk=pingluo_table.pk), DepartmentTarget.objects.none(), layout)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[1]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == 66)  # 年度资金总额 66 万元
    cell.value = "1234567890.5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = read_file(buffer.getvalue(), keep_status=True)
    assert any(
        problem.cell == cell.coordinate and "年度资金总额最多 9 位整数、6 位小数（万元）" in problem.message
        for problem in plan.problems
    )
    with pytest.raises(interchange.InterchangeError):
        import_plan(plan)
    assert stored_funds(pingluo_table) == before


def test_an_amount_in_yuan_with_more_than_six_decimals_of_wanyuan_is_refused(seeded):
    content = workbook_bytes(
        [
            ["项目名称", "培训经费"],
            ["实施单位", "中共平罗县纪律检查委员会本级"],
            ["年度资金总额（元）", "0.001"],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "培训人数", "100 人"],
        ]
    )
    plan = read_file(content, year=2024)
    assert any(problem.cell == "B3" and "最多 9 位整数、6 位小数" in problem.message for problem in plan.problems)


def test_the_migration_stops_and_names_the_tables_whose_amounts_would_change(pingluo_table):
    """Narrowing the money columns must not round anything: an amount beyond 9 whole digits (possible
    before, on PostgreSQL) stops the migration with the table named. SQLite takes any number in the
    column, which lets the test store one; PostgreSQL's narrowed column no longer can."""
    migration = importlib.import_module("projects.migrations.0009_money_exact")
    migration.refuse_amounts_that_do_not_fit(apps, None)  # nothing too large: goes on
    if connection.vendor != "sqlite":
        pytest.skip("the narrowed PostgreSQL column cannot hold an amount too large")
    ProjectTable.objects.filter(pk=pingluo_table.pk).update(funds_total=Decimal("1234567890.5"))
    with pytest.raises(RuntimeError) as stopped:
        migration.refuse_amounts_that_do_not_fit(apps, None)
    assert "纪检监察事务工作经费" in str(stopped.value) and "年度资金总额 1234567890.5" in str(stopped.value)
