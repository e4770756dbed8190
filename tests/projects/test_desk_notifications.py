"""Issue 17: 撤销批复 through the gate, the unit told of a return (notification list, unread count in
the header), 催报 from the progress page, and deadlines per region and document kind on the home page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from projects import workflow
from projects.models import AuditEvent, Deadline, Notification, ProjectTable, Region, ReviewAction, TableStatus
from tests.projects.test_version_in_force import adjust

User = get_user_model()


def user(name):
    return User.objects.get(username=name)


def seed_table(status):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    ProjectTable.objects.filter(pk=table.pk).update(status=status)
    table.refresh_from_db()
    return table


# 撤销批复


def test_the_finance_bureau_revokes_an_approval_with_a_reason_recorded(seeded):
    table = seed_table(TableStatus.APPROVED)
    record = workflow.document_revoke(document=table, by=user("pl_finance"), reason="批复金额与预算批复文件不符")
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW
    assert record.action == ReviewAction.REVOKE and record.from_status == TableStatus.APPROVED
    assert record.comment == "批复金额与预算批复文件不符"
    told = Notification.objects.get(user=user("pl_unit"), kind="revoke")
    assert "撤销" in told.title and "批复金额与预算批复文件不符" in told.body


def test_a_revocation_needs_a_reason_and_the_finance_bureau(seeded):
    table = seed_table(TableStatus.APPROVED)
    with pytest.raises(workflow.WorkflowError, match="撤销批复必须说明理由"):
        workflow.document_revoke(document=table, by=user("pl_finance"), reason="  ")
    for other in ("pl_unit", "pl_dept", "dz_finance"):
        with pytest.raises(workflow.WorkflowError):
            workflow.document_revoke(document=table, by=user(other), reason="误批")
    table.refresh_from_db()
    assert table.status == TableStatus.APPROVED and not table.reviews.filter(action=ReviewAction.REVOKE).exists()


def test_an_approval_with_an_adjustment_under_way_cannot_be_revoked(seeded):
    table = seed_table(TableStatus.APPROVED)
    adjust(table)
    with pytest.raises(workflow.WorkflowError, match="正在调整"):
        workflow.document_revoke(document=table, by=user("pl_finance"), reason="误批")


def test_revoking_an_approved_adjustment_puts_the_replaced_version_back_in_force(seeded):
    table = seed_table(TableStatus.SUPERSEDED)
    copy = adjust(table)
    ProjectTable.objects.filter(pk=copy.pk).update(status=TableStatus.APPROVED)
    copy.refresh_from_db()
    workflow.document_revoke(document=copy, by=user("pl_finance"), reason="调整依据尚未下达")
    table.refresh_from_db()
    copy.refresh_from_db()
    assert (table.status, copy.status) == (TableStatus.APPROVED, TableStatus.FINANCE_REVIEW)
    assert list(ProjectTable.objects.filter(name=table.name, year=table.year).in_force()) == [table]


def test_the_detail_page_offers_revocation_to_the_finance_bureau_only(client, seeded):
    table = seed_table(TableStatus.APPROVED)
    client.force_login(user("pl_unit"))
    assert "撤销批复" not in client.get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    assert client.post(reverse("projects:project_revoke", args=[table.pk]), {"reason": "误批"}).status_code == 302
    table.refresh_from_db()
    assert table.status == TableStatus.APPROVED
    client.force_login(user("pl_finance"))
    page = client.get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    assert "撤销批复" in page and "撤销理由" in page
    client.post(reverse("projects:project_revoke", args=[table.pk]), {"reason": "误批"})
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW


# Notifications


def test_a_unit_is_told_of_its_return_in_the_header_and_its_notification_list(client, seeded):
    table = seed_table(TableStatus.FINANCE_REVIEW)
    workflow.project_return(project=table, by=user("pl_finance"), reason="not_quantified", comment="产出指标请量化")
    client.force_login(user("pl_unit"))
    home = client.get(reverse("projects:home")).content.decode()
    assert 'data-unread>1<' in home
    listed = client.get(reverse("projects:notification_list")).content.decode()
    assert "纪检监察事务工作经费" in listed and "被退回" in listed and "不够细化量化" in listed and "产出指标请量化" in listed
    notification = Notification.objects.get(user=user("pl_unit"))
    opened = client.post(reverse("projects:notification_open"), {"id": notification.pk})
    assert opened.url == reverse("projects:project_detail", args=[table.pk])
    assert "data-unread" not in client.get(reverse("projects:home")).content.decode()
    # Another unit's staff and the reviewers hear nothing of it.
    assert not Notification.objects.exclude(user=user("pl_unit")).exists()


def test_a_user_cannot_open_someone_elses_notification(client, seeded):
    table = seed_table(TableStatus.FINANCE_REVIEW)
    workflow.project_return(project=table, by=user("pl_finance"), reason="not_quantified")
    notification = Notification.objects.get(user=user("pl_unit"))
    client.force_login(user("pl_branch"))
    response = client.post(reverse("projects:notification_open"), {"id": notification.pk})
    assert response.url == reverse("projects:notification_list")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_approval_is_told_to_the_unit(seeded):
    table = seed_table(TableStatus.FINANCE_REVIEW)
    workflow.project_approve(project=table, by=user("pl_finance"), approval={"approval_number": "平财绩〔2023〕5号"})
    told = Notification.objects.get(user=user("pl_unit"))
    assert told.kind == "approve" and "平财绩〔2023〕5号" in told.body


# 催报


def test_chasing_from_the_progress_page_tells_the_units_that_have_not_submitted(client, seeded):
    ProjectTable.objects.filter(year=2023, unit__region__code="640221").update(status=TableStatus.DRAFT)
    submitted = ProjectTable.objects.filter(year=2023, unit__name="中共平罗县纪律检查委员会本级").first()
    ProjectTable.objects.filter(unit=submitted.unit, year=2023).update(status=TableStatus.FINANCE_REVIEW)
    client.force_login(user("pl_finance"))
    page = client.get(reverse("projects:department_progress"), {"year": 2023}).content.decode()
    assert "催报未提交的单位" in page
    response = client.post(reverse("projects:chase"), {"year": 2023})
    assert response.status_code == 302
    told = set(Notification.objects.filter(kind="reminder").values_list("user__username", flat=True))
    assert "pl_branch" in told and "pl_unit" not in told and not any(name.startswith("dz_") for name in told)
    event = AuditEvent.objects.filter(detail__action="催报").get()
    assert event.detail["year"] == 2023 and "平罗县纪委监委派驻第九纪检监察组" in event.detail["units"]


def test_units_cannot_chase(client, seeded):
    client.force_login(user("pl_unit"))
    assert client.post(reverse("projects:chase"), {"year": 2023}).status_code == 403
    assert not Notification.objects.exists()


# Deadlines


def test_each_region_sees_its_own_deadlines_with_days_left_on_the_home_page(client, seeded):
    today = timezone.localdate()
    pingluo, dingzhou = Region.objects.get(code="640221"), Region.objects.exclude(code="640221").get()
    Deadline.objects.create(region=pingluo, year=2023, kind="targets", due=today + datetime.timedelta(days=5))
    Deadline.objects.create(region=pingluo, year=2023, kind="monitoring", due=today + datetime.timedelta(days=40))
    Deadline.objects.create(region=dingzhou, year=2023, kind="targets", due=today + datetime.timedelta(days=9))
    client.force_login(user("pl_unit"))
    home = client.get(reverse("projects:home"), {"year": 2023}).content.decode()
    assert "项目绩效目标表报送截止" in home and "还有 5 天" in home and "还有 40 天" in home and "还有 9 天" not in home
    client.force_login(user("dz_unit"))
    home = client.get(reverse("projects:home"), {"year": 2023}).content.decode()
    assert "还有 9 天" in home and "还有 5 天" not in home


def test_a_finance_officer_sets_deadlines_of_their_own_region_only(client, seeded):
    pingluo, dingzhou = Region.objects.get(code="640221"), Region.objects.exclude(code="640221").get()
    client.force_login(user("pl_finance"))
    response = client.post(reverse("projects:deadlines"), {"region": pingluo.pk, "year": 2024, "kind": "targets", "due": "2024-03-31"})
    assert response.status_code == 302
    assert Deadline.objects.get(region=pingluo, year=2024, kind="targets").due == datetime.date(2024, 3, 31)
    refused = client.post(reverse("projects:deadlines"), {"region": dingzhou.pk, "year": 2024, "kind": "targets", "due": "2024-03-31"})
    assert refused.status_code == 200 and not Deadline.objects.filter(region=dingzhou).exists()
    twice = client.post(reverse("projects:deadlines"), {"region": pingluo.pk, "year": 2024, "kind": "targets", "due": "2024-04-30"})
    assert "已有截止日期" in twice.content.decode()
    client.force_login(user("pl_unit"))
    assert client.get(reverse("projects:deadlines")).status_code == 403


def test_a_reviewer_sees_how_many_documents_wait_for_them_in_the_navigation(client, seeded):
    client.force_login(user("pl_finance"))
    ProjectTable.objects.filter(unit__region__code="640221").update(status=TableStatus.DRAFT)
    assert "data-waiting" not in client.get(reverse("projects:home")).content.decode()
    ProjectTable.objects.filter(unit__region__code="640221", year=2023).update(status=TableStatus.FINANCE_REVIEW)
    waiting = ProjectTable.objects.filter(unit__region__code="640221", year=2023).count()
    assert f"data-waiting>{waiting}<" in client.get(reverse("projects:home")).content.decode()
    client.force_login(user("pl_unit"))
    assert "data-waiting" not in client.get(reverse("projects:home")).content.decode()


def test_a_return_is_mailed_as_well_when_configured(settings, seeded, mailoutbox, django_capture_on_commit_callbacks):
    settings.PERFGOALS_NOTIFY_BY_EMAIL = True
    unit_user = user("pl_unit")
    unit_user.email = "pl_unit@example.gov.cn"
    unit_user.save()
    table = seed_table(TableStatus.FINANCE_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.project_return(project=table, by=user("pl_finance"), reason="not_quantified")
    assert [mail.to for mail in mailoutbox] == [["pl_unit@example.gov.cn"]]
    assert "被退回" in mailoutbox[0].subject


def test_the_finance_home_page_points_to_the_deadlines_while_none_is_set(client, seeded):
    client.force_login(user("pl_finance"))
    page = client.get(reverse("projects:home"), {"year": 2023}).content.decode()
    assert "还没有设置报送截止日期" in page and reverse("projects:deadlines") in page
    Deadline.objects.create(region=Region.objects.get(code="640221"), year=2023, kind="targets", due=timezone.localdate())
    page = client.get(reverse("projects:home"), {"year": 2023}).content.decode()
    assert "还没有设置报送截止日期" not in page and "今天截止" in page
