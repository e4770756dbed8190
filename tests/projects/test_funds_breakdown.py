"""The funds breakdown (issue 21, point 3): a form's tree of sources read into the three amounts and
kept line by line, shown on the detail page and the editor, carried by the JSON interchange and every
Excel layout, and checked to add up. Workbooks are built here, cell by cell."""

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.checks import check_table, run_rule, table_data_from_document
from indicators.checks.data import funds_lines
from projects import interchange, review, schema
from projects.excel import PROJECT_LAYOUTS, export_tables, import_plan, read_file
from projects.models import DepartmentTarget, ProjectTable
from tests import factories
from tests.html_forms import form_data
from tests.projects.excel_helpers import workbook_bytes
from tests.projects.test_excel_roundtrip import without_hidden_data

GRID = [
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "培训人数", "≥ 100 人"],
    ["满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"],
]

# A tree as a unit prints it: numbered, with 其中 prefixes, a subtotal under its parts' heading.
TREE = [
    {"label": "年度资金总额", "parent": None, "amount": "120"},
    {"label": "财政拨款小计", "parent": 1, "amount": "90"},
    {"label": "一般公共预算", "parent": 2, "amount": "60"},
    {"label": "政府性基金", "parent": 2, "amount": "30"},
    {"label": "其他资金", "parent": 1, "amount": "30"},
    {"label": "自有资金", "parent": 5, "amount": "25"},
    {"label": "事业收入", "parent": 6, "amount": "20"},
    {"label": "经营收入", "parent": 6, "amount": "5"},
    {"label": "其他收入", "parent": 5, "amount": "5"},
]


@pytest.fixture
def unit(reference_data):
    department = factories.department(factories.region(code="640221", name="平罗县"), code="042", name="平罗县财政局")
    return factories.unit(department, code="042001", name="平罗县财政局本级", is_department_office=True)


def form(funds):
    return [
        ["部门项目支出预算绩效目标表"], ["（2024 年度）"],
        ["项目名称", "干部培训经费"],
        ["主管部门及代码", "[042]平罗县财政局", "实施单位", "平罗县财政局本级"],
        *funds,
        ["年度总体目标", "培训干部 100 人"],
        *GRID,
    ]


def read(rows):
    plan = read_file(workbook_bytes(rows), keep_status=True)
    assert plan.problems == [], [str(problem) for problem in plan.problems]
    (table,) = plan.document["project_tables"]
    return plan, table


def hints(plan):
    return [warning.message for table in plan.tables for warning in table.warnings]


def stored_table(unit, breakdown=TREE, **fields):
    amounts = {"funds_total": Decimal("120"), "funds_fiscal": Decimal("90"), "funds_other": Decimal("30")}
    table = factories.project_table(unit, **{"name": "干部培训经费", **amounts, **fields}, funds_breakdown=breakdown)
    factories.indicator(table)
    factories.indicator(table, "满意度指标", "服务对象满意度指标", "学员满意度", "≥95%", order=1)
    return table


# Reading


def test_a_three_level_tree_is_read_into_the_three_amounts_and_kept_line_by_line(unit):
    plan, table = read(form([
        ["项目资金（万元）", "一、年度资金总额", 120],
        [None, "(一)财政拨款小计", 90],
        [None, "1、一般公共预算", 60],
        [None, "2、政府性基金", 30],
        [None, "(二)其他资金", 30],
        [None, "1、自有资金", 25],
        [None, "其中：事业收入", 20],
        [None, "其中：经营收入", 5],
        [None, "2、其他收入:", 5],
    ]))
    assert table["funds"] == {"total": "120", "fiscal": "90", "other": "30", "breakdown": TREE}
    (kept,) = [hint for hint in hints(plan) if hint.startswith("资金来源明细")]
    assert kept.startswith("资金来源明细按表中 9 行保存（年度资金总额 120；财政拨款小计 90；一般公共预算 60；")


def test_a_line_printed_without_an_amount_is_kept_empty_in_the_tree(unit):
    plan, table = read(form([
        ["项目资金（万元）", "年度资金总额", 15],
        [None, "财政拨款小计", 15],
        [None, "一般公共预算", 10],
        [None, "政府性基金", 5],
        [None, "国有资本经营预算", None],
    ]))
    assert table["funds"] == {"total": "15", "fiscal": "15", "other": None, "breakdown": [
        {"label": "年度资金总额", "parent": None, "amount": "15"},
        {"label": "财政拨款小计", "parent": 1, "amount": "15"},
        {"label": "一般公共预算", "parent": 2, "amount": "10"},
        {"label": "政府性基金", "parent": 2, "amount": "5"},
        {"label": "国有资本经营预算", "parent": 2, "amount": None},
    ]}


