"""完整性 rules: goals, mandatory 二级, outputs, benefits, satisfaction, funds and spending plan."""

from decimal import Decimal

from indicators.checks import check_table, run_rule
from tests import factories


def messages(code, data, context=None):
    return [finding.message for finding in run_rule(code, data, context)]


def test_a_clean_table_has_no_completeness_findings():
    data = factories.table_data()
    for code in (
        "goals_missing",
        "goals_repeat_name",
        "level2_missing",
        "output_missing",
        "benefit_missing",
        "satisfaction_missing",
        "funds_missing",
        "funds_mismatch",
        "spending_plan_decreasing",
        "spending_plan_incomplete",
    ):
        assert run_rule(code, data) == [], code


def test_a_table_without_goals_is_an_error():
    assert messages("goals_missing", factories.table_data(goals=())) == ["未填写年度总体目标。"]
    assert messages("goals_missing", factories.table_data(goals=("  ",))) == ["未填写年度总体目标。"]


def test_goals_that_only_repeat_the_project_name_are_flagged():
    data = factories.table_data(goals=("基层干部业务培训经费", "2024年基层干部业务培训经费保障"))
    (message,) = messages("goals_repeat_name", data)
    assert "只是重复项目名称“基层干部业务培训经费”" in message


def test_goals_that_state_the_work_are_not_flagged_even_beside_a_hollow_one():
    data = factories.table_data(goals=("基层干部业务培训经费", "举办业务培训 4 期，培训基层干部 200 人次。"))
    assert run_rule("goals_repeat_name", data) == []


def test_a_missing_mandatory_level2_is_reported_with_its_requirement():
    data = factories.without_rows(factories.table_data(), lambda row: row.level2 in {"成本指标", "质量指标"})
    assert messages("level2_missing", data) == [
        "产出指标下缺少质量指标（必填指标）。",
        "产出指标下缺少成本指标（必填硬性指标）。",
    ]


def test_an_optional_level2_may_be_left_out():
    data = factories.table_data()
    assert not any(row.level2 in {"经济效益指标", "生态效益指标"} for row in data.indicators)
    assert run_rule("level2_missing", data) == []


def test_the_2021_framework_requires_its_economic_cost_level2():
    rows = [row for row in factories.CLEAN_ROWS if row[1] not in {"成本指标", "可持续影响指标"}]
    data = factories.table_data(rows=rows, framework_code="2021")
    assert messages("level2_missing", data) == ["成本指标下缺少经济成本指标（必填硬性指标）。"]


def test_a_table_without_outputs_or_benefits_is_an_error():
    no_outputs = factories.without_rows(factories.table_data(), lambda row: row.level1 == "产出指标")
    no_benefits = factories.without_rows(factories.table_data(), lambda row: row.level1 == "效益指标")
    assert messages("output_missing", no_outputs) == ["表中没有产出指标。"]
    assert run_rule("benefit_missing", no_outputs) == []
    assert messages("benefit_missing", no_benefits) == ["表中没有效益指标。"]
    assert run_rule("output_missing", no_benefits) == []


def test_satisfaction_is_required_unless_the_table_has_no_direct_beneficiaries():
    data = factories.without_rows(factories.table_data(), lambda row: row.level1 == "满意度指标")
    assert messages("satisfaction_missing", data) == ["表中没有满意度指标，也没有注明本项目无直接服务对象。"]
    assert run_rule("satisfaction_missing", factories.table_data(no_direct_beneficiaries=True)) == []
    stated = factories.without_rows(factories.table_data(no_direct_beneficiaries=True), lambda row: row.level1 == "满意度指标")
    assert run_rule("satisfaction_missing", stated) == []
    # …and the 必填 satisfaction 二级 is left to that rule, not reported twice
    assert run_rule("level2_missing", data) == []


def test_funds_must_be_given():
    assert messages("funds_missing", factories.table_data(funds_total=None)) == ["未填写年度资金总额。"]


def test_funds_total_must_equal_fiscal_plus_other():
    data = factories.table_data(funds_total=Decimal("20"), funds_fiscal=Decimal("15"), funds_other=Decimal("3"))
    assert messages("funds_mismatch", data) == [
        "年度资金总额 20 万元不等于财政拨款 15 万元与其他资金 3 万元之和 18 万元。"
    ]
    balanced = factories.table_data(funds_total=Decimal("20"), funds_fiscal=Decimal("15"), funds_other=Decimal("5"))
    assert run_rule("funds_mismatch", balanced) == []


def test_funds_compare_exactly_to_the_sixth_decimal():
    data = factories.table_data(funds_total=Decimal("10606.7522"), funds_fiscal=Decimal("10606.752201"))
    assert len(run_rule("funds_mismatch", data)) == 1
    assert run_rule("funds_mismatch", factories.table_data(funds_total=Decimal("10606.7522"), funds_fiscal=Decimal("10606.752200"))) == []


def test_a_cumulative_spending_plan_may_not_go_down():
    data = factories.table_data(spending_plan=((3, Decimal("50")), (6, Decimal("40")), (12, Decimal("100"))))
    assert messages("spending_plan_decreasing", data) == [
        "资金支出计划是累计比例，6月底的 40% 低于3月底的 50%。"
    ]


def test_a_spending_plan_must_end_at_100_percent():
    data = factories.table_data(spending_plan=((6, Decimal("50")), (12, Decimal("90"))))
    assert messages("spending_plan_incomplete", data) == ["资金支出计划最后一个时点（12月底）累计支出为 90%，不是 100%。"]


def test_a_form_without_a_spending_plan_is_not_asked_for_one():
    """平罗's form prints no spending plan at all."""
    assert run_rule("spending_plan_incomplete", factories.table_data(spending_plan=())) == []


def test_a_plan_whose_points_are_all_blank_is_incomplete():
    data = factories.table_data(spending_plan=((6, None), (12, None)))
    assert messages("spending_plan_incomplete", data) == [
        "资金支出计划各时点均未填写比例。"
    ]


def test_missing_goals_and_outputs_block_submission():
    data = factories.without_rows(factories.table_data(goals=()), lambda row: row.level1 == "产出指标")
    assert check_table(data).blocks_submission
