"""What units really send: each variation of the published tables, as a small workbook, is read
correctly (tracker issue 6, point 3)."""

from decimal import Decimal

import pytest

from indicators.models import Indicator
from projects.excel import import_plan, read_file
from tests import factories
from tests.projects.excel_helpers import workbook_bytes


@pytest.fixture
def unit(reference_data):
    department = factories.department(factories.region(code="640221", name="平罗县"), code="042", name="平罗县财政局")
    return factories.unit(department, code="042001", name="平罗县财政局本级", is_department_office=True)


@pytest.fixture
def staff(unit):
    return factories.user("unit_staff", unit=unit)


GRID = [
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "培训人数", "≥ 100 人"],
    ["产出指标", "质量指标", "培训合格率", "≥90%"],
    ["产出指标", "时效指标", "按期完成率", "100%"],
    ["产出指标", "成本指标", "培训成本", "12 万元"],
    ["效益指标", "社会效益指标", "业务能力", "显著提高"],
    ["满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"],
]


def header(**overrides):
    labels = {
        "title": "部门项目支出预算绩效目标表",
        "year": "（2024 年度）",
        "name": "项目名称",
        "department": "主管部门及代码",
        "unit": "实施单位",
        "total": "年度资金总额",
        "fiscal": "其中：财政拨款",
        "goals": "年度总体目标",
    }
    labels.update(overrides)
    rows = [[labels["title"]], [labels["year"]]] if labels["year"] else [[labels["title"]]]
    return rows + [
        [labels["name"], "干部培训经费"],
        [labels["department"], "[042]平罗县财政局", labels["unit"], "平罗县财政局本级"],
        ["项目资金（万元）", labels["total"], 12],
        [None, labels["fiscal"], 12],
        [None, "其他资金", None],
        [labels["goals"], "目标 1：培训干部 100 人; 目标 2：提升业务能力"],
    ]


def read(rows, merges=(), staff_user=None, year=None, number_formats=None):
    plan = read_file(workbook_bytes(rows, merges, number_formats=number_formats), user=staff_user, year=year, keep_status=staff_user is None)
    return plan


def only_table(plan):
    assert plan.problems == [], [str(p) for p in plan.problems]
    assert len(plan.document["project_tables"]) == 1
    return plan.document["project_tables"][0]


def test_a_plain_pingluo_style_table_is_read_and_imported(unit, staff):
    plan = read(header() + GRID, staff_user=staff)
    table = only_table(plan)
    assert (table["name"], table["year"], table["unit"], table["department"]) == ("干部培训经费", 2024, "平罗县财政局本级", "平罗县财政局")
    assert table["funds"] == {"total": "12", "fiscal": "12", "other": None, "breakdown": []}
    assert table["goals"]["annual"] == ["培训干部 100 人", "提升业务能力"]
    assert [(r["level1"], r["level2"], r["name"], r["value"]) for r in table["indicators"]][0] == ("产出指标", "数量指标", "培训人数", "≥ 100 人")
    result = import_plan(plan)
    assert result.created == 1 and Indicator.objects.filter(project__name="干部培训经费").count() == 6


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"fiscal": "其中：财政资金"}, lambda t: t["funds"]["fiscal"] == "12"),
        ({"total": "预算数"}, lambda t: t["funds"]["total"] == "12"),
        ({"total": "资金总额"}, lambda t: t["funds"]["total"] == "12"),
        ({"goals": "绩效目标"}, lambda t: t["goals"]["annual"] == ["培训干部 100 人", "提升业务能力"]),
        ({"goals": "年度目标"}, lambda t: len(t["goals"]["annual"]) == 2),
        ({"department": "项目主管部门"}, lambda t: t["department"] == "平罗县财政局"),
        ({"unit": "项目执行单位"}, lambda t: t["unit"] == "平罗县财政局本级"),
    ],
)
def test_header_labels_are_read_under_their_synonyms(unit, overrides, check):
    assert check(only_table(read(header(**overrides) + GRID)))


def test_indicator_column_called_zhibiao_neirong_is_the_third_level(unit):
    grid = [["一级指标", "二级指标", "指标内容", "指标值"]] + GRID[1:]
    assert only_table(read(header() + grid))["indicators"][1]["name"] == "培训合格率"


