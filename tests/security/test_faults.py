"""Faults (tracker issue 9, point 5): a database error in the middle of a save, an import or a workflow
action leaves nothing half written, and the user reads why instead of a server error page.

The error is real: Django's execute_wrapper hook replaces the Nth write to our tables (INSERT, UPDATE,
DELETE) with a statement the database itself refuses, so PostgreSQL aborts the transaction as it would
on a lost connection or a full disk. Each scenario first counts its writes, then fails each of several
of them in turn (the first, the last and some between) and compares every row of our models with
what they held before.
"""

import copy
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from projects.findings import project_findings
from indicators.models import Severity
from projects import excel, interchange, workflow
from projects.models import DepartmentTarget, ProjectTable, ReviewRecord, TableStatus, Unit
from tests import factories
from tests.html_forms import form_data
from tests.security.state import OUR_APPS, database_state, differences

WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# The audit log is written by the views after the work is committed (projects.audit), outside this.
NOT_FAILED = {"projects_auditevent"}
NOTHING_SAVED = "数据库暂时无法写入"


def our_tables():
    return {
        model._meta.db_table
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.db_table not in NOT_FAILED
    }


class WriteFault:
    """An execute wrapper counting the writes to our tables and making write number ``fail_at`` fail in
    the database: it is replaced by an INSERT into a table that does not exist."""

    def __init__(self, fail_at=None):
        self.fail_at = fail_at
        self.writes = 0
        self.failed_on = None
        self.tables = our_tables()

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1) in self.tables:
            self.writes += 1
            if self.writes == self.fail_at:
                self.failed_on = sql[:80]
                return execute("INSERT INTO perfgoals_injected_fault VALUES (1)", [()] if many else None, many, context)
        return execute(sql, params, many, context)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def spread(total, most=8):
    """The write numbers to fail: the first, the last and evenly spaced ones between."""
    if total <= most:
        return list(range(1, total + 1))
    step = (total - 1) / (most - 1)
    return sorted({1, total, *(round(1 + step * index) for index in range(most))})


def count_writes(action):
    counter = WriteFault()
    with rolled_back(), connection.execute_wrapper(counter):
        action()
    assert counter.writes, "the action wrote nothing to our tables: nothing to fail"
    return counter.writes


def fail_each_write(action, check, most=8):
    """Run ``action`` with each chosen write failing; every time nothing may change and ``check`` must
    accept what the action gave back (a response, an exception)."""
    total = count_writes(action)
    for number in spread(total, most):
        with rolled_back():
            before = database_state()
            fault = WriteFault(fail_at=number)
            with connection.execute_wrapper(fault):
                outcome = action()
            assert fault.failed_on, f"write {number} of {total} was not reached"
            changed = differences(before, database_state())
            assert changed == {}, f"write {number} of {total} ({fault.failed_on}) failed, yet these rows changed: {changed}"
            check(outcome)
    return total


