"""部门整体绩效目标 through the one gate: the loop, its refusals, its checks, adjustment and correction."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from indicators.models import Opinion
from projects.models import Department, DepartmentTarget, ReviewAction, ReviewComment, ReviewRecord, TableStatus
from projects.workflow import (
    WorkflowError,
    available_actions,
    document_correct,
    target_approve,
    target_pass,
    target_return,
    target_start_adjustment,
    target_submit,
    target_withdraw,
)
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


def fresh(target):
    return DepartmentTarget.objects.get(pk=target.pk)


def state(target):
    target = fresh(target)
    return (target.status, target.version, target.revision, ReviewRecord.objects.count(), DepartmentTarget.objects.count())


def refused(action, **kwargs):
    target = kwargs.get("target") or kwargs.get("document")
    before = state(target)
    with pytest.raises(WorkflowError) as refusal:
        action(**kwargs)
    assert state(target) == before
    return refusal.value


@pytest.fixture
def target(seeded):
    return factories.stored_target(Department.objects.get(name="平罗县纪律检查委员会"))


def approved(target):
    target_submit(target=target, by=user("pl_unit"))
    target_pass(target=target, by=user("pl_dept"))
    target_approve(target=target, by=user("pl_finance"))
    return fresh(target)


def test_a_target_goes_from_its_office_through_the_department_to_finance(target):
    assert available_actions(user("pl_unit"), target) == ["submit"]
    record = target_submit(target=target, by=user("pl_unit"), comment="请审核")
    assert record.department_target == target and record.project is None and record.round == 1
    assert fresh(target).status == TableStatus.DEPARTMENT_REVIEW  # always the department first, office or not
    assert record.snapshot["overall_goal"].startswith("2024 年完成案件查办")
    assert available_actions(user("pl_dept"), fresh(target)) == ["pass", "return"]
    target_pass(target=target, by=user("pl_dept"), comment="同意")
    assert available_actions(user("pl_finance"), fresh(target)) == ["return", "approve"]
    target_approve(target=target, by=user("pl_finance"))
    assert fresh(target).status == TableStatus.APPROVED
    assert [r.action for r in target.reviews.order_by("at", "id")] == ["submit", "pass", "approve"]


def test_a_return_needs_a_standard_reason_and_keeps_its_row_comments(target):
    target_submit(target=target, by=user("pl_unit"))
    error = refused(target_return, target=target, by=user("pl_dept"), reason="")
    assert str(error) == "退回必须说明理由。"
    row = target.indicators.order_by("order").first()
    record = target_return(
        target=target,
        by=user("pl_dept"),
        reason=Opinion.NOT_QUANTIFIED,
        comments=[{"indicator": row, "reason": Opinion.NOT_QUANTIFIED, "text": "请写明期数"}],
    )
    assert fresh(target).status == TableStatus.RETURNED
    assert [(c.indicator, c.text) for c in record.comments.all()] == [(row, "请写明期数")]
    other = factories.stored_table(factories.unit(Department.objects.get(name="平罗县纪律检查委员会")))
    target_submit(target=target, by=user("pl_unit"))
    error = refused(
        target_return,
        target=target,
        by=user("pl_dept"),
        reason=Opinion.OTHER,
        comments=[{"indicator": other.indicators.first(), "reason": Opinion.OTHER, "text": "x"}],
    )
    assert "不在这份目标上" in str(error)
    assert ReviewComment.objects.count() == 1


def test_only_the_departments_own_office_submits_and_only_its_reviewers_pass(target):
    ordinary_unit = factories.unit(Department.objects.get(name="平罗县纪律检查委员会"))
    staff = factories.user("unit_staff", unit=ordinary_unit)
    error = refused(target_submit, target=target, by=staff)
    assert "这份目标不属于您所在的部门本级单位" in str(error)
    target_submit(target=target, by=user("pl_unit"))
    error = refused(target_pass, target=target, by=user("dz_dept"))
    assert "这份目标不属于您所在的主管部门" in str(error)
    error = refused(target_approve, target=target, by=user("pl_finance"))
    assert "当前为“待主管部门审核”" in str(error)


def test_a_target_whose_checks_find_errors_cannot_be_submitted(target):
    row = target.indicators.get(name="参训人员满意度")
    row.set_value("100%")
    row.save()
    target.indicators.filter(name="举办业务培训期数").update(name="XXX", value_text="XXX")
    error = refused(target_submit, target=target, by=user("pl_unit"))
    assert str(error).startswith("智能审核发现")
    assert any("占位" in problem for problem in error.problems)


def test_a_withdrawal_is_possible_until_the_department_acts(target):
    target_submit(target=target, by=user("pl_unit"))
    target_withdraw(target=target, by=user("pl_unit"))
    assert fresh(target).status == TableStatus.DRAFT
    target_submit(target=target, by=user("pl_unit"))
    target_pass(target=target, by=user("pl_dept"))
    error = refused(target_withdraw, target=target, by=user("pl_unit"))
    assert "不能撤回" in str(error)


def test_an_adjustment_needs_its_reason_copies_everything_and_must_change_something(target):
    target = approved(target)
    error = refused(target_start_adjustment, target=target, by=user("pl_unit"), reason="  ")
    assert "调整理由" in str(error)
    second = target_start_adjustment(target=target, by=user("pl_unit"), reason="年中机构改革，任务调整")
    assert (second.version, second.status, second.previous_version) == (2, TableStatus.DRAFT, target)
    assert second.reviews.get().comment == "年中机构改革，任务调整"
    assert [s.title for s in second.sub_targets.all()] == ["干部培训"]
    assert [r.copied_from_id for r in second.indicators.order_by("order")] == list(target.indicators.order_by("order").values_list("pk", flat=True))
    error = refused(target_submit, target=second, by=user("pl_unit"))
    assert "没有任何不同" in str(error)
    DepartmentTarget.objects.filter(pk=second.pk).update(overall_goal=second.overall_goal + "新增巡察整改任务。")
    target_submit(target=second, by=user("pl_unit"))
    target_pass(target=second, by=user("pl_dept"))
    target_approve(target=second, by=user("pl_finance"))
    assert fresh(target).status == TableStatus.SUPERSEDED and fresh(second).status == TableStatus.APPROVED
    assert list(DepartmentTarget.objects.filter(department=target.department).in_force()) == [fresh(second)]


def test_an_administrator_corrects_an_approved_target_with_a_reason_recorded(target):
    target = approved(target)
    admin = user("admin")
    error = refused(document_correct, document=target, by=admin, reason="", changes={"funds_total": Decimal("130")})
    assert "必须说明理由" in str(error)
    error = refused(document_correct, document=target, by=user("pl_finance"), reason="x", changes={"funds_total": Decimal("1")})
    assert "只有管理员可以更正" in str(error)
    record = document_correct(document=target, by=admin, reason="与批复文件一致", changes={"funds_total": Decimal("130")})
    assert fresh(target).funds_total == Decimal("130") and fresh(target).status == TableStatus.APPROVED
    assert record.action == ReviewAction.CORRECT and "部门预算总额（万元）：（空） → 130" in record.comment
