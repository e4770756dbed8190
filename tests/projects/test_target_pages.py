"""部门整体绩效目标 pages: the funds block, the checks beside the rows, the unit's buttons, the review
page, the queue and the history."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Opinion
from projects.models import Department, DepartmentTarget, ReviewAction, TableStatus
from projects.workflow import target_approve, target_pass, target_return, target_submit
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def target(seeded):
    return factories.stored_target(Department.objects.get(name="平罗县纪律检查委员会"))


def as_user(client, name):
    client.force_login(user(name))
    return client


def editor_data(target, **changes):
    """What the editor page posts for ``target`` as stored, with ``changes``."""
    data = {
        "token": str(target.revision),
        "year": str(target.year),
        "framework": str(target.framework_id),
        "overall_goal": target.overall_goal,
        "funds_total": "",
        "funds_basic": "",
        "funds_project": "",
        "subs-TOTAL_FORMS": "0",
        "subs-INITIAL_FORMS": "0",
        "ind-TOTAL_FORMS": "0",
        "ind-INITIAL_FORMS": "0",
    }
    subs = list(target.sub_targets.all())
    data.update({"subs-TOTAL_FORMS": str(len(subs)), "subs-INITIAL_FORMS": str(len(subs))})
    for number, sub in enumerate(subs):
        data.update({f"subs-{number}-id": str(sub.pk), f"subs-{number}-title": sub.title, f"subs-{number}-goal": sub.goal,
                     f"subs-{number}-indicator_text": sub.indicator_text, f"subs-{number}-safeguards": sub.safeguards,
                     f"subs-{number}-ORDER": str(number + 1)})
    rows = list(target.indicators.order_by("order", "id"))
    data.update({"ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": str(len(rows))})
    for number, row in enumerate(rows):
        data.update({f"ind-{number}-id": str(row.pk), f"ind-{number}-uid": str(row.uid), f"ind-{number}-level2": str(row.level2_id),
                     f"ind-{number}-name": row.name, f"ind-{number}-description": row.description,
                     f"ind-{number}-value_text": row.value_text, f"ind-{number}-basis": row.basis,
                     f"ind-{number}-basis_text": row.basis_text, f"ind-{number}-order": str(row.order)})
    data.update(changes)
    return data


def test_the_editor_saves_the_funds_block_and_keeps_what_was_typed_when_a_cell_is_wrong(client, target):
    as_user(client, "pl_unit")
    url = reverse("projects:target_edit", args=[target.pk])
    refused = client.post(url, editor_data(target, funds_total="12a", funds_basic="80", overall_goal="改过的目标"))
    page = refused.content.decode()
    assert refused.status_code == 400 and "“部门预算总额”应为数字" in page and "改过的目标" in page and 'value="80"' in page
    assert DepartmentTarget.objects.get(pk=target.pk).funds_basic is None
    done = client.post(url, editor_data(target, funds_total="120", funds_basic="80", funds_project="40"))
    assert done.status_code == 302
    saved = DepartmentTarget.objects.get(pk=target.pk)
    assert (saved.funds_total, saved.funds_basic, saved.funds_project) == (Decimal("120"), Decimal("80"), Decimal("40"))


def test_a_split_that_does_not_add_up_is_an_error_shown_on_the_page_and_it_blocks_submission(client, target):
    DepartmentTarget.objects.filter(pk=target.pk).update(funds_total=Decimal("120"), funds_basic=Decimal("80"), funds_project=Decimal("30"))
    as_user(client, "pl_unit")
    page = client.get(reverse("projects:target_detail", args=[target.pk])).content.decode()
    assert "部门预算总额 120 万元与基本支出 80 万元、项目支出 30 万元之和 110 万元不符" in page
    response = client.post(reverse("projects:target_action", args=[target.pk]), {"action": "submit"}, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any("智能审核发现 1 个错误" in text for text in texts) and any("之和 110 万元不符" in text for text in texts)
    assert DepartmentTarget.objects.get(pk=target.pk).status == TableStatus.DRAFT


def test_the_checks_are_shown_beside_the_rows_they_concern(client, target):
    row = target.indicators.get(name="参训人员满意度")
    row.set_value("100%")
    row.save()
    as_user(client, "pl_unit")
    response = client.get(reverse("projects:target_detail", args=[target.pk]))
    shown = {r.indicator.name: [f.rule for f in r.findings] for r in response.context["rows"]}
    assert "satisfaction_full" in shown["参训人员满意度"]
    assert all("satisfaction_full" not in rules for name, rules in shown.items() if name != "参训人员满意度")
    editor = client.get(reverse("projects:target_edit", args=[target.pk]))
    beside = {r.indicator.name: [f.rule for f in r.findings] for r in editor.context["checked_rows"]}
    assert "satisfaction_full" in beside["参训人员满意度"]


def test_a_department_reviewer_returns_with_a_row_comment_and_the_unit_sees_it(client, target):
    target_submit(target=target, by=user("pl_unit"))
    row = target.indicators.order_by("order").first()
    as_user(client, "pl_dept")
    queue = client.get(reverse("projects:review_queue")).content.decode()
    assert reverse("projects:target_review", args=[target.pk]) in queue
    refused = client.post(reverse("projects:target_review", args=[target.pk]), {"action": "return", f"comment-{row.pk}": "请写明期数"})
    assert refused.status_code == 400 and "请写明期数" in refused.content.decode()  # kept on the page
    done = client.post(
        reverse("projects:target_review", args=[target.pk]),
        {"action": "return", "reason": Opinion.NOT_QUANTIFIED, f"reason-{row.pk}": Opinion.NOT_QUANTIFIED, f"comment-{row.pk}": "请写明期数"},
    )
    assert done.status_code == 302
    as_user(client, "pl_unit")
    editor = client.get(reverse("projects:target_edit", args=[target.pk])).content.decode()
    assert "已退回" in editor and "请写明期数" in editor and row.name[:10] in editor


def test_approval_then_an_adjustment_with_its_reason_shown_on_the_new_version_and_in_history(client, target):
    target_submit(target=target, by=user("pl_unit"))
    target_pass(target=target, by=user("pl_dept"))
    target_approve(target=target, by=user("pl_finance"))
    as_user(client, "pl_unit")
    missing = client.post(reverse("projects:target_action", args=[target.pk]), {"action": "adjust", "comment": ""})
    assert missing.status_code == 302 and not DepartmentTarget.objects.filter(version=2).exists()
    done = client.post(reverse("projects:target_action", args=[target.pk]), {"action": "adjust", "comment": "机构改革后职能调整"})
    second = DepartmentTarget.objects.get(department=target.department, year=target.year, version=2)
    assert done.url == reverse("projects:target_edit", args=[second.pk])
    assert "调整理由：机构改革后职能调整" in client.get(reverse("projects:target_detail", args=[second.pk])).content.decode()
    history = client.get(reverse("projects:target_history", args=[second.pk])).content.decode()
    for words in ("提交", "通过", "批复", "发起调整", "机构改革后职能调整", "第 2 版"):
        assert words in history
    assert second.reviews.get().action == ReviewAction.ADJUST


def test_the_editor_outlines_the_total_when_the_split_does_not_add_up(client, target):
    DepartmentTarget.objects.filter(pk=target.pk).update(funds_total=Decimal("100"), funds_basic=Decimal("60"), funds_project=Decimal("30"))
    page = as_user(client, "pl_unit").get(reverse("projects:target_edit", args=[target.pk])).content.decode()
    assert "funds-wrong" in page
    DepartmentTarget.objects.filter(pk=target.pk).update(funds_project=Decimal("40"))
    assert "funds-wrong" not in client.get(reverse("projects:target_edit", args=[target.pk])).content.decode()


def test_the_home_page_offers_the_units_target_with_its_buttons(client, target):
    home = reverse("projects:home") + f"?year={target.year}"
    page = as_user(client, "pl_unit").get(home).content.decode()
    assert reverse("projects:target_edit", args=[target.pk]) in page
    assert reverse("projects:target_action", args=[target.pk]) in page and 'value="submit"' in page
    target_submit(target=target, by=user("pl_unit"))
    page = client.get(home).content.decode()
    assert reverse("projects:target_edit", args=[target.pk]) not in page and 'value="withdraw"' in page
    page = as_user(client, "pl_dept").get(home).content.decode()
    assert reverse("projects:target_review", args=[target.pk]) in page and 'value="withdraw"' not in page


def test_the_queues_year_and_department_filters_narrow_the_targets_listed_too(client, target):
    target_submit(target=target, by=user("pl_unit"))
    review_url = reverse("projects:target_review", args=[target.pk])
    queue = reverse("projects:review_queue")
    as_user(client, "pl_dept")
    assert review_url in client.get(f"{queue}?year={target.year}").content.decode()
    assert review_url not in client.get(f"{queue}?year={target.year + 1}").content.decode()
    assert review_url in client.get(f"{queue}?department={target.department_id}").content.decode()
    assert review_url not in client.get(f"{queue}?department={target.department_id + 1000}").content.decode()


def test_a_returned_rows_comment_is_shown_in_that_row_of_the_editor(client, target):
    target_submit(target=target, by=user("pl_unit"))
    row = target.indicators.get(name="举办业务培训期数")
    target_return(
        target=target, by=user("pl_dept"), reason=Opinion.NOT_QUANTIFIED,
        comments=[{"indicator": row, "reason": Opinion.NOT_QUANTIFIED, "text": "请写明每期培训的天数"}],
    )
    page = as_user(client, "pl_unit").get(reverse("projects:target_edit", args=[target.pk])).content.decode()
    grid_row = next(part for part in page.split('<tr class="indicator-row')[1:] if "举办业务培训期数" in part.split("</tr>")[0])
    assert "review-comment" in grid_row.split("</tr>")[0] and "请写明每期培训的天数" in grid_row.split("</tr>")[0]
