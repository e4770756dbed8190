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


def test_more_than_and_less_than_score_as_at_least_and_at_most():
    assert score("＞ 200 人次", "150 人次") == D("7.50")  # 150 ÷ 200 × 10
    assert score("> 200 人次", "201 人次") == D("10.00")
    assert score("＜ 5 天", "8 天") == D("6.25")  # 5 ÷ 8 × 10
    assert score("< 5 天", "4 天") == D("10.00")


def test_operators_written_in_words_score_by_their_direction():
    assert score("不低于 90%", "72%") == D("8.00")  # 72 ÷ 90 × 10
    assert score("不高于 5 天", "6 天", "12") == D("10.00")  # 5 ÷ 6 × 12
    working = scoring.indicator_score(parse_value("≤ 90 万元"), parse_value("100 万元"), D(10)).working
    assert working == "目标 90 ÷ 完成 100 × 10 分 = 9.00 分"


def test_an_execution_rate_below_the_line_scores_in_proportion():
    # 执行率 = 全年执行数 ÷ 全年预算数: 17 ÷ 20 = 85%, × 10 = 8.5; with Sichuan's 10 points the same.
    rate = scoring.execution_rate(D("17"), D("20"))
    assert rate == D("85.00")
    assert scoring.execution_score(rate, D("10")).working == "执行率 85.00% × 10 分 = 8.50 分"
    assert scoring.execution_score(scoring.execution_rate(D("1"), D("3")), D("20")).points == D("6.67")  # 33.33% × 20
    assert scoring.execution_rate(D("5"), D("0")) is None  # no budget: no rate


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


def test_each_band_by_hand_on_fifteen_points():
    # 达成 100–80%: 12–15; 部分达成 80–60%: 9–12; 未达成 60–0%: 0–9. No choice: the band's top.
    assert scoring.band_range("met", D("15")) == (D("12.00"), D("15.00"))
    assert scoring.band_range("partly", D("15")) == (D("9.00"), D("12.00"))
    assert scoring.band_range("missed", D("15")) == (D("0.00"), D("9.00"))
    assert scoring.qualitative_score("met", D("12"), D("15")).points == D("12.00")  # its floor is inside
    assert scoring.qualitative_score("partly", None, D("15")).points == D("12.00")
    assert scoring.qualitative_score("missed", D("4.5"), D("15")).points == D("4.50")
    assert scoring.qualitative_score("missed", D("9.01"), D("15")).points is None
    assert scoring.qualitative_score("met", D("11.99"), D("15")).working == "达成的得分应在 12.00–15.00 分之间，填写的 11.99 分不在其中。"


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


@given(st.sampled_from(["met", "partly", "missed"]), st.decimals(min_value=D("0"), max_value=D("100"), places=2), weights)
def test_a_band_score_the_rules_accept_never_exceeds_its_weight(band, chosen, weight):
    result = scoring.qualitative_score(band, chosen, weight)
    assert result.points is None or D(0) <= result.points <= weight
    assert D(0) <= scoring.qualitative_score(band, None, weight).points <= weight


targets = st.sampled_from(["≥ 50 个", "≤ 50 个", "＝ 50 个", "> 50 个", "< 50 个", "有效提升"])


@given(
    st.lists(st.tuples(st.sampled_from(["产出指标", "效益指标", "满意度指标"]), targets), min_size=1, max_size=20),
    numbers,
    st.sampled_from([D(10), D(20), D(0)]),
    st.data(),
)
def test_the_total_never_exceeds_100_for_any_operator_band_and_variant(rows, executed, execution_points, data):
    rest = 100 - execution_points
    weights = {"预算执行": execution_points, "产出指标": rest * D("0.5"), "效益指标": rest * D("0.3"), "满意度指标": rest * D("0.2")}
    spread = scoring.spread_weights([level1 for level1, _target in rows], weights)
    assert sum(spread) == rest
    total = scoring.execution_score(scoring.execution_rate(executed, D("100")), execution_points).points
    for (_level1, target), weight in zip(rows, spread):
        actual = data.draw(numbers)
        band = data.draw(st.sampled_from(["met", "partly", "missed"]))
        result = scoring.indicator_score(parse_value(target), parse_value(f"{actual}个"), weight, band=band)
        assert result.points is not None and result.points <= weight
        total += result.points
    assert total <= 100


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
