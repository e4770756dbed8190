"""Approvals without a second thought no more (issue 17, point 2): the approval records 批复文号, 批复日期 and
批复金额 and the printed form shows them with a signature block; every state change asks first; the bulk
bar offers no default action."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects import workflow
from projects.models import ReviewAction, ReviewRecord, TableStatus, Unit
from tests import factories


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def awaiting_finance(name="待批复的项目"):
    """A table of 平罗纪委本级 (a 部门本级: it goes straight to the finance bureau), submitted."""
    table = factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2023, name=name)
    workflow.project_submit(project=table, by=get_user_model().objects.get(username="pl_unit"))
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW
    return table


def test_the_approval_records_its_number_date_and_amount_and_the_printed_form_shows_them(seeded):
    table = awaiting_finance()
    finance = signed_in("pl_finance")
    review_page = finance.get(reverse("projects:project_review", args=[table.pk])).content.decode()
    assert 'name="approval_number"' in review_page and 'value="20.00"' in review_page  # the amount asked for
    response = finance.post(reverse("projects:project_review", args=[table.pk]), {
        "action": "approve", "grade": "", "approval_number": "平财预〔2023〕12号", "approval_date": "2023-03-15",
        "approved_amount": "18.5",
    })
    assert response.status_code == 302
    record = ReviewRecord.objects.get(project=table, action=ReviewAction.APPROVE)
    assert record.approval_number == "平财预〔2023〕12号"
    assert str(record.approval_date) == "2023-03-15" and record.approved_amount == Decimal("18.5")
    printed = finance.get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    assert "批复文号：平财预〔2023〕12号" in printed and "2023年3月15日" in printed and "18.50 万元" in printed
    for label in ("填报人：", "联系电话：", "单位负责人：", "日期：", "（单位盖章）"):
        assert label in printed


def test_an_approval_date_that_is_no_date_is_refused_by_name_and_nothing_changes(seeded):
    table = awaiting_finance()
    response = signed_in("pl_finance").post(reverse("projects:project_review", args=[table.pk]), {
        "action": "approve", "approval_number": "平财预〔2023〕12号", "approval_date": "3月15日",
    })
    assert response.status_code == 400 and "批复日期“3月15日”不是有效的日期" in response.content.decode()
    assert 'value="平财预〔2023〕12号"' in response.content.decode()
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW


def test_a_draft_prints_the_signature_block_without_an_approval_line(seeded):
    table = factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2023, name="草稿")
    printed = signed_in("pl_unit").get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    assert "单位负责人：" in printed and "批复文号" not in printed


def test_the_units_buttons_ask_before_they_act_naming_the_table(seeded):
    table = factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2023, name="要提交的项目")
    page = signed_in("pl_unit").get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    assert 'data-confirm="确定提交审核“要提交的项目”？' in page


def test_the_bulk_bar_offers_no_default_action_and_names_each_row_for_the_confirmation(seeded):
    awaiting_finance("甲项目")
    page = signed_in("pl_finance").get(reverse("projects:review_queue")).content.decode()
    assert '<option value="" selected>—— 请选择操作 ——</option>' in page
    assert 'data-name="甲项目"' in page and "data-confirm-rows" in page


def test_a_department_targets_approval_records_its_number_date_and_amount_and_prints_them(seeded):
    from projects.models import Department

    target = factories.stored_target(Department.objects.get(name="平罗县纪律检查委员会"))
    workflow.target_submit(target=target, by=get_user_model().objects.get(username="pl_unit"))
    workflow.target_pass(target=target, by=get_user_model().objects.get(username="pl_dept"))
    finance = signed_in("pl_finance")
    url = reverse("projects:target_review", args=[target.pk])
    assert 'name="approval_number"' in finance.get(url).content.decode()
    refused = finance.post(url, {"action": "approve", "approval_number": "平财预〔2023〕30号", "approved_amount": "很多"})
    assert refused.status_code == 400 and "批复金额“很多”不是数字" in refused.content.decode()
    assert not ReviewRecord.objects.filter(department_target=target, action=ReviewAction.APPROVE).exists()
    response = finance.post(url, {
        "action": "approve", "approval_number": "平财预〔2023〕30号", "approval_date": "2023-04-01", "approved_amount": "300",
    })
    assert response.status_code == 302
    record = ReviewRecord.objects.get(department_target=target, action=ReviewAction.APPROVE)
    assert (record.approval_number, str(record.approval_date), record.approved_amount) == ("平财预〔2023〕30号", "2023-04-01", Decimal("300"))
    printed = finance.get(reverse("projects:target_detail", args=[target.pk])).content.decode()
    assert "批复文号：平财预〔2023〕30号" in printed and "2023年4月1日" in printed and "300.00 万元" in printed
