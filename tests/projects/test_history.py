import copy

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator, Opinion
from perfgoals.history import delete_with_history
from projects import interchange
from projects.models import Department, DepartmentTarget, ProjectGoal, ProjectTable
from projects.review import table_history
from projects.services import project_copy_to_year
from projects.workflow import project_approve, project_pass, project_return, project_start_adjustment, project_submit
from tests import factories
from tests.projects.test_editor import editor_post


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def unit_table(seeded):
    """A clean table of an ordinary unit under 平罗县纪律检查委员会 and the unit's staff member."""
    unit = factories.unit(Department.objects.get(name="平罗县纪律检查委员会"))
    return factories.stored_table(unit), factories.user("unit_staff", unit=unit, username="unit_clerk")


def save_in_editor(client, table, by, **changes):
    client.force_login(by)
    table = ProjectTable.objects.get(pk=table.pk)
    response = client.post(reverse("projects:project_edit", args=[table.pk]), editor_post(table, **changes))
    assert response.status_code == 302, response.content.decode()[:500]


def changes(entries, kind="changed"):
    return [(entry.subject, entry.item, entry.field, entry.old, entry.new) for entry in entries if entry.kind == kind]


def history_since(table, moment):
    return [entry for entry in table_history(table) if entry.at >= moment]


def test_a_value_changed_in_the_editor_shows_old_and_new_with_who_changed_it(client, unit_table):
    table, clerk = unit_table
    moment = timezone.now()
    save_in_editor(client, table, clerk, period="2 年", **{"ind-1-value_text": "≥ 240 人次"})
    entries = [entry for entry in history_since(table, moment) if entry.kind == "changed"]
    assert changes(entries) == [
        ("项目绩效目标表", "", "项目期", "", "2 年"),
        ("三级指标", "产出指标 / 数量指标 / 培训基层干部人次", "指标值", "≥ 200 人次", "≥ 240 人次"),
    ]
    assert {entry.user for entry in entries} == {clerk}
    assert all(entry.version == 1 for entry in entries)


def test_saving_an_unchanged_editor_page_records_no_row_or_goal_changes(client, unit_table):
    table, clerk = unit_table
    rows, goals = Indicator.history.count(), ProjectGoal.history.count()
    moment = timezone.now()
    save_in_editor(client, table, clerk)
    assert (Indicator.history.count(), ProjectGoal.history.count()) == (rows, goals)
    assert history_since(table, moment) == []


def test_rows_deleted_and_added_in_the_editor_are_recorded_with_their_values(client, unit_table):
    table, clerk = unit_table
    rows = list(table.indicators.order_by("order"))
    count = len(rows)
    moment = timezone.now()
    save_in_editor(
        client,
        table,
        clerk,
        **{
            "ind-0-DELETE": "on",
            "ind-TOTAL_FORMS": count + 1,
            f"ind-{count}-level2": rows[0].level2_id,
            f"ind-{count}-name": "培训班次",
            f"ind-{count}-value_text": "≥ 2 个",
            f"ind-{count}-ORDER": 99,
        },
    )
    entries = history_since(table, moment)
    deleted = [entry for entry in entries if entry.kind == "deleted"]
    created = [entry for entry in entries if entry.kind == "created"]
    assert [(e.subject, e.old, e.user) for e in deleted] == [("三级指标", "产出指标 / 数量指标 / 举办业务培训期数：≥ 4 期", clerk)]
    assert [(e.subject, e.new) for e in created] == [("三级指标", "产出指标 / 数量指标 / 培训班次：≥ 2 个")]


def test_goal_and_spending_plan_changes_read_as_old_and_new_text(client, unit_table):
    table, clerk = unit_table
    moment = timezone.now()
    save_in_editor(
        client,
        table,
        clerk,
        **{"goals-0-text": "举办业务培训 5 期。", "plan-1-cumulative_percent": "40"},
    )
    assert changes(history_since(table, moment)) == [
        ("绩效目标", "", "年度目标", "举办业务培训 4 期，培训基层干部 200 人次，考核合格率达到 95% 以上。", "举办业务培训 5 期。"),
        ("资金支出计划", "", "资金支出计划", "3月底 25%；6月底 50%；9月底 75%；12月底 100%", "3月底 25%；6月底 40%；9月底 75%；12月底 100%"),
    ]