def test_an_extra_outer_column_and_a_remarks_column_are_understood(unit):
    start = len(header()) + 1
    grid = [["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "备注"]] + [
        ["绩效指标" if index == 0 else None] + row + (["按培训班次统计"] if index == 0 else [None])
        for index, row in enumerate(GRID[1:])
    ]
    table = only_table(read(header() + grid, merges=[f"A{start + 1}:A{start + 6}"]))
    assert [r["name"] for r in table["indicators"]] == ["培训人数", "培训合格率", "按期完成率", "培训成本", "业务能力", "学员满意度"]
    assert table["indicators"][0]["note"] == "按培训班次统计"
    assert table["indicators"][1]["note"] == ""


def test_level1_names_used_by_other_systems_are_read_as_the_framework_names(unit):
    grid = [GRID[0]] + [
        [{"产出指标": "项目完成指标", "效益指标": "项目效益指标"}.get(row[0], row[0])] + row[1:] for row in GRID[1:]
    ]
    table = only_table(read(header() + grid))
    assert [r["level1"] for r in table["indicators"]] == ["产出指标"] * 4 + ["效益指标", "满意度指标"]


def test_satisfaction_filed_under_benefits_is_moved_to_its_own_level1_with_a_note(unit):
    grid = GRID[:-1] + [["效益指标", "服务对象满意度指标", "学员满意度", "≥95%"]]
    plan = read(header() + grid)
    table = only_table(plan)
    assert (table["indicators"][-1]["level1"], table["indicators"][-1]["level2"]) == ("满意度指标", "服务对象满意度指标")
    assert any("满意度指标填在了" in w.message for w in plan.warnings)


def test_cost_as_a_level1_reads_as_the_2021_framework(unit):
    grid = [GRID[0]] + GRID[1:4] + [["成本指标", "经济成本指标", "培训成本", "12 万元"]] + GRID[5:]
    table = only_table(read(header() + grid))
    assert table["framework"] == "2021"
    assert (table["indicators"][3]["level1"], table["indicators"][3]["level2"]) == ("成本指标", "经济成本指标")


def test_cost_as_a_level2_under_outputs_reads_as_the_2015_framework(unit):
    table = only_table(read(header() + GRID))
    assert table["framework"] == "2015"
    assert (table["indicators"][3]["level1"], table["indicators"][3]["level2"]) == ("产出指标", "成本指标")


def test_merged_or_blank_level_cells_mean_same_as_above(unit):
    start = len(header()) + 1
    grid = [GRID[0]] + [
        ["产出指标", "数量指标", "培训人数", "≥ 100 人"],
        [None, None, "培训班次", "4 期"],  # blank: same as above
        [None, "质量指标", "培训合格率", "≥90%"],
        [None, None, "考试通过率", "≥85%"],  # merged below
        ["满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"],
    ]
    table = only_table(read(header() + grid, merges=[f"A{start + 1}:A{start + 4}", f"B{start + 3}:B{start + 4}"]))
    assert [(r["level1"], r["level2"]) for r in table["indicators"]] == [
        ("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "质量指标"),
        ("满意度指标", "服务对象满意度指标"),
    ]


def test_cells_broken_over_several_lines_are_joined(unit):
    rows = header(name="项目\n名称", goals="年度总体\n目标") + [
        GRID[0],
        ["产出指\n标", "数量指标\n（必填硬性指标）", "纪委监委档案及干部电子\n廉政档案系统", "1个"],
        ["满意度\n指标", "服务对象满意度\n指标（必填）", "Service\nquality", "≥95%"],
    ]
    table = only_table(read(rows))
    assert table["name"] == "干部培训经费"
    assert [(r["level1"], r["level2"], r["name"]) for r in table["indicators"]] == [
        ("产出指标", "数量指标", "纪委监委档案及干部电子廉政档案系统"),
        ("满意度指标", "服务对象满意度指标", "Service quality"),
    ]


def test_full_and_half_width_punctuation_and_ascii_operators_are_read(unit):
    rows = header(fiscal="其中:财政拨款", total="年度资金总额：") + [
        GRID[0],
        ["产出指标", "质量指标", "合格率", ">=90%"],
        ["产出指标", "时效指标", "完成时间", "<=30 天"],
        ["效益指标", "社会效益指标", "覆盖率", "＞＝80％"],
    ]
    plan = read(rows)
    table = only_table(plan)
    assert table["funds"] == {"total": "12", "fiscal": "12", "other": None, "breakdown": []}
    assert [r["value"] for r in table["indicators"]] == [">=90%", "<=30 天", "＞＝80％"]
    import_plan(plan)
    assert list(Indicator.objects.order_by("order").values_list("value_nature", "value_number", "value_unit")) == [
        ("ge", Decimal(90), "%"), ("le", Decimal(30), "天"), ("ge", Decimal(80), "%")
    ]


def test_core_markers_and_template_prefixes_are_kept_as_written(unit):
    rows = header() + [
        GRID[0],
        ["产出指标", "★数量指标", "★培训人数", "≥ 100 人"],
        ["产出指标", "质量指标", "*培训合格率", "≥90%"],
        ["效益指标", "社会效益指标", "指标1：业务能力", "显著提高"],
    ]
    table = only_table(read(rows))
    assert [r["name"] for r in table["indicators"]] == ["★培训人数", "*培训合格率", "指标1：业务能力"]
    assert table["indicators"][0]["level2"] == "数量指标"


def test_a_department_given_with_its_code_in_brackets_is_matched(unit):
    rows = header() + GRID
    rows[3] = ["主管部门及代码", "[042]财政局（旧称）", "实施单位", "[042001]平罗县财政局本级"]
    plan = read(rows)
    table = only_table(plan)
    assert (table["department"], table["unit"]) == ("平罗县财政局", "平罗县财政局本级")


def test_funding_given_as_a_tree_is_summed_into_the_three_amounts(unit):
    rows = [
        ["部门项目支出预算绩效目标表"], ["（2024 年度）"],
        ["项目名称", "干部培训经费"],
        ["实施单位", "平罗县财政局本级"],
        ["项目资金（万元）", "年度资金总额", 20.5],
        [None, "财政拨款小计", 15.5],
        [None, "一般公共预算", 10],
        [None, "政府性基金", 5.5],
        [None, "自有资金", 3],
        [None, "其他收入", 2],
        ["年度总体目标", "培训干部"],
    ] + GRID
    assert only_table(read(rows))["funds"] == {"total": "20.5", "fiscal": "15.5", "other": "5", "breakdown": [
        {"label": "年度资金总额", "parent": None, "amount": "20.5"},
        {"label": "财政拨款小计", "parent": 1, "amount": "15.5"},
        {"label": "一般公共预算", "parent": 2, "amount": "10"},
        {"label": "政府性基金", "parent": 2, "amount": "5.5"},
        {"label": "自有资金", "parent": 1, "amount": "3"},
        {"label": "其他收入", "parent": 1, "amount": "2"},
    ]}


def test_funding_tree_without_subtotals_adds_up_the_sources(unit):
    rows = [
        ["项目名称", "干部培训经费"], ["预算年度", 2024], ["实施单位", "平罗县财政局本级"],
        ["一般公共预算", 10], ["政府性基金", "5.5万元"], ["自有资金", 3],
    ] + GRID
    assert only_table(read(rows))["funds"] == {"total": "18.5", "fiscal": "15.5", "other": "3", "breakdown": [
        {"label": "一般公共预算", "parent": None, "amount": "10"},
        {"label": "政府性基金", "parent": None, "amount": "5.5"},
        {"label": "自有资金", "parent": None, "amount": "3"},
    ]}


def test_amounts_in_yuan_are_converted_to_wan_yuan(unit):
    rows = header() + GRID
    rows[4] = ["项目资金（元）", "年度资金总额", 32952]
    rows[5] = [None, "其中：财政拨款", "32952元"]
    assert only_table(read(rows))["funds"] == {"total": "3.2952", "fiscal": "3.2952", "other": None, "breakdown": []}


def test_the_year_is_read_from_the_title(unit):
    rows = header(title="平罗县财政局2025年度项目支出绩效目标表", year=None) + GRID
    assert only_table(read(rows))["year"] == 2025


def test_the_year_is_read_from_a_header_cell(unit):
    rows = header(year=None) + [["预算年度", "2026年"]] + GRID
    assert only_table(read(rows))["year"] == 2026


def test_a_missing_year_is_asked_for_and_then_used(unit):
    rows = header(year=None) + GRID
    plan = read(rows)
    assert plan.missing_year and any("没有写明预算年度" in p.message for p in plan.problems)
    assert only_table(read(rows, year=2023))["year"] == 2023


def test_a_dingzhou_style_table_with_its_unit_line_is_read(unit):
    rows = [
        ["1.干部培训经费绩效目标表"],
        ["042001平罗县财政局本级", None, None, None, None, "单位：万元"],
        ["项目编码", "64022124P000001", "项目名称", "干部培训经费"],
        ["预算规模及资金用途", "预算数", 19.56, "其中：财政    资金", 19.56, "其他资金", None],
        [None, "培训场地及讲课费"],
        ["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
        [None, "25%", 0.5, 75, "100%"],
        ["绩效目标", "1.培训干部\n2.提升能力"],
        ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"],
        ["产出指标", "数量指标", "培训人数", "参训人数", "100 人", "计划标准"],
        [None, "质量指标", "合格率", "考核合格", "100百分比", "是否合格"],
    ]
    table = only_table(read(rows, merges=["A4:A5", "B5:G5", "A6:A7", "A10:A11"], year=2024, number_formats={"C7": "0%"}))
    assert (table["code"], table["name"], table["unit"], table["fund_use"]) == ("64022124P000001", "干部培训经费", "平罗县财政局本级", "培训场地及讲课费")
    assert table["spending_plan"] == [
        {"month": 3, "percent": "25"}, {"month": 6, "percent": "50"}, {"month": 10, "percent": "75"}, {"month": 12, "percent": "100"}
    ]
    assert table["goals"]["annual"] == ["培训干部", "提升能力"]
    assert [(r["description"], r["basis"], r["basis_text"]) for r in table["indicators"]] == [
        ("参训人数", "plan", ""), ("考核合格", "", "是否合格")
    ]


def test_several_tables_on_one_sheet_are_all_found(unit):
    second = header() + GRID
    second[2] = ["项目名称", "业务调研经费"]
    rows = header() + GRID + [[]] + second
    plan = read(rows)
    assert plan.problems == []
    assert [t["name"] for t in plan.document["project_tables"]] == ["干部培训经费", "业务调研经费"]


def test_a_reimported_unit_spreadsheet_updates_its_table_by_name_instead_of_duplicating(unit, staff):
    import_plan(read(header() + GRID, staff_user=staff))
    changed = header() + GRID[:-1] + [["满意度指标", "服务对象满意度指标", "学员满意度", "≥98%"]]
    result = import_plan(read(changed, staff_user=staff))
    assert (result.created, result.updated) == (0, 1)
    assert (result.indicators_created, result.indicators_updated, result.indicators_deleted) == (0, 1, 0)


def test_every_unreadable_cell_is_reported_with_its_place(unit):
    rows = header() + GRID[:2] + [["产出指标", "不存在的二级", "某指标", "1 个"]]
    rows[4] = ["项目资金（万元）", "年度资金总额", "十二万"]
    plan = read(rows)
    messages = {(p.sheet, p.cell): p.message for p in plan.problems}
    assert "十二万" in messages[("Sheet1", "C5")]
    assert "不存在的二级" in messages[("Sheet1", "B11")]


def test_unit_staff_cannot_import_a_table_of_another_unit(unit, staff):
    other = factories.unit(unit.department, code="042002", name="平罗县国库支付中心")
    rows = header() + GRID
    rows[3] = ["主管部门及代码", "平罗县财政局", "实施单位", other.name]
    plan = read(rows, staff_user=staff)
    assert any("不是本单位" in p.message for p in plan.problems)
    assert plan.document["project_tables"] == []
