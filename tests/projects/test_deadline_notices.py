"""临近截止提醒 (issue 17, point 5): a deadline 7 and 1 days ahead reminds the units of its region that have
not submitted that document kind, once per deadline, unit and notice day however often it runs; through
``manage.py notify_deadlines`` and its background task; mailed when configured."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from perfgoals.roles import Role
from projects import workflow
from projects.desk.deadlines import deadline_notices_send, notice_days
from projects.models import (
    Deadline,
    DeadlineNotice,
    Department,
    DepartmentTarget,
    Notification,
    NotificationKind,
    ProjectTable,
    Region,
    TableStatus,
)
from projects.monitoring import services as monitoring
from projects.tasks.deadlines import notify_deadlines_task
from tests import factories
from tests.projects.monitoring.test_monitoring import approved, filled

DUE = datetime.date(2024, 3, 31)


def user(username):
    return get_user_model().objects.get(username=username)


def days_before(days):
    return DUE - datetime.timedelta(days=days)


def reminded(username):
    return list(Notification.objects.filter(user__username=username, kind=NotificationKind.DEADLINE).order_by("id"))


@pytest.fixture
def targets_due(seeded):
    """平罗's 2023 project tables all drafts, a targets deadline on DUE, and 定州's too."""
    ProjectTable.objects.filter(year=2023).update(status=TableStatus.DRAFT)
    Deadline.objects.create(region=Region.objects.get(code="640221"), year=2023, kind="targets", due=DUE, note="以财政局收到为准")
    return Deadline.objects.get(region__code="640221")


def test_the_notice_day_is_the_smallest_threshold_not_below_the_days_left():
    assert [notice_days(days, (1, 7)) for days in (9, 8, 7, 6, 2, 1, 0, -1)] == [None, None, 7, 7, 7, 1, 1, None]


def test_a_deadline_seven_days_ahead_reminds_each_unit_of_its_region_that_has_not_submitted(targets_due):
    assert deadline_notices_send(today=days_before(8), thresholds=(7, 1)) == []
    sent = deadline_notices_send(today=days_before(7), thresholds=(7, 1))
    assert {notice.unit.name for notice in sent} == {"中共平罗县纪律检查委员会本级", "平罗县纪委监委派驻第九纪检监察组"}
    [notice] = reminded("pl_branch")
    assert "2023 年项目绩效目标表报送还有 7 天截止" in notice.title and "03月31日" in notice.title
    assert "平罗县纪委监委派驻第九纪检监察组尚未提交" in notice.body and "以财政局收到为准" in notice.body
    assert notice.link == "/?year=2023"
    assert reminded("dz_unit") == [] and reminded("pl_finance") == [] and reminded("pl_dept") == []


def test_a_unit_that_has_submitted_is_not_reminded(targets_due):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    workflow.project_submit(project=table, by=user("pl_unit"))
    deadline_notices_send(today=days_before(7), thresholds=(7, 1))
    assert reminded("pl_unit") == [] and len(reminded("pl_branch")) == 1


def test_the_reminders_are_sent_once_per_deadline_unit_and_notice_day_however_often_they_run(targets_due):
    for days in (7, 7, 6, 3, 1, 1, 0, -1):
        deadline_notices_send(today=days_before(days), thresholds=(7, 1))
    assert ["还有 7 天" in n.title for n in reminded("pl_branch")] == [True, False]
    assert "还有 1 天截止" in reminded("pl_branch")[1].title
    assert sorted(DeadlineNotice.objects.filter(unit__name="平罗县纪委监委派驻第九纪检监察组").values_list("days_ahead", flat=True)) == [1, 7]


def test_a_run_missed_on_the_seventh_day_still_reminds_later_and_on_the_last_day(targets_due):
    deadline_notices_send(today=days_before(3), thresholds=(7, 1))
    deadline_notices_send(today=days_before(0), thresholds=(7, 1))
    assert ["还有 3 天截止" in reminded("pl_branch")[0].title, "今天截止" in reminded("pl_branch")[1].title] == [True, True]


def test_a_department_targets_deadline_reminds_the_office_of_a_department_without_a_submitted_target(seeded):
    department = Department.objects.get(name="平罗县纪律检查委员会")
    Deadline.objects.create(region=department.region, year=2024, kind="department_targets", due=DUE)
    target = factories.stored_target(department)
    deadline_notices_send(today=days_before(1), thresholds=(7, 1))
    assert len(reminded("pl_unit")) == 1 and "部门整体绩效目标" in reminded("pl_unit")[0].title
    assert reminded("pl_branch") == []  # not the department's own office
    DeadlineNotice.objects.all().delete()
    workflow.target_submit(target=target, by=user("pl_unit"))
    assert DepartmentTarget.objects.get(pk=target.pk).status == TableStatus.DEPARTMENT_REVIEW
    assert deadline_notices_send(today=days_before(1), thresholds=(7, 1)) == []


def test_a_monitoring_deadline_reminds_the_units_whose_reports_wait_and_links_to_them(reference_data):
    region = factories.region()
    department = factories.department(region)
    late, done = factories.unit(department, name="未报单位"), factories.unit(department, name="已报单位")
    finance = factories.user(Role.FINANCE_OFFICER, region=region)
    late_staff, done_staff = factories.user(Role.UNIT_STAFF, unit=late), factories.user(Role.UNIT_STAFF, unit=done)
    approved(late), approved(done)
    monitoring_round = monitoring.round_open(
        region=region, year=2024, name="2024年7月监控", cutoff_month=7, due_date=datetime.date(2024, 8, 15), by=finance
    )
    workflow.document_action("submit", filled(monitoring_round.reports.get(table__unit=done)), by=done_staff)
    Deadline.objects.create(region=region, year=2024, kind="monitoring", due=DUE)
    sent = deadline_notices_send(today=days_before(7), thresholds=(7, 1))
    assert [notice.unit for notice in sent] == [late]
    [notice] = Notification.objects.filter(user=late_staff)
    assert "绩效运行监控" in notice.title and notice.link == "/monitoring/reports/?year=2024"
    assert not Notification.objects.filter(user=done_staff).exists()


def test_the_command_reminds_once_and_says_whom(targets_due, settings):
    settings.PERFGOALS_DEADLINE_NOTICE_DAYS = (7, 1)
    out = StringIO()
    call_command("notify_deadlines", "--date", days_before(1).isoformat(), stdout=out)
    assert "提前 1 天提醒 平罗县纪委监委派驻第九纪检监察组（1 位填报人）" in out.getvalue() and "共提醒 2 个单位" in out.getvalue()
    again = StringIO()
    call_command("notify_deadlines", "--date", days_before(1).isoformat(), stdout=again)
    assert "共提醒 0 个单位，0 位填报人" in again.getvalue() and len(reminded("pl_branch")) == 1
    with pytest.raises(CommandError, match="不是日期"):
        call_command("notify_deadlines", "--date", "31/03/2024")


def test_the_background_task_sends_the_same_reminders_once(targets_due, settings):
    settings.PERFGOALS_DEADLINE_NOTICE_DAYS = (7, 1)
    assert notify_deadlines_task.call(days_before(7).isoformat()) == {"units": 2, "notified": 2}
    assert notify_deadlines_task.call(days_before(7).isoformat()) == {"units": 0, "notified": 0}
    assert len(reminded("pl_branch")) == 1


def test_the_command_hands_the_work_to_the_worker_when_asked(targets_due, settings):
    settings.PERFGOALS_DEADLINE_NOTICE_DAYS = (7, 1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = StringIO()
    call_command("notify_deadlines", "--enqueue", "--date", days_before(7).isoformat(), stdout=out)
    assert "已交给后台进程执行" in out.getvalue()
    assert len(reminded("pl_branch")) == 1


def test_a_reminder_is_mailed_when_a_mail_server_is_configured(targets_due, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PERFGOALS_NOTIFY_BY_EMAIL = True
    branch = user("pl_branch")
    branch.email = "branch@example.gov.cn"
    branch.save()
    with django_capture_on_commit_callbacks(execute=True):
        deadline_notices_send(today=days_before(7), thresholds=(7, 1))
    assert [mail.to for mail in mailoutbox] == [["branch@example.gov.cn"]]
    assert "报送还有 7 天截止" in mailoutbox[0].subject and "尚未提交" in mailoutbox[0].body
