"""Storing results on saved tables, explanations of 警告, and the cost in queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.findings import finding_explain, project_findings, project_recheck, projects_recheck
from indicators.models import CheckFinding, FindingExplanation, Indicator
from projects.models import ProjectTable
from tests import factories

VAGUE_ROWS = (*factories.CLEAN_ROWS[:5], ("效益指标", "社会效益指标", "参训人员业务能力", "显著提高"), *factories.CLEAN_ROWS[6:])


@pytest.fixture
def staff(reference_data):
    return factories.user("unit_staff")


def test_a_recheck_stores_score_grade_time_and_findings_linked_to_their_rows(reference_data):
    table = factories.stored_table(rows=VAGUE_ROWS)
    result = project_recheck(project=table)
    table.refresh_from_db()
    assert (table.quality_score, table.get_quality_grade_display()) == (97, "优") == (result.score, result.grade_label)
    assert table.checked_at is not None
    (stored,) = table.findings.all()
    assert (stored.rule, stored.row, stored.get_severity_display()) == ("vague_wording", 6, "警告")
    assert stored.indicator.name == "参训人员业务能力"
    assert stored.message.startswith("第 6 行（参训人员业务能力）的指标值“显著提高”是模糊表述")


def test_a_recheck_replaces_the_findings_after_a_fix(reference_data):
    table = factories.stored_table(rows=VAGUE_ROWS)
    project_recheck(project=table)
    row = table.indicators.get(name="参训人员业务能力")
    row.set_value("考核平均分 ≥ 85 分")
    row.save()
    project_recheck(project=table)
    table.refresh_from_db()
    assert not table.findings.exists()
    assert table.quality_score == 100


def test_a_recheck_that_finds_the_same_writes_no_finding(reference_data):
    table = factories.stored_table(rows=VAGUE_ROWS)
    project_recheck(project=table)
    before = list(table.findings.values_list("id", "message"))
    with CaptureQueriesContext(connection) as captured:
        project_recheck(project=table)
    written = [query["sql"] for query in captured if "checkfinding" in query["sql"] and not query["sql"].startswith("SELECT")]
    assert written == []
    assert list(table.findings.values_list("id", "message")) == before


def test_after_a_change_the_findings_read_back_in_the_order_the_checks_give_them(reference_data):
    rows = [("产出指标", "数量指标", f"第{n}项工作", "XX") for n in range(1, 5)]
    table = factories.stored_table(rows=rows)
    project_recheck(project=table)
    row = table.indicators.get(name="第2项工作")
    row.set_value("≥ 3 项")
    row.save()
    result = project_recheck(project=table)
    stored = [(finding.rule, finding.row, finding.message) for finding in table.findings.order_by("id")]
    assert stored == [(finding.rule, finding.row, finding.message) for finding in result.findings]
    assert [row for rule, row, _ in stored if rule == "placeholder"] == [1, 3, 4]


def test_a_recheck_is_not_an_edit_of_the_table(reference_data):
    table = factories.stored_table()
    ProjectTable.objects.filter(pk=table.pk).update(updated_at=table.updated_at - timedelta(days=3))
    table.refresh_from_db()
    before = table.updated_at
    project_recheck(project=table)
    table.refresh_from_db()
    assert table.updated_at == before


def test_a_table_with_no_rows_is_checked_and_fails(reference_data):
    table = factories.project_table()
    result = project_recheck(project=table)
    assert result.blocks_submission
    assert {"goals_missing", "funds_missing", "output_missing"} <= {f.rule for f in table.findings.all()}
    assert table.quality_grade == "poor"


@pytest.mark.parametrize("rows", [5, 100])
def test_recheck_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(reference_data, django_assert_max_num_queries, rows):
    table = factories.stored_table(rows=[("产出指标", "数量指标", f"第{n}项工作", "XX") for n in range(rows)])
    # The table, its rows, goals and plan, its framework, siblings, explanations, last year's
    # self-evaluations and stored findings; then at most a delete, an insert and an update; and the
    # unit-year's tallies: its counts recomputed for the new score, the findings' change added
    # (projects.tallies); on PostgreSQL one more, the unit's row lock (SQLite has no row locks).
    with django_assert_max_num_queries(14 if connection.vendor == "sqlite" else 15):
        project_recheck(project=table)
    assert table.findings.filter(rule="placeholder").count() == rows


def test_rechecking_many_tables_runs_a_fixed_number_of_queries_per_chunk(reference_data):
    unit = factories.unit()

    def queries_for(count):
        ProjectTable.objects.all().delete()
        for number in range(count):
            factories.stored_table(unit, name=f"培训经费{number}", rows=VAGUE_ROWS)
        with CaptureQueriesContext(connection) as captured:
            assert projects_recheck(ProjectTable.objects.all()) == count
        return len(captured)

    assert queries_for(3) == queries_for(30)
    assert CheckFinding.objects.count() == 30 * 2  # each: the vague row, and the copy of its 29 siblings


def test_a_unit_whose_tables_span_chunks_is_compared_whole_and_read_once(reference_data):
    unit = factories.unit()
    for number in range(10):
        factories.stored_table(unit, name=f"培训经费{number}", rows=VAGUE_ROWS)
    with CaptureQueriesContext(connection) as captured:
        assert projects_recheck(ProjectTable.objects.all(), chunk_size=4) == 10
    for table in ProjectTable.objects.all():
        (copied,) = table.findings.filter(rule="copied_indicator_set")
        assert "等 9 个项目" in copied.message
    sibling_reads = [q for q in captured.captured_queries if 'INNER JOIN "projects_projecttable"' in q["sql"] and '"indicators_indicator"."name"' in q["sql"]]
    assert len(sibling_reads) == 1  # the unit's rows, kept for the three chunks


def test_tables_of_one_unit_with_the_same_indicators_are_flagged_as_copies(reference_data):
    unit = factories.unit()
    first = factories.stored_table(unit, name="业务培训经费")
    second = factories.stored_table(unit, name="骨干培训经费")
    elsewhere = factories.stored_table(name="业务培训经费")
    adjusted = factories.stored_table(elsewhere.unit, name="业务培训经费", version=2)
    next_year = factories.stored_table(unit, name="新年度培训经费", year=2025)
    projects_recheck(ProjectTable.objects.all())
    assert [f.message for f in first.findings.filter(rule="copied_indicator_set")] == [
        "本表的三级指标与本单位同年度的“骨干培训经费”几乎完全相同，不同项目的指标应反映各自的内容。"
    ]
    assert second.findings.filter(rule="copied_indicator_set").exists()
    for table in (elsewhere, adjusted, next_year):
        assert not table.findings.filter(rule="copied_indicator_set").exists()


def test_two_unnamed_tables_are_still_different_projects(reference_data):
    unit = factories.unit()
    first, second = factories.stored_table(unit, name=""), factories.stored_table(unit, name="")
    projects_recheck(ProjectTable.objects.all())
    for table in (first, second):
        assert [f.message for f in table.findings.filter(rule="copied_indicator_set")] == [
            "本表的三级指标与本单位同年度的“（未命名项目）”几乎完全相同，不同项目的指标应反映各自的内容。"
        ]


def test_a_unit_may_explain_a_warning_and_the_explanation_survives_rechecks(reference_data, staff):
    table = factories.stored_table(rows=VAGUE_ROWS)
    project_recheck(project=table)
    row = table.indicators.get(name="参训人员业务能力")
    explanation = finding_explain(
        project=table, rule_code="vague_wording", indicator_uid=row.uid, text="能力提升以培训后上级评议为准，无法量化。", by=staff
    )
    assert explanation.created_by == staff
    table.refresh_from_db()
    assert table.quality_score == 99  # an explained warning costs 1 point instead of 3
    project_recheck(project=table)
    project_recheck(project=table)
    (finding,) = project_findings(project=table)
    assert finding.explanation.text == "能力提升以培训后上级评议为准，无法量化。"
    assert FindingExplanation.objects.count() == 1


def test_explaining_the_same_warning_again_replaces_the_text(reference_data, staff):
    table = factories.stored_table(rows=VAGUE_ROWS)
    uid = table.indicators.get(name="参训人员业务能力").uid
    finding_explain(project=table, rule_code="vague_wording", indicator_uid=uid, text="第一次说明", by=staff)
    finding_explain(project=table, rule_code="vague_wording", indicator_uid=str(uid), text="补充说明", by=staff)
    assert list(FindingExplanation.objects.values_list("text", flat=True)) == ["补充说明"]


def test_a_table_level_warning_is_explained_without_a_row(reference_data, staff):
    table = factories.stored_table(rows=[*factories.CLEAN_ROWS[:4], ("产出指标", "成本指标", "培训经费", "15 万元"), *factories.CLEAN_ROWS[5:]])
    finding_explain(project=table, rule_code="cost_not_reconciled", indicator_uid="", text="其余 5 万元为预留。", by=staff)
    (finding,) = project_findings(project=table)
    assert finding.rule == "cost_not_reconciled" and finding.explanation.text == "其余 5 万元为预留。"


def test_an_error_cannot_be_explained_away(reference_data, staff):
    table = factories.stored_table(rows=[*factories.CLEAN_ROWS[:4], ("产出指标", "成本指标", "培训经费", "100%"), *factories.CLEAN_ROWS[5:]])
    uid = table.indicators.get(name="培训经费").uid
    with pytest.raises(ValidationError) as refused:
        finding_explain(project=table, rule_code="cost_not_amount", indicator_uid=uid, text="历来如此填写", by=staff)
    assert refused.value.messages == ["“成本指标值不是金额”是错误，必须修改后才能提交，不能用说明代替修改。"]
    assert not FindingExplanation.objects.exists()


def test_the_model_refuses_an_explanation_of_an_error_too(reference_data, staff):
    table = factories.stored_table()
    explanation = FindingExplanation(project=table, rule="uniform_values", text="说明", created_by=staff)
    with pytest.raises(ValidationError) as refused:
        explanation.full_clean()
    assert "不能用说明代替修改" in refused.value.message_dict["rule"][0]


def test_a_warning_the_table_does_not_have_cannot_be_explained(reference_data, staff):
    table = factories.stored_table()
    uid = table.indicators.first().uid
    with pytest.raises(ValidationError) as refused:
        finding_explain(project=table, rule_code="vague_wording", indicator_uid=uid, text="说明", by=staff)
    assert refused.value.messages == ["本表目前没有“指标值是模糊表述”这一问题，无需说明。请先保存最新内容再说明。"]
    with pytest.raises(ValidationError, match="没有代码为“no_such_rule”的审核规则"):
        finding_explain(project=table, rule_code="no_such_rule", indicator_uid=uid, text="说明", by=staff)


def test_an_explanation_must_say_something(reference_data, staff):
    table = factories.stored_table(rows=VAGUE_ROWS)
    uid = table.indicators.get(name="参训人员业务能力").uid
    with pytest.raises(ValidationError, match="请填写说明"):
        finding_explain(project=table, rule_code="vague_wording", indicator_uid=uid, text="   ", by=staff)


def test_a_deleted_rows_finding_keeps_its_row_number_until_the_next_recheck_replaces_it(reference_data):
    table = factories.stored_table(rows=VAGUE_ROWS)
    project_recheck(project=table)
    Indicator.objects.filter(name="参训人员业务能力").delete()
    (finding,) = table.findings.all()
    assert finding.indicator is None and finding.row == 6
    project_recheck(project=table)
    (finding,) = table.findings.all()
    assert finding.message == "效益指标下缺少社会效益指标（必填指标）。"
