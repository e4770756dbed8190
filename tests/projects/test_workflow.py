import ast
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from projects.findings import projects_check
from indicators.models import CheckFinding, Indicator, Opinion
from projects import workflow
from projects.models import Department, Grade, ProjectTable, ReviewAction, ReviewComment, ReviewRecord, TableStatus, Unit
from projects.review import awaiting, submission_diff
from projects.workflow import (
    TRANSITIONS,
    WorkflowError,
    available_actions,
    document_correct,
    document_revoke,
    project_approve,
    project_pass,
    project_return,
    project_start_adjustment,
    project_submit,
    project_withdraw,
    projects_bulk,
    workflow_context,
)
from tests import factories
from tests.projects.test_editor import editor_post


def user(username):
    return get_user_model().objects.get(username=username)


def fresh(table):
    return ProjectTable.objects.get(pk=table.pk)


def state(table):
    """Everything a refused action must leave as it was."""
    table = fresh(table)
    return (
        table.status,
        table.version,
        table.updated_at,
        table.quality_score,
        table.checked_at,
        ReviewRecord.objects.count(),
        ReviewComment.objects.count(),
        ProjectTable.objects.filter(unit_id=table.unit_id, year=table.year).count(),
        CheckFinding.objects.filter(project=table).count(),
        Indicator.objects.count(),
    )


def refused(action, table, **kwargs):
    """Run a workflow action that must be refused; return its message after checking nothing changed."""
    before = state(table)
    with pytest.raises(WorkflowError) as refusal:
        action(project=table, **kwargs)
    assert state(table) == before
    return refusal.value


@pytest.fixture
def pingluo_department(seeded):
    return Department.objects.get(name="平罗县纪律检查委员会")


@pytest.fixture
def two_step(pingluo_department):
    """A clean table of an ordinary unit under 平罗县纪律检查委员会: it goes to the department first."""
    unit = factories.unit(pingluo_department)
    table = factories.stored_table(unit)
    staff = factories.user("unit_staff", unit=unit)
    return table, staff


@pytest.fixture
def one_step(seeded):
    """A 平罗 seed table: its unit is the department office (部门本级), so it goes straight to finance."""
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    assert table.unit.is_department_office
    return table, user("pl_unit")


def changed(copy):
    """Change one row of a new version, so it has something to submit (an unchanged version cannot be)."""
    Indicator.objects.filter(pk=copy.indicators.order_by("order").first().pk).update(description="调整后：增加培训场次")
    return copy


def approved(table, staff):
    project_submit(project=table, by=staff)
    if fresh(table).status == TableStatus.DEPARTMENT_REVIEW:
        project_pass(project=table, by=user("pl_dept"))
    project_approve(project=table, by=user("pl_finance"))
    return fresh(table)


# Every allowed transition, taken from TRANSITIONS itself

PATHS = {
    TableStatus.DRAFT: [],
    TableStatus.DEPARTMENT_REVIEW: [("submit", "staff")],
    TableStatus.FINANCE_REVIEW: [("submit", "staff"), ("pass", "pl_dept")],
    TableStatus.RETURNED: [("submit", "staff"), ("return", "pl_dept")],
    TableStatus.APPROVED: [("submit", "staff"), ("pass", "pl_dept"), ("approve", "pl_finance")],
}
ACTIONS = {
    "submit": lambda table, by: project_submit(project=table, by=by),
    "withdraw": lambda table, by: project_withdraw(project=table, by=by),
    "pass": lambda table, by: project_pass(project=table, by=by, grade=Grade.GOOD, comment="同意"),
    "return": lambda table, by: project_return(project=table, by=by, reason=Opinion.NOT_QUANTIFIED, comment="请量化"),
    "approve": lambda table, by: project_approve(project=table, by=by, grade=Grade.EXCELLENT),
    "adjust": lambda table, by: project_start_adjustment(project=table, by=by, comment="追加预算"),
    "revoke": lambda table, by: document_revoke(document=table, by=by, reason="批复对象有误"),
    "correct": lambda table, by: document_correct(document=table, by=by, reason="批复文件金额为 130 万元", changes={"funds_total": Decimal("130")}),
}
ACTOR_BY_ROLE = {"unit_staff": "staff", "department_reviewer": "pl_dept", "finance_officer": "pl_finance", "administrator": "admin"}


