"""Every table a unit really sends comes in (issue 21, point 6): the whole-department form headed 部门（单位）名称
with 指标解释 / 指标说明及公式 / 预期达到目标 columns, and the post-2021 form whose 一级 carry a score band
(成本指标(0-20)分) beside 分值 and 指标解释 columns. Workbooks are made here, cell by cell; each test asserts
every indicator, amount and goal read and the hint shown."""

from decimal import Decimal

import pytest

from indicators.models import Indicator
from projects import interchange
from projects.excel import export_tables, import_plan, read_file
from projects.excel.bands import Band, split_band
from projects.models import DepartmentTarget, ProjectTable
from tests import factories
from tests.projects.excel_helpers import workbook_bytes
from tests.projects.test_excel_roundtrip import without_hidden_data


@pytest.fixture
def unit(reference_data):
    department = factories.department(factories.region(code="640221", name="平罗县"), code="042", name="平罗县财政局")
    return factories.unit(department, code="042001", name="平罗县财政局本级", is_department_office=True)


def read(rows, merges=(), **options):
    return read_file(workbook_bytes(rows, merges), keep_status=True, **options)


def hints(plan):
    return [str(warning) for table in plan.tables for warning in table.warnings]


def rows_of(table, *keys):
    return [tuple(row[key] for key in keys) for row in table["indicators"]]


def department_target(plan):
    """The one department target read, with the department, year, goal, money and tasks of DEPARTMENT_HEAD."""
    assert plan.problems == [], [str(p) for p in plan.problems]
    assert plan.document["project_tables"] == []
    (target,) = plan.document["department_targets"]
    assert (target["department"], target["year"]) == ("平罗县财政局", 2024)
    assert target["overall_goal"] == "全面实施预算绩效管理，提高财政资金使用效益"
    assert target["funds"] == {"total": "1200", "basic": "800", "project": "400"}
    assert [(task["title"], task["goal"]) for task in target["sub_targets"]] == [
        ("预算编审", "完成全县 86 个部门预算的编制和审核"), ("绩效管理", "对 10 个重点项目开展绩效评价"),
    ]
    return target


def banded_table(plan):
    """The one project table read, with the name, money and goals of BANDED_HEAD."""
    assert plan.problems == [], [str(p) for p in plan.problems]
    (table,) = plan.document["project_tables"]
    assert (table["name"], table["department"], table["unit"], table["year"]) == ("干部培训经费", "平罗县财政局", "平罗县财政局本级", 2024)
    assert table["funds"] == {"total": "12", "fiscal": "12", "other": None, "breakdown": []}
    assert table["goals"]["annual"] == ["培训干部 100 人", "提升业务能力"]
    assert table["framework"] == "2021"
    return table


# The whole-department form

TASKS = [
    ["年度主要任务", "任务名称", "主要内容"],
    [None, "预算编审", "完成全县 86 个部门预算的编制和审核"],
    [None, "绩效管理", "对 10 个重点项目开展绩效评价"],
]
DEPARTMENT_HEAD = [
    ["部门（单位）整体支出绩效目标申报表"],
    ["（2024年度）"],
    ["部门（单位）名称", "平罗县财政局"],
    *TASKS,
    ["资金总额（万元）", 1200, "其中：基本支出", 800, "项目支出", 400],
    ["年度总体目标", "全面实施预算绩效管理，提高财政资金使用效益"],
]
DEPARTMENT_GRID = [
    ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "指标说明及公式", "预期达到目标"],
    [None, "产出指标", "数量指标", "评价项目数", "开展重点评价的项目个数", "完成评价的项目个数", "≥10个"],
    [None, None, "时效指标", "预算批复及时率", "按期批复部门预算的比例", "按期批复部门数/部门总数×100%", "100%"],
    [None, "效益指标", "社会效益指标", "资金使用效益", "财政资金的使用效益", "定性", "明显提高"],
    [None, "满意度指标", "服务对象满意度指标", "预算单位满意度", "预算单位对财政服务的满意程度", "满意人数/调查人数×100%", "≥90%"],
]
# The task label merged over its block, 年度绩效指标 over the grid, 一级 over its rows, as printed.
DEPARTMENT_MERGES = ("A4:A6", "A9:A13", "B10:B11")


