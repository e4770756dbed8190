"""The department target's funds block goes through the interchange export, the Excel layout and back."""

from decimal import Decimal

from projects import interchange
from projects.excel import export_tables, read_file
from projects.models import Department, DepartmentTarget, ProjectTable
from tests import factories
from tests.projects.excel_helpers import workbook_bytes
from tests.projects.test_excel_roundtrip import without_hidden_data


def test_the_funds_block_reads_back_from_our_layout_and_from_a_copy_without_our_hidden_data(seeded):
    target = factories.stored_target(
        Department.objects.get(name="平罗县纪律检查委员会"),
        funds_total=Decimal("1234.5"),
        funds_basic=Decimal("1000"),
        funds_project=Decimal("234.5"),
    )
    targets = DepartmentTarget.objects.filter(pk=target.pk)
    expected = interchange.export_document(ProjectTable.objects.none(), targets)["department_targets"]
    assert expected[0]["funds"] == {"total": "1234.5", "basic": "1000", "project": "234.5"}
    content = export_tables(ProjectTable.objects.none(), targets, "department")
    assert read_file(content, keep_status=True).document["department_targets"] == expected
    plain = read_file(without_hidden_data(content), keep_status=True).document["department_targets"][0]
    assert plain["funds"] == expected[0]["funds"]


def test_another_systems_department_form_gives_its_budget_split_and_names_a_bad_amount(seeded):
    rows = [
        ["部门整体绩效目标"],
        ["主管部门", "平罗县纪律检查委员会"],
        ["预算年度", 2024],
        ["总体绩效目标", "完成年度监督执纪任务"],
        ["部门预算总额（万元）", 500, "其中：基本支出", 320, "其中：项目支出", "一百八十"],
    ]
    plan = read_file(workbook_bytes(rows), keep_status=True)
    assert any("项目支出“一百八十”应为金额" in str(problem) for problem in plan.problems)
    rows[-1][-1] = 180
    plan = read_file(workbook_bytes(rows), keep_status=True)
    assert plan.problems == []
    assert plan.document["department_targets"][0]["funds"] == {"total": "500", "basic": "320", "project": "180"}