def test_the_history_follows_the_table_across_its_versions(client, unit_table):
    table, clerk = unit_table
    moment = timezone.now()
    project_submit(project=table, by=clerk)
    project_return(project=table, by=user("pl_dept"), reason=Opinion.NOT_QUANTIFIED, comment="请细化")
    save_in_editor(client, table, clerk, **{"ind-0-value_text": "≥ 5 期"})
    project_submit(project=table, by=clerk)
    project_pass(project=table, by=user("pl_dept"))
    project_approve(project=table, by=user("pl_finance"))
    adjusted = project_start_adjustment(project=table, by=clerk, comment="追加培训")
    save_in_editor(client, adjusted, clerk, **{"ind-0-value_text": "≥ 6 期"})

    assert table_history(adjusted) == table_history(table)
    entries = history_since(adjusted, moment)
    reviews = [(e.version, e.action, e.old, e.new, e.user.username, e.note) for e in entries if e.kind == "review"]
    assert reviews == [
        (1, "提交", "草稿", "待主管部门审核", "unit_clerk", ""),
        (1, "退回", "待主管部门审核", "已退回", "pl_dept", "不够细化量化；请细化"),
        (1, "提交", "已退回", "待主管部门审核", "unit_clerk", ""),
        (1, "通过", "待主管部门审核", "待财政审核", "pl_dept", ""),
        (1, "批复", "待财政审核", "已批复", "pl_finance", ""),
        (2, "发起调整", "已批复", "草稿", "unit_clerk", "追加培训"),
    ]
    assert [(e.version, e.item, e.old, e.new) for e in entries if e.kind == "changed"] == [
        (1, "产出指标 / 数量指标 / 举办业务培训期数", "≥ 4 期", "≥ 5 期"),
        (2, "产出指标 / 数量指标 / 举办业务培训期数", "≥ 5 期", "≥ 6 期"),
    ]
    # The copy made for the adjustment is told by its review record, not row by row.
    assert not [e for e in entries if e.kind == "created" and e.version == 2]
    assert entries == sorted(entries, key=lambda e: e.at)


def test_an_import_records_its_changes_with_the_importing_user(unit_table):
    table, clerk = unit_table
    document = interchange.export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())
    changed = copy.deepcopy(document)
    rows = changed["project_tables"][0]["indicators"]
    rows[1]["value"] = "≥ 300 人次"
    removed = rows.pop(0)
    moment = timezone.now()
    interchange.import_document(changed, by=clerk)
    entries = history_since(table, moment)
    assert [(e.kind, e.item, e.old, e.new, e.user, e.note) for e in entries if e.kind in {"changed", "deleted"}] == [
        ("deleted", "产出指标 / 数量指标 / 举办业务培训期数", f"产出指标 / 数量指标 / {removed['name']}：{removed['value']}", "", clerk, "导入"),
        ("changed", "产出指标 / 数量指标 / 培训基层干部人次", "≥ 200 人次", "≥ 300 人次", clerk, "导入"),
    ]


def test_copying_last_years_table_records_the_copy_and_who_made_it(unit_table):
    table, clerk = unit_table
    copied = project_copy_to_year(project=table, year=table.year + 1, by=clerk)
    created = [e for e in table_history(copied) if e.kind == "created"]
    assert {(e.user, e.note) for e in created} == {(clerk, "复制上年")}
    assert len([e for e in created if e.subject == "三级指标"]) == copied.indicators.count()
    assert [e.new for e in created if e.subject == "项目绩效目标表"] == [copied.name]


def test_a_status_change_appears_once_as_its_review_record(unit_table):
    table, clerk = unit_table
    moment = timezone.now()
    project_submit(project=table, by=clerk)
    entries = [e for e in history_since(table, moment) if e.field == "状态"]
    assert [(e.kind, e.action) for e in entries] == [("review", "提交")]


def test_the_history_page_data_takes_a_fixed_number_of_queries(client, unit_table):
    table, clerk = unit_table

    def count():
        with CaptureQueriesContext(connection) as queries:
            table_history(table)
        return len(queries)

    project_submit(project=table, by=clerk)
    project_return(project=table, by=user("pl_dept"), reason=Opinion.INCOMPLETE)
    save_in_editor(client, table, clerk, **{"ind-0-value_text": "≥ 5 期"})
    few = count()
    for number in range(6, 16):
        save_in_editor(client, table, clerk, period=f"{number} 年", **{"ind-0-value_text": f"≥ {number} 期"})
    project_submit(project=table, by=clerk)
    assert len(table_history(table)) > 20
    assert count() == few


# 36 rows: SQLite takes at most 999 values per statement, so past about 40 rows the insert of their
# history records is split in two; PostgreSQL writes them in one.
@pytest.mark.parametrize("rows", [5, 36])
def test_deleting_rows_records_each_in_a_fixed_number_of_queries(unit_table, django_assert_num_queries, rows):
    table, clerk = unit_table
    for number in range(rows):
        factories.indicator(table, name=f"指标{number}", value=f"{number} 个", order=100 + number)
    doomed = Indicator.objects.filter(project=table, order__gte=100)
    # the rows, their history records, the collector's select, the check that no monitoring line
    # reports on them (PROTECT), three SET NULLs (copied_from, check findings, review comments) and the delete
    with django_assert_num_queries(8):
        assert delete_with_history(doomed, by=clerk) == rows
    assert not doomed.exists()
    records = Indicator.history.filter(project_id=table.pk, history_type="-")
    assert records.count() == rows and {r.history_user for r in records} == {clerk}
