"""A save racing a workflow action must never undo it (issue 22 finding 1).

The editor page and the Excel import read a table, then write it. If a submission or an approval lands
in between, the write must see it, on the locked row, and be refused: before, the editor compared only
the last save's time (which workflow actions leave alone) and then wrote every column of the object it
had read, status included, so the table fell back to 草稿 with a "submitted" record beside it."""

import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator

from projects.excel import export_tables
from projects.models import DepartmentTarget, Opinion, ProjectTable, ReviewAction, ReviewRecord, TableStatus
from projects.services import edit_token
from projects.workflow import project_approve, project_return, project_submit
from tests.concurrency import in_own_connection
from tests.html_forms import form_data


def user(username):
    return get_user_model().objects.get(username=username)


def editor_page(client, table):
    response = client.get(reverse("projects:project_edit", args=[table.pk]))
    assert response.status_code == 200
    return form_data(response.content.decode())


@pytest.fixture
def seed_table(seeded):
    """A 平罗 table of the 部门本级 unit: a submission goes straight to the finance bureau."""
    return ProjectTable.objects.get(name="纪检监察事务工作经费")


# Without threads: the page was loaded before the action, the save comes after it.


def test_a_submission_landing_between_reading_and_saving_is_kept(client, seed_table, monkeypatch):
    """The editor's view has read the table (draft) and checked the unit may edit it; a submission
    commits before the save takes its lock. The save must see it and be refused."""
    from projects import services

    client.force_login(user("pl_unit"))
    data = editor_page(client, seed_table)
    data["name"] = "提交后改的名字"
    save = services.project_save

    def submitted_meanwhile(**kwargs):
        project_submit(project=ProjectTable.objects.get(pk=seed_table.pk), by=user("pl_unit"))
        return save(**kwargs)

    monkeypatch.setattr(services, "project_save", submitted_meanwhile)
    response = client.post(reverse("projects:project_edit", args=[seed_table.pk]), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "被" in page and "提交审核（当前状态：待财政审核），不能再修改" in page and "提交后改的名字" in page  # the typed content is still on the page
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert table.status == TableStatus.FINANCE_REVIEW and table.name == "纪检监察事务工作经费"
    assert list(ReviewRecord.objects.filter(project=table).values_list("action", flat=True)) == [ReviewAction.SUBMIT]


def test_a_save_from_a_page_opened_before_a_submission_is_refused_keeping_the_input(client, seed_table):
    """No race at all: the page stayed open while a colleague submitted the table. The save is a
    conflict naming the submission, not a bare 403 that loses what was typed."""
    client.force_login(user("pl_unit"))
    data = editor_page(client, seed_table)
    data["name"] = "提交后才点保存"
    project_submit(project=seed_table, by=user("pl_unit"))
    response = client.post(reverse("projects:project_edit", args=[seed_table.pk]), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "提交审核（当前状态：待财政审核），不能再修改。您的输入仍保留在页面上" in page and "提交后才点保存" in page
    assert ProjectTable.objects.get(pk=seed_table.pk).name == "纪检监察事务工作经费"


def test_another_unit_posting_to_a_submitted_table_gets_no_editor(client, seed_table):
    project_submit(project=seed_table, by=user("pl_unit"))
    client.force_login(user("pl_dept"))
    response = client.post(reverse("projects:project_edit", args=[seed_table.pk]), {"token": "1", "name": "x"})
    assert response.status_code in (403, 404)


def test_a_page_loaded_before_a_return_cannot_save_over_it_and_says_who_returned_it(client, seed_table):
    """Returned, the table is editable again, but not from a page that showed it before: that page's
    revision is gone, and the refusal names the return rather than an old save."""
    finance = user("pl_finance")
    finance.first_name = "李四"
    finance.save()
    client.force_login(user("pl_unit"))
    data = editor_page(client, seed_table)
    data["name"] = "退回前打开的页面"
    project_submit(project=seed_table, by=user("pl_unit"))
    project_return(project=ProjectTable.objects.get(pk=seed_table.pk), by=finance, reason=Opinion.NOT_QUANTIFIED)
    response = client.post(reverse("projects:project_edit", args=[seed_table.pk]), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "被 李四退回（当前状态：已退回），您打开页面之后它已有变化" in page and "退回前打开的页面" in page
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert table.status == TableStatus.RETURNED and table.name == "纪检监察事务工作经费"


def test_a_department_target_page_older_than_the_last_save_cannot_save(client, seeded):
    target = DepartmentTarget.objects.get(department__code="222", year=2022)
    client.force_login(user("dz_unit"))
    url = reverse("projects:target_edit", args=[target.pk])
    stale = form_data(client.get(url).content.decode())
    first = dict(stale, overall_goal="先保存的总体目标")
    assert client.post(url, first).status_code == 302
    assert DepartmentTarget.objects.get(pk=target.pk).revision == target.revision + 1
    response = client.post(url, dict(stale, overall_goal="后保存的总体目标"))
    assert response.status_code == 409 and "保存被拒绝" in response.content.decode()
    assert DepartmentTarget.objects.get(pk=target.pk).overall_goal == "先保存的总体目标"


def test_every_save_and_every_workflow_action_moves_the_revision_on(client, seed_table):
    client.force_login(user("pl_unit"))
    first = seed_table.revision
    data = editor_page(client, seed_table)
    assert data["token"] == edit_token(seed_table)
    data["fund_use"] = "新的资金用途"
    assert client.post(reverse("projects:project_edit", args=[seed_table.pk]), data).status_code == 302
    saved = ProjectTable.objects.get(pk=seed_table.pk)
    assert saved.revision == first + 1
    project_submit(project=saved, by=user("pl_unit"))
    assert ProjectTable.objects.get(pk=seed_table.pk).revision == first + 2
    project_approve(project=ProjectTable.objects.get(pk=seed_table.pk), by=user("pl_finance"))
    assert ProjectTable.objects.get(pk=seed_table.pk).revision == first + 3


def test_an_editor_post_cannot_set_the_status(client, seed_table):
    client.force_login(user("pl_unit"))
    data = editor_page(client, seed_table)
    data.update(status=TableStatus.APPROVED, version="9", revision="99")
    assert client.post(reverse("projects:project_edit", args=[seed_table.pk]), data).status_code == 302
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert (table.status, table.version) == (TableStatus.DRAFT, 1)


def changed_workbook(value):
    """The 平罗 export of pl_unit's tables with one indicator value changed on two sheets: the seed table's
    and 县委巡查专项经费's."""
    workbook = load_workbook(io.BytesIO(export_tables(
        ProjectTable.objects.filter(region__code="640221"), DepartmentTarget.objects.none(), "pingluo"
    )))
    for sheet in workbook.worksheets:
        if sheet.title.endswith(("纪检监察事务工作经费", "县委巡查专项经费")):
            sheet["E17"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_and_preview(client, content):
    location = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile("tables.xlsx", content)})["Location"]
    page = client.get(location).content.decode()
    assert "更新 2 张" in page and 'id="confirm-import"' in page
    return location


def confirm_import(client, location):
    return client.post(location + "confirm/", follow=True)


def test_an_import_confirmed_after_a_submission_writes_nothing(client, seed_table):
    """The preview showed the table as draft; it was submitted before the confirm. The whole import
    is refused, naming the table, and neither of its two changed tables is written."""
    client.force_login(user("pl_unit"))
    location = upload_and_preview(client, changed_workbook("≥97%"))
    project_submit(project=seed_table, by=user("pl_unit"))
    page = confirm_import(client, location).content.decode()
    assert "未导入，数据库未做任何修改" in page and "纪检监察事务工作经费" in page and "待财政审核" in page
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert table.status == TableStatus.FINANCE_REVIEW
    assert not Indicator.objects.filter(value_text="≥97%").exists()


def test_an_import_keeps_the_status_of_the_locked_row_and_moves_the_revision_on(client, seed_table):
    client.force_login(user("pl_unit"))
    location = upload_and_preview(client, changed_workbook("≥97%"))
    ProjectTable.objects.filter(pk=seed_table.pk).update(status=TableStatus.RETURNED)  # still editable
    assert "已导入" in confirm_import(client, location).content.decode()
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert table.status == TableStatus.RETURNED and table.revision == seed_table.revision + 1
    assert table.indicators.filter(value_text="≥97%").exists()


# With two connections: the workflow action holds the row while the save is already on its way.


def race(seed_table, workflow, write):
    """``workflow`` runs holding the table's row lock from before ``write`` reaches its own lock; the
    write has already read the table (as draft) and must wait, then see what the workflow did."""
    locked, release = threading.Event(), threading.Event()

    def acting():
        with transaction.atomic():
            ProjectTable.objects.select_for_update().get(pk=seed_table.pk)
            locked.set()
            release.wait(timeout=30)
            workflow()

    def writing():
        locked.wait(timeout=30)
        return write()

    (one, _), (two, written) = in_own_connection(acting), in_own_connection(writing)
    one.start()
    two.start()
    two.join(timeout=2)
    assert two.is_alive(), "the write must wait for the row the workflow holds"
    release.set()
    one.join(timeout=30)
    two.join(timeout=30)
    return written


def post_editor(seed_table, data):
    client = Client()
    client.force_login(user("pl_unit"))
    return client.post(reverse("projects:project_edit", args=[seed_table.pk]), data)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_editor_save_racing_a_submission_leaves_the_table_submitted(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    client.force_login(user("pl_unit"))
    data = editor_page(client, table)
    data["funds_total"] = data["funds_fiscal"] = "99"
    written = race(table, lambda: project_submit(project=table, by=user("pl_unit")), lambda: post_editor(table, data))
    assert written["result"].status_code == 409
    stored = ProjectTable.objects.get(pk=table.pk)
    assert stored.status == TableStatus.FINANCE_REVIEW and str(stored.funds_total) != "99.000000"
    assert list(ReviewRecord.objects.filter(project=table).values_list("action", flat=True)) == [ReviewAction.SUBMIT]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_editor_save_racing_a_submission_and_an_approval_leaves_the_table_approved(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    client.force_login(user("pl_unit"))
    data = editor_page(client, table)
    data["funds_total"] = data["funds_fiscal"] = "99"

    def submit_and_approve():
        project_submit(project=table, by=user("pl_unit"))
        project_approve(project=table, by=user("pl_finance"))

    written = race(table, submit_and_approve, lambda: post_editor(table, data))
    assert written["result"].status_code == 409
    stored = ProjectTable.objects.get(pk=table.pk)
    assert stored.status == TableStatus.APPROVED and str(stored.funds_total) != "99.000000"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_import_confirm_racing_a_submission_writes_nothing(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    client.force_login(user("pl_unit"))
    location = upload_and_preview(client, changed_workbook("≥97%"))
    written = race(table, lambda: project_submit(project=table, by=user("pl_unit")), lambda: confirm_import(client, location))
    page = written["result"].content.decode()
    assert "未导入，数据库未做任何修改" in page and "纪检监察事务工作经费" in page
    assert "提交审核（当前状态：待财政审核），不能再导入覆盖" in page
    stored = ProjectTable.objects.get(pk=table.pk)
    assert stored.status == TableStatus.FINANCE_REVIEW
    assert not Indicator.objects.filter(value_text="≥97%").exists()