def login(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def says_nothing_was_saved(response):
    assert any(NOTHING_SAVED in text for text in messages_of(response)), messages_of(response)


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def office():
    return Unit.objects.get(name="中共平罗县纪律检查委员会本级")


# Editors


def test_a_database_error_anywhere_in_a_project_save_keeps_the_table_and_the_page_keeps_the_input(seeded):
    client = login("pl_unit")
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    url = reverse("projects:project_edit", args=[table.pk])
    data = form_data(client.get(url).content.decode())
    goals = int(data["goals-TOTAL_FORMS"])
    rows = int(data["ind-TOTAL_FORMS"])
    data.update({
        "name": "纪检监察事务工作经费（故障测试）",
        "goals-0-text": "改过的年度目标",
        "goals-TOTAL_FORMS": str(goals + 1), f"goals-{goals}-text": "新增的年度目标", f"goals-{goals}-ORDER": str(goals + 1),
        "ind-0-value_text": "≥ 12 次",
        "ind-1-DELETE": "on",
        "ind-TOTAL_FORMS": str(rows + 1), f"ind-{rows}-level2": data["ind-0-level2"], f"ind-{rows}-name": "新增的三级指标",
        f"ind-{rows}-value_text": "≥ 3 项", f"ind-{rows}-ORDER": str(rows + 1),
    })

    def check(response):
        assert response.status_code == 503
        says_nothing_was_saved(response)
        page = response.content.decode()
        assert "纪检监察事务工作经费（故障测试）" in page and "新增的三级指标" in page
        # The page can be sent again as it is (with the row still marked for deletion), and then it saves.
        retry = client.post(url, {**form_data(page), "ind-1-DELETE": "on"})
        assert retry.status_code == 302, retry.status_code

    fail_each_write(lambda: client.post(url, data), check)


def test_a_database_error_in_a_department_target_save_keeps_the_target(seeded):
    client = login("dz_unit")
    target = DepartmentTarget.objects.get(department__name="纪律检查委员会")
    url = reverse("projects:target_edit", args=[target.pk])
    data = form_data(client.get(url).content.decode())
    data.update({"overall_goal": "改过的总体目标", "subs-0-goal": "改过的分项目标", "subs-1-DELETE": "on"})

    def check(response):
        assert response.status_code == 503
        says_nothing_was_saved(response)
        assert "改过的分项目标" in response.content.decode()

    fail_each_write(lambda: client.post(url, data), check, most=6)


# Imports


def changed_document():
    """An export of two 平罗 tables, one of them changed (a name, a value, a row less, a row more), and
    a new table: an import that updates, deletes, creates and rechecks."""
    document = interchange.export_document(
        ProjectTable.objects.filter(name__in=["县委巡查专项经费", "特邀监察员经费"]), DepartmentTarget.objects.none()
    )
    first = document["project_tables"][0]
    first["name"] += "（改）"
    first["indicators"][0]["value"] = "≥ 9 次"
    first["indicators"].pop()
    first["indicators"].append({**first["indicators"][0], "uid": None, "name": "导入新增的指标"})
    new = {**document["project_tables"][1], "uid": None, "name": "导入新建的项目"}
    new["indicators"] = [{**row, "uid": None} for row in new["indicators"]]
    document["project_tables"].append(new)
    return document


def test_a_database_error_anywhere_in_a_json_import_writes_nothing(seeded):
    document = changed_document()

    def action():
        try:
            interchange.import_document(document)
        except DatabaseError as error:
            return error
        return None

    def check(outcome):
        assert isinstance(outcome, DatabaseError)

    total = fail_each_write(action, check, most=10)
    assert total > 20  # the tables, their rows, goals, history and the recheck were all among the writes


def test_the_import_command_says_in_chinese_that_nothing_was_written_when_the_database_fails(seeded, tmp_path):
    path = tmp_path / "changed.json"
    path.write_text(interchange.dumps(changed_document()), encoding="utf-8")

    def action():
        try:
            call_command("import_tables", str(path), verbosity=0)
        except CommandError as error:
            return error
        return None

    def check(outcome):
        assert isinstance(outcome, CommandError) and "未导入，数据库未做任何修改" in str(outcome)

    fail_each_write(action, check, most=4)


def test_a_database_error_while_confirming_an_excel_import_writes_nothing_and_keeps_the_upload(seeded):
    client = login("pl_unit")
    content = excel.export_tables(
        ProjectTable.objects.filter(unit__name="中共平罗县纪律检查委员会本级"), DepartmentTarget.objects.none(), "pingluo"
    )
    workbook = load_workbook(io.BytesIO(content))
    workbook["1.县委巡查专项经费"]["E17"] = "≥95%"
    buffer = io.BytesIO()
    workbook.save(buffer)

    def action():
        upload = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile("改.xlsx", buffer.getvalue())})
        preview = upload["Location"]
        return client.post(preview + "confirm/"), preview

    def check(outcome):
        response, preview = outcome
        assert response.status_code == 302 and response["Location"] == preview
        says_nothing_was_saved(response)
        assert client.get(preview).status_code == 200  # the upload is still there to confirm again
        done = client.post(preview + "confirm/")
        assert any("已导入" in text for text in messages_of(done))

    fail_each_write(action, check)


# Workflow actions


def submitted(table, staff):
    workflow.project_submit(project=table, by=staff)
    table.refresh_from_db()
    return table


def test_a_database_error_during_a_submission_leaves_the_draft_as_it_was(seeded, office):
    client = login("pl_unit")
    table = factories.stored_table(office, name="故障测试提交", year=2024)
    url = reverse("projects:project_action", args=[table.pk])

    def check(response):
        assert response.status_code == 302
        says_nothing_was_saved(response)

    fail_each_write(lambda: client.post(url, {"action": "submit", "comment": "请审核"}), check)
    table.refresh_from_db()
    assert table.status == TableStatus.DRAFT and not ReviewRecord.objects.filter(project=table).exists()