def test_a_tree_in_yuan_is_kept_in_wan_yuan(unit):
    plan, table = read(form([
        ["项目资金（元）", "年度资金总额", 150000],
        [None, "一般公共预算", 100000],
        [None, "上级补助", 50000],
    ]))
    assert table["funds"] == {"total": "15", "fiscal": "15", "other": None, "breakdown": [
        {"label": "年度资金总额", "parent": None, "amount": "15"},
        {"label": "一般公共预算", "parent": 1, "amount": "10"},
        {"label": "上级补助", "parent": 1, "amount": "5"},
    ]}
    assert "财政拨款按明细相加读取：一般公共预算 10 + 上级补助 5 = 15 万元。" in hints(plan)


def test_a_form_with_only_the_three_amounts_has_no_breakdown(unit):
    plan, table = read(form([
        ["项目资金（万元）", "年度资金总额", 12], [None, "其中：财政拨款", 10], [None, "其他资金", 2],
    ]))
    assert table["funds"] == {"total": "12", "fiscal": "10", "other": "2", "breakdown": []}
    assert not any(hint.startswith("资金来源明细") for hint in hints(plan))


def test_an_imported_tree_is_stored_with_the_three_amounts(unit):
    plan, _ = read(form([
        ["项目资金（万元）", "年度资金总额", 120],
        [None, "财政拨款小计", 90], [None, "一般公共预算", 60], [None, "政府性基金", 30],
        [None, "其他资金", 30], [None, "自有资金", 25], [None, "事业收入", 20], [None, "经营收入", 5], [None, "其他收入", 5],
    ]))
    assert import_plan(plan).created == 1
    table = ProjectTable.objects.get(name="干部培训经费")
    assert (table.funds_total, table.funds_fiscal, table.funds_other) == (120, 90, 30)
    assert table.funds_breakdown == TREE


# Round trips


@pytest.mark.parametrize("layout", PROJECT_LAYOUTS)
def test_a_breakdown_comes_back_the_same_from_every_excel_layout(unit, layout):
    table = stored_table(unit)
    tables = ProjectTable.objects.filter(pk=table.pk)
    before = interchange.dumps(interchange.export_document(tables, DepartmentTarget.objects.none()))
    plan = read_file(export_tables(tables, DepartmentTarget.objects.none(), layout), keep_status=True)
    assert plan.problems == []
    assert plan.document["project_tables"][0]["funds"]["breakdown"] == TREE
    ProjectTable.objects.filter(pk=table.pk).update(funds_breakdown=[])
    assert import_plan(plan).updated == 1
    assert interchange.dumps(interchange.export_document(tables, DepartmentTarget.objects.none())) == before


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou"])
def test_the_printed_excel_shows_the_lines_under_the_funds_and_reads_them_back_without_the_hidden_cells(unit, layout):
    table = stored_table(unit)
    tables = ProjectTable.objects.filter(pk=table.pk)
    content = export_tables(tables, DepartmentTarget.objects.none(), layout)
    sheet = load_workbook(io.BytesIO(content)).worksheets[1]
    printed = [[cell.value for cell in row if cell.value not in (None, "")] for row in sheet.iter_rows()]
    start = next(index for index, row in enumerate(printed) if "资金来源明细（万元）" in row)
    assert printed[start][1:] == ["年度资金总额", 120]
    assert printed[start + 1 : start + 9] == [
        ["　财政拨款小计", 90], ["　　一般公共预算", 60], ["　　政府性基金", 30], ["　其他资金", 30],
        ["　　自有资金", 25], ["　　　事业收入", 20], ["　　　经营收入", 5], ["　　其他收入", 5],
    ]
    plan = read_file(without_hidden_data(content), keep_status=True)
    assert plan.problems == []
    (read_back,) = plan.document["project_tables"]
    assert read_back["funds"] == {"total": "120", "fiscal": "90", "other": "30", "breakdown": TREE}