def test_the_department_form_is_read_whole_with_its_tasks_goal_money_and_every_indicator(unit):
    plan = read(DEPARTMENT_HEAD + DEPARTMENT_GRID, DEPARTMENT_MERGES)

    assert plan.problems == [], [str(p) for p in plan.problems]
    assert plan.document["project_tables"] == []
    (target,) = plan.document["department_targets"]
    assert target["department"] == "平罗县财政局"
    assert target["year"] == 2024
    assert target["overall_goal"] == "全面实施预算绩效管理，提高财政资金使用效益"
    assert target["funds"] == {"total": "1200", "basic": "800", "project": "400"}
    assert target["sub_targets"] == [
        {"title": "预算编审", "goal": "完成全县 86 个部门预算的编制和审核", "indicator_text": "", "safeguards": ""},
        {"title": "绩效管理", "goal": "对 10 个重点项目开展绩效评价", "indicator_text": "", "safeguards": ""},
    ]
    assert rows_of(target, "level1", "level2", "name", "description", "note", "value") == [
        ("产出指标", "数量指标", "评价项目数", "开展重点评价的项目个数", "完成评价的项目个数", "≥10个"),
        ("产出指标", "时效指标", "预算批复及时率", "按期批复部门预算的比例", "按期批复部门数/部门总数×100%", "100%"),
        ("效益指标", "社会效益指标", "资金使用效益", "财政资金的使用效益", "定性", "明显提高"),
        ("满意度指标", "服务对象满意度指标", "预算单位满意度", "预算单位对财政服务的满意程度", "满意人数/调查人数×100%", "≥90%"),
    ]
    assert hints(plan) == [
        "工作表“Sheet1” A4：年度主要任务读作分项目标（2 项：任务名称为分项名称，主要内容为绩效目标）。",
        "工作表“Sheet1” A7：部门整体目标表中的“资金总额（万元）”读作“部门预算总额”。",
        "工作表“Sheet1” A8：部门整体目标表中的“年度总体目标”读作“总体绩效目标”。",
        "工作表“Sheet1” F9：“指标说明及公式”列读作备注。",
    ]


def test_the_department_form_imports_as_the_departments_target_with_its_rows(unit):
    plan = read(DEPARTMENT_HEAD + DEPARTMENT_GRID, DEPARTMENT_MERGES)

    import_plan(plan)

    target = DepartmentTarget.objects.get()
    assert (target.department.name, target.year, target.funds_total) == ("平罗县财政局", 2024, Decimal("1200"))
    assert target.overall_goal == "全面实施预算绩效管理，提高财政资金使用效益"
    assert [s.title for s in target.sub_targets.order_by("order")] == ["预算编审", "绩效管理"]
    stored = Indicator.objects.filter(department_target=target).order_by("order")
    assert [(i.name, i.value_text, i.note) for i in stored] == [
        ("评价项目数", "≥10个", "完成评价的项目个数"),
        ("预算批复及时率", "100%", "按期批复部门数/部门总数×100%"),
        ("资金使用效益", "明显提高", "定性"),
        ("预算单位满意度", "≥90%", "满意人数/调查人数×100%"),
    ]


