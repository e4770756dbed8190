"""Review comments on rows reach the unit (issue 17, point 5): for every document kind with row comments
(project table, department target, monitoring report) each comment is a notification to the document's
unit staff, linked to the row (…#row-<uid>) on the document's page, which carries that anchor. A
self-evaluation's return is told to its unit too."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from perfgoals.roles import Role
from projects import workflow
from projects.models import Department, Notification, NotificationKind, ProjectTable, TableStatus
from projects.monitoring import services as monitoring
from tests import factories
from tests.evaluation.helpers import evaluation_world, fill
from tests.projects.monitoring.test_monitoring import approved, filled
from tests.projects.test_review_views import branch, submitted  # noqa: F401  (branch is a fixture)


def user(username):
    return get_user_model().objects.get(username=username)


def comment_notices(staff):
    return list(Notification.objects.filter(user=staff, kind=NotificationKind.COMMENT))


def test_a_row_comment_on_a_project_table_reaches_the_unit_linked_to_its_row(client, branch):  # noqa: F811
    table, staff = branch
    submitted(table, staff)
    row = table.indicators.order_by("order").first()
    client.force_login(user("pl_dept"))
    response = client.post(
        reverse("projects:project_review", args=[table.pk]),
        {"action": "pass", "grade": "good", f"reason-{row.pk}": "value_mismatch", f"comment-{row.pk}": "督查次数应与计划一致"},
    )
    assert response.status_code == 302
    [notice] = comment_notices(staff)
    assert row.name[:10] in notice.title and "特邀监察员经费" in notice.title
    assert "指标与指标值不匹配" in notice.body and "督查次数应与计划一致" in notice.body and "通过时" in notice.body
    detail = reverse("projects:project_detail", args=[table.pk])
    assert notice.link == f"{detail}#row-{row.uid}"
    client.force_login(staff)
    listed = client.get(reverse("projects:notification_list")).content.decode()
    assert "审核意见" in listed and "督查次数应与计划一致" in listed
    opened = client.post(reverse("projects:notification_open"), {"id": notice.pk})
    assert opened.url == f"{detail}#row-{row.uid}"
    assert f'id="row-{row.uid}"' in client.get(detail).content.decode()
    # Nobody outside the unit hears of it; a pass without comments tells the unit nothing.
    assert not Notification.objects.filter(kind=NotificationKind.COMMENT).exclude(user=staff).exists()


def test_a_return_with_row_comments_tells_of_the_return_and_of_each_row(branch):  # noqa: F811
    table, staff = branch
    submitted(table, staff)
    first, second = table.indicators.order_by("order")[:2]
    workflow.project_return(
        project=table, by=user("pl_dept"), reason="not_quantified", comment="请细化",
        comments=[
            {"indicator": first, "reason": "not_quantified", "text": "写明次数"},
            {"indicator": second, "reason": "value_mismatch", "text": ""},
            {"indicator": None, "reason": "other", "text": "整表请再核对资金"},
        ],
    )
    # The list shows newest first: the return above the comments that go with it.
    assert list(Notification.objects.filter(user=staff).values_list("kind", flat=True)) == ["return", "comment", "comment", "comment"]
    links = {notice.link for notice in comment_notices(staff)}
    detail = reverse("projects:project_detail", args=[table.pk])
    assert links == {f"{detail}#row-{first.uid}", f"{detail}#row-{second.uid}", detail}
    assert any("整表" in notice.title and "整表请再核对资金" in notice.body for notice in comment_notices(staff))


def test_a_row_comment_on_a_department_target_reaches_its_office_linked_to_the_row(client, seeded):
    target = factories.stored_target(Department.objects.get(name="平罗县纪律检查委员会"))
    workflow.target_submit(target=target, by=user("pl_unit"))
    row = target.indicators.order_by("order").first()
    client.force_login(user("pl_dept"))
    response = client.post(
        reverse("projects:target_review", args=[target.pk]),
        {"action": "return", "reason": "not_quantified", f"reason-{row.pk}": "not_quantified", f"comment-{row.pk}": "请写明期数"},
    )
    assert response.status_code == 302
    [notice] = comment_notices(user("pl_unit"))
    detail = reverse("projects:target_detail", args=[target.pk])
    assert notice.link == f"{detail}#row-{row.uid}" and "请写明期数" in notice.body and "部门整体绩效目标" in notice.title
    client.force_login(user("pl_unit"))
    assert f'id="row-{row.uid}"' in client.get(detail).content.decode()
    assert not Notification.objects.filter(kind=NotificationKind.COMMENT, user__username__startswith="dz_").exists()


def test_a_row_comment_on_a_monitoring_report_reaches_the_unit_linked_to_its_line(client, reference_data):
    region = factories.region()
    department = factories.department(region)
    unit = factories.unit(department)
    finance = factories.user(Role.FINANCE_OFFICER, region=region)
    staff = factories.user(Role.UNIT_STAFF, unit=unit)
    reviewer = factories.user(Role.DEPARTMENT_REVIEWER, department=department)
    approved(unit)
    report = filled(
        monitoring.round_open(
            region=region, year=2024, name="2024年7月监控", cutoff_month=7, due_date=datetime.date(2024, 8, 15), by=finance
        ).reports.get()
    )
    workflow.document_action("submit", report, by=staff)
    line = report.lines.select_related("indicator").first()
    client.force_login(reviewer)
    response = client.post(
        reverse("projects:monitoring_report_action", args=[report.pk]),
        {"action": "return", "reason": "other", "comment": "见行意见", "row_indicator": line.indicator_id, "row_text": "执行情况与台账不符"},
    )
    assert response.status_code == 302
    assert report.reviews.filter(action="return").exists()
    [notice] = comment_notices(staff)
    detail = reverse("projects:monitoring_report", args=[report.pk])
    assert notice.link == f"{detail}#row-{line.indicator.uid}" and "执行情况与台账不符" in notice.body
    assert "监控表" in notice.title
    assert Notification.objects.filter(user=staff, kind=NotificationKind.RETURN, link=detail).exists()
    client.force_login(staff)
    assert f'id="row-{line.indicator.uid}"' in client.get(detail).content.decode()


def test_a_returned_self_evaluation_is_told_to_its_unit(seeded):
    table, evaluation_round, people = evaluation_world()
    evaluation = fill(evaluation_round.evaluations.get(project=table))
    workflow.document_action("submit", evaluation, by=people["staff"])
    workflow.document_action("return", evaluation, by=people["reviewer"], reason="other", comment="实际完成值请附依据")
    [notice] = Notification.objects.filter(user=people["staff"])
    assert notice.kind == NotificationKind.RETURN and "绩效自评" in notice.title and "实际完成值请附依据" in notice.body
    assert notice.link == reverse("projects:evaluation_detail", args=[evaluation.pk])


def test_review_comments_are_mailed_one_message_per_address_when_configured(
    settings, branch, mailoutbox, django_capture_on_commit_callbacks  # noqa: F811
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PERFGOALS_NOTIFY_BY_EMAIL = True
    settings.PERFGOALS_SITE_URL = "https://jx.example.gov.cn/"
    table, staff = branch
    staff.email = "pz_unit@example.gov.cn"
    staff.save()
    colleague = factories.user("unit_staff", unit=table.unit, username="pz_unit2")
    colleague.email = "pz_unit2@example.gov.cn"
    colleague.save()
    factories.user("unit_staff", unit=table.unit, username="pz_unit3")  # no address: in the app only
    submitted(table, staff)
    row = table.indicators.order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.project_pass(project=table, by=user("pl_dept"), comments=[{"indicator": row, "reason": "other", "text": "请核对"}])
    assert sorted(mail.to for mail in mailoutbox) == [["pz_unit2@example.gov.cn"], ["pz_unit@example.gov.cn"]]
    assert "审核意见" in mailoutbox[0].subject
    assert f"https://jx.example.gov.cn/tables/{table.pk}/#row-{row.uid}" in mailoutbox[0].body
    assert Notification.objects.filter(kind=NotificationKind.COMMENT).count() == 3
    assert ProjectTable.objects.get(pk=table.pk).status == TableStatus.FINANCE_REVIEW


def test_a_comment_on_a_table_with_the_longest_name_still_fits_its_notification(branch):  # noqa: F811
    table, staff = branch
    ProjectTable.objects.filter(pk=table.pk).update(name="长" * 200)
    table.refresh_from_db()
    submitted(table, staff)
    row = table.indicators.order_by("order").first()
    workflow.project_pass(project=table, by=user("pl_dept"), comments=[{"indicator": row, "reason": "other", "text": "请核对"}])
    [notice] = comment_notices(staff)
    assert len(notice.title) == 200 and notice.title.endswith("…")
