"""The checks on the two real seed documents (DOMAIN §3.5): what they must find, and how the tables grade."""

import pytest

from projects.findings import projects_recheck
from indicators.models import Grade
from projects.models import ProjectTable

PINGLUO, DINGZHOU = "640221", "130682"
# 定州 tables with a 三级 equal to its 二级: 经济效益指标 / 经济效益指标, 生态效益指标 …, 数量指标.
LEVEL_NAME_AS_THIRD = {
    "安保经费": [5, 7],
    "监督检查及督导经费": [5],
    "检举举报平台经费": [5],
    "劳务派遣人员经费": [1, 5, 7],
    "粮食专项检查工作经费": [5],
    "留置场所改造经费": [5],
    "职务犯罪举报人奖励经费": [5],
}
GRADE_RANK = {Grade.EXCELLENT: 3, Grade.GOOD: 2, Grade.FAIR: 1, Grade.POOR: 0}


@pytest.fixture
def checked(seeded):
    projects_recheck(ProjectTable.objects.all())
    return {table.name: table for table in ProjectTable.objects.select_related("region").prefetch_related("findings")}


def rows_of(table, rule):
    return sorted(finding.row for finding in table.findings.all() if finding.rule == rule)


def dingzhou(checked):
    return [table for table in checked.values() if table.region.code == DINGZHOU]


def pingluo(checked):
    return [table for table in checked.values() if table.region.code == PINGLUO]


def test_every_dingzhou_table_is_flagged_for_its_uniform_100_percent_values(checked):
    assert len(dingzhou(checked)) == 10
    for table in dingzhou(checked):
        (finding,) = [f for f in table.findings.all() if f.rule == "uniform_values"]
        assert "9 条指标中有 9 条（第 1–9 行）的指标值都是 100%" in finding.message, table.name
        assert finding.get_severity_display() == "错误"


def test_every_dingzhou_table_is_flagged_for_a_percentage_where_its_cost_amount_belongs(checked):
    for table in dingzhou(checked):
        (finding,) = [f for f in table.findings.all() if f.rule == "cost_not_amount"]
        assert finding.row == 4 and finding.indicator.level2.name == "成本指标"
        assert "是百分比（“100百分比”）而不是金额" in finding.message, table.name


def test_dingzhou_tables_with_a_third_level_equal_to_its_second_are_flagged_and_only_those(checked):
    for table in dingzhou(checked):
        assert rows_of(table, "name_is_level_name") == LEVEL_NAME_AS_THIRD.get(table.name, []), table.name
    security = checked["安保经费"]
    (first,) = [f for f in security.findings.all() if f.rule == "name_is_level_name" and f.row == 5]
    assert first.message.startswith("第 5 行（经济效益指标）的三级指标名称与二级指标名称相同")


def test_the_table_asking_for_at_least_100_percent_satisfaction_is_flagged_as_impossible(checked):
    plenary = checked["纪委全会经费"]
    rows = rows_of(plenary, "impossible_percent")
    assert 9 in rows  # 满意率 ≥100百分比
    (satisfaction,) = [f for f in plenary.findings.all() if f.rule == "impossible_percent" and f.row == 9]
    assert satisfaction.message == "第 9 行（满意率）是比率，最高只能是 100%，指标值“≥100百分比”不可能实现。"
    for table in dingzhou(checked):
        if table.name != "纪委全会经费":
            assert rows_of(table, "impossible_percent") == [], table.name


def test_the_template_stars_left_in_dingzhou_names_are_placeholders(checked):
    for name in ("纪委全会经费", "粮食专项检查工作经费"):
        (finding,) = [f for f in checked[name].findings.all() if f.rule == "placeholder"]
        assert finding.row == 2 and "占位符“**”" in finding.message


def test_every_dingzhou_table_grades_below_every_pingluo_table(checked):
    best_dingzhou = max(GRADE_RANK[table.quality_grade] for table in dingzhou(checked))
    worst_pingluo = min(GRADE_RANK[table.quality_grade] for table in pingluo(checked))
    assert best_dingzhou < worst_pingluo
    assert max(table.quality_score for table in dingzhou(checked)) < min(table.quality_score for table in pingluo(checked))
    assert {table.get_quality_grade_display() for table in pingluo(checked)} <= {"优", "良"}


def test_dingzhou_tables_cannot_be_submitted_as_they_are_and_pingluo_tables_can(checked):
    for table in dingzhou(checked):
        assert any(f.severity == "error" for f in table.findings.all()), table.name
    for table in pingluo(checked):
        assert not any(f.severity == "error" for f in table.findings.all()), table.name


def test_pingluos_66_wanyuan_cost_reconciles_with_its_66_wanyuan_of_funds(checked):
    table = checked["纪检监察事务工作经费"]
    cost_row = table.indicators.get(level2__name="成本指标")
    assert cost_row.value_text == "66万元" and table.funds_total == 66
    assert not cost_row.findings.exists()
    assert not any(f.rule.startswith("cost_") for f in table.findings.all())


def test_pingluos_cost_in_yuan_reconciles_too(checked):
    table = checked["政府长聘人员经费"]
    assert table.indicators.get(level2__name="成本指标").value_text == "32952 元"
    assert not any(f.rule.startswith("cost_") for f in table.findings.all())


def test_pingluos_vague_benefits_and_money_set_as_outputs_are_warned_about(checked):
    table = checked["纪检监察事务工作经费"]
    assert rows_of(table, "vague_wording") == [10, 11, 12, 13, 14]
    assert rows_of(table, "input_as_output") == [7, 8]


def test_dingzhous_two_tables_with_the_same_indicators_are_flagged_as_copies(checked):
    for name, other in (("检举举报平台经费", "留置场所改造经费"), ("留置场所改造经费", "检举举报平台经费")):
        (finding,) = [f for f in checked[name].findings.all() if f.rule == "copied_indicator_set"]
        assert f"“{other}”" in finding.message