def test_a_database_error_during_a_return_keeps_the_table_in_review_and_the_reviewers_comments_on_the_page(seeded, office):
    client = login("pl_finance")
    table = submitted(factories.stored_table(office, name="故障测试退回", year=2024), user("pl_unit"))
    row = table.indicators.order_by("order").first()
    url = reverse("projects:project_review", args=[table.pk])
    posted = {"action": "return", "reason": "other", "comment": "整体意见：请细化", f"reason-{row.pk}": "other", f"comment-{row.pk}": "这一行要量化"}

    def check(response):
        assert response.status_code == 503
        says_nothing_was_saved(response)
        assert "这一行要量化" in response.content.decode()

    fail_each_write(lambda: client.post(url, posted), check)
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW


def test_a_database_error_while_approving_an_adjustment_keeps_both_versions_as_they_were(seeded, office):
    staff, finance = user("pl_unit"), user("pl_finance")
    original = submitted(factories.stored_table(office, name="故障测试调整", year=2024), staff)
    workflow.project_approve(project=original, by=finance)
    adjusted = workflow.project_start_adjustment(project=original, by=staff, comment="追加预算")
    adjusted.indicators.filter(pk=adjusted.indicators.order_by("order").first().pk).update(description="调整后的说明")
    adjusted = submitted(adjusted, staff)
    client = login("pl_finance")
    url = reverse("projects:project_review", args=[adjusted.pk])

    def check(response):
        assert response.status_code == 503
        says_nothing_was_saved(response)

    fail_each_write(lambda: client.post(url, {"action": "approve", "grade": "good"}), check)
    original.refresh_from_db()
    adjusted.refresh_from_db()
    assert (original.status, adjusted.status) == (TableStatus.APPROVED, TableStatus.FINANCE_REVIEW)


def test_a_database_error_while_starting_an_adjustment_leaves_no_partial_copy(seeded, office):
    staff = user("pl_unit")
    table = submitted(factories.stored_table(office, name="故障测试发起调整", year=2024), staff)
    workflow.project_approve(project=table, by=user("pl_finance"))
    client = login("pl_unit")
    url = reverse("projects:project_action", args=[table.pk])

    def check(response):
        assert response.status_code == 302
        says_nothing_was_saved(response)

    fail_each_write(lambda: client.post(url, {"action": "adjust", "comment": "调整资金"}), check)
    assert not ProjectTable.objects.filter(previous_version=table).exists()


def test_a_database_error_in_one_table_of_a_bulk_approval_leaves_that_table_alone_and_approves_the_others(seeded, office):
    staff = user("pl_unit")
    tables = [submitted(factories.stored_table(office, name=f"故障测试批量{number}", year=2024), staff) for number in (1, 2, 3)]
    client = login("pl_finance")
    data = {"action": "approve", "selected": [str(table.pk) for table in tables], "grade": "good"}
    per_table = count_writes(lambda: workflow.project_approve(project=tables[0], by=user("pl_finance")))
    for number in spread(per_table, 4):
        with rolled_back():
            fault = WriteFault(fail_at=per_table + number)  # a write of the second table's approval
            with connection.execute_wrapper(fault):
                response = client.post(reverse("projects:review_bulk"), data)
            assert fault.failed_on and response.status_code == 302
            statuses = [ProjectTable.objects.get(pk=table.pk).status for table in tables]
            assert statuses == [TableStatus.APPROVED, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED]
            assert not ReviewRecord.objects.filter(project=tables[1], action="approve").exists()
            assert any("故障测试批量2" in text and NOTHING_SAVED in text for text in messages_of(response))


# Explanations and copies


def test_a_database_error_while_explaining_a_finding_keeps_the_table_as_it_was(seeded):
    client = login("pl_unit")
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    finding = next(finding for finding in project_findings(project=table) if finding.severity != Severity.ERROR)
    posted = {
        "rule": finding.rule,
        "indicator_uid": str(finding.indicator.uid) if finding.indicator_id else "",
        "text": "这一项按上级文件执行，无法量化。",
    }
    url = reverse("projects:finding_explain", args=[table.pk])

    def check(response):
        assert response.status_code == 302
        says_nothing_was_saved(response)

    fail_each_write(lambda: client.post(url, posted), check)


def test_a_database_error_while_copying_to_the_next_year_leaves_no_partial_copy(seeded):
    client = login("pl_unit")
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    url = reverse("projects:project_copy", args=[table.pk])

    def check(response):
        assert response.status_code == 302
        says_nothing_was_saved(response)

    fail_each_write(lambda: client.post(url), check)
    assert not ProjectTable.objects.filter(copied_from=table).exists()


