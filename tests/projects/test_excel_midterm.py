"""The mid-term half of the form (issue 21, point 4) and the department and post-2021 layouts (point 6),
read from small hand-made workbooks laid out the way units print them."""

from decimal import Decimal

import pytest

from indicators.checks import run_rule
from indicators.models import Indicator
from projects import interchange
from projects.excel import export_tables, import_plan, read_file
from projects.models import DepartmentTarget, ProjectTable
from tests import factories
from tests.projects.excel_helpers import workbook_bytes


@pytest.fixture
def unit(reference_data):
    department = factories.department(factories.region(code="640221", name="平罗县"), code="042", name="平罗县财政局")
    return factories.unit(department, code="042001", name="平罗县财政局本级", is_department_office=True)


def read(rows, merges=()):
    plan = read_file(workbook_bytes(rows, merges), keep_status=True)
    return plan, plan.document["project_tables"]


def messages(plan):
    return [str(warning) for warning in plan.warnings] + [
        str(warning) for table in plan.tables for warning in table.warnings
    ]


def rows_of(table):
    return [(row["level1"], row["level2"], row["name"], row["midterm_value"], row["value"]) for row in table["indicators"]]


HEAD = [
    ["项目支出绩效目标申报表"],
    ["（2024 年度）"],
    ["项目名称", "乡村道路养护"],
    ["主管部门", "[042]平罗县财政局", "实施单位", "平罗县财政局本级"],
]


def test_side_by_side_form_reads_mid_term_funds_goals_and_values_apart_from_the_years(unit):
    rows = HEAD + [
        ["项目资金（万元）", "中期资金总额：", 300, "年度资金总额：", 100],
        [None, "其中：财政拨款", 240, "其中：财政拨款", 80],
        [None, "其他资金", 60, "其他资金", 20],
        ["总体目标", "中期目标（2024年-2026年）", None, "年度目标"],
        [None, "目标1：养护道路 300 公里\n目标2：优良路率达到 85%", None, "目标1：养护道路 100 公里\n目标2：优良路率达到 80%"],
        ["一级指标", "二级指标", "三级指标", "中期指标值", "年度指标值"],
        ["产出指标", "数量指标", "养护道路里程", "≥300公里", "≥100公里"],
        ["产出指标", "质量指标", "优良路率", "≥85%", "≥80%"],
        ["产出指标", "成本指标", "养护成本", "≤300万元", "≤100万元"],
        ["效益指标", "社会效益指标", "群众出行条件", "持续改善", "明显改善"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "≥90%"],
    ]
    plan, (table,) = read(rows)
    assert plan.problems == []
    assert table["funds"] == {"total": "100", "fiscal": "80", "other": "20", "breakdown": []}
    assert table["midterm_funds"] == {"total": "300", "fiscal": "240", "other": "60"}
    assert table["goals"] == {"annual": ["养护道路 100 公里", "优良路率达到 80%"], "long_term": ["养护道路 300 公里", "优良路率达到 85%"]}
    assert rows_of(table) == [
        ("产出指标", "数量指标", "养护道路里程", "≥300公里", "≥100公里"),
        ("产出指标", "质量指标", "优良路率", "≥85%", "≥80%"),
        ("产出指标", "成本指标", "养护成本", "≤300万元", "≤100万元"),
        ("效益指标", "社会效益指标", "群众出行条件", "持续改善", "明显改善"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "≥90%"),
    ]
    assert any("读取到中期资金（总额 300 万元，财政拨款 240 万元，其他资金 60 万元），已另存为中期资金，未计入年度资金" in m
               for m in messages(plan))
    result = import_plan(plan)
    saved = result.tables[0]
    saved.refresh_from_db()
    assert (saved.funds_total, saved.midterm_funds_total, saved.midterm_funds_fiscal) == (Decimal("100"), Decimal("300"), Decimal("240"))
    assert list(Indicator.objects.filter(project=saved).values_list("midterm_value_text", flat=True)) == [
        "≥300公里", "≥85%", "≤300万元", "持续改善", "≥95%",
    ]


def test_mid_term_funds_listed_under_the_years_belong_to_the_mid_term(unit):
    rows = HEAD + [
        ["项目资金（万元）", "年度资金总额", 50],
        [None, "其中：财政拨款", 50],
        [None, "中期资金总额", 150],
        [None, "其中：财政拨款", 120],
        [None, "其他资金", 30],
        ["年度总体目标", "完成年度养护任务"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "养护道路里程", "≥50公里"],
    ]
    plan, (table,) = read(rows)
    assert plan.problems == []
    assert table["funds"] == {"total": "50", "fiscal": "50", "other": None, "breakdown": []}
    assert table["midterm_funds"] == {"total": "150", "fiscal": "120", "other": "30"}
    assert rows_of(table) == [("产出指标", "数量指标", "养护道路里程", "", "≥50公里")]


