import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Indicator
from perfgoals.bulk_insert import copy_text
from perfgoals.history import create_with_history
from projects.models import ProjectTable
from tests import factories

# Text COPY's format gives a meaning to (tab, newline, carriage return, backslash, \N, the end marker \.)
# beside text it passes as it is. Decimals have every place their fields keep, within the 15 significant
# digits SQLite keeps.
AWKWARD_TEXTS = [
    "举办\t业务培训",
    "第一行\n第二行",
    "回车\r换行\r\n",
    "C:\\培训\\名单",
    r"\N",
    "\\.",
    "",
    "培训基层干部 ≥ 200 人次，考核合格率达到 95% 以上",
]


@pytest.fixture
def table(reference_data):
    return factories.project_table()


@pytest.fixture
def clerk(reference_data):
    return factories.user("unit_staff", unit=factories.unit())


def indicators(table, texts=AWKWARD_TEXTS):
    level2 = factories.level2("产出指标", "数量指标")
    return [
        Indicator(
            project=table,
            level2=level2,
            uid=uuid.uuid4(),
            order=order,
            name=text,
            description=text,
            value_text=text,
            note=text,
            value_number=Decimal("-123456789.123456") if order % 2 else None,
            weight=Decimal("99.99") if order % 2 else None,
        )
        for order, text in enumerate(texts, 1)
    ]


def tables(unit):
    checked_at = datetime.datetime(2024, 3, 31, 23, 59, 58, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    return [
        ProjectTable(
            region=unit.region,
            department=unit.department,
            unit=unit,
            year=2025,
            name=text or "空",
            fund_use=text,
            framework=factories.framework(),
            funds_total=Decimal("987654321.000001"),
            funds_fiscal=Decimal("0.000001"),
            funds_other=None,
            no_direct_beneficiaries=bool(order % 2),
            checked_at=checked_at if order % 2 else None,
        )
        for order, text in enumerate(AWKWARD_TEXTS)
    ]


def assert_stored_as_given(objs):
    model = type(objs[0])
    stored = model.objects.in_bulk([obj.pk for obj in objs])
    for obj in objs:
        for field in model._meta.concrete_fields:
            assert getattr(stored[obj.pk], field.attname) == getattr(obj, field.attname), field.name


def assert_copied(queries, model):
    """On PostgreSQL the rows went in by COPY: no INSERT into their table ran (SQLite has no COPY)."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(model._meta.db_table)
    statements = [query["sql"] for query in queries]
    assert [sql for sql in statements if sql.startswith(f"COPY {table} ")], statements
    assert not [sql for sql in statements if sql.startswith(f"INSERT INTO {table} ")], statements


def test_created_rows_read_back_exactly_as_given(table):
    rows = indicators(table)
    with CaptureQueriesContext(connection) as queries:
        create_with_history(rows, reason="导入")
    assert_copied(queries, Indicator)
    assert_stored_as_given(rows)
    assert [row.pk for row in rows] == sorted(row.pk for row in rows)
    assert all(not row._state.adding and row._state.db == "default" for row in rows)


def test_created_tables_keep_their_decimals_times_and_flags(table):
    before = timezone.now()
    objs = tables(table.unit)
    with CaptureQueriesContext(connection) as queries:
        create_with_history(objs, reason=None)
    assert_copied(queries, ProjectTable)
    assert_stored_as_given(objs)
    assert all(before <= obj.created_at <= obj.updated_at for obj in objs)


def test_each_created_row_is_recorded_with_the_acting_user_and_reason(table, clerk):
    at = timezone.now()
    rows = create_with_history(indicators(table), by=clerk, reason="导入", at=at)
    records = {record.id: record for record in Indicator.history.filter(id__in=[row.pk for row in rows])}
    assert len(records) == len(rows)
    for row in rows:
        record = records[row.pk]
        assert (record.history_type, record.history_user, record.history_change_reason, record.history_date) == (
            "+",
            clerk,
            "导入",
            at,
        )
        assert (record.name, record.note, record.uid) == (row.name, row.note, row.uid)


def test_a_row_saved_afterwards_gets_a_fresh_id(table):
    rows = create_with_history(indicators(table))
    later = factories.indicator(table, name="之后保存的指标")
    assert later.pk > max(row.pk for row in rows)
    assert Indicator.objects.filter(project=table).count() == len(rows) + 1


def test_a_failure_later_in_the_transaction_takes_the_created_rows_back(table):
    with pytest.raises(RuntimeError), transaction.atomic():
        rows = create_with_history(indicators(table), reason="导入")
        raise RuntimeError("the import failed after writing its rows")
    assert not Indicator.objects.filter(project=table).exists()
    assert not Indicator.history.filter(id__in=[row.pk for row in rows]).exists()


def test_a_row_the_database_refuses_raises_djangos_integrity_error(table):
    rows = indicators(table)
    rows[-1].level2 = None
    with pytest.raises(IntegrityError), transaction.atomic():
        create_with_history(rows)
    assert not Indicator.objects.filter(project=table).exists()
    assert all(row.pk is None for row in rows)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, r"\N"),
        (True, "t"),
        (False, "f"),
        (-42, "-42"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.000001"), "0.000001"),
        (0.1, "0.1"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc), "2024-01-02T03:04:05.000006+00:00"),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        ("a\\b\tc\nd\re", "a\\\\b\\tc\\nd\\re"),
    ],
)
def test_a_value_is_written_in_copys_text_format(value, text):
    assert copy_text(value) == text


@pytest.mark.parametrize(
    "value",
    ["NUL\0", Decimal("NaN"), Decimal("Infinity"), float("inf"), datetime.timedelta(days=1), b"bytes", {"a": 1}],
)
def test_a_value_without_an_exact_text_form_is_left_to_bulk_create(value):
    assert copy_text(value) is None