def test_an_amount_changed_in_the_printed_block_of_our_export_is_read_with_a_hint(unit):
    table = stored_table(unit)
    tables = ProjectTable.objects.filter(pk=table.pk)
    workbook = load_workbook(io.BytesIO(export_tables(tables, DepartmentTarget.objects.none(), "pingluo")))
    sheet = workbook.worksheets[1]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == "　　政府性基金")
    sheet.cell(row, 4).value = 25
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = read_file(buffer.getvalue(), keep_status=True)
    assert plan.problems == []
    lines = [dict(line) for line in TREE]
    lines[3]["amount"] = "25"
    assert plan.document["project_tables"][0]["funds"] == {"total": "120", "fiscal": "90", "other": "30", "breakdown": lines}
    assert "资金来源明细与导出时不同，按表中印出的各行读取（各行所属按缩进判断）。" in hints(plan)
    import_plan(plan)
    table.refresh_from_db()
    assert table.funds_breakdown == lines
    assert [f.rule for f in table.findings.all()].count("funds_breakdown_mismatch") == 1


def test_the_json_interchange_carries_the_breakdown_into_an_empty_database(unit):
    stored_table(unit)
    document = json.loads(interchange.dumps(interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.none())))
    assert document["project_tables"][0]["funds"]["breakdown"] == TREE
    ProjectTable.objects.all().delete()
    assert interchange.import_document(document).created == 1
    assert ProjectTable.objects.get().funds_breakdown == TREE


@pytest.mark.parametrize(
    ("breakdown", "said"),
    [
        ([{"label": "一般公共预算", "parent": 2, "amount": "10"}, {"label": "财政拨款小计", "parent": None, "amount": "10"}],
         "资金来源明细第 1 行（一般公共预算）的上级行“2”应为它前面某一行的行号"),
        ([{"label": "一般公共预算", "parent": None, "amount": "十万"}], "资金来源明细第 1 行（一般公共预算）的金额“十万”不是数字"),
        ([{"label": "", "parent": None, "amount": "1"}], "资金来源明细第 1 行缺少名称"),
        ("财政拨款 10", "“funds.breakdown”：应为列表"),
    ],
)
def test_a_breakdown_that_cannot_be_stored_is_refused_naming_its_line(unit, breakdown, said):
    stored_table(unit)
    document = interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.none())
    document["project_tables"][0]["funds"]["breakdown"] = breakdown
    document["project_tables"][0]["uid"] = None
    document["project_tables"][0]["name"] = "另一个项目"
    with pytest.raises(interchange.InterchangeError) as refused:
        interchange.import_document(document)
    assert any(said in problem and "第 1 张项目表" in problem for problem in refused.value.problems), refused.value.problems
    assert not ProjectTable.objects.filter(name="另一个项目").exists()


# The check


def test_a_subtotal_its_parts_do_not_add_up_to_is_a_warning_naming_the_lines(reference_data):
    lines = [dict(line) for line in TREE]
    lines[3]["amount"] = "25"  # 政府性基金: 60 + 25 = 85, not 90
    data = factories.table_data(funds_total=Decimal("120"), funds_fiscal=Decimal("90"), funds_other=Decimal("30"),
                                funds_breakdown=funds_lines(lines))
    (finding,) = run_rule("funds_breakdown_mismatch", data)
    assert finding.severity == "warning"
    assert finding.message == (
        "资金来源明细第 2 行“财政拨款小计” 90 万元不等于其下各行（“一般公共预算” 60、“政府性基金” 25）之和 85 万元。"
    )


def test_a_tree_whose_top_lines_differ_from_the_total_is_a_warning_naming_them(reference_data):
    lines = [{"label": "一般公共预算", "parent": None, "amount": "10"}, {"label": "自有资金", "parent": None, "amount": "3"}]
    data = factories.table_data(funds_total=Decimal("18.5"), funds_fiscal=Decimal("15.5"), funds_other=Decimal("3"),
                                funds_breakdown=funds_lines(lines))
    (finding,) = run_rule("funds_breakdown_mismatch", data)
    assert finding.message == "资金来源明细最上一级（“一般公共预算” 10、“自有资金” 3）合计 13 万元，与年度资金总额 18.5 万元不一致。"
    lines.insert(1, {"label": "政府性基金", "parent": None, "amount": "5.5"})
    data = factories.table_data(funds_total=Decimal("18.5"), funds_fiscal=Decimal("15.5"), funds_other=Decimal("3"),
                                funds_breakdown=funds_lines(lines))
    assert run_rule("funds_breakdown_mismatch", data) == []


def test_parts_that_add_up_at_every_level_are_no_finding(reference_data):
    tree = factories.table_data(funds_total=Decimal("120"), funds_fiscal=Decimal("90"), funds_other=Decimal("30"),
                                funds_breakdown=funds_lines(TREE))
    assert run_rule("funds_breakdown_mismatch", tree) == []
    assert run_rule("funds_breakdown_mismatch", factories.table_data()) == []


