"""撤销批复 on a 部门整体绩效目标's page (issue 17, point 2): the finance bureau, and only it, sees the button
with its reason form; taking it sends the target back to 待财政审核 with the reason recorded and the
department's own office told."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Department, DepartmentTarget, Notification, ReviewAction, TableStatus
from projects.workflow import target_approve, target_pass, target_submit
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def approved(seeded):
    target = factories.stored_target(Department.objects.get(name="平罗县纪律检查委员会"))
    target_submit(target=target, by=user("pl_unit"))
    target_pass(target=target, by=user("pl_dept"))
    target_approve(target=target, by=user("pl_finance"))
    return DepartmentTarget.objects.get(pk=target.pk)


def test_the_finance_bureau_sees_the_revoke_button_with_a_required_reason_on_an_approved_target(client, approved):
    client.force_login(user("pl_finance"))
    page = client.get(reverse("projects:target_detail", args=[approved.pk])).content.decode()
    assert reverse("projects:target_revoke", args=[approved.pk]) in page
    assert "撤销批复" in page and "撤销理由" in page
    assert 'name="reason"' in page and "required" in page.split('id="revoke-reason"')[1].split(">")[0]
    assert "data-confirm=\"确定撤销平罗县纪律检查委员会 2024 年部门整体绩效目标" in page


@pytest.mark.parametrize("username", ["pl_unit", "pl_dept", "dz_finance"])
def test_no_one_else_sees_or_takes_the_revocation_of_a_target(client, approved, username):
    client.force_login(user(username))
    detail = client.get(reverse("projects:target_detail", args=[approved.pk]))
    assert detail.status_code in (200, 404)
    assert reverse("projects:target_revoke", args=[approved.pk]) not in detail.content.decode()
    response = client.post(reverse("projects:target_revoke", args=[approved.pk]), {"reason": "误批"})
    assert response.status_code in (302, 404)
    assert DepartmentTarget.objects.get(pk=approved.pk).status == TableStatus.APPROVED


def test_revoking_a_target_needs_a_reason_and_then_records_it_and_tells_the_office(client, approved):
    client.force_login(user("pl_finance"))
    url = reverse("projects:target_revoke", args=[approved.pk])
    refused = client.post(url, {"reason": "  "}, follow=True).content.decode()
    assert "撤销批复未完成" in refused and "撤销批复必须说明理由" in refused
    assert DepartmentTarget.objects.get(pk=approved.pk).status == TableStatus.APPROVED
    done = client.post(url, {"reason": "部门预算总额与预算批复文件不符"}, follow=True).content.decode()
    assert "已撤销平罗县纪律检查委员会 2024 年部门整体绩效目标的批复" in done
    target = DepartmentTarget.objects.get(pk=approved.pk)
    assert target.status == TableStatus.FINANCE_REVIEW
    record = target.reviews.get(action=ReviewAction.REVOKE)
    assert record.comment == "部门预算总额与预算批复文件不符" and record.actor == user("pl_finance")
    told = Notification.objects.get(user=user("pl_unit"), kind="revoke")
    assert "部门预算总额与预算批复文件不符" in told.body and told.link == reverse("projects:target_detail", args=[target.pk])
    page = client.get(reverse("projects:target_detail", args=[target.pk])).content.decode()
    assert reverse("projects:target_revoke", args=[target.pk]) not in page  # no longer approved