@pytest.mark.parametrize("key", list(TRANSITIONS), ids=lambda key: f"{key[0]}-from-{key[1]}")
def test_every_allowed_transition_moves_the_table_and_writes_one_record(two_step, one_step, key):
    action, source = key
    transition = TRANSITIONS[key]
    # A withdrawal from 待财政审核 exists only for a submission that skipped the department.
    table, staff = one_step if (action, source) == ("withdraw", "finance_review") else two_step
    path = [("submit", "staff")] if table is one_step[0] and source == TableStatus.FINANCE_REVIEW else PATHS[source]
    actors = {"staff": staff}
    for step, who in path:
        ACTIONS[step](table, actors.get(who) or user(who))
    assert fresh(table).status == source
    records = ReviewRecord.objects.count()
    actor = actors.get(ACTOR_BY_ROLE[transition.role]) or user(ACTOR_BY_ROLE[transition.role])
    assert action in available_actions(actor, fresh(table))
    result = ACTIONS[action](table, actor)
    assert ReviewRecord.objects.count() == records + 1
    if action == "adjust":
        record = result.reviews.get()
        assert result.status == TableStatus.DRAFT and fresh(table).status == TableStatus.APPROVED
    else:
        record = result
        assert fresh(table).status == record.to_status == transition.target
        assert table.status == transition.target  # the caller's instance follows
    assert (record.actor, record.action, record.from_status) == (actor, action, source)


def test_a_unit_submits_a_draft_to_its_department_with_a_snapshot(two_step):
    table, staff = two_step
    record = project_submit(project=table, by=staff, comment="请审核")
    assert fresh(table).status == TableStatus.DEPARTMENT_REVIEW
    assert (record.from_status, record.to_status, record.round, record.comment) == (
        TableStatus.DRAFT,
        TableStatus.DEPARTMENT_REVIEW,
        1,
        "请审核",
    )
    assert record.snapshot["name"] == table.name
    assert [row["uid"] for row in record.snapshot["indicators"]] == [str(row.uid) for row in table.indicators.all()]
    assert fresh(table).checked_at is not None


def test_a_department_office_submits_straight_to_finance(one_step):
    table, staff = one_step
    record = project_submit(project=table, by=staff)
    assert record.to_status == TableStatus.FINANCE_REVIEW
    assert fresh(table).status == TableStatus.FINANCE_REVIEW
    assert workflow.skips_department_review(table.unit)


def test_a_unit_without_a_department_submits_straight_to_finance(two_step):
    table, staff = two_step
    Unit.objects.filter(pk=table.unit_id).update(department=None)
    staff = get_user_model().objects.get(pk=staff.pk)
    assert project_submit(project=table, by=staff).to_status == TableStatus.FINANCE_REVIEW