def test_without_an_explanation_column_the_formula_is_the_description_and_a_remark_column_stays_the_remark(unit):
    grid = [
        ["一级指标", "二级指标", "三级指标", "指标说明及公式", "预期达到目标", "备注"],
        ["产出指标", "数量指标", "评价项目数", "完成评价的项目个数", "≥10个", "含委托第三方"],
        ["满意度指标", "服务对象满意度指标", "预算单位满意度", "满意人数/调查人数×100%", "≥90%", None],
    ]
    plan = read(DEPARTMENT_HEAD + grid, DEPARTMENT_MERGES[:1])

    target = department_target(plan)
    assert rows_of(target, "level1", "level2", "name", "description", "value", "note") == [
        ("产出指标", "数量指标", "评价项目数", "完成评价的项目个数", "≥10个", "含委托第三方"),
        ("满意度指标", "服务对象满意度指标", "预算单位满意度", "满意人数/调查人数×100%", "≥90%", ""),
    ]
    assert "工作表“Sheet1” D9：“指标说明及公式”列读作绩效指标描述（本表没有“指标解释”列）。" in hints(plan)


def test_with_both_explanation_and_remark_columns_the_formula_comes_first_in_the_remark(unit):
    grid = [
        ["一级指标", "二级指标", "三级指标", "指标解释", "指标说明及公式", "预期达到目标", "备注"],
        ["产出指标", "数量指标", "评价项目数", "重点评价的项目个数", "完成评价的项目个数", "≥10个", "含委托第三方"],
    ]
    plan = read(DEPARTMENT_HEAD + grid, DEPARTMENT_MERGES[:1])

    target = department_target(plan)
    assert rows_of(target, "name", "description", "value", "note") == [
        ("评价项目数", "重点评价的项目个数", "≥10个", "完成评价的项目个数\n含委托第三方"),
    ]


def test_a_task_column_the_target_has_no_room_for_is_a_hint_and_its_cells_are_not_taken_for_labels(unit):
    head = [row if row[0] != "年度主要任务" else row + ["预算金额（万元）"] for row in DEPARTMENT_HEAD]
    head[4] = head[4] + [300]
    head[5] = head[5] + [200]
    plan = read(head + DEPARTMENT_GRID, DEPARTMENT_MERGES)

    target = department_target(plan)
    assert [task["title"] for task in target["sub_targets"]] == ["预算编审", "绩效管理"]
    assert target["funds"] == {"total": "1200", "basic": "800", "project": "400"}
    messages = hints(plan)
    assert "工作表“Sheet1” D4：年度主要任务的“预算金额（万元）”列未读取（分项目标没有这一栏）。" in messages
    assert not [message for message in messages if "未识别的内容" in message]


def test_a_fiscal_and_other_split_the_target_has_no_room_for_is_a_hint_naming_the_amounts(unit):
    head = list(DEPARTMENT_HEAD)
    head.insert(7, ["其中：财政拨款", 1000, "其他资金", 200])
    plan = read(head + DEPARTMENT_GRID, DEPARTMENT_MERGES[:1])

    target = department_target(plan)
    assert target["funds"] == {"total": "1200", "basic": "800", "project": "400"}
    messages = hints(plan)
    assert "工作表“Sheet1” B8：部门整体目标只保存部门预算总额、基本支出和项目支出；“其中：财政拨款”（1000）未保存。" in messages
    assert "工作表“Sheet1” D8：部门整体目标只保存部门预算总额、基本支出和项目支出；“其他资金”（200）未保存。" in messages
    assert not [message for message in messages if "未识别的内容" in message]


def test_a_project_form_that_prints_a_department_unit_name_stays_a_project_table(unit):
    rows = [
        ["项目支出绩效目标表"], ["（2024年度）"],
        ["项目名称", "干部培训经费"],
        ["部门（单位）名称", "平罗县财政局", "实施单位", "平罗县财政局本级"],
        ["年度资金总额", 12],
        ["年度总体目标", "培训干部 100 人"],
        ["一级指标", "二级指标", "三级指标", "指标说明及公式", "预期达到目标"],
        ["产出指标", "数量指标", "培训人数", "实际参训人数", "≥100人"],
    ]
    plan = read(rows)

    assert plan.problems == [], [str(p) for p in plan.problems]
    assert plan.document["department_targets"] == []
    (table,) = plan.document["project_tables"]
    assert (table["name"], table["department"], table["funds"]["total"]) == ("干部培训经费", "平罗县财政局", "12")
    assert table["goals"]["annual"] == ["培训干部 100 人"]
    assert rows_of(table, "name", "description", "value") == [("培训人数", "实际参训人数", "≥100人")]


