"""The engine: rule metadata, running all rules or one row's, the score and the grade, the builders."""

import re

import pytest

from indicators.checks import (
    RULES,
    CheckContext,
    check_row,
    check_table,
    grade_for,
    score_for,
    table_data_from_document,
    table_data_from_project,
)
from indicators.checks.registry import Finding
from projects.findings import tables_for_check
from indicators.frameworks import framework_snapshot
from indicators.models import Criterion, Opinion, Severity
from projects import interchange
from projects.models import DepartmentTarget, ProjectTable
from tests import factories

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_rule_states_its_severity_criterion_opinion_and_a_chinese_title():
    assert len(RULES) >= 25
    for code, rule in RULES.items():
        assert re.fullmatch(r"[a-z0-9_]+", code)
        assert rule.severity in Severity.values
        assert rule.criterion in Criterion.values
        assert rule.opinion in Opinion.values
        assert CHINESE.search(rule.title), code


@pytest.mark.parametrize("framework_code", ["2015", "2021"])
def test_a_clean_table_scores_100_and_grades_excellent(framework_code):
    rows = factories.CLEAN_ROWS
    if framework_code == "2021":
        rows = [("成本指标", "经济成本指标", *row[2:]) if row[1] == "成本指标" else row for row in rows]
    result = check_table(factories.table_data(rows=rows, framework_code=framework_code))
    assert result.findings == []
    assert (result.score, result.grade_label, result.blocks_submission) == (100, "优", False)


@pytest.mark.parametrize(
    ("score", "grade"), [(100, "优"), (90, "优"), (89, "良"), (80, "良"), (79, "中"), (60, "中"), (59, "差"), (0, "差")]
)
def test_grades_follow_the_review_bands(score, grade):
    from indicators.models import Grade

    assert Grade(grade_for(score)).label == grade


def finding(rule, uid="row-1"):
    spec = RULES[rule]
    return Finding(rule, spec.severity, spec.criterion, spec.opinion, "…", "…", row=1, indicator_uid=uid)


def test_an_error_costs_ten_points_and_one_rule_at_most_twenty():
    assert score_for([finding("placeholder")]) == 90
    assert score_for([finding("placeholder", f"row-{n}") for n in range(5)]) == 80


def test_a_warning_costs_three_points_and_one_rule_at_most_nine():
    assert score_for([finding("vague_wording")]) == 97
    assert score_for([finding("vague_wording", f"row-{n}") for n in range(5)]) == 91


def test_a_hint_costs_one_point_and_one_rule_at_most_two():
    assert score_for([finding("description_repeats_name", f"row-{n}") for n in range(9)]) == 98


def test_an_explained_warning_costs_one_point():
    explained = frozenset({("vague_wording", "row-1")})
    assert score_for([finding("vague_wording"), finding("vague_wording", "row-2")], explained) == 96


def test_the_score_never_goes_below_zero():
    findings = [finding(code, f"row-{n}") for code, rule in RULES.items() if rule.severity == Severity.ERROR for n in range(3)]
    assert score_for(findings) == 0


def test_findings_come_table_first_then_by_row():
    data = factories.table_data(goals=())
    data = factories.with_row(data, 6, value="显著提高")
    data = factories.with_row(data, 2, value="XX")
    result = check_table(data)
    assert [(f.rule, f.row) for f in result.findings] == [("goals_missing", None), ("placeholder", 2), ("vague_wording", 6)]
    assert result.score == 100 - 10 - 10 - 3


def test_a_placeholder_value_is_one_finding_not_one_per_rule():
    data = factories.with_row(factories.table_data(), 1, value="XX")
    data = factories.with_row(data, 4, value="**")
    assert [(f.rule, f.row) for f in check_table(data).findings] == [("placeholder", 1), ("placeholder", 4)]


def test_check_row_runs_only_the_row_rules_of_that_row():
    data = factories.table_data(goals=())
    data = factories.with_row(data, 6, value="显著提高")
    data = factories.with_row(data, 2, value="XX")
    assert [f.rule for f in check_row(data, 6)] == ["vague_wording"]
    assert [f.rule for f in check_row(data, 2)] == ["placeholder"]
    assert check_row(data, 1) == []


def test_check_row_sees_the_rest_of_the_table_for_duplicates():
    data = factories.with_extra_rows(factories.table_data(), ("产出指标", "质量指标", "培训考核合格率", "≥ 90%"))
    assert [f.message for f in check_row(data, 9)] == ["第 9 行（培训考核合格率）与第 3 行是同一个三级指标。"]


def test_a_finding_names_its_row_and_carries_the_indicators_uid():
    data = factories.with_row(factories.table_data(), 6, value="显著提高")
    (result,) = check_table(data).findings
    assert result.message.startswith("第 6 行（参训人员业务考核平均分）")
    assert (result.row, result.indicator_uid, result.key) == (6, "row-6", ("vague_wording", "row-6"))
    assert result.as_dict()["severity"] == "警告" and result.as_dict()["opinion"] == "不够细化量化"


def test_long_names_are_shortened_in_messages_but_the_row_number_stays():
    name = "平罗县纪委监委网维护,“清廉平罗”微信平台维护,纪检监察档案及干部电子廉政档案系统维护等"
    data = factories.with_row(factories.table_data(), 6, name=name, value="显著提高")
    (result,) = check_table(data).findings
    assert result.message.startswith("第 6 行（平罗县纪委监委网维护,“清廉平罗”微信平台维护,……）的指标值“显著提高”")


def test_checking_a_table_touches_no_database(db, django_assert_num_queries):
    data = factories.with_row(factories.table_data(), 6, value="显著提高")
    with django_assert_num_queries(0):
        check_table(data, CheckContext())


def test_a_saved_table_and_its_exported_document_are_checked_alike(seeded):
    snapshot = framework_snapshot()
    frameworks = snapshot.check_data
    document = interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.none())
    from_document = {
        table["uid"]: check_table(table_data_from_document(table, frameworks)) for table in document["project_tables"]
    }
    tables = tables_for_check(ProjectTable.objects.all())
    assert len(tables) == len(from_document) == 15
    for table in tables:
        saved = check_table(table_data_from_project(table, frameworks, snapshot.level_names))
        assert saved == from_document[str(table.uid)], table.name


def test_an_import_preview_with_unreadable_money_or_an_unknown_framework_is_still_checked(reference_data):
    frameworks = framework_snapshot().check_data
    preview = {
        "year": "二〇二四",
        "name": "测试项目",
        "framework": "1999",
        "funds": {"total": "二十", "fiscal": None, "other": None},
        "goals": ["目标写成了列表"],
        "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "2023年培训人数", "value": 100}],
    }
    codes = {f.rule for f in check_table(table_data_from_document(preview, frameworks)).findings}
    assert {"funds_missing", "goals_missing", "benefit_missing", "satisfaction_missing", "unit_missing"} <= codes
    assert "year_in_indicator" not in codes  # no year to compare with
