"""Round trips: export → import gives the same data, for both seeds in every layout, for generated
tables, and an unchanged re-import writes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from indicators.models import Indicator, Level2
from projects import interchange
from projects.excel import PROJECT_LAYOUTS, export_tables, import_plan, read_file
from projects.excel.writer import MARKER_SHEET, ROW_TAG, TABLE_TAG, workbook_bytes
from projects.models import MAX_MONEY, DepartmentTarget, ProjectTable
from tests import factories

SEEDS = {"640221": "平罗", "130682": "定州"}


def seed_querysets(region):
    return (
        ProjectTable.objects.filter(region__code=region),
        DepartmentTarget.objects.filter(department__region__code=region),
    )


def without_hidden_data(content):
    """The workbook as if it came from another system: no marker sheet, no hidden uid columns."""
    workbook = load_workbook(io.BytesIO(content))
    workbook.remove(workbook[MARKER_SHEET])
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith((TABLE_TAG, ROW_TAG)):
                    sheet.cell(cell.row, cell.column + 1).value = None
                    cell.value = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("layout", PROJECT_LAYOUTS)
@pytest.mark.parametrize("region", sorted(SEEDS))
def test_every_seed_table_reads_back_identically_in_every_layout(seeded, layout, region):
    tables, targets = seed_querysets(region)
    expected = interchange.export_document(tables, targets)
    plan = read_file(export_tables(tables, targets, layout), keep_status=True)
    assert plan.problems == []
    assert plan.document["project_tables"] == expected["project_tables"]
    assert plan.document["department_targets"] == expected["department_targets"]
    assert len(plan.document["project_tables"]) == {"640221": 5, "130682": 10}[region]


@pytest.mark.parametrize("layout", PROJECT_LAYOUTS)
def test_seeds_exported_and_imported_into_an_empty_database_come_back_the_same(seeded, layout):
    tables, targets = ProjectTable.objects.all(), DepartmentTarget.objects.all()
    before = interchange.export_document(tables, targets)
    content = export_tables(tables, targets, layout)
    Indicator.objects.all().delete()
    ProjectTable.objects.all().delete()
    DepartmentTarget.objects.all().delete()
    result = import_plan(read_file(content, keep_status=True))
    assert (result.created, result.updated, result.unchanged) == (16, 0, 0)
    assert interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.all()) == before


@pytest.mark.parametrize(("region", "layout"), [("640221", "pingluo"), ("130682", "dingzhou")])
def test_a_seed_in_its_own_layout_reads_back_from_the_printed_cells_alone(seeded, region, layout):
    """Without the hidden columns (a file retyped or re-saved by another system) every printed field
    is still read exactly, and the tables are found again by unit, year and name."""
    tables, targets = seed_querysets(region)
    expected = interchange.export_document(tables, targets)["project_tables"]
    plan = read_file(without_hidden_data(export_tables(tables, targets, layout)), keep_status=True)
    assert plan.problems == []
    printed = ["uid", "department", "unit", "year", "name", "attribute", "period", "funds", "goals", "framework"]
    if layout == "dingzhou":
        printed += ["code", "fund_use", "spending_plan"]
    got = plan.document["project_tables"]
    assert [{k: t[k] for k in printed} for t in got] == [{k: t[k] for k in printed} for t in expected]
    row_fields = ["uid", "level1", "level2", "name", "value"] + (["description", "basis_text"] if layout == "dingzhou" else [])
    assert [[{k: r[k] for k in row_fields} for r in t["indicators"]] for t in got] == [
        [{k: r[k] for k in row_fields} for r in t["indicators"]] for t in expected
    ]


def test_reimporting_an_unchanged_export_writes_nothing(seeded, tmp_path):
    path = tmp_path / "tables.xlsx"
    call_command("export_tables", "--format", "xlsx", "--layout", "dingzhou", "-o", str(path), verbosity=0)
    stamps = dict(ProjectTable.objects.values_list("pk", "updated_at"))
    rows = list(Indicator.objects.order_by("pk").values_list("pk", "uid", "value_text", "order"))
    plan = read_file(path.read_bytes(), keep_status=True)
    result = import_plan(plan)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 16)
    assert dict(ProjectTable.objects.values_list("pk", "updated_at")) == stamps
    assert list(Indicator.objects.order_by("pk").values_list("pk", "uid", "value_text", "order")) == rows


def test_an_edited_export_updates_only_the_edited_row_in_place(seeded):
    tables, targets = seed_querysets("640221")
    workbook = load_workbook(io.BytesIO(export_tables(tables, targets, "pingluo")))
    sheet = workbook["1.县委巡查专项经费"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 4).value == "开展巡查")
    sheet.cell(row, 5).value = "3 轮次"
    buffer = io.BytesIO()
    workbook.save(buffer)
    indicator = Indicator.objects.get(project__name="县委巡查专项经费", name="开展巡查")
    result = import_plan(read_file(buffer.getvalue(), keep_status=True))
    assert (result.updated, result.unchanged) == (1, 4)
    assert (result.indicators_created, result.indicators_updated, result.indicators_deleted) == (0, 1, 0)
    indicator.refresh_from_db()
    assert (indicator.value_text, indicator.value_number) == ("3 轮次", 3)


# Generated tables

_TEXT = st.text(
    alphabet=st.sampled_from(list("绩效指标值产出质量时效成本社会满意度经费保障完成率数量覆盖开展工作ABCxyz0123456789 .,:;%≥≤<>=＞（）()★*、，。；：—-/")),
    min_size=1,
    max_size=30,
).map(str.strip).filter(bool)
_MULTILINE = st.lists(_TEXT, min_size=1, max_size=3).map("\n".join)
def _money():
    return st.one_of(
        st.none(),
        st.decimals(min_value=0, max_value=Decimal("99999999"), places=2).map(lambda d: interchange.decimal_text(d)),
        st.decimals(min_value=0, max_value=MAX_MONEY, places=6).map(lambda d: interchange.decimal_text(d)),
        st.just(interchange.decimal_text(MAX_MONEY)),
    )


@st.composite
def _breakdown(draw):
    """A funds tree as stored: each line's parent one of the lines before it, or none."""
    lines = []
    for number in range(1, draw(st.integers(0, 6)) + 1):
        parent = draw(st.one_of(st.none(), st.integers(1, number - 1))) if number > 1 else None
        lines.append({"label": draw(_TEXT), "parent": parent, "amount": draw(_money())})
    return lines


