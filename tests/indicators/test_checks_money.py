"""Money rules: 成本 states an amount, and the amounts reconcile with the funds."""

from decimal import Decimal

import pytest

from indicators.checks import run_rule
from tests import factories

COST_ROW = 5


def cost(value, **fields):
    return factories.with_row(factories.table_data(**fields), COST_ROW, value=value)


def test_a_percentage_where_a_cost_amount_belongs_is_an_error():
    (finding,) = run_rule("cost_not_amount", cost("100百分比"))
    assert finding.severity_label == "错误"
    assert finding.message == "第 5 行（培训经费）是成本指标，指标值是百分比（“100百分比”）而不是金额，无法与年度资金核对。"
    assert "20 万元" in finding.suggestion


def test_a_cost_counted_in_something_other_than_money_is_an_error():
    (message,) = [finding.message for finding in run_rule("cost_not_amount", cost("1 次"))]
    assert "计量单位“次”不是金额单位" in message


@pytest.mark.parametrize("value", ["≤ 20 万元", "200000 元", "20万", "20 万元每年", "120 元/人", "0.002 亿元"])
def test_amounts_in_any_money_unit_are_amounts(value):
    assert run_rule("cost_not_amount", cost(value)) == []


def test_the_2021_economic_cost_is_held_to_amounts_and_its_social_cost_is_not():
    rows = [
        ("产出指标", "数量指标", "举办业务培训期数", "≥ 4 期"),
        ("成本指标", "经济成本指标", "培训经费", "100%"),
        ("成本指标", "社会成本指标", "对学员工作的影响", "≤ 5%"),
    ]
    data = factories.table_data(rows=rows, framework_code="2021")
    assert [finding.row for finding in run_rule("cost_not_amount", data)] == [2]


@pytest.mark.parametrize(
    ("value", "relation"), [("30 万元", "超过"), ("10 万元", "少于"), ("≤ 25 万元", "超过"), ("20 元", "少于")]
)
def test_a_cost_that_does_not_match_the_funds_is_flagged(value, relation):
    (finding,) = run_rule("cost_not_reconciled", cost(value))
    assert finding.severity_label == "警告"
    assert f"{relation}年度资金总额 20 万元" in finding.message
    assert f"第 5 行（培训经费）“{value}”" in finding.message


@pytest.mark.parametrize("value", ["20 万元", "≤ 20 万元", "≤ 18 万元", "200000 元", "20万", "20 万元每年"])
def test_a_cost_that_matches_or_stays_within_the_funds_reconciles(value):
    assert run_rule("cost_not_reconciled", cost(value)) == []


def test_pingluos_cost_in_yuan_reconciles_with_funds_printed_in_wanyuan():
    """政府长聘人员经费: 32952 元 against 3.30 万元 — equal at the two decimals the funds are printed to."""
    data = cost("32952 元", funds_total=Decimal("3.3"), funds_fiscal=Decimal("3.3"))
    assert run_rule("cost_not_reconciled", data) == []
    assert len(run_rule("cost_not_reconciled", cost("33952 元", funds_total=Decimal("3.3"), funds_fiscal=Decimal("3.3")))) == 1


def test_several_cost_rows_reconcile_by_their_sum_or_by_one_row_giving_the_total():
    parts = factories.with_extra_rows(cost("12 万元"), ("产出指标", "成本指标", "教材印刷费", "8 万元"))
    total_and_part = factories.with_extra_rows(cost("20 万元"), ("产出指标", "成本指标", "其中教材印刷费", "8 万元"))
    too_much = factories.with_extra_rows(cost("15 万元"), ("产出指标", "成本指标", "教材印刷费", "8 万元"))
    assert run_rule("cost_not_reconciled", parts) == []
    assert run_rule("cost_not_reconciled", total_and_part) == []
    (finding,) = run_rule("cost_not_reconciled", too_much)
    assert "合计 23 万元，超过年度资金总额 20 万元" in finding.message


def test_unit_prices_and_percentages_are_left_out_of_the_sum():
    assert run_rule("cost_not_reconciled", cost("120 元/人")) == []
    assert run_rule("cost_not_reconciled", cost("100%")) == []