def test_parts_left_empty_are_not_judged_but_one_empty_part_beside_others_is_named(reference_data):
    empty = [{"label": "财政拨款小计", "parent": None, "amount": "10"}, {"label": "一般公共预算", "parent": 1, "amount": None}]
    ten = {"funds_total": Decimal("10"), "funds_fiscal": Decimal("10")}
    assert run_rule("funds_breakdown_mismatch", factories.table_data(**ten, funds_breakdown=funds_lines(empty))) == []
    short = empty + [{"label": "政府性基金", "parent": 1, "amount": "4"}]
    (finding,) = run_rule("funds_breakdown_mismatch", factories.table_data(**ten, funds_breakdown=funds_lines(short)))
    assert "（“一般公共预算” 未填、“政府性基金” 4）之和 4 万元" in finding.message


def test_the_import_preview_and_a_saved_table_are_checked_alike(unit):
    plan, table = read(form([
        ["项目资金（万元）", "年度资金总额", 30],
        [None, "财政拨款小计", 30], [None, "一般公共预算", 10], [None, "政府性基金", 5],
    ]))
    frameworks = {"2015": factories.framework_data("2015")}
    preview = [f for f in check_table(table_data_from_document(table, frameworks)).findings if f.rule == "funds_breakdown_mismatch"]
    assert [f.message for f in preview] == [
        "资金来源明细第 2 行“财政拨款小计” 30 万元不等于其下各行（“一般公共预算” 10、“政府性基金” 5）之和 15 万元。"
    ]
    import_plan(plan)
    stored = ProjectTable.objects.get(name="干部培训经费")
    assert list(stored.findings.filter(rule="funds_breakdown_mismatch").values_list("message", flat=True)) == [preview[0].message]


# Pages


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou"])
def test_the_detail_page_prints_the_breakdown_under_the_funds_only_when_there_is_one(client, unit, layout):
    table = stored_table(unit)
    plain = stored_table(unit, breakdown=[], name="没有明细的项目")
    client.force_login(factories.user("unit_staff", unit=unit))
    page = client.get(reverse("projects:project_detail", args=[table.pk]), {"layout": layout}).content.decode()
    assert page.count('class="funds-breakdown"') == 9
    assert "资金来源明细" in page
    for line in TREE:
        assert f'depth-{ {None: 0, 1: 1, 2: 2, 5: 2, 6: 3}[line["parent"]] }">{line["label"]}</td>' in page
    assert page.index('class="funds-breakdown"') > page.index("其他资金")
    assert ">120.00<" in page and ">60.00<" in page and ">5.00<" in page
    other = client.get(reverse("projects:project_detail", args=[plain.pk]), {"layout": layout}).content.decode()
    assert "资金来源明细" not in other


def test_the_editor_shows_the_breakdown_and_keeps_it_unless_cleared(client, unit):
    table = stored_table(unit)
    client.force_login(factories.user("unit_staff", unit=unit))
    url = reverse("projects:project_edit", args=[table.pk])
    page = client.get(url).content.decode()
    assert "资金来源明细（万元）" in page and "清除资金来源明细" in page and "一般公共预算" in page
    data = form_data(page)
    assert "funds_breakdown" not in data  # the box is not ticked
    assert client.post(url, data).status_code == 302
    table.refresh_from_db()
    assert table.funds_breakdown == TREE
    page = client.get(url).content.decode()
    assert client.post(url, {**form_data(page), "funds_breakdown": "on"}).status_code == 302
    table.refresh_from_db()
    assert table.funds_breakdown == []
    assert (table.funds_total, table.funds_fiscal, table.funds_other) == (120, 90, 30)
    assert "清除资金来源明细" not in client.get(url).content.decode()


def test_the_review_diff_and_the_history_name_the_breakdown_and_show_its_lines():
    diff = review.document_diff({"funds": {"breakdown": TREE[:2]}}, {"funds": {"breakdown": TREE[:3]}})
    (change,) = diff.fields
    assert (change.label, change.old, change.new) == (
        "资金来源明细", "年度资金总额 120\n　财政拨款小计 90", "年度资金总额 120\n　财政拨款小计 90\n　　一般公共预算 60"
    )
    assert review._value(ProjectTable, "funds_breakdown", TREE[:2], {}) == "年度资金总额 120\n　财政拨款小计 90"
    assert schema.PROJECT_TABLE.field("funds.breakdown").label(ProjectTable) == "资金来源明细"