@st.composite
def project_tables(draw, unit, pairs):
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        level1, level2 = draw(st.sampled_from(pairs))
        basis, basis_text = draw(st.sampled_from([("", ""), ("plan", ""), ("", "是否合格"), ("history", "依据上年")]))
        rows.append(
            {
                "uid": None,
                "level1": level1,
                "level2": level2,
                "name": draw(_TEXT),
                "description": draw(st.one_of(st.just(""), _MULTILINE)),
                "value": draw(st.one_of(_TEXT, st.sampled_from(["≥90%", ">=95%", "=100%", "100百分比", "1 家", "显著提高"]))),
                "midterm_value": draw(st.one_of(st.just(""), _TEXT, st.sampled_from(["≥300 家", "2025年底"]))),
                "basis": basis,
                "basis_text": basis_text,
                "weight": draw(st.one_of(st.none(), st.integers(0, 100).map(str), st.just("12.5"))),
                "note": draw(st.one_of(st.just(""), _TEXT)),
            }
        )
    months = sorted(draw(st.sets(st.sampled_from([3, 6, 9, 10, 12]), max_size=5)))
    return {
        "uid": None,
        "region": unit.region.code,
        "department": unit.department.name,
        "unit": unit.name,
        "year": draw(st.integers(2015, 2030)),
        "name": draw(_TEXT),
        "code": draw(st.one_of(st.just(""), st.from_regex(r"[0-9A-Z]{8,21}", fullmatch=True))),
        "attribute": draw(st.sampled_from([None, "0101", "0102", "0201", "0202"])),
        "attribute_text": draw(st.sampled_from(["", "常年项目"])),
        "period": draw(st.sampled_from(["", "1 年", "3年"])),
        "funds": {"total": draw(_money()), "fiscal": draw(_money()), "other": draw(_money()), "breakdown": draw(_breakdown())},
        "midterm_funds": {"total": draw(_money()), "fiscal": draw(_money()), "other": draw(_money())},
        "fund_use": draw(st.one_of(st.just(""), _TEXT)),
        "manager": draw(st.one_of(st.just(""), _TEXT)),
        "phone": draw(st.sampled_from(["", "0952-6012345", "13800000000"])),
        "spending_plan": [{"month": m, "percent": str(draw(st.integers(0, 100)))} for m in months],
        "goals": {"annual": draw(st.lists(_TEXT, max_size=3)), "long_term": draw(st.lists(_TEXT, max_size=2))},
        "framework": "2015",
        "no_direct_beneficiaries": draw(st.booleans()),
        "status": "draft",
        "version": 1,
        "indicators": rows,
    }


@pytest.fixture
def generated_unit(reference_data):
    department = factories.department(factories.region(code="640999", name="测试县"), code="042", name="测试县财政局")
    return factories.unit(department, code="042001", name="测试县财政局本级", is_department_office=True)


@pytest.mark.parametrize("layout", PROJECT_LAYOUTS)
def test_generated_tables_read_back_identically(generated_unit, layout):
    pairs = [(l2.level1.name, l2.name) for l2 in Level2.objects.filter(level1__framework__code="2015").select_related("level1")]
    organisations = {
        "regions": [{"code": "640999", "name": "测试县"}],
        "departments": [{"region": "640999", "code": "042", "name": "测试县财政局"}],
        "units": [{"region": "640999", "department": "测试县财政局", "code": "042001", "name": "测试县财政局本级",
                   "is_department_office": True}],
    }

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.lists(project_tables(generated_unit, pairs), min_size=1, max_size=3))
    def round_trip(tables):
        for number, table in enumerate(tables):
            table["uid"] = f"00000000-0000-4000-8000-{number:012d}"
            for index, row in enumerate(table["indicators"]):
                row["uid"] = f"00000000-0000-4000-9{number:03d}-{index:012d}"
        document = {"format": "perfgoals-tables", "version": 1, "organisations": organisations,
                    "project_tables": tables, "department_targets": []}
        plan = read_file(workbook_bytes(document, layout), keep_status=True)
        assert plan.problems == []
        assert plan.document["project_tables"] == tables

    round_trip()
