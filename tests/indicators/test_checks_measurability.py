"""Measurability rules: values a reviewer can measure at year end."""

import pytest

from indicators.checks import run_rule
from tests import factories


def messages(code, data):
    return [finding.message for finding in run_rule(code, data)]


def test_a_quantity_indicator_with_a_qualitative_value_is_flagged():
    data = factories.with_row(factories.table_data(), 1, value="按需完成")
    assert messages("quantity_qualitative", data) == [
        "第 1 行（举办业务培训期数）是数量指标，指标值“按需完成”却是定性描述，年底无法核对是否完成。"
    ]


def test_a_cost_indicator_with_a_qualitative_value_is_flagged_with_an_amount_as_the_fix():
    data = factories.with_row(factories.table_data(), 5, value="足额保障")
    (finding,) = run_rule("quantity_qualitative", data)
    assert "是成本指标" in finding.message
    assert finding.suggestion == "改为金额（如“20 万元”）。"


def test_a_qualitative_count_that_still_names_numbers_passes():
    """平罗: 派驻纪检监察组和乡镇纪委规范化建设 — 13 个乡镇和 8 个派驻纪检监察组."""
    data = factories.with_row(factories.table_data(), 1, value="13 个乡镇和 8 个派驻纪检监察组")
    assert run_rule("quantity_qualitative", data) == []


def test_a_qualitative_quality_value_is_not_a_quantity_problem():
    data = factories.with_row(factories.table_data(), 3, value="良好")
    assert run_rule("quantity_qualitative", data) == []


def test_a_number_without_a_unit_is_flagged():
    data = factories.with_row(factories.table_data(), 3, value="≥ 95")
    (finding,) = run_rule("unit_missing", data)
    assert finding.message == "第 3 行（培训考核合格率）的指标值“≥ 95”只有数字，没有计量单位。"
    assert "“≥ 95%”" in finding.suggestion


def test_numbers_with_units_and_qualitative_values_need_no_unit():
    assert run_rule("unit_missing", factories.table_data()) == []
    assert run_rule("unit_missing", factories.with_row(factories.table_data(), 6, value="好")) == []


@pytest.mark.parametrize(
    ("value", "phrase"),
    [("显著提高", "显著提高"), ("进一步提高", "进一步提高"), ("明显改善", "明显改善"), ("有效促进", "有效促进"), ("效果明显", "效果明显"), ("全力保障", "全力保障")],
)
def test_vague_wording_without_a_measure_is_flagged(value, phrase):
    data = factories.with_row(factories.table_data(), 6, value=value)
    (message,) = messages("vague_wording", data)
    assert message.startswith(f"第 6 行（参训人员业务考核平均分）的指标值“{value}”是模糊表述（“{phrase}”）")


@pytest.mark.parametrize("value", ["投诉量下降 ≥ 10%", "显著提高 ≥ 5 个百分点", "好", "建立工作台账并按月更新"])
def test_measured_or_concrete_values_are_not_vague(value):
    data = factories.with_row(factories.table_data(), 6, value=value)
    assert run_rule("vague_wording", data) == []


@pytest.mark.parametrize("value", ["及时", "按时完成", "≥ 4 期"])
def test_a_timeliness_value_that_is_neither_a_time_nor_a_rate_is_flagged(value):
    data = factories.with_row(factories.table_data(), 4, value=value)
    (message,) = messages("timeliness_not_time", data)
    assert message == f"第 4 行（培训完成时间）是时效指标，指标值“{value}”既不是时间也不是比率。"


@pytest.mark.parametrize(
    "value", ["2024 年 11 月底前", "2024年", "2024 年内", "≥ 95%", "30 个工作日内", "1 年", "6月底", "上半年"]
)
def test_times_and_rates_are_proper_timeliness_values(value):
    data = factories.with_row(factories.table_data(), 4, value=value)
    assert run_rule("timeliness_not_time", data) == []


def test_only_timeliness_rows_are_held_to_times():
    data = factories.with_row(factories.table_data(), 3, value="及时")
    assert run_rule("timeliness_not_time", data) == []


def test_a_placeholder_value_is_left_to_the_placeholder_rule():
    data = factories.with_row(factories.with_row(factories.table_data(), 1, value="XX"), 4, value="")
    assert run_rule("quantity_qualitative", data) == []
    assert run_rule("timeliness_not_time", data) == []
