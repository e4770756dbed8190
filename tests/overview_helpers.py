"""Reading what the overview's list pages show and what their exports hold, for the tests."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from perfgoals.xlsx import FIRST_DATA_ROW, HEADER_ROW, TITLE_ROW


def listed(response, accessor="name"):
    """The value at ``accessor`` of each row on the page (the current page only), in order."""
    table = response.context["table"]
    return [_resolve(row.record, accessor) for row in table.paginated_rows]


def all_pages(client, url, params, accessor="name"):
    """Every row of a list, page after page, as a user clicking 下一页 would see them."""
    rows, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page})
        assert response.status_code == 200
        rows += listed(response, accessor)
        table = response.context["table"]
        if not table.page.has_next():
            return rows
        page += 1


def _resolve(record, accessor):
    value = record
    for part in accessor.split("__"):
        value = getattr(value, part)
    return value


class Export:
    """The sheet of a list export: its title, headers and data rows (cell values, None for empty), and
    its 合计 row apart (``total``, None for a list without money columns)."""

    def __init__(self, response):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        self.workbook = load_workbook(io.BytesIO(response.content))
        self.sheet = self.workbook.active
        self.title = self.sheet.cell(TITLE_ROW, 1).value
        self.headers = [cell.value for cell in self.sheet[HEADER_ROW]]
        self.rows = [
            [cell.value for cell in row] for row in self.sheet.iter_rows(min_row=FIRST_DATA_ROW)
        ]
        last = self.rows[-1] if self.rows else None
        self.total = self.rows.pop() if last and isinstance(last[0], str) and last[0].startswith("合计") else None

    def column(self, header):
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


def queries_of(client, url, params=None):
    """The number of SQL queries one GET of ``url`` makes, with its response."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries), response


def five_tables():
    """One region with two departments (and a third with only last year's table), their units, a
    finance officer, and five tables whose statuses, grades, scores, money, frameworks and review
    histories each answer a different filter. Dates are in Asia/Shanghai."""
    import datetime
    from decimal import Decimal
    from types import SimpleNamespace

    from django.utils import timezone

    from perfgoals.roles import Role
    from projects.models import ReviewComment
    from tests import factories

    def at(text):
        return timezone.make_aware(datetime.datetime.fromisoformat(text))

    region = factories.region(name="测试县")
    d1 = factories.department(region, name="甲局")
    d2 = factories.department(region, name="乙局")
    d3 = factories.department(region, name="丙局")
    u1 = factories.unit(d1, name="甲局本级", is_department_office=True)
    u2 = factories.unit(d2, name="乙局下属中心")
    u3 = factories.unit(d3, name="丙局本级", is_department_office=True)
    finance = factories.user(Role.FINANCE_OFFICER, region=region)
    staff2 = factories.user(Role.UNIT_STAFF, unit=u2)

    def table(unit, name, **fields):
        return factories.project_table(unit, name=name, **fields)

    t1 = table(u1, "信息系统运维经费", year=2024, status="approved", quality_grade="excellent", quality_score=95,
               funds_total=Decimal("100"))
    t2 = table(u2, "业务培训经费", year=2024, status="returned", quality_grade="fair", quality_score=65,
               funds_total=Decimal("20"), framework_code="2021")
    t3 = table(u1, "办公设备购置经费", year=2024, status="draft", funds_total=Decimal("5"))
    t4 = table(u2, "专项检查经费", year=2023, status="approved", quality_grade="good", quality_score=85,
               funds_total=Decimal("50"))
    t5 = table(u2, "宣传教育经费", year=2024, status="department_review", quality_grade="poor", quality_score=40,
               funds_total=Decimal("8"))
    t6 = table(u3, "丙局去年的经费", year=2023, status="approved", quality_grade="good", quality_score=80,
               funds_total=Decimal("3"))

    record = factories.review_record
    record(t1, "submit", finance, at=at("2024-03-01 09:00"), round=1)
    record(t1, "approve", finance, at=at("2024-03-10 15:00"), round=1)
    record(t2, "submit", staff2, at=at("2024-03-05 10:00"), round=1)
    returned = record(t2, "return", finance, at=at("2024-03-06 11:00"), round=1, reason="not_quantified")
    ReviewComment.objects.create(record=returned, reason="split", text="建议拆成两条")
    record(t4, "submit", staff2, at=at("2023-02-01 10:00"), round=1)
    record(t4, "return", finance, at=at("2023-02-03 10:00"), round=1, reason="incomplete")
    record(t4, "submit", staff2, at=at("2023-02-05 10:00"), round=2)
    record(t4, "approve", finance, at=at("2023-02-08 10:00"), round=2)
    record(t5, "submit", staff2, at=at("2024-04-02 10:00"), round=1)
    return SimpleNamespace(
        region=region, d1=d1, d2=d2, d3=d3, u1=u1, u2=u2, u3=u3, finance=finance, staff2=staff2,
        t1=t1, t2=t2, t3=t3, t4=t4, t5=t5, t6=t6,
    )