def test_the_departments_own_layout_read_from_its_printed_cells_alone_is_unchanged_by_the_department_form(seeded):
    """The 部门整体 layout this app prints, retyped by another system (no hidden data), still reads as it did:
    its 分项目标 grid is not taken for 年度主要任务 and its labels keep their fields."""
    targets = DepartmentTarget.objects.all()
    (expected,) = interchange.export_document(ProjectTable.objects.none(), targets)["department_targets"]
    plan = read_file(without_hidden_data(export_tables(ProjectTable.objects.none(), targets, "department")), keep_status=True)

    assert plan.problems == [], [str(p) for p in plan.problems]
    (target,) = plan.document["department_targets"]
    for key in ("uid", "department", "year", "overall_goal", "funds", "sub_targets", "indicators"):
        assert target[key] == expected[key], key
    assert not [hint for hint in hints(plan) if "读作" in hint]


# The post-2021 form with score bands in the 一级

BANDED_HEAD = [
    ["项目支出绩效目标表"], ["（2024年度）"],
    ["项目名称", "干部培训经费"],
    ["主管部门及代码", "[042]平罗县财政局", "实施单位", "平罗县财政局本级"],
    ["项目资金（万元）", "年度资金总额", 12],
    [None, "其中：财政拨款", 12],
    [None, "其他资金", None],
    ["年度总体目标", "目标 1：培训干部 100 人; 目标 2：提升业务能力"],
    ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "指标值"],
]
BANDED_GRID = [
    ["成本指标(0-20)分", "经济成本指标", "人均培训成本", 10, "每人培训费用", "≤1200元"],
    ["产出指标(40-50)分", "数量指标", "培训人数", 25, "参训人数", "≥100人"],
    [None, "质量指标", "培训合格率", 20, "考试合格的比例", "≥90%"],
    ["效益指标（20-30分）", "社会效益指标", "业务能力", 25, "业务能力提升", "显著提高"],
    ["满意度指标(0-10)分", "满意度指标", "学员满意度", 10, "问卷调查", "≥95%"],
]


def banded(grid, head=BANDED_HEAD, merges=("A11:A12",)):
    return read(head + grid, merges)


def test_score_bands_are_read_off_the_level1_and_the_points_kept_as_weights(unit):
    plan = banded(BANDED_GRID)

    assert plan.problems == [], [str(p) for p in plan.problems]
    (table,) = plan.document["project_tables"]
    assert table["framework"] == "2021"
    assert (table["name"], table["funds"]) == ("干部培训经费", {"total": "12", "fiscal": "12", "other": None, "breakdown": []})
    assert table["goals"]["annual"] == ["培训干部 100 人", "提升业务能力"]
    assert rows_of(table, "level1", "level2", "name", "description", "value", "weight") == [
        ("成本指标", "经济成本指标", "人均培训成本", "每人培训费用", "≤1200元", "10"),
        ("产出指标", "数量指标", "培训人数", "参训人数", "≥100人", "25"),
        ("产出指标", "质量指标", "培训合格率", "考试合格的比例", "≥90%", "20"),
        ("效益指标", "社会效益指标", "业务能力", "业务能力提升", "显著提高", "25"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "问卷调查", "≥95%", "10"),
    ]
    assert hints(plan) == [
        "工作表“Sheet1” A10：一级指标“成本指标(0-20)分”读作“成本指标”（分值区间 0–20 分），其三级指标的分值读作权重，合计 10 分。",
        "工作表“Sheet1” A11：一级指标“产出指标(40-50)分”读作“产出指标”（分值区间 40–50 分），其三级指标的分值读作权重，合计 45 分。",
        "工作表“Sheet1” A13：一级指标“效益指标（20-30分）”读作“效益指标”（分值区间 20–30 分），其三级指标的分值读作权重，合计 25 分。",
        "工作表“Sheet1” A14：一级指标“满意度指标(0-10)分”读作“满意度指标”（分值区间 0–10 分），其三级指标的分值读作权重，合计 10 分。",
        "工作表“Sheet1” B14：二级指标“满意度指标”按指标体系的名称读作“服务对象满意度指标”。",
    ]