def test_a_department_return_stores_the_reason_grade_and_row_comments(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    row = table.indicators.order_by("order").first()
    record = project_return(
        project=table,
        by=user("pl_dept"),
        reason=Opinion.NOT_QUANTIFIED,
        grade=Grade.FAIR,
        comment="效益指标不够量化",
        comments=[
            {"indicator": row, "reason": Opinion.VALUE_MISMATCH, "text": "期数与指标值不匹配"},
            {"indicator": None, "reason": Opinion.ADD_BENEFIT, "text": "增加经济效益指标"},
        ],
    )
    assert fresh(table).status == TableStatus.RETURNED
    assert (record.reason, record.grade, record.round) == (Opinion.NOT_QUANTIFIED, Grade.FAIR, 1)
    comments = list(record.comments.order_by("id"))
    assert [(c.indicator, c.indicator_uid, c.reason) for c in comments] == [
        (row, row.uid, Opinion.VALUE_MISMATCH),
        (None, None, Opinion.ADD_BENEFIT),
    ]


def test_a_returned_table_is_editable_again_and_resubmitted_in_the_next_round(client, two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    project_return(project=table, by=user("pl_dept"), reason=Opinion.INCOMPLETE)
    client.force_login(staff)
    response = client.post(reverse("projects:project_edit", args=[table.pk]), editor_post(fresh(table), period="2 年"))
    assert response.status_code == 302 and fresh(table).period == "2 年"
    record = project_submit(project=table, by=staff)
    assert (record.from_status, record.to_status, record.round) == (
        TableStatus.RETURNED,
        TableStatus.DEPARTMENT_REVIEW,
        2,
    )
    assert project_pass(project=table, by=user("pl_dept")).round == 2


def test_a_unit_withdraws_a_submission_nobody_has_reviewed_and_may_edit_it(client, two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    assert "withdraw" in available_actions(staff, fresh(table))
    record = project_withdraw(project=table, by=staff, comment="还要补充")
    assert (record.from_status, record.to_status) == (TableStatus.DEPARTMENT_REVIEW, TableStatus.DRAFT)
    client.force_login(staff)
    assert client.get(reverse("projects:project_edit", args=[table.pk])).status_code == 200
    assert project_submit(project=table, by=staff).round == 2


def test_starting_an_adjustment_copies_the_approved_version_as_the_next_draft(two_step):
    table, staff = two_step
    table = approved(table, staff)
    copy = project_start_adjustment(project=table, by=staff, comment="预算调减")
    assert (copy.version, copy.status, copy.previous_version, copy.copied_from) == (2, TableStatus.DRAFT, table, None)
    assert (copy.name, copy.funds_total, copy.code) == (table.name, table.funds_total, table.code)
    old_rows = list(table.indicators.order_by("order"))
    new_rows = list(copy.indicators.order_by("order"))
    assert [(r.name, r.value_text, r.level2_id) for r in new_rows] == [(r.name, r.value_text, r.level2_id) for r in old_rows]
    assert [r.copied_from for r in new_rows] == old_rows
    assert {r.uid for r in new_rows}.isdisjoint({r.uid for r in old_rows})
    assert [g.text for g in copy.goals.all()] == [g.text for g in table.goals.all()]
    assert [(p.month, p.cumulative_percent) for p in copy.spending_plan.all()] == [
        (p.month, p.cumulative_percent) for p in table.spending_plan.all()
    ]
    record = copy.reviews.get()
    assert (record.action, record.from_status, record.to_status, record.comment) == (
        ReviewAction.ADJUST,
        TableStatus.APPROVED,
        TableStatus.DRAFT,
        "预算调减",
    )
    assert fresh(table).status == TableStatus.APPROVED
    assert copy.checked_at is not None


def test_approving_an_adjustment_supersedes_the_version_it_replaces(two_step):
    table, staff = two_step
    table = approved(table, staff)
    copy = changed(project_start_adjustment(project=table, by=staff, comment="追加预算"))
    project_submit(project=copy, by=staff)
    assert fresh(table).status == TableStatus.APPROVED  # still the valid version while the new one is reviewed
    project_pass(project=copy, by=user("pl_dept"))
    record = project_approve(project=copy, by=user("pl_finance"))
    assert fresh(copy).status == TableStatus.APPROVED
    assert fresh(table).status == TableStatus.SUPERSEDED
    assert list(ReviewRecord.objects.filter(action=ReviewAction.APPROVE, project=copy)) == [record]
    assert "adjust" in available_actions(staff, fresh(copy))
    assert available_actions(staff, fresh(table)) == []


# Refusals: each leaves everything as it was. By a role the action is not for, or by the right role
# outside its data range:


@pytest.mark.parametrize(
    ("status", "action", "username", "message"),
    [
        (TableStatus.DRAFT, "pass", "staff", "只有主管部门审核人可以通过这张表。"),
        (TableStatus.DEPARTMENT_REVIEW, "pass", "staff", "只有主管部门审核人可以通过这张表。"),
        (TableStatus.DEPARTMENT_REVIEW, "approve", "pl_dept", "只有财政审核人可以批复这张表。"),
        (TableStatus.FINANCE_REVIEW, "approve", "staff", "只有财政审核人可以批复这张表。"),
        (TableStatus.FINANCE_REVIEW, "pass", "pl_finance", "只有主管部门审核人可以通过这张表。"),
        (TableStatus.DRAFT, "submit", "pl_dept", "只有单位填报人可以提交这张表。"),
        (TableStatus.DRAFT, "submit", "pl_finance", "只有单位填报人可以提交这张表。"),
        (TableStatus.DEPARTMENT_REVIEW, "return", "staff", "只有主管部门审核人或财政审核人可以退回这张表。"),
        (TableStatus.APPROVED, "adjust", "pl_finance", "只有单位填报人可以发起调整这张表。"),
        (TableStatus.FINANCE_REVIEW, "approve", "admin", "只有财政审核人可以批复这张表。"),
        (TableStatus.DRAFT, "submit", "pl_unit", "这张表不属于您的单位，您不能提交。"),
        (TableStatus.DRAFT, "submit", "dz_unit", "这张表不属于您的单位，您不能提交。"),
        (TableStatus.DEPARTMENT_REVIEW, "pass", "dz_dept", "这张表不属于您所在主管部门的单位，您不能通过。"),
        (TableStatus.DEPARTMENT_REVIEW, "return", "dz_dept", "这张表不属于您所在主管部门的单位，您不能退回。"),
        (TableStatus.FINANCE_REVIEW, "approve", "dz_finance", "这张表不在您负责的行政区划内，您不能批复。"),
        (TableStatus.FINANCE_REVIEW, "return", "dz_finance", "这张表不在您负责的行政区划内，您不能退回。"),
        (TableStatus.APPROVED, "adjust", "pl_unit", "这张表不属于您的单位，您不能发起调整。"),
    ],
)
def test_an_action_by_the_wrong_role_or_out_of_scope_is_refused_and_changes_nothing(two_step, status, action, username, message):
    table, staff = two_step
    actors = {"staff": staff}
    for step, who in PATHS[status]:
        ACTIONS[step](table, actors.get(who) or user(who))
    table = fresh(table)
    actor = actors.get(username) or user(username)
    assert action not in available_actions(actor, table)
    before = state(table)
    with pytest.raises(WorkflowError, match=message):
        ACTIONS[action](table, actor)
    assert state(table) == before


@pytest.mark.parametrize(
    ("status", "action", "username"),
    [
        (TableStatus.DEPARTMENT_REVIEW, "submit", "staff"),
        (TableStatus.APPROVED, "submit", "staff"),
        (TableStatus.DRAFT, "pass", "pl_dept"),
        (TableStatus.RETURNED, "pass", "pl_dept"),
        (TableStatus.DRAFT, "withdraw", "staff"),
        (TableStatus.RETURNED, "withdraw", "staff"),
        (TableStatus.DEPARTMENT_REVIEW, "approve", "pl_finance"),
        (TableStatus.DEPARTMENT_REVIEW, "return", "pl_finance"),
        (TableStatus.FINANCE_REVIEW, "return", "pl_dept"),
        (TableStatus.APPROVED, "return", "pl_finance"),
        (TableStatus.APPROVED, "approve", "pl_finance"),
        (TableStatus.DRAFT, "adjust", "staff"),
        (TableStatus.DEPARTMENT_REVIEW, "adjust", "staff"),
        (TableStatus.RETURNED, "adjust", "staff"),
    ],
)
def test_an_action_in_the_wrong_state_is_refused_and_changes_nothing(two_step, status, action, username):
    table, staff = two_step
    actors = {"staff": staff}
    for step, who in PATHS[status]:
        ACTIONS[step](table, actors.get(who) or user(who))
    table = fresh(table)
    actor = actors.get(username) or user(username)
    assert action not in available_actions(actor, table)
    error = refused(lambda project, by: ACTIONS[action](project, by), table, by=actor)
    assert f"当前为“{TableStatus(status).label}”" in str(error)
    assert error.problems == []


def test_submitting_a_table_with_errors_is_refused_listing_each_error(seeded):
    table = ProjectTable.objects.get(name="纪委全会经费")
    staff = user("dz_unit")
    [(_, result)] = projects_check(ProjectTable.objects.filter(pk=table.pk))
    errors = [finding for finding in result.findings if finding.severity == "error"]
    error = refused(project_submit, table, by=staff)
    assert str(error) == f"智能审核发现 {len(errors)} 个错误，请修改后再提交。"
    assert error.problems and len(error.problems) == len(errors)
    assert all(finding.message in " ".join(error.problems) for finding in errors)
    assert any(problem.startswith("第 ") for problem in error.problems)


def test_returning_without_a_reason_is_refused(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    error = refused(project_return, table, by=user("pl_dept"), reason="", comment="不行")
    assert str(error) == "退回必须说明理由。"


def test_returning_with_an_unknown_reason_or_an_unexplained_other_is_refused(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    assert "不是标准监审意见" in str(refused(project_return, table, by=user("pl_dept"), reason="随便"))
    assert "请在意见中写明具体问题" in str(refused(project_return, table, by=user("pl_dept"), reason=Opinion.OTHER))
    project_return(project=table, by=user("pl_dept"), reason=Opinion.OTHER, comment="项目名称与内容不符")
    assert fresh(table).status == TableStatus.RETURNED


def test_passing_or_approving_with_a_grade_that_means_return_is_refused(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    assert "应退回修改" in str(refused(project_pass, table, by=user("pl_dept"), grade=Grade.FAIR))
    project_pass(project=table, by=user("pl_dept"), grade=Grade.GOOD)
    assert "应退回修改" in str(refused(project_approve, table, by=user("pl_finance"), grade=Grade.POOR))
    assert "审核等级" in str(refused(project_approve, table, by=user("pl_finance"), grade="A+"))


def test_a_comment_on_another_tables_row_is_refused(two_step, one_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    foreign = one_step[0].indicators.first()
    comments = [{"indicator": foreign, "reason": Opinion.SPLIT, "text": "拆分"}]
    error = refused(project_return, table, by=user("pl_dept"), reason=Opinion.SPLIT, comments=comments)
    assert "不在这张表上" in str(error)


def test_withdrawing_after_the_department_passed_the_table_is_refused(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    project_pass(project=table, by=user("pl_dept"))
    assert "withdraw" not in available_actions(staff, fresh(table))
    error = refused(project_withdraw, table, by=staff)
    assert "审核已经开始" in str(error)


def test_an_adjustment_can_be_started_only_once_per_approved_version(two_step):
    table, staff = two_step
    table = approved(table, staff)
    copy = project_start_adjustment(project=table, by=staff, comment="追加预算")
    assert available_actions(staff, fresh(table)) == []
    assert available_actions(staff, fresh(table), workflow_context(staff, [fresh(table)])) == []
    error = refused(project_start_adjustment, table, by=staff)
    assert str(error) == f"这张表已有正在调整的第 {copy.version} 版，请在那一版上修改。"


@pytest.mark.parametrize("superseded", [False, True])
def test_an_approved_or_superseded_version_cannot_be_edited_in_the_editor(client, two_step, superseded):
    table, staff = two_step
    table = approved(table, staff)
    if superseded:
        copy = changed(project_start_adjustment(project=table, by=staff, comment="追加预算"))
        project_submit(project=copy, by=staff)
        project_pass(project=copy, by=user("pl_dept"))
        project_approve(project=copy, by=user("pl_finance"))
    table = fresh(table)
    before = (state(table), [(r.name, r.value_text) for r in table.indicators.order_by("order")])
    client.force_login(staff)
    assert client.get(reverse("projects:project_edit", args=[table.pk])).status_code == 403
    data = editor_post(table, name="改过的名称", **{"ind-0-value_text": "≥ 99 期"})
    assert client.post(reverse("projects:project_edit", args=[table.pk]), data).status_code == 403
    table = fresh(table)
    assert (state(table), [(r.name, r.value_text) for r in table.indicators.order_by("order")]) == before


# Two reviewers on one table


def test_the_second_of_two_reviewers_is_told_who_acted_first(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    second_reviewer = factories.user("department_reviewer", department=table.department)
    page_of_first, page_of_second = fresh(table), fresh(table)  # both opened the table while it was waiting
    project_pass(project=page_of_first, by=user("pl_dept"))
    error = refused(project_return, page_of_second, by=second_reviewer, reason=Opinion.INCOMPLETE)
    assert "平罗县纪委审核人 已于" in str(error) and "通过了这张表" in str(error)
    assert "当前为“待财政审核”，不能退回" in str(error) and "请刷新页面" in str(error)
    assert ReviewRecord.objects.filter(project=table, action=ReviewAction.PASS).count() == 1


def _in_own_connection(function):
    """Run ``function`` in a thread, which Django gives its own database connection."""
    outcome = {}

    def run():
        try:
            outcome["result"] = function()
        except Exception as error:  # reported to the test, which asserts on it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    return thread, outcome


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_acting_at_the_same_moment_exactly_one_succeeds(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    second_reviewer = factories.user("department_reviewer", department=table.department)
    first_reviewer = user("pl_dept")
    start = threading.Barrier(2)

    def acting(action, **kwargs):
        def act():
            stale = ProjectTable.objects.get(pk=table.pk)
            start.wait()
            return action(project=stale, **kwargs)

        return act

    threads = [
        _in_own_connection(acting(project_pass, by=first_reviewer)),
        _in_own_connection(acting(project_return, by=second_reviewer, reason=Opinion.INCOMPLETE)),
    ]
    for thread, _ in threads:
        thread.start()
    for thread, _ in threads:
        thread.join(timeout=30)
    outcomes = [outcome for _, outcome in threads]
    successes = [outcome["result"] for outcome in outcomes if "result" in outcome]
    errors = [outcome["error"] for outcome in outcomes if "error" in outcome]
    assert len(successes) == 1 and len(errors) == 1
    assert isinstance(errors[0], WorkflowError) and "请刷新页面" in str(errors[0])
    assert fresh(table).status == successes[0].to_status
    assert ReviewRecord.objects.filter(project=table).exclude(action=ReviewAction.SUBMIT).count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_waits_for_the_row_lock_and_then_sees_the_table_has_moved_on(two_step):
    """Deterministic: one connection holds the row lock while the other tries to act; the other waits,
    and once the first commits its pass, the other's return is refused with who passed it."""
    from django.db import transaction

    table, staff = two_step
    project_submit(project=table, by=staff)
    second_reviewer = factories.user("department_reviewer", department=table.department)
    locked, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            ProjectTable.objects.select_for_update().get(pk=table.pk)
            locked.set()
            release.wait(timeout=30)
            return project_pass(project=table, by=user("pl_dept"))

    def second():
        locked.wait(timeout=30)
        return project_return(project=ProjectTable.objects.get(pk=table.pk), by=second_reviewer, reason=Opinion.INCOMPLETE)

    (thread_one, one), (thread_two, two) = _in_own_connection(first), _in_own_connection(second)
    thread_one.start()
    thread_two.start()
    thread_two.join(timeout=1)
    assert thread_two.is_alive(), "the second reviewer must wait while the first holds the row"
    release.set()
    thread_one.join(timeout=30)
    thread_two.join(timeout=30)
    assert one["result"].action == ReviewAction.PASS
    assert isinstance(two.get("error"), WorkflowError) and "通过了这张表" in str(two["error"])
    assert fresh(table).status == TableStatus.FINANCE_REVIEW


# Bulk actions


def test_bulk_approval_approves_each_table_and_reports_the_one_refusal(pingluo_department):
    unit = factories.unit(pingluo_department)
    staff = factories.user("unit_staff", unit=unit)
    tables = [factories.stored_table(unit, name=f"培训经费{i}") for i in range(3)]
    for table in tables:
        project_submit(project=table, by=staff)
        project_pass(project=table, by=user("pl_dept"))
    project_return(project=tables[1], by=user("pl_finance"), reason=Opinion.INCOMPLETE)
    outcomes = projects_bulk(action="approve", projects=[fresh(t) for t in tables], by=user("pl_finance"), grade=Grade.GOOD)
    assert [(table.pk, record is not None) for table, record, _ in outcomes] == [
        (tables[0].pk, True),
        (tables[1].pk, False),
        (tables[2].pk, True),
    ]
    assert [message is None for _, _, message in outcomes] == [True, False, True]
    assert "平罗县财政局绩效科 已于" in outcomes[1][2] and "当前为“已退回”，不能批复" in outcomes[1][2]
    assert [fresh(t).status for t in tables] == [TableStatus.APPROVED, TableStatus.RETURNED, TableStatus.APPROVED]
    assert outcomes[0][1].grade == Grade.GOOD


def test_bulk_return_needs_a_reason_for_every_table(two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    [(_, record, message)] = projects_bulk(action="return", projects=[table], by=user("pl_dept"))
    assert record is None and message == "退回必须说明理由。"
    assert fresh(table).status == TableStatus.DEPARTMENT_REVIEW


def test_bulk_actions_do_not_start_adjustments(two_step):
    with pytest.raises(ValueError):
        projects_bulk(action="adjust", projects=[two_step[0]], by=two_step[1])


# What the pages read


def test_the_queues_hold_the_tables_waiting_for_each_reviewer_with_their_rounds(pingluo_department, one_step):
    unit = factories.unit(pingluo_department)
    staff = factories.user("unit_staff", unit=unit)
    waiting, passed, draft = (factories.stored_table(unit, name=f"项目{i}") for i in range(3))
    project_submit(project=waiting, by=staff)
    project_return(project=waiting, by=user("pl_dept"), reason=Opinion.INCOMPLETE)
    last = project_submit(project=waiting, by=staff)
    project_submit(project=passed, by=staff)
    project_pass(project=passed, by=user("pl_dept"))
    office_table, office_staff = one_step
    project_submit(project=office_table, by=office_staff)

    [row] = awaiting(user("pl_dept"))
    assert (row, row.rounds, row.submitted_at) == (waiting, 2, last.at)
    assert {(t.pk, t.rounds) for t in awaiting(user("pl_finance"))} == {(passed.pk, 1), (office_table.pk, 1)}
    assert list(awaiting(user("dz_finance"))) == list(awaiting(user("dz_dept"))) == []
    assert list(awaiting(staff)) == list(awaiting(user("admin"))) == []


@pytest.mark.parametrize("count", [5, 50])
def test_the_queue_and_its_buttons_take_a_fixed_number_of_queries(
    pingluo_department, django_assert_num_queries, count
):
    unit = factories.unit(pingluo_department)
    staff = factories.user("unit_staff", unit=unit)
    for i in range(count):
        project_submit(project=factories.stored_table(unit, name=f"项目{i}"), by=staff)
    reviewer_id = user("pl_dept").pk
    reviewer = get_user_model().objects.get(pk=reviewer_id)  # nothing cached: role and scope are queried once
    with django_assert_num_queries(3):
        rows = list(awaiting(reviewer))
        context = workflow_context(reviewer, rows)
        buttons = [available_actions(reviewer, row, context) for row in rows]
    assert len(rows) == count and all(row.rounds == 1 for row in rows)
    assert buttons == [["pass", "return"]] * count


def test_a_unit_sees_the_submit_button_on_its_draft_and_reviewers_see_none(two_step):
    table, staff = two_step
    assert available_actions(staff, table) == ["submit"]
    assert available_actions(user("pl_dept"), table) == []
    assert available_actions(user("pl_finance"), table) == []
    assert available_actions(user("admin"), table) == []


def test_a_first_submission_has_nothing_to_compare_with(two_step):
    table, staff = two_step
    assert submission_diff(table).latest is None
    record = project_submit(project=table, by=staff)
    diff = submission_diff(table)
    assert (diff.latest, diff.previous, diff.has_changes) == (record, None, False)


def test_the_resubmission_is_compared_with_the_previous_submission_field_by_field(client, two_step):
    table, staff = two_step
    first = project_submit(project=table, by=staff)
    project_return(project=table, by=user("pl_dept"), reason=Opinion.NOT_QUANTIFIED)
    table = fresh(table)
    rows = list(table.indicators.order_by("order"))
    data = editor_post(
        table,
        funds_total="18",
        funds_fiscal="18",
        **{"ind-1-value_text": "≥ 240 人次", "ind-0-DELETE": "on", "ind-TOTAL_FORMS": len(rows) + 1},
    )
    level2 = rows[0].level2_id
    data.update({f"ind-{len(rows)}-level2": level2, f"ind-{len(rows)}-name": "培训班次", f"ind-{len(rows)}-value_text": "≥ 2 个", f"ind-{len(rows)}-ORDER": 99})
    client.force_login(staff)
    assert client.post(reverse("projects:project_edit", args=[table.pk]), data).status_code == 302
    second = project_submit(project=table, by=staff)
    diff = submission_diff(table)
    assert (diff.latest, diff.previous) == (second, first)
    assert [(c.label, c.old, c.new) for c in diff.fields] == [
        ("年度资金总额（万元）", "20", "18"),
        ("其中：财政拨款（万元）", "20", "18"),
    ]
    [changed] = diff.changed
    assert (changed.level1, changed.level2, changed.name) == ("产出指标", "数量指标", "培训基层干部人次")
    assert [(c.label, c.old, c.new) for c in changed.changes] == [("指标值", "≥ 200 人次", "≥ 240 人次")]
    assert [(r.name, r.value) for r in diff.added] == [("培训班次", "≥ 2 个")]
    assert [(r.level2, r.name) for r in diff.removed] == [("数量指标", "举办业务培训期数")]


def test_an_adjustment_is_compared_with_the_approved_version_row_by_row(client, two_step):
    table, staff = two_step
    table = approved(table, staff)
    copy = project_start_adjustment(project=table, by=staff, comment="追加预算")
    client.force_login(staff)
    data = editor_post(copy, **{"ind-4-value_text": "≤ 18 万元"})
    assert client.post(reverse("projects:project_edit", args=[copy.pk]), data).status_code == 302
    project_submit(project=copy, by=staff)
    diff = submission_diff(copy)
    assert diff.previous.project_id == table.pk and diff.latest.project_id == copy.pk
    assert diff.added == () and diff.removed == () and diff.fields == ()
    [changed] = diff.changed
    assert (changed.level2, changed.name) == ("成本指标", "培训经费")
    assert [(c.label, c.old, c.new) for c in changed.changes] == [("指标值", "≤ 20 万元", "≤ 18 万元")]


def test_review_records_are_shown_but_not_editable_in_the_admin(client, two_step):
    table, staff = two_step
    project_submit(project=table, by=staff)
    record = project_return(
        project=table,
        by=user("pl_dept"),
        reason=Opinion.SPLIT,
        comments=[{"indicator": table.indicators.first(), "reason": Opinion.SPLIT, "text": "建议拆成两条"}],
    )
    client.force_login(user("admin"))
    page = client.get(reverse("admin:projects_reviewrecord_change", args=[record.pk])).content.decode()
    assert "建议拆成两条" in page and "建议拆分指标" in page and "退回" in page
    response = client.post(reverse("admin:projects_reviewrecord_change", args=[record.pk]), {"comment": "改掉"})
    assert response.status_code == 403
    assert client.get(reverse("admin:projects_reviewrecord_changelist"), {"q": table.name}).status_code == 200


# One gate: nothing else assigns a status

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("projects", "indicators")
MODEL_WRITES = {
    "create", "update", "get_or_create", "update_or_create", "ProjectTable", "DepartmentTarget", "MonitoringReport",
    "SelfEvaluation", "EvaluationRound", "EvaluationItem",
}
# Places allowed to name a status outside projects/workflow.py, each with why:
ALLOWED = {
    # Import restores the statuses written in an interchange file (a backup or a move between
    # installations); the browser's Excel import never sets one (projects/excel/resolve.py).
    ("projects/interchange/plan.py", "import_project_table"),
    ("projects/interchange/plan.py", "import_department_target"),
}


def _has_status_key(node):
    return isinstance(node, ast.Dict) and any(getattr(key, "value", None) == "status" for key in node.keys)


def _call_name(node):
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _function_assignments(function):
    """(line) of each status assignment in one function body (nested functions are scanned on their own)."""
    nodes = []
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        nodes.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    found = []
    status_dicts = {}  # variable name → line of a dict literal with a "status" key assigned to it
    spread = set()  # variables spread with ** into a model write
    dynamic_setattr = False
    for node in nodes:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            constructor_keeping_its_argument = (
                getattr(function, "name", "") == "__init__" and isinstance(target, ast.Attribute) and getattr(target.value, "id", "") == "self"
            )
            if isinstance(target, ast.Attribute) and target.attr == "status" and not constructor_keeping_its_argument:
                found.append(node.lineno)
            if isinstance(target, ast.Name) and _has_status_key(node.value):
                status_dicts[target.id] = node.lineno
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "setattr" and len(node.args) > 1:
            if getattr(node.args[1], "value", None) == "status":
                found.append(node.lineno)
            elif not isinstance(node.args[1], ast.Constant):
                dynamic_setattr = True
        if name == "bulk_update" and "'status'" in ast.unparse(node):
            found.append(node.lineno)
        if name not in MODEL_WRITES:
            continue
        for keyword in node.keywords:
            if keyword.arg == "status" and ast.unparse(keyword.value) != "TableStatus.DRAFT":
                found.append(node.lineno)
            if keyword.arg in (None, "defaults") and _has_status_key(keyword.value):
                found.append(node.lineno)
            if keyword.arg is None and isinstance(keyword.value, ast.Name):
                spread.add(keyword.value.id)
    for variable, line in status_dicts.items():
        if variable in spread or dynamic_setattr:
            found.append(line)
    return found


def _status_assignments(path):
    """(function, line) of every place in a module that assigns a status to a row: ``x.status = …``,
    ``setattr(x, "status", …)``, ``status=`` in a model write or constructor, ``"status"`` among the
    fields of a bulk_update, and field values with a "status" key that are spread into a model
    (``Model(**fields)``) or set one by one (``setattr(row, name, value)``). Creating a table with
    ``status=TableStatus.DRAFT``, the default, is not an assignment; nor is a constructor keeping its
    own ``status`` argument (``self.status = status`` in ``__init__``, e.g. a list column)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [(None, line) for line in _function_assignments(tree)]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [(node.name, line) for line in _function_assignments(node)]
    return sorted(found, key=lambda item: item[1])


def test_the_status_scan_finds_each_kind_of_assignment(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def a(t):\n    t.status = 'approved'\n"
        "def b(qs):\n    qs.update(status='approved')\n"
        "def c(t):\n    setattr(t, 'status', 'approved')\n"
        "def d(qs, rows):\n    qs.bulk_update(rows, ['name', 'status'])\n"
        "def e(data):\n    ProjectTable(**{'status': data})\n"
        "def f(data):\n    fields = {'name': 'x', 'status': data}\n    ProjectTable.objects.create(**fields)\n"
        "def g(t, data):\n    fields = {'status': data}\n    for k, v in fields.items():\n        setattr(t, k, v)\n"
        "def h(qs):\n    qs.update_or_create(pk=1, defaults={'status': 'approved'})\n"
        "class Model:\n    def approve(self):\n        self.status = 'approved'\n"
        "def ok1():\n    ProjectTable.objects.create(status=TableStatus.DRAFT)\n"
        "def ok2(request):\n    render(request, 'x.html', status=400)\n"
        "def ok3(tables):\n    charts = {'status': len(tables)}\n    return charts\n"
        "class Column:\n    def __init__(self, status=None):\n        self.status = status\n"
        "def ok4(qs):\n    return qs.filter(**{'status': 'draft'})\n",
        encoding="utf-8",
    )
    assert [function for function, _ in _status_assignments(sample)] == ["a", "b", "c", "d", "e", "f", "g", "h", "approve"]


def test_no_code_outside_the_workflow_assigns_a_table_status():
    offenders, allowed_seen = [], set()
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative == "projects/workflow/gate.py":
                continue
            for function, line in _status_assignments(path):
                if (relative, function) in ALLOWED:
                    allowed_seen.add((relative, function))
                else:
                    offenders.append(f"{relative}:{line} ({function})")
    assert offenders == [], "statuses change only in projects/workflow/gate.py: " + ", ".join(offenders)
    assert allowed_seen == ALLOWED, "an allowed place no longer names a status: drop it from ALLOWED"
    assert {function for function, _ in _status_assignments(ROOT / "projects/workflow/gate.py")} - {"_sync"} == {"_set_status"}
