"""Scoring by the rules of 财预〔2020〕10号, on hand-worked examples and a property over all inputs."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from indicators.values import parse_value
from projects.evaluation import scoring


def score(target, actual, weight="10"):
    return scoring.indicator_score(parse_value(target), parse_value(actual), D(weight)).points


def test_execution_score_is_the_rate_times_its_points_and_capped():
    assert scoring.execution_rate(D("85"), D("100")) == D("85.00")
    assert scoring.execution_score(D("85.00")).points == D("8.50")
    over = scoring.execution_score(D("120.00"))
    assert over.points == D("10.00")
    assert "上限" in over.working
    assert scoring.execution_score(None).points is None


def test_at_least_target_scores_actual_over_target():
    assert score("≥ 200 人次", "150 人次") == D("7.50")  # 150 ÷ 200 × 10
    assert score("≥ 200 人次", "260 人次") == D("10.00")  # exceeded: capped at its points


def test_at_most_target_scores_target_over_actual():
    assert score("≤ 90 万元", "100 万元") == D("9.00")  # 90 ÷ 100 × 10
    assert score("≤ 90 万元", "80 万元") == D("10.00")


def test_equal_target_is_met_or_not():
    assert score("4 期", "4 期") == D("10.00")
    assert score("4 期", "3 期") == D("0.00")


def test_a_phrase_or_another_unit_cannot_be_scored_against_a_number():
    assert score("≥ 95 %", "达成预期指标") is None
    assert score("≥ 95 %", "95 人") is None


def test_qualitative_bands_and_the_units_choice_inside_them():
    met = scoring.qualitative_score("met", None, D("10"))
    assert met.points == D("10.00")
    assert scoring.qualitative_score("partly", D("7"), D("10")).points == D("7.00")
    refused = scoring.qualitative_score("partly", D("9"), D("10"))
    assert refused.points is None and "6.00–8.00" in refused.working
    assert scoring.band_range("missed", D("10")) == (D("0.00"), D("6.00"))
    assert scoring.qualitative_score("", None, D("10")).points is None


def test_grades_at_their_boundaries():
    assert [scoring.grade_of(D(value)) for value in ("90", "89.99", "80", "79.99", "60", "59.99")] == ["优", "良", "良", "中", "中", "差"]


def test_default_weights_spread_each_level1_over_its_rows_and_add_up():
    weights = {"预算执行": D(10), "产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    rows = ["产出指标"] * 3 + ["效益指标"] * 2 + ["满意度指标"]
    spread = scoring.spread_weights(rows, weights)
    assert spread == [D("16.67"), D("16.67"), D("16.66"), D("15.00"), D("15.00"), D("10.00")]
    assert sum(spread) == 90


def test_a_level1_without_rows_gives_its_points_to_the_others():
    weights = {"预算执行": D(10), "产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    spread = scoring.spread_weights(["产出指标", "效益指标"], weights)  # 无直接服务对象: no 满意度
    assert sum(spread) == 90
    assert spread[0] == D("56.25")


def test_sichuans_variant_execution_10_and_indicators_90_by_their_own_weights():
    # 四川: 预算执行 10 + 绩效指标 90; its indicators carry their weights, scored the same way.
    assert score("≥ 30 个", "24 个", "20") == D("16.00")
    assert score("≤ 5 天", "10 天", "15") == D("7.50")


numbers = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
operators = st.sampled_from(["≥", "≤", "＝", ">", "<"])
weights = st.decimals(min_value=D("0"), max_value=D("100"), places=2)


@given(operators, numbers, numbers, weights)
def test_a_score_never_exceeds_its_weight(operator, target, actual, weight):
    result = scoring.indicator_score(parse_value(f"{operator}{target}个"), parse_value(f"{actual}个"), weight)
    assert result.points is not None and D(0) <= result.points <= weight


@given(st.lists(st.sampled_from(["产出指标", "效益指标", "满意度指标"]), min_size=1, max_size=30), numbers, st.data())
def test_the_total_never_exceeds_100(level1s, executed, data):
    weights = {"预算执行": D(10), "产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    spread = scoring.spread_weights(level1s, weights)
    assert sum(spread) == 90
    actuals = data.draw(st.lists(numbers, min_size=len(level1s), max_size=len(level1s)))
    execution = scoring.execution_score(scoring.execution_rate(executed, D("100")))
    total = execution.points + sum(
        scoring.indicator_score(parse_value("≥ 50 个"), parse_value(f"{actual}个"), weight).points
        for actual, weight in zip(actuals, spread)
    )
    assert total <= 100