def test_points_outside_their_band_or_missing_on_a_row_are_a_hint(unit):
    grid = [list(row) for row in BANDED_GRID]
    grid[1][3] = 35  # 产出: 35 + 20 = 55, above 40–50
    grid[0][3] = None  # 成本: its only row without points
    grid.insert(1, [None, "社会成本指标", "占用场地", None, "场地占用", "≤2天"])
    plan = banded(grid, merges=("A10:A11", "A12:A13"))

    table = banded_table(plan)
    assert rows_of(table, "level1", "name", "weight") == [
        ("成本指标", "人均培训成本", None), ("成本指标", "占用场地", None),
        ("产出指标", "培训人数", "35"), ("产出指标", "培训合格率", "20"),
        ("效益指标", "业务能力", "25"), ("满意度指标", "学员满意度", "10"),
    ]
    messages = hints(plan)
    assert "工作表“Sheet1” A12：一级指标“产出指标(40-50)分”读作“产出指标”（分值区间 40–50 分），其三级指标的分值读作权重，合计 55 分；合计不在 40–50 分 之内，请核对。" in messages
    assert "工作表“Sheet1” A10：一级指标“成本指标(0-20)分”读作“成本指标”；分值区间 0–20 分 下的三级指标没有填写分值，权重未填，请在导入后逐条填写。" in messages


def test_a_band_of_one_figure_without_points_is_divided_among_its_rows(unit):
    head = BANDED_HEAD[:-1] + [["一级指标", "二级指标", "三级指标", "指标解释", "指标值"]]
    grid = [
        ["产出指标(50分)", "数量指标", "培训人数", "参训人数", "≥100人"],
        [None, "质量指标", "培训合格率", "考试合格的比例", "≥90%"],
        [None, "时效指标", "按时完成率", "按期完成的比例", "100%"],
        ["满意度指标（10分）", "服务对象满意度指标", "学员满意度", "问卷调查", "≥95%"],
    ]
    plan = banded(grid, head=head, merges=("A10:A12",))

    table = banded_table(plan)
    assert rows_of(table, "level1", "level2", "name", "description", "value", "weight") == [
        ("产出指标", "数量指标", "培训人数", "参训人数", "≥100人", "16.66"),
        ("产出指标", "质量指标", "培训合格率", "考试合格的比例", "≥90%", "16.66"),
        ("产出指标", "时效指标", "按时完成率", "按期完成的比例", "100%", "16.68"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "问卷调查", "≥95%", "10"),
    ]
    assert hints(plan) == [
        "工作表“Sheet1” A10：一级指标“产出指标(50分)”读作“产出指标”，其 50 分 平均分给 3 条三级指标作为权重（16.66、16.68 分）。",
        "工作表“Sheet1” A13：一级指标“满意度指标（10分）”读作“满意度指标”，其 10 分 平均分给 1 条三级指标作为权重（10 分）。",
    ]


def test_points_written_with_fen_and_one_score_merged_over_a_level1s_rows_are_weights(unit):
    grid = [list(row) for row in BANDED_GRID]
    grid[0][3] = "10分"
    grid[1][3] = "45分"  # merged over 产出's two rows: the 一级's score
    grid[2][3] = None
    plan = banded(grid, merges=("A11:A12", "D11:D12"))

    table = banded_table(plan)
    assert rows_of(table, "level1", "name", "weight") == [
        ("成本指标", "人均培训成本", "10"), ("产出指标", "培训人数", "22.5"), ("产出指标", "培训合格率", "22.5"),
        ("效益指标", "业务能力", "25"), ("满意度指标", "学员满意度", "10"),
    ]
    messages = hints(plan)
    assert "工作表“Sheet1” D11：分值 45 分合并于 2 条三级指标，平均分给各条作为权重（22.5 分）。" in messages
    assert "工作表“Sheet1” A11：一级指标“产出指标(40-50)分”读作“产出指标”（分值区间 40–50 分），其三级指标的分值读作权重，合计 45 分。" in messages


