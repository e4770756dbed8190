"""Consistency rules: this year, outputs that are outputs, each indicator once."""

import pytest

from indicators.checks import run_rule
from tests import factories


def messages(code, data):
    return [finding.message for finding in run_rule(code, data)]


def test_a_goal_naming_another_year_is_flagged_as_copied_forward():
    data = factories.table_data(goals=("完成 2024 年度培训。", "延续2023年监督检查及督导经费"))
    assert messages("year_in_goals", data) == [
        "年度总体目标第 2 条写的是 2023 年（“延续2023年监督检查及督导经费”），与预算年度 2024 年不一致，可能是从其他年度的表复制过来的。"
    ]


def test_goals_naming_the_budget_year_or_amounts_are_fine():
    data = factories.table_data(goals=("2024年完成培训 4 期，经费 2000 元以内的小额支出按月报账。",))
    assert run_rule("year_in_goals", data) == []


@pytest.mark.parametrize(("field", "label"), [("value", "指标值"), ("name", "三级指标名称"), ("description", "绩效指标描述")])
def test_an_indicator_naming_another_year_is_flagged_on_its_row(field, label):
    data = factories.with_row(factories.table_data(), 4, **{field: "2023 年底"})
    (finding,) = run_rule("year_in_indicator", data)
    assert finding.row == 4
    assert finding.message.startswith(f"第 4 行（{'2023 年底' if field == 'name' else '培训完成时间'}）的{label}写的是 2023 年")


def test_an_indicator_in_the_budget_year_is_fine():
    assert run_rule("year_in_indicator", factories.table_data()) == []


@pytest.mark.parametrize(
    ("level2", "name", "kind"),
    [
        ("时效指标", "资金在规定时间内拨付到位", "资金"),
        ("时效指标", "经费在规定时间内下达", "资金"),
        ("数量指标", "长聘人员人数", "人员"),
        ("数量指标", "办公设备采购数量", "物资"),
    ],
)
def test_money_staff_or_materials_set_as_outputs_are_flagged(level2, name, kind):
    data = factories.with_extra_rows(factories.table_data(), ("产出指标", level2, name, "≥ 1 次"))
    (finding,) = run_rule("input_as_output", data)
    assert finding.message.startswith(f"第 9 行（{name}）")
    assert f"衡量的是{kind}投入，不是项目的产出。" in finding.message
    assert finding.opinion_label == "一级指标类型错误"


@pytest.mark.parametrize(
    ("level1", "level2", "name"),
    [
        ("产出指标", "成本指标", "资金拨付金额"),
        ("产出指标", "数量指标", "参训人员数量"),
        ("产出指标", "数量指标", "培训人数"),
        ("效益指标", "社会效益指标", "资金到位后受益群众人数"),
    ],
)
def test_costs_people_served_and_benefits_are_not_inputs(level1, level2, name):
    data = factories.with_extra_rows(factories.table_data(), (level1, level2, name, "≥ 1 次"))
    assert run_rule("input_as_output", data) == []


def test_the_same_indicator_twice_is_flagged_on_the_later_row():
    data = factories.with_extra_rows(factories.table_data(), ("产出指标", "质量指标", "培训考核 合格率", "≥ 90%"))
    (finding,) = run_rule("duplicate_indicator", data)
    assert finding.row == 9
    assert finding.message == "第 9 行（培训考核 合格率）与第 3 行是同一个三级指标。"


def test_distinct_indicators_are_not_duplicates():
    assert run_rule("duplicate_indicator", factories.table_data()) == []
