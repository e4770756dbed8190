"""A save racing a workflow action must never undo it (issue 22 finding 1).

The editor page and the Excel import read a table, then write it. If a submission or an approval lands
in between, the write must see it, on the locked row, and be refused: before, the editor compared only
the last save's time (which workflow actions leave alone) and then wrote every column of the object it
had read, status included, so the table fell back to 草稿 with a "submitted" record beside it."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from projects import interchange
from projects.models import DepartmentTarget, ProjectTable, ReviewAction, ReviewRecord, TableStatus
from projects.services import edit_token
from projects.workflow import project_approve, project_submit
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
    assert "提交了这张表" in page and "提交后改的名字" in page  # the typed content is still on the page
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert table.status == TableStatus.FINANCE_REVIEW and table.name == "纪检监察事务工作经费"
    assert list(ReviewRecord.objects.filter(project=table).values_list("action", flat=True)) == [ReviewAction.SUBMIT]


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


def test_an_editor_post_cannot_set_the_status(client, seed_table):
    client.force_login(user("pl_unit"))
    data = editor_page(client, seed_table)
    data.update(status=TableStatus.APPROVED, version="9", revision="99")
    assert client.post(reverse("projects:project_edit", args=[seed_table.pk]), data).status_code == 302
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert (table.status, table.version) == (TableStatus.DRAFT, 1)


def test_an_import_of_a_table_submitted_since_the_file_was_read_is_refused(seed_table):
    document = interchange.export_document(ProjectTable.objects.filter(pk=seed_table.pk), DepartmentTarget.objects.none())
    document["project_tables"][0]["fund_use"] = "导入改的资金用途"
    project_submit(project=seed_table, by=user("pl_unit"))
    with pytest.raises(interchange.InterchangeError) as refused:
        interchange.import_document(document, by=user("pl_unit"), editor=user("pl_unit"))
    assert "不能再导入覆盖" in " ".join(refused.value.problems)
    table = ProjectTable.objects.get(pk=seed_table.pk)
    assert table.status == TableStatus.FINANCE_REVIEW and table.fund_use != "导入改的资金用途"


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
def test_an_import_confirm_racing_a_submission_writes_nothing(seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    document = interchange.export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())
    document["project_tables"][0]["fund_use"] = "导入改的资金用途"
    staff = user("pl_unit")
    written = race(
        table,
        lambda: project_submit(project=table, by=staff),
        lambda: interchange.import_document(document, by=staff, editor=staff),
    )
    assert isinstance(written.get("error"), interchange.InterchangeError)
    stored = ProjectTable.objects.get(pk=table.pk)
    assert stored.status == TableStatus.FINANCE_REVIEW and stored.fund_use != "导入改的资金用途"