# A worker killed in the middle of an import


def big_document(count=300):
    """The first 平罗 seed table ``count`` times under new names: an import that writes for seconds."""
    seed = interchange.load((settings.BASE_DIR / "fixtures" / "seeds" / "pingluo-2023.json").read_text(encoding="utf-8"))
    tables = []
    for number in range(count):
        table = copy.deepcopy(seed["project_tables"][0])
        table.update(uid=None, name=f"中断导入测试项目{number:04d}", code="")
        for row in table["indicators"]:
            row["uid"] = None
        tables.append(table)
    return {**seed, "project_tables": tables, "department_targets": []}


def our_db_tables():
    return sorted(model._meta.db_table for app in OUR_APPS for model in apps.get_app_config(app).get_models())


def rows_of(cursor):
    """Every row of every table of ours, read with a plain DB-API cursor."""
    state = {}
    for table in our_db_tables():
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        state[table] = cursor.fetchall()
    return state


def manage(*arguments, database_url, **options):
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "perfgoals.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


def finished(process, timeout=600):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out.decode(), err.decode()


def kill_once_writing(process, writing, settle=0.3, timeout=120):
    """SIGKILL ``process`` once ``writing()`` says its import transaction has written, a moment later,
    while it is still running: the worker dies in the middle of the import."""
    deadline = time.monotonic() + timeout
    while not writing():
        assert process.poll() is None, f"the import ended before it was seen writing: {finished(process)}"
        assert time.monotonic() < deadline, "the import was never seen writing"
        time.sleep(0.01)
    time.sleep(settle)
    assert process.poll() is None, "the import finished before it could be killed: make big_document() bigger"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_a_worker_killed_during_an_import_leaves_a_sqlite_database_as_it_was_and_a_later_import_works(tmp_path):
    database = tmp_path / "perfgoals.sqlite3"
    url = f"sqlite:///{database}"
    for command in (("migrate", "--noinput", "-v0"), ("setup_demo", "-v0")):
        code, out, err = finished(manage(*command, database_url=url))
        assert code == 0, err
    document = tmp_path / "big.json"
    document.write_text(interchange.dumps(big_document()), encoding="utf-8")
    with closing(sqlite3.connect(database)) as reader:
        before = rows_of(reader.cursor())

    # SQLite writes the pages it is about to change into a rollback journal when the transaction first
    # writes; the journal left behind by a killed writer is rolled back by the next connection.
    journal = database.with_name(database.name + "-journal")
    worker = manage("import_tables", str(document), database_url=url)
    kill_once_writing(worker, journal.exists)
    assert journal.exists()
    with closing(sqlite3.connect(database)) as reader:
        assert rows_of(reader.cursor()) == before

    code, out, err = finished(manage("import_tables", str(document), database_url=url))
    assert code == 0, err
    assert "新建 300 张" in out
    with closing(sqlite3.connect(database)) as reader:
        count, = reader.execute("SELECT COUNT(*) FROM projects_projecttable WHERE name LIKE '中断导入测试项目%'").fetchone()
    assert count == 300


@pytest.mark.postgresql
def test_a_worker_killed_during_an_import_leaves_postgresql_as_it_was_and_a_later_import_works(transactional_db, tmp_path):
    call_command("setup_demo", verbosity=0)
    database = connection.settings_dict
    url = "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(database["USER"] or ""),
        password=quote(database["PASSWORD"] or ""),
        host=database["HOST"] or "localhost",
        port=database["PORT"] or 5432,
        name=database["NAME"],
    )
    document = tmp_path / "big.json"
    document.write_text(interchange.dumps(big_document()), encoding="utf-8")
    with connection.cursor() as cursor:
        before = rows_of(cursor)

    def writing():
        """Another session holds the lock an INSERT takes on the table of target tables: its import
        transaction is open and has written."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'projects_projecttable' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            return cursor.fetchone()[0] > 0

    worker = manage("import_tables", str(document), database_url=url)
    kill_once_writing(worker, writing)
    with connection.cursor() as cursor:
        assert rows_of(cursor) == before
        # The server ends the dead worker's session (and its transaction) when it finds the connection closed.
        deadline = time.monotonic() + 30
        while writing():
            assert time.monotonic() < deadline, "the killed worker's transaction stayed open"
            time.sleep(0.05)
        assert rows_of(cursor) == before

    code, _, err = finished(manage("import_tables", str(document), database_url=url))
    assert code == 0, err
    assert ProjectTable.objects.filter(name__startswith="中断导入测试项目").count() == 300
