"""Plausibility rules: reachable targets, set one by one, not copied from a sibling table."""

import pytest

from indicators.checks import CheckContext, SiblingTable, run_rule
from indicators.checks.data import SiblingGroup
from indicators.checks.wording import normalized
from tests import factories


def messages(code, data, context=None):
    return [finding.message for finding in run_rule(code, data, context)]


@pytest.mark.parametrize(
    ("row", "value"),
    [(8, "≥100%"), (8, "≥100百分比"), (8, "＞100%"), (3, "105%"), (3, "≥ 100%")],
)
def test_a_rate_at_or_above_all_of_it_is_impossible(row, value):
    data = factories.with_row(factories.table_data(), row, value=value)
    (finding,) = run_rule("impossible_percent", data)
    assert finding.severity_label == "错误"
    assert f"是比率，最高只能是 100%，指标值“{value}”不可能实现。" in finding.message


@pytest.mark.parametrize(("row", "value"), [(8, "≥ 95%"), (3, "100%"), (3, "≤ 100%")])
def test_reachable_rates_are_possible(row, value):
    data = factories.with_row(factories.table_data(), row, value=value)
    assert run_rule("impossible_percent", data) == []


def test_growth_may_exceed_100_percent_without_being_impossible():
    data = factories.with_extra_rows(factories.table_data(), ("效益指标", "经济效益指标", "项目对经济效益提升比", "≥100%"))
    assert run_rule("impossible_percent", data) == []
    assert run_rule("percent_over_100", data) == []


def test_a_percentage_above_100_that_is_not_a_rate_is_a_warning():
    data = factories.with_extra_rows(factories.table_data(), ("效益指标", "经济效益指标", "带动农户收入增长", "150%"))
    (finding,) = run_rule("percent_over_100", data)
    assert finding.severity_label == "警告"
    assert finding.message == "第 9 行（带动农户收入增长）的指标值“150%”超过 100%。"


def test_a_rate_above_100_is_reported_once_as_impossible_not_twice():
    data = factories.with_row(factories.table_data(), 3, value="105%")
    assert run_rule("percent_over_100", data) == []


def test_full_satisfaction_as_a_target_is_a_hint():
    data = factories.with_row(factories.table_data(), 8, value="100%")
    (finding,) = run_rule("satisfaction_full", data)
    assert finding.severity_label == "提示"
    assert finding.message.startswith("第 8 行（参训人员满意度）的满意度目标为 100%")


def test_a_reachable_satisfaction_or_a_full_pass_rate_is_not_a_hint():
    assert run_rule("satisfaction_full", factories.table_data()) == []
    assert run_rule("satisfaction_full", factories.with_row(factories.table_data(), 3, value="100%")) == []


def test_the_same_value_on_nearly_every_row_is_an_error_whatever_the_operator():
    data = factories.table_data()
    for index in range(1, 9):
        data = factories.with_row(data, index, value="≥100百分比" if index % 2 else "100百分比")
    (finding,) = run_rule("uniform_values", data)
    assert finding.severity_label == "错误"
    assert finding.message.startswith("8 条指标中有 8 条（第 1–8 行）的指标值都是 100%（如“≥100百分比”）")


def test_a_qualitative_value_repeated_on_every_row_is_also_uniform():
    data = factories.table_data()
    for index in range(1, 9):
        data = factories.with_row(data, index, value="是否合格")
    (message,) = messages("uniform_values", data)
    assert "的指标值都是 是否合格" in message


def test_values_shared_by_a_few_rows_are_not_uniform():
    data = factories.table_data()
    for index in (3, 7, 8):
        data = factories.with_row(data, index, value="≥ 95%")
    assert run_rule("uniform_values", data) == []


def test_a_very_short_table_is_too_small_to_call_uniform():
    rows = [("产出指标", "质量指标", f"合格率{n}", "100%") for n in range(4)]
    assert run_rule("uniform_values", factories.table_data(rows=rows)) == []


def _sibling_like(data, name):
    return SiblingTable(name=name, indicator_names=frozenset((row.level2, normalized(row.name)) for row in data.indicators))


def test_a_table_whose_indicators_match_a_sibling_table_is_flagged_as_copied():
    data = factories.table_data()
    context = CheckContext(siblings=(_sibling_like(data, "业务骨干培训经费"),))
    assert messages("copied_indicator_set", data, context) == [
        "本表的三级指标与本单位同年度的“业务骨干培训经费”几乎完全相同，不同项目的指标应反映各自的内容。"
    ]


def test_siblings_with_their_own_indicators_are_not_copies():
    other = factories.table_data(
        rows=[
            ("产出指标", "数量指标", "维护信息系统数量", "1 个"),
            ("产出指标", "质量指标", "系统正常运行率", "≥ 99%"),
            ("产出指标", "时效指标", "故障修复时间", "24 小时内"),
            ("产出指标", "成本指标", "维护经费", "20 万元"),
            ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥ 90%"),
        ]
    )
    context = CheckContext(siblings=(_sibling_like(other, "信息系统维护经费"),))
    assert run_rule("copied_indicator_set", factories.table_data(), context) == []
    assert run_rule("copied_indicator_set", factories.table_data()) == []


def test_an_indexed_sibling_group_finds_exactly_the_copies_a_plain_comparison_finds():
    # A unit's tables as the recheck loads them (one SiblingGroup per unit and year): two copies of each
    # other, one sharing three of five names (under the 80% of the union a copy needs), one of its own,
    # a second version of the checked table (left out) and one too short to compare.
    names = [("数量指标", f"指标{n}") for n in range(5)]
    tables = [
        SiblingTable(name="本项目", indicator_names=frozenset(names)),
        SiblingTable(name="照抄项目", indicator_names=frozenset(names)),
        SiblingTable(name="部分相同", indicator_names=frozenset(names[:3] + [("数量指标", "另外"), ("数量指标", "还有")])),
        SiblingTable(name="自有指标", indicator_names=frozenset(("质量指标", f"其他{n}") for n in range(6))),
        SiblingTable(name="本项目", indicator_names=frozenset(names)),
        SiblingTable(name="太短", indicator_names=frozenset(names[:3])),
    ]
    data = factories.table_data(rows=[("产出指标", level2, name, "1 个") for level2, name in names])
    indexed = SiblingGroup(tables).siblings_of(0, "本项目")
    plain = tuple(table for position, table in enumerate(tables) if position not in (0, 4))
    assert [table.name for table in indexed] == [table.name for table in plain]
    expected = ["本表的三级指标与本单位同年度的“照抄项目”几乎完全相同，不同项目的指标应反映各自的内容。"]
    assert messages("copied_indicator_set", data, CheckContext(siblings=indexed)) == expected
    assert messages("copied_indicator_set", data, CheckContext(siblings=plain)) == expected
