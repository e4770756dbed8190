"""Rules that read last year's results: each fires on the case it names and stays quiet beside it."""

from decimal import Decimal

from indicators.checks import CheckContext, check_table, run_rule
from indicators.checks.lastyear import LastYearData, LastYearRow, table_signature
from tests import factories


def last_year(*rows, grade="良", total=None, signature=frozenset(), links=None):
    return CheckContext(
        last_year=LastYearData(year=2023, rows=rows, grade=grade, total=total, signature=signature, links=links or {})
    )


def trained(actual, target="≥ 4 期", score=None, weight=None, uid="last-1"):
    return LastYearRow("数量指标", "举办业务培训期数", target, actual, score, weight, uid=uid)


def test_a_target_below_what_was_achieved_last_year_is_flagged():
    (finding,) = run_rule("target_below_last_actual", factories.table_data(), last_year(trained("6 期")))
    assert finding.severity_label == "警告" and finding.row == 1
    assert finding.message == "第 1 行（举办业务培训期数）的指标值“≥ 4 期”低于2023年的实际完成值“6 期”：目标定得比已经做到的还低。"


def test_a_ceiling_set_above_last_years_spending_is_flagged_and_one_below_it_is_not():
    cost = LastYearRow("成本指标", "培训经费", "≤ 20 万元", "18 万元")
    (finding,) = run_rule("target_below_last_actual", factories.table_data(), last_year(cost))
    assert finding.row == 5 and "宽于2023年的实际完成值“18 万元”" in finding.message
    tighter = factories.with_row(factories.table_data(), 5, value="≤ 17 万元")
    assert run_rule("target_below_last_actual", tighter, last_year(cost)) == []


def test_a_target_at_or_above_last_years_actual_or_in_another_unit_is_quiet():
    data = factories.table_data()
    assert run_rule("target_below_last_actual", data, last_year(trained("4 期"))) == []
    assert run_rule("target_below_last_actual", data, last_year(trained("3 期"))) == []
    assert run_rule("target_below_last_actual", data, last_year(trained("6 次"))) == []
    assert run_rule("target_below_last_actual", data, last_year(trained("达成预期"))) == []
    assert run_rule("target_below_last_actual", data, None) == []


def test_a_renamed_row_is_compared_with_the_row_it_was_copied_from():
    data = factories.with_row(factories.table_data(), 1, name="全年培训期数")
    assert run_rule("target_below_last_actual", data, last_year(trained("6 期"))) == []
    (finding,) = run_rule("target_below_last_actual", data, last_year(trained("6 期"), links={"row-1": "last-1"}))
    assert finding.row == 1


def test_a_target_copied_unchanged_after_a_year_that_missed_it_is_flagged():
    missed = trained("3 期", score=Decimal("3.75"), weight=Decimal("5.00"))
    (finding,) = run_rule("target_copied_after_miss", factories.table_data(), last_year(missed))
    assert finding.severity_label == "警告" and finding.row == 1
    assert "2023年定为“≥ 4 期”，实际只完成“3 期”，得分 3.75/5.00；今年的指标值原样照抄" in finding.message


def test_a_copied_target_is_quiet_when_last_year_met_it_or_the_target_was_changed():
    met = trained("4 期", score=Decimal("5.00"), weight=Decimal("5.00"))
    assert run_rule("target_copied_after_miss", factories.table_data(), last_year(met)) == []
    missed = trained("3 期", score=Decimal("3.75"), weight=Decimal("5.00"))
    changed = factories.with_row(factories.table_data(), 1, value="≥ 3 期")
    assert run_rule("target_copied_after_miss", changed, last_year(missed)) == []


def test_without_scores_a_miss_is_read_from_the_target_and_the_actual():
    assert trained("3 期").missed and not trained("5 期").missed
    assert LastYearRow("成本指标", "培训经费", "≤ 20 万元", "22 万元").missed
    assert not LastYearRow("效益指标", "社会效益指标", "显著提高", "部分达成").missed


def test_an_indicator_that_missed_last_year_and_is_dropped_is_noted():
    missed = LastYearRow("社会效益指标", "案件查办数量", "≥ 10 件", "6 件", Decimal("2"), Decimal("5"))
    (finding,) = run_rule("weak_indicator_dropped", factories.table_data(), last_year(missed))
    assert finding.severity_label == "提示" and finding.row is None
    assert "2023年未完成的指标“案件查办数量”（社会效益指标，目标 ≥ 10 件，实际 6 件）今年没有再设置" in finding.message


def test_a_dropped_indicator_that_was_met_or_a_missed_one_kept_is_quiet():
    met = LastYearRow("社会效益指标", "案件查办数量", "≥ 10 件", "12 件", Decimal("5"), Decimal("5"))
    assert run_rule("weak_indicator_dropped", factories.table_data(), last_year(met)) == []
    kept = trained("3 期", score=Decimal("3"), weight=Decimal("5"))
    assert run_rule("weak_indicator_dropped", factories.table_data(), last_year(kept)) == []


def _signature(data):
    return table_signature((row.level2, row.name, row.value_text) for row in data.indicators)


def test_a_table_evaluated_poor_last_year_submitted_again_unchanged_is_flagged():
    data = factories.table_data()
    (finding,) = run_rule(
        "poor_evaluation_unchanged", data, last_year(grade="差", total=Decimal("52.5"), signature=_signature(data))
    )
    assert finding.severity_label == "警告"
    assert finding.message == "这张表2023年的绩效自评为“差”（52.5 分），今年的三级指标和指标值与上年完全相同。"


def test_a_poor_table_changed_or_a_fair_table_unchanged_is_quiet():
    data = factories.table_data()
    changed = factories.with_row(data, 2, value="≥ 260 人次")
    assert run_rule("poor_evaluation_unchanged", changed, last_year(grade="差", signature=_signature(data))) == []
    assert run_rule("poor_evaluation_unchanged", data, last_year(grade="中", signature=_signature(data))) == []


def test_a_clean_table_without_last_year_loses_nothing_to_these_rules():
    result = check_table(factories.table_data(), CheckContext())
    assert not [f for f in result.findings if f.rule in {"target_below_last_actual", "target_copied_after_miss", "weak_indicator_dropped", "poor_evaluation_unchanged"}]
