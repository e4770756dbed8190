"""The four checks real tables showed were missed (issue 21, point 8), each both ways."""

from indicators.checks import check_table, run_rule
from tests import factories


def codes(data):
    return {finding.rule for finding in check_table(data).findings}


def test_the_same_value_on_two_thirds_of_the_rows_is_flagged():
    rows = [("产出指标", "数量指标", f"完成事项{n}", "100%") for n in range(4)] + [
        ("产出指标", "数量指标", "培训人数", "200 人"), ("满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"),
    ]
    (finding,) = run_rule("uniform_values", factories.table_data(rows=rows))
    assert finding.message.startswith("6 条指标中有 4 条（第 1–4 行）的指标值都是 100%")


def test_the_same_value_on_fewer_than_two_thirds_of_the_rows_is_not_flagged():
    rows = [("产出指标", "数量指标", f"完成事项{n}", "100%") for n in range(3)] + [
        ("产出指标", "数量指标", "培训人数", "200 人"), ("产出指标", "数量指标", "培训期数", "4 期"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"),
    ]
    assert run_rule("uniform_values", factories.table_data(rows=rows)) == []


def test_a_core_indicator_marker_is_not_a_placeholder():
    data = factories.with_row(factories.table_data(), 1, name="*培训人数")
    data = factories.with_row(data, 2, name="培训合格率＊")
    assert run_rule("placeholder", data) == []


def test_asterisks_in_place_of_a_name_or_value_are_still_a_placeholder():
    data = factories.with_row(factories.table_data(), 1, name="**")
    data = factories.with_row(data, 2, value="**%")
    data = factories.with_row(data, 3, name="*培训**人数")
    messages = [finding.message for finding in run_rule("placeholder", data)]
    assert len(messages) == 3
    assert "占位符“**”" in messages[0]


def test_a_road_output_in_a_training_project_is_flagged_as_left_from_another_template():
    data = factories.with_extra_rows(factories.table_data(), ("产出指标", "数量指标", "道路硬化里程", "5 公里"))
    (finding,) = run_rule("indicator_from_other_project", data)
    assert "讲的是道路（“道路”）" in finding.message
    assert "indicator_from_other_project" in codes(data)


def test_a_water_supply_output_in_a_training_project_is_flagged():
    data = factories.with_extra_rows(factories.table_data(), ("产出指标", "数量指标", "新建供水管网长度", "3 公里"))
    (finding,) = run_rule("indicator_from_other_project", data)
    assert "讲的是供水" in finding.message


def test_road_outputs_in_a_road_project_are_its_own():
    data = factories.table_data(name="农村道路硬化工程", goals=("完成 5 公里村道硬化，改善群众出行条件。",))
    data = factories.with_extra_rows(data, ("产出指标", "数量指标", "道路硬化里程", "5 公里"))
    assert run_rule("indicator_from_other_project", data) == []


def test_a_name_stating_another_target_than_its_value_is_flagged():
    data = factories.with_row(factories.table_data(), 2, name="培训合格率100%", value="≥95%")
    (finding,) = run_rule("name_states_other_target", data)
    assert "名称写明目标为 100%，指标值却是“≥95%”" in finding.message


def test_a_name_stating_the_same_target_as_its_value_is_not_flagged():
    data = factories.with_row(factories.table_data(), 2, name="培训合格率达到95%", value="≥95%")
    assert run_rule("name_states_other_target", data) == []
    assert run_rule("name_states_other_target", factories.table_data()) == []