def test_a_value_printed_in_three_cells_with_its_operator_and_unit_is_one_value(unit):
    head = BANDED_HEAD[:-1] + [["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "分值", "指标解释"]]
    grid = [
        ["成本指标(0-20)分", "经济成本指标", "人均培训成本", "≤", 1200, "元", 10, "每人培训费用"],
        ["产出指标(40-50)分", "数量指标", "培训人数", ">=", 100, "人", 25, "参训人数"],
        [None, "质量指标", "培训合格率", "≥", "90%", None, 20, "考试合格的比例"],
        ["效益指标(20-30)分", "社会效益指标", "业务能力", "定性", "显著提高", None, 25, "业务能力提升"],
        ["满意度指标(0-10)分", "满意度指标", "学员满意度", "≥", "≥95", "%", 10, "问卷调查"],
    ]
    plan = banded(grid, head=head)

    table = banded_table(plan)
    assert rows_of(table, "level1", "level2", "name", "value", "weight", "description") == [
        ("成本指标", "经济成本指标", "人均培训成本", "≤1200元", "10", "每人培训费用"),
        ("产出指标", "数量指标", "培训人数", "≥100人", "25", "参训人数"),
        ("产出指标", "质量指标", "培训合格率", "≥90%", "20", "考试合格的比例"),
        ("效益指标", "社会效益指标", "业务能力", "显著提高", "25", "业务能力提升"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥95%", "10", "问卷调查"),
    ]
    assert "工作表“Sheet1” E9：“指标性质”、“度量单位”列并入指标值（例如“≥”“100”“人”读作“≥100人”）。" in hints(plan)
    assert not [hint for hint in hints(plan) if "未识别的列" in hint]


def test_a_banded_table_imports_and_exports_back_with_its_weights(unit):
    import_plan(banded(BANDED_GRID))

    table = ProjectTable.objects.get()
    assert [(i.name, i.weight) for i in table.indicators.order_by("order")] == [
        ("人均培训成本", Decimal("10")), ("培训人数", Decimal("25")), ("培训合格率", Decimal("20")),
        ("业务能力", Decimal("25")), ("学员满意度", Decimal("10")),
    ]
    again = read_file(export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.none(), "flat"), keep_status=True)
    (read_back,) = again.document["project_tables"]
    assert rows_of(read_back, "level1", "name", "weight") == [
        ("成本指标", "人均培训成本", "10"), ("产出指标", "培训人数", "25"), ("产出指标", "培训合格率", "20"),
        ("效益指标", "业务能力", "25"), ("满意度指标", "学员满意度", "10"),
    ]


@pytest.mark.parametrize(
    "printed, name, band",
    [
        ("成本指标(0-20)分", "成本指标", Band(Decimal(0), Decimal(20))),
        ("产出指标（40-50分）", "产出指标", Band(Decimal(40), Decimal(50))),
        ("产出指标 40～50分", "产出指标", Band(Decimal(40), Decimal(50))),
        ("效益指标(30分)", "效益指标", Band(Decimal(30), Decimal(30))),
        ("满意度指标(0至10分)", "满意度指标", Band(Decimal(0), Decimal(10))),
        ("产出指标", "产出指标", None),
        ("数量指标（必填）", "数量指标（必填）", None),
        ("一级指标(1)", "一级指标(1)", None),
        ("产出指标(150分)", "产出指标(150分)", None),
        ("产出指标(50-40)分", "产出指标(50-40)分", None),
    ],
)
def test_a_score_band_is_told_from_other_brackets(printed, name, band):
    assert split_band(printed) == (name, band)
