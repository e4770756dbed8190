"""Placeholder rules: rows left as a template."""

import pytest

from indicators.checks import run_rule
from tests import factories

ECONOMIC = ("效益指标", "经济效益指标", "带动就业人数", "≥ 20 人")


def messages(code, data):
    return [finding.message for finding in run_rule(code, data)]


def test_a_third_level_name_copied_from_its_second_level_is_an_error():
    data = factories.with_extra_rows(factories.table_data(), ("效益指标", "经济效益指标", "经济效益指标", "≥ 20 人"))
    (finding,) = run_rule("name_is_level_name", data)
    assert finding.message == "第 9 行（经济效益指标）的三级指标名称与二级指标名称相同，没有写出具体要衡量的内容。"
    assert finding.row == 9 and finding.indicator_uid == "row-9"
    assert finding.severity_label == "错误"


def test_a_third_level_name_copied_from_a_first_level_is_an_error():
    data = factories.with_row(factories.table_data(), 1, name="产出指标")
    assert messages("name_is_level_name", data) == [
        "第 1 行（产出指标）的三级指标名称与一级指标名称相同，没有写出具体要衡量的内容。"
    ]


def test_a_name_that_merely_contains_a_level_name_is_not_a_placeholder():
    data = factories.with_extra_rows(factories.table_data(), ECONOMIC, ("效益指标", "经济效益指标", "经济效益指标完成率", "≥ 90%"))
    assert run_rule("name_is_level_name", data) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("工作质量考核优良率（≧**%）", "≥ 95%", "第 3 行（工作质量考核优良率（≧**%））的三级指标名称“工作质量考核优良率（≧**%）”中有占位符“**”，像是模板没有填完。"),
        ("培训考核合格率", "XX%", "第 3 行（培训考核合格率）的指标值“XX%”中有占位符“XX”，像是模板没有填完。"),
        ("培训考核合格率", "≥ …%", "第 3 行（培训考核合格率）的指标值“≥ …%”中有占位符“…”，像是模板没有填完。"),
        ("培训考核合格率", "-", "第 3 行（培训考核合格率）的指标值“-”中有占位符“-”，像是模板没有填完。"),
        ("培训考核合格率", "null", "第 3 行（培训考核合格率）的指标值“null”中有占位符“null”，像是模板没有填完。"),
        ("培训考核合格率", "", "第 3 行（培训考核合格率）的指标值是空的。"),
        ("", "≥ 95%", "第 3 行（未填写三级指标名称）的三级指标名称是空的。"),
    ],
)
def test_filler_marks_or_empty_cells_in_a_name_or_value_are_errors(name, value, expected):
    data = factories.with_row(factories.table_data(), 3, name=name, value=value)
    assert messages("placeholder", data) == [expected]


@pytest.mark.parametrize("value", ["≥ 95%", "90-100 分", "1—3 月", "下发通报 ≥ 1 期", "13 个乡镇和 8 个派驻纪检监察组"])
def test_real_values_with_dashes_or_several_numbers_are_not_placeholders(value):
    data = factories.with_row(factories.table_data(), 3, value=value)
    assert run_rule("placeholder", data) == []


@pytest.mark.parametrize("name", ["指标1：培训人数", "指标一、培训人数", "三级指标2:培训人数", "指标名称：培训人数"])
def test_a_name_starting_with_a_template_number_is_flagged(name):
    data = factories.with_row(factories.table_data(), 2, name=name)
    (message,) = messages("template_prefix", data)
    assert message.startswith(f"第 2 行（{name}）的名称以模板编号")


def test_a_name_that_only_starts_with_the_word_indicator_is_not_a_template_number():
    data = factories.with_row(factories.table_data(), 2, name="指标体系培训覆盖率")
    assert run_rule("template_prefix", data) == []


def test_a_description_that_repeats_the_name_is_a_hint():
    data = factories.with_row(factories.table_data(), 3, description=" 培训考核合格率 ")
    (finding,) = run_rule("description_repeats_name", data)
    assert finding.severity_label == "提示"
    assert finding.message == "第 3 行（培训考核合格率）的绩效指标描述与名称完全相同，没有说明口径。"


def test_a_description_that_explains_the_measure_or_is_left_empty_is_fine():
    explained = factories.with_row(factories.table_data(), 3, description="考核合格人数 ÷ 参训人数 × 100%")
    assert run_rule("description_repeats_name", explained) == []
    assert run_rule("description_repeats_name", factories.table_data()) == []