def test_stacked_long_term_and_annual_grids_become_one_grid_with_mid_term_values(unit):
    rows = HEAD + [
        ["项目资金（万元）", "年度资金总额", 100],
        ["年度总体目标", "完成年度养护任务"],
        ["长期绩效指标"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "养护道路里程", "≥300公里"],
        ["效益指标", "可持续影响指标", "道路使用年限", "延长 5 年"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"],
        ["年度绩效指标"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "养护道路里程", "≥100公里"],
        ["产出指标", "时效指标", "完成时间", "2024年11月底前"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"],
    ]
    plan, (table,) = read(rows)
    assert plan.problems == []
    assert rows_of(table) == [
        ("产出指标", "数量指标", "养护道路里程", "≥300公里", "≥100公里"),
        ("产出指标", "时效指标", "完成时间", "", "2024年11月底前"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "≥90%"),
        ("效益指标", "可持续影响指标", "道路使用年限", "延长 5 年", ""),
    ]
    shown = messages(plan)
    assert any("长期绩效指标“道路使用年限”在年度绩效指标中没有，按只有中期指标值的指标读取" in m for m in shown)
    assert any("长期绩效指标表的 3 条指标按一级/二级/三级指标与年度绩效指标对应，其指标值读作中期指标值（2 条对应上，1 条另列）" in m for m in shown)
    assert not any("未识别" in m for m in shown)


def test_stacked_grids_titled_in_their_outer_column_are_read_in_either_order(unit):
    rows = HEAD + [
        ["项目资金（万元）", "年度资金总额", 100],
        ["年度总体目标", "完成年度养护任务"],
        ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        [None, "产出指标", "数量指标", "养护道路里程", "≥100公里"],
        ["长期绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        [None, "产出指标", "数量指标", "养护道路里程", "≥300公里"],
    ]
    plan, (table,) = read(rows, merges=())
    assert plan.problems == []
    assert rows_of(table) == [("产出指标", "数量指标", "养护道路里程", "≥300公里", "≥100公里")]


def _table(unit, **fields):
    return factories.project_table(unit, name="乡村道路养护", year=2024, **fields)


def _row(table, name, value, midterm=""):
    row = factories.indicator(table, name=name, value=value)
    row.midterm_value_text = midterm
    row.save()
    return row


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "flat"])
def test_a_table_with_mid_term_funds_and_values_round_trips_through_every_layout(unit, layout):
    table = _table(unit, funds_total=Decimal("100"), funds_fiscal=Decimal("80"), funds_other=Decimal("20"),
                   midterm_funds_total=Decimal("300.5"), midterm_funds_fiscal=Decimal("240"), midterm_funds_other=Decimal("60.5"))
    _row(table, "养护道路里程", "≥100公里", "≥300公里")
    _row(table, "优良路率", "≥80%")
    tables = ProjectTable.objects.filter(pk=table.pk)
    before = interchange.dumps(interchange.export_document(tables, DepartmentTarget.objects.none()))
    data = export_tables(tables, DepartmentTarget.objects.none(), layout)
    plan = read_file(data, keep_status=True)
    assert plan.problems == []
    assert plan.document["project_tables"][0]["midterm_funds"] == {"total": "300.5", "fiscal": "240", "other": "60.5"}
    import_plan(plan)
    after = interchange.dumps(interchange.export_document(tables, DepartmentTarget.objects.none()))
    assert after == before


def test_the_printed_form_shows_the_mid_term_block_and_column(unit):
    from openpyxl import load_workbook
    import io

    table = _table(unit, funds_total=Decimal("100"), midterm_funds_total=Decimal("300"))
    _row(table, "养护道路里程", "≥100公里", "≥300公里")
    data = export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), "pingluo")
    sheet = load_workbook(io.BytesIO(data)).worksheets[1]
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")]
    assert "中期资金总额（万元）" in texts and 300 in texts
    assert "中期指标值" in texts and "年度指标值" in texts and "≥300公里" in texts


def _data(funds_total=None, midterm_total=None, rows=None):
    fields = {"funds_total": funds_total, "midterm_funds_total": midterm_total}
    if rows is not None:
        fields["rows"] = [factories.indicator_data(index, l1, l2, n, v, midterm_value_text=m)
                          for index, (l1, l2, n, v, m) in enumerate(rows, 1)]
    return factories.table_data(**fields)


def test_mid_term_funds_below_the_years_is_an_error_and_above_is_not(reference_data):
    (finding,) = run_rule("midterm_funds_below_annual", _data(Decimal("100"), Decimal("80")))
    assert finding.severity == "error"
    assert "中期资金总额 80 万元少于年度资金总额 100 万元" in finding.message
    assert run_rule("midterm_funds_below_annual", _data(Decimal("100"), Decimal("300"))) == []
    assert run_rule("midterm_funds_below_annual", _data(Decimal("100"), None)) == []


def test_a_cumulative_mid_term_value_below_the_years_is_a_hint_but_a_rate_is_not(reference_data):
    data = _data(rows=[
        ("产出指标", "数量指标", "养护道路里程", "≥100公里", "≥50公里"),
        ("产出指标", "数量指标", "培训人次", "≥100人次", "≥300人次"),
        ("产出指标", "质量指标", "优良路率", "≥90%", "≥85%"),
        ("产出指标", "数量指标", "覆盖率", "≥90%", "≥80%"),
    ])
    (finding,) = run_rule("midterm_value_below_annual", data)
    assert finding.severity == "info" and finding.row == 1
    assert "中期指标值“≥50公里”小于年度指标值“≥100公里”" in finding.message
