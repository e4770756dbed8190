"""Every table a unit really sends comes in (issue 21, the reading-tolerance half): money cells with words,
codes outside the list, numbered labels and funds trees, unit names printed longer or shorter, and every
reading choice shown as a hint. Workbooks are made here, cell by cell."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from projects.excel import import_plan, read_file
from projects.models import ProjectTable
from tests import factories
from tests.projects.excel_helpers import workbook_bytes

GRID = [
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "培训人数", "≥ 100 人"],
    ["产出指标", "质量指标", "培训合格率", "≥90%"],
    ["效益指标", "社会效益指标", "业务能力", "显著提高"],
    ["满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"],
]
INDICATORS = [
    ("产出指标", "数量指标", "培训人数", "≥ 100 人"),
    ("产出指标", "质量指标", "培训合格率", "≥90%"),
    ("效益指标", "社会效益指标", "业务能力", "显著提高"),
    ("满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"),
]


@pytest.fixture
def unit(reference_data):
    department = factories.department(factories.region(code="640221", name="平罗县"), code="042", name="平罗县财政局")
    return factories.unit(department, code="042001", name="平罗县财政局本级", is_department_office=True)


@pytest.fixture
def staff(unit):
    return factories.user("unit_staff", unit=unit)


def form(total=12, fiscal=12, other=None, unit_name="平罗县财政局本级", extra=(), funds=None):
    """A 平罗-style form: header rows, then the grid."""
    rows = [
        ["部门项目支出预算绩效目标表"], ["（2024 年度）"],
        ["项目名称", "干部培训经费"],
        ["主管部门及代码", "[042]平罗县财政局", "实施单位", unit_name],
    ]
    rows += funds if funds is not None else [
        ["项目资金（万元）", "年度资金总额", total],
        [None, "其中：财政拨款", fiscal],
        [None, "其他资金", other],
    ]
    rows += list(extra)
    rows += [["年度总体目标", "目标 1：培训干部 100 人; 目标 2：提升业务能力"]]
    return rows + GRID


def read(rows, user=None, **options):
    return read_file(workbook_bytes(rows), user=user, keep_status=user is None, **options)


def only_table(plan):
    assert plan.problems == [], [str(p) for p in plan.problems]
    (table,) = plan.document["project_tables"]
    assert [(r["level1"], r["level2"], r["name"], r["value"]) for r in table["indicators"]] == INDICATORS
    assert table["goals"]["annual"] == ["培训干部 100 人", "提升业务能力"]
    return table


def hints(plan):
    return [warning.message for table in plan.tables for warning in table.warnings]


# 1. Money read the way a finance officer reads it


def test_an_amount_with_its_breakdown_in_brackets_is_read_and_the_breakdown_kept_as_remark(unit):
    plan = read(form(total="120万元（其中：培训费 80万元，资料费 40万元）", fiscal=120))
    table = only_table(plan)
    assert table["funds"] == {"total": "120", "fiscal": "120", "other": None, "breakdown": []}
    assert table["fund_use"] == "其中：培训费 80万元，资料费 40万元"
    assert any("读取为 120 万元；其余文字已保存为备注" in hint for hint in hints(plan))


def test_an_amount_written_with_wan_and_a_purpose_is_read(unit):
    plan = read(form(total="66万，用于全县干部培训", fiscal="66万元"))
    table = only_table(plan)
    assert table["funds"] == {"total": "66", "fiscal": "66", "other": None, "breakdown": []}
    assert table["fund_use"] == "用于全县干部培训"
    assert "年度资金总额“66万，用于全县干部培训”读取为 66 万元；其余文字已保存为备注（资金用途）。" in hints(plan)


def test_an_amount_in_yuan_or_yi_yuan_inside_text_is_converted(unit):
    plan = read(form(total="合计 1.2亿元", fiscal="120000000元"))
    table = only_table(plan)
    assert table["funds"] == {"total": "12000", "fiscal": "12000", "other": None, "breakdown": []}
    assert table["fund_use"] == "合计"


def test_the_same_figure_typed_twice_is_one_amount(unit):
    plan = read(form(total="66 66", fiscal="66万元（66万元）"))
    table = only_table(plan)
    assert table["funds"] == {"total": "66", "fiscal": "66", "other": None, "breakdown": []}
    assert table["fund_use"] == ""
    assert not any("备注" in hint for hint in hints(plan))


def test_two_different_amounts_in_one_cell_are_a_problem_naming_both_and_the_cell(unit):
    plan = read(form(total="120万元 150万元", fiscal=120))
    (problem,) = plan.problems
    assert problem.cell == "C5"
    assert "“120万元”和“150万元”" in problem.message
    assert not plan.ok


def test_a_money_cell_with_no_amount_at_all_is_still_a_problem(unit):
    plan = read(form(total="见附件", fiscal=None))
    assert [p.cell for p in plan.problems] == ["C5"]
    assert "应为金额" in plan.problems[0].message


def test_money_remarks_are_saved_with_the_table(unit):
    plan = read(form(total="120万元（市级配套）", fiscal=120))
    import_plan(plan)
    table = ProjectTable.objects.get(name="干部培训经费")
    assert (table.funds_total, table.fund_use) == (120, "市级配套")


# 2. 项目属性 and other coded fields


@pytest.mark.parametrize(
    ("printed", "code", "kept", "hint"),
    [
        ("0101-一年期项目", "0101", "", None),
        ("新增项目□延续项目√", "0202", "", "项目属性“新增项目□延续项目√”按勾选的“延续项目”读取。"),
        ("☑新增项目 ☐延续项目", "0201", "", "按勾选的“新增项目”读取"),
        ("常年项目", None, "常年项目", "项目属性“常年项目”不在代码表中"),
    ],
)
def test_project_attribute_is_read_ticked_or_kept_as_printed_never_refused(unit, printed, code, kept, hint):
    plan = read(form(extra=[["项目属性", printed, "项目期", "1年"]]))
    table = only_table(plan)
    assert (table["attribute"], table["attribute_text"], table["period"]) == (code, kept, "1年")
    if hint:
        assert any(hint in message for message in hints(plan))


def test_an_attribute_outside_the_code_list_is_imported_and_shown_on_the_detail_page(unit, staff, client):
    plan = read(form(extra=[["项目属性", "常年项目"]]), user=staff)
    import_plan(plan, editor=staff)
    table = ProjectTable.objects.get(name="干部培训经费")
    assert (table.attribute, table.attribute_text) == (None, "常年项目")
    client.force_login(staff)
    assert "常年项目" in client.get(reverse("projects:project_detail", args=[table.pk])).content.decode()


# 3. Numbered labels and funds trees


def test_a_numbered_funds_tree_is_read_into_the_three_amounts_with_hints(unit):
    funds = [
        ["项目资金（万元）", "资金总额", 20.5],
        [None, "(一)财政拨款小计", 15.5],
        [None, "1、一般公共预算", 10],
        [None, "2、政府性基金", 5.5],
        [None, "3、国有资本经营预算", 0],
        [None, "(二)自有资金", 3],
        [None, "1、事业收入", 2],
        [None, "2、经营收入", 1],
        [None, "二、其他:", 2],
    ]
    plan = read(form(funds=funds))
    table = only_table(plan)
    assert table["funds"] == {"total": "20.5", "fiscal": "15.5", "other": "5", "breakdown": [
        {"label": "资金总额", "parent": None, "amount": "20.5"},
        {"label": "财政拨款小计", "parent": 1, "amount": "15.5"},
        {"label": "一般公共预算", "parent": 2, "amount": "10"},
        {"label": "政府性基金", "parent": 2, "amount": "5.5"},
        {"label": "国有资本经营预算", "parent": 2, "amount": "0"},
        {"label": "自有资金", "parent": 1, "amount": "3"},
        {"label": "事业收入", "parent": 6, "amount": "2"},
        {"label": "经营收入", "parent": 6, "amount": "1"},
        {"label": "其他", "parent": 1, "amount": "2"},
    ]}
    assert "表中没有“其他资金”，按自有资金、其他之和 5 万元读作其他资金。" in hints(plan)
    assert not any("未识别" in hint for hint in hints(plan))


def test_fiscal_parts_without_a_subtotal_are_added_and_the_sum_is_said(unit):
    funds = [
        ["项目资金（万元）", "年度资金总额", 18],
        [None, "其中：上级资金", 10],
        [None, "其中：本级资金", 8],
    ]
    plan = read(form(funds=funds))
    table = only_table(plan)
    assert table["funds"] == {"total": "18", "fiscal": "18", "other": None, "breakdown": [
        {"label": "年度资金总额", "parent": None, "amount": "18"},
        {"label": "上级资金", "parent": 1, "amount": "10"},
        {"label": "本级资金", "parent": 1, "amount": "8"},
    ]}
    assert "财政拨款按明细相加读取：上级资金 10 + 本级资金 8 = 18 万元。" in hints(plan)


def test_parts_that_do_not_add_up_to_their_subtotal_are_a_hint(unit):
    funds = [
        ["项目资金（万元）", "年度资金总额", 30],
        [None, "(一)财政拨款小计", 20],
        [None, "1、一般公共预算", 10],
        [None, "2、政府性基金", 5],
        [None, "(二)自有资金", 10],
        [None, "1、事业收入", 4],
    ]
    plan = read(form(funds=funds))
    table = only_table(plan)
    assert table["funds"] == {"total": "30", "fiscal": "20", "other": "10", "breakdown": [
        {"label": "年度资金总额", "parent": None, "amount": "30"},
        {"label": "财政拨款小计", "parent": 1, "amount": "20"},
        {"label": "一般公共预算", "parent": 2, "amount": "10"},
        {"label": "政府性基金", "parent": 2, "amount": "5"},
        {"label": "自有资金", "parent": 1, "amount": "10"},
        {"label": "事业收入", "parent": 5, "amount": "4"},
    ]}
    assert "财政拨款 20 与其明细之和 15 不一致，按财政拨款读取。" in hints(plan)
    assert "自有资金 10 与其明细之和 4 不一致，按自有资金读取。" in hints(plan)


def test_a_midterm_column_beside_the_annual_one_is_kept_as_the_midterm_funds(unit):
    funds = [
        ["项目资金（万元）", "中期资金总额", "年度资金总额"],
        ["资金总额", 500, 100],
        ["其中：财政拨款", 400, 80],
        ["其他资金", 100, 20],
    ]
    plan = read(form(funds=funds))
    table = only_table(plan)
    assert table["funds"] == {"total": "100", "fiscal": "80", "other": "20", "breakdown": []}
    assert any("年度资金只读取“年度”一列" in hint for hint in hints(plan))
    assert table["midterm_funds"] == {"total": "500", "fiscal": "400", "other": "100"}
    assert "中期资金（500、400、100）已另存为中期资金，未计入年度资金。" in hints(plan)


def test_a_stacked_midterm_block_is_kept_as_the_midterm_funds(unit):
    funds = [
        ["中期资金总额", 500],
        ["其中：财政拨款", 400],
        ["年度资金总额", 100],
        ["其中：财政拨款", 100],
    ]
    plan = read(form(funds=funds))
    table = only_table(plan)
    assert table["funds"] == {"total": "100", "fiscal": "100", "other": None, "breakdown": []}
    assert table["midterm_funds"] == {"total": "500", "fiscal": "400", "other": None}
    assert any("已另存为中期资金，未计入年度资金" in hint for hint in hints(plan))


def test_the_same_subtotal_printed_twice_is_not_added_up(unit):
    funds = [["年度资金总额", 12], ["财政拨款", 12], ["财政拨款", 12]]
    table = only_table(read(form(funds=funds)))
    assert table["funds"]["fiscal"] == "12"


# 5. The unit


@pytest.mark.parametrize(
    "printed", ["宁夏回族自治区石嘴山市平罗县财政局本级", "平罗县财政局", "财政局", "平罗县财政局（本级）", "042001平罗县财政局"]
)
def test_the_signed_in_units_own_table_is_matched_when_its_name_is_printed_longer_or_shorter(unit, staff, printed):
    plan = read(form(unit_name=printed), user=staff)
    table = only_table(plan)
    assert table["unit"] == "平罗县财政局本级"
    if printed not in ("042001平罗县财政局",):
        assert f"实施单位“{printed}”按系统中登记的“平罗县财政局本级”读取。" in hints(plan)


def test_another_regions_unit_of_the_same_kind_is_not_taken_for_ones_own(unit, staff):
    plan = read(form(unit_name="石嘴山市财政局"), user=staff)
    (problem,) = plan.problems
    assert "系统中没有实施单位“石嘴山市财政局”" in problem.message
    assert "最接近的单位：平罗县财政局本级（042001）" in problem.message
    assert plan.unit_suggestions == {"042001": "平罗县财政局本级"}


def test_the_preview_offers_the_closest_units_and_imports_for_the_one_chosen(unit, staff, client):
    client.force_login(staff)
    upload = workbook_bytes(form(unit_name="石嘴山市财政局"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile("t.xlsx", upload)})
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert 'id="choose-unit"' in page and "平罗县财政局本级（042001）" in page
    assert 'id="confirm-import"' not in page
    client.post(preview_url, {"unit": "042001"})
    page = client.get(preview_url).content.decode()
    assert 'id="confirm-import"' in page
    assert "按指定的单位“平罗县财政局本级”导入" in page


def test_the_command_line_matches_unit_names_the_same_way_and_takes_unit_codes(unit, tmp_path):
    shorter = tmp_path / "shorter.xlsx"
    shorter.write_bytes(workbook_bytes(form(unit_name="石嘴山市平罗县财政局")))
    err = StringIO()
    call_command("import_tables", str(shorter), stdout=StringIO(), stderr=err)
    assert ProjectTable.objects.get(name="干部培训经费").unit == unit
    assert "按系统中登记的“平罗县财政局本级”读取" in err.getvalue()
    unknown = tmp_path / "unknown.xlsx"
    unknown.write_bytes(workbook_bytes(form(unit_name="财政局国库收付中心")))
    with pytest.raises(CommandError, match="--unit 042001"):
        call_command("import_tables", str(unknown), "--dry-run", stdout=StringIO(), stderr=StringIO())
    call_command("import_tables", str(unknown), "--unit", "042001", "--dry-run", stdout=StringIO(), stderr=StringIO())


# 7. Hints for every reading choice; 项目负责人 and 联系电话


def test_framework_renames_of_level_names_are_each_a_hint(unit):
    rows = form()[:-len(GRID)] + [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["项目完成指标", "数量指标", "培训人数", "≥ 100 人"],
        ["项目完成指标", "质量指标", "培训合格率", "≥90%"],
        ["效益指标", "社会效益指标", "业务能力", "显著提高"],
        ["满意度指标", "满意度指标", "学员满意度", "≥95%"],
    ]
    plan = read(rows)
    only_table(plan)
    assert hints(plan).count("一级指标“项目完成指标”按指标体系的名称读作“产出指标”。") == 1
    assert "二级指标“满意度指标”按指标体系的名称读作“服务对象满意度指标”。" in hints(plan)


def test_manager_and_phone_are_read_imported_and_exported_back(unit):
    plan = read(form(extra=[["项目负责人", "张三", "联系电话", "0952-6012345"]]))
    table = only_table(plan)
    assert (table["manager"], table["phone"]) == ("张三", "0952-6012345")
    import_plan(plan)
    stored = ProjectTable.objects.get(name="干部培训经费")
    assert (stored.manager, stored.phone) == ("张三", "0952-6012345")
    from projects.excel import export_tables
    from projects.models import DepartmentTarget

    for layout in ("pingluo", "dingzhou"):
        again = read_file(export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.none(), layout), keep_status=True)
        (document,) = again.document["project_tables"]
        assert (document["manager"], document["phone"]) == ("张三", "0952-6012345")


def test_a_file_level_problem_names_the_sheets(unit):
    plan = read_file(workbook_bytes([["说明"], ["本文件没有表"]], title="封面"))
    (problem,) = plan.problems
    assert str(problem).startswith("工作表“封面”：工作表“封面”中没有找到绩效目标表")
    assert "“”" not in str(problem)
