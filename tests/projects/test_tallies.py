"""The unit-year tallies (projects.tallies): they equal a fresh count of the tables after every step of a
table's life, and the overview, the departments' progress and 催报 show from them exactly what the
direct computation over the tables (kept here as the reference) showed."""

import datetime
import json
import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.db.models import Avg, Count, Exists, FilteredRelation, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import reverse

from indicators.models import CheckFinding, Framework, Grade
from perfgoals.roles import Role
from projects import interchange, tallies
from projects.dashboard import STAGES, STATUS_COLOURS
from projects.desk import notify
from projects.desk.deadlines import SUBMITTED
from projects.desk.views import units_not_submitted
from projects.findings import project_recheck, projects_recheck
from projects.models import (
    BudgetYear,
    Department,
    DepartmentTarget,
    ProjectTable,
    ReviewAction,
    ReviewRecord,
    TableStatus,
    TableTally,
    Unit,
)
from projects.models.tallies import SCORE_BANDS
from projects.overview import IN_REVIEW_STATUSES, NOT_CHECKED
from projects.workflow import (
    document_revoke,
    project_approve,
    project_return,
    project_start_adjustment,
    project_submit,
)
from tests import factories
from tests.overview_helpers import five_tables
from tests.projects.test_editor import editor_post, new_table_post


def no_drift():
    return tallies.drift() == []


def user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_submitted_statuses_are_those_of_chase():
    assert set(tallies.SUBMITTED) == set(SUBMITTED)


def test_the_tallies_follow_a_table_through_its_whole_life(client, seeded):
    from indicators.models import Level2

    staff, finance = user("pl_unit"), user("pl_finance")
    assert no_drift()
    client.force_login(staff)
    level2s = list(Level2.objects.filter(level1__framework__code="2015").select_related("level1").order_by("level1__order", "order"))
    rows = [(level2s[-1], "服务对象满意度", "≥ 90%"), (level2s[0], "培训人数", "≥ 100 人")]
    assert client.post(reverse("projects:project_create"), new_table_post(level2s, rows, funds_total="12.5", funds_fiscal="12.5")).status_code == 302
    created = ProjectTable.objects.get(name="新项目", year=2024)
    assert TableTally.objects.get(unit=created.unit, year=2024).tables_draft >= 1 and no_drift()

    table = factories.stored_table(created.unit, name="生命周期项目", year=2024)
    assert no_drift()

    assert client.post(reverse("projects:project_edit", args=[table.pk]), editor_post(table, funds_total="30", funds_fiscal="30")).status_code == 302
    assert no_drift()
    projects_recheck(ProjectTable.objects.filter(pk=table.pk))
    CheckFinding.objects.filter(project=table).delete()
    tallies.touched(table.unit_id, table.year, {tallies.FINDINGS})  # a writer bypassing the signals tells them
    assert no_drift()
    project_recheck(project=table)
    assert no_drift()

    table.refresh_from_db()
    project_submit(project=table, by=staff)
    assert no_drift()
    table.refresh_from_db()
    project_return(project=table, by=finance, reason="not_quantified")  # 部门本级: straight to finance
    assert no_drift()
    table.refresh_from_db()
    project_submit(project=table, by=staff)
    table.refresh_from_db()
    project_approve(project=table, by=finance)
    assert no_drift()

    table.refresh_from_db()
    adjusted = project_start_adjustment(project=table, by=staff, comment="资金调整")
    assert no_drift()
    edited = editor_post(adjusted, funds_total="40", funds_fiscal="40")
    assert client.post(reverse("projects:project_edit", args=[adjusted.pk]), edited).status_code == 302
    assert no_drift()
    for step, actor in ((project_submit, staff), (project_approve, finance)):
        adjusted.refresh_from_db()
        step(project=adjusted, by=actor)
        assert no_drift()
    table.refresh_from_db()
    assert table.status == TableStatus.SUPERSEDED

    adjusted.refresh_from_db()
    document_revoke(document=adjusted, by=finance, reason="批复有误，收回重审")
    assert no_drift()

    other_unit = factories.unit(table.department)
    adjusted.refresh_from_db()
    adjusted.unit = other_unit
    adjusted.year = 2025
    adjusted.save()
    assert no_drift()
    # Revoked, version 2 waits for finance again while version 1 is in force: submitted, not counted.
    assert TableTally.objects.filter(unit=other_unit, year=2025).values_list("tables", "submitted").get() == (0, 1)

    adjusted.delete()
    assert no_drift()
    assert TableTally.objects.filter(unit=other_unit, year=2025).values_list("tables", "submitted").get() == (0, 0)


def test_an_import_leaves_the_tallies_equal_to_the_tables(seeded):
    document = json.loads(interchange.dumps(interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.none())))
    document["department_targets"] = []
    document["project_tables"][0]["funds"]["total"] = "77"
    new = json.loads(json.dumps(document["project_tables"][1]))
    new.pop("uid", None)
    for row in new.get("indicators", []):
        row.pop("uid", None)
    new.update(name="导入的新项目", code="")
    document["project_tables"].append(new)
    interchange.import_document(document)  # one table saved, one inserted in bulk
    assert ProjectTable.objects.filter(name="导入的新项目").exists()
    assert no_drift()


def test_rebuild_counts_what_was_written_while_paused(seeded):
    unit = Unit.objects.first()
    with tallies.paused():
        table = factories.project_table(unit, year=2030, funds_total=Decimal("7"))
    assert tallies.drift() == [(unit.pk, 2030)]
    tallies.rebuild()
    assert no_drift()
    assert TableTally.objects.get(unit=unit, year=2030).money == Decimal("7")
    table.delete()
    assert no_drift()


# The reference: the overview's figures as they were computed from the tables before the tallies.


def reference_charts(tables, year, deadline):
    rows = {r["status"]: r for r in tables.values("status").annotate(n=Count("pk"), money=Sum("funds_total")).order_by()}
    status = {s.label: (rows[s]["n"] if s in rows else 0, float(rows[s]["money"] or 0) if s in rows else 0) for s in STATUS_COLOURS}
    grade_rows = {
        r["quality_grade"] or NOT_CHECKED: r
        for r in tables.values("quality_grade").annotate(n=Count("pk"), money=Sum("funds_total")).order_by()
    }
    grades = {
        label: (float(grade_rows[g]["money"] or 0) if g in grade_rows else 0, grade_rows[g]["n"] if g in grade_rows else 0)
        for g, label in [*Grade.choices, (NOT_CHECKED, "未检查")]
    }
    counts = tables.aggregate(
        **{f"band_{low}": Count("pk", filter=Q(quality_score__gte=low, quality_score__lte=high)) for low, high in SCORE_BANDS},
        average=Avg("quality_score"),
    )
    findings = list(
        CheckFinding.objects.filter(project__in=tables)
        .values("rule")
        .annotate(n=Count("pk"), tables=Count("project", distinct=True))
        .order_by("-n", "rule")[:10]
        .values_list("rule", "n", "tables")
    )
    timeline = {
        (r["action"], r["day"]): r["n"]
        for r in ReviewRecord.objects.filter(project__in=tables)
        .filter(Q(action=ReviewAction.SUBMIT, round=1) | Q(action=ReviewAction.APPROVE))
        .annotate(day=TruncDate("at"))
        .values("action", "day")
        .annotate(n=Count("project", distinct=True))
    }
    on_time = sum(n for (action, day), n in timeline.items() if action == ReviewAction.SUBMIT and deadline and day <= deadline)
    return status, grades, counts, findings, timeline, on_time


def reference_groups(tables, key, name):
    totals, names = {}, {}
    for row in tables.values(key, name, "status").annotate(money=Sum("funds_total")).order_by():
        group = totals.setdefault(row[key], {})
        names[row[key]] = row[name]
        stage = next(stage for stage, _, statuses, _ in STAGES if row["status"] in statuses)
        group[stage] = group.get(stage, 0) + float(row["money"] or 0)
    order = sorted(totals, key=lambda group: (-sum(totals[group].values()), names[group]))
    return [names[group] for group in order], {stage: [totals[g].get(stage, 0) for g in order] for stage, _, _, _ in STAGES}


def reference_progress(departments, *, year, tables_queryset):
    mine = FilteredRelation(
        "project_tables",
        condition=Q(project_tables__in=Subquery(tables_queryset.in_force().order_by().values("pk"))) & Q(project_tables__year__in=(year - 1, year)),
    )
    current = Q(mine__year=year)
    statuses = {
        "drafted": Q(mine__status=TableStatus.DRAFT), "in_review": Q(mine__status__in=IN_REVIEW_STATUSES),
        "returned": Q(mine__status=TableStatus.RETURNED), "approved": Q(mine__status=TableStatus.APPROVED),
    }
    last_review = Subquery(
        ReviewRecord.objects.filter(project__department=OuterRef("pk"), project__year=year, project__in=tables_queryset.order_by().values("pk"))
        .order_by("-at").values("at")[:1]
    )
    return departments.annotate(mine=mine).annotate(
        expected=Count("mine", filter=Q(mine__year=year - 1)),
        total=Count("mine", filter=current),
        **{name: Count("mine", filter=current & q) for name, q in statuses.items()},
        money_total=Sum("mine__funds_total", filter=current),
        **{f"money_{name.replace('drafted', 'draft')}": Sum("mine__funds_total", filter=current & q) for name, q in statuses.items()},
        average_score=Avg("mine__quality_score", filter=current),
    ).alias(last_edit=Max("mine__updated_at", filter=current), last_review=last_review).annotate(
        last_activity=Greatest(Coalesce("last_edit", "last_review"), Coalesce("last_review", "last_edit")),
    )


PROGRESS_FIELDS = [
    "pk", "expected", "total", "drafted", "in_review", "returned", "approved", "money_total", "money_draft",
    "money_in_review", "money_returned", "money_approved", "average_score", "last_activity",
]


@pytest.fixture
def varied(reference_data):
    """Five hand-made tables, a bulk-written region of 40, an adjustment under way and one approved."""
    data = five_tables()
    BudgetYear.objects.create(year=2024, submission_deadline=datetime.date(2024, 3, 31), framework=Framework.objects.get(code="2015"))
    region, tables = factories.overview_region(40, region_obj=data.region)
    for number, table in enumerate(tables[:6]):
        factories.finding(table, rule="vague_wording" if number % 2 else "satisfaction_full")
    approved = [table for table in tables if table.status == TableStatus.APPROVED]
    def staff(table):
        return factories.user(Role.UNIT_STAFF, unit=table.unit)

    project_start_adjustment(project=approved[0], by=staff(approved[0]), comment="调整")  # under way: version 1 in force
    second = project_start_adjustment(project=approved[1], by=staff(approved[1]), comment="调整")
    ProjectTable.objects.filter(pk=approved[1].pk).update(status=TableStatus.SUPERSEDED)
    ProjectTable.objects.filter(pk=second.pk).update(status=TableStatus.APPROVED)
    tallies.rebuild()  # the two updates above bypass the signals, as a bulk writer would without telling
    reviewer = factories.user(Role.DEPARTMENT_REVIEWER, department=data.d2)
    return data, reviewer


def test_the_dashboard_shows_what_the_tables_gave_for_every_scope(client, varied):
    data, reviewer = varied
    assert no_drift()
    deadline = datetime.date(2024, 3, 31)
    for person, key, name in ((data.finance, "department_id", "department__name"), (reviewer, "unit_id", "unit__name"), (data.staff2, None, None)):
        client.force_login(person)
        response = client.get(reverse("projects:dashboard"), {"year": 2024})
        charts, figures = response.context["charts"], response.context["figures"]
        tables = ProjectTable.objects.visible_to(person).filter(year=2024).in_force()
        status, grades, counts, findings, timeline, on_time = reference_charts(tables, 2024, deadline)
        assert {item["name"]: (item["value"], item["money"]) for item in charts["status"]["data"]} == status
        assert {item["name"]: (item["value"], item["count"]) for item in charts["grades"]["data"]} == grades
        assert [item["value"] for item in charts["scores"]["data"]] == [counts[f"band_{low}"] for low, _ in SCORE_BANDS]
        assert figures["average_score"] == pytest.approx(counts["average"])
        assert [(item["url"].split("rule=")[1].split("&")[0], item["value"], item["tables"]) for item in charts["findings"]["data"]] == findings
        cumulative = {}
        for series, action in zip(charts["timeline"]["series"], (ReviewAction.SUBMIT, ReviewAction.APPROVE)):
            days = sorted(day for a, day in timeline if a == action)
            cumulative[action] = [point["value"] for point in series["data"]]
            total, expected = 0, []
            for day in days:
                total += timeline[(action, day)]
                expected.append([day.isoformat(), total])
            assert cumulative[action] == expected
        assert figures["submitted_on_time"] == on_time
        if key:
            categories, stages = reference_groups(tables, key, name)
            assert charts["groups"]["categories"] == categories
            assert {s["name"]: [item["value"] for item in s["data"]] for s in charts["groups"]["series"]} == {
                label: stages[stage] for stage, label, _, _ in STAGES
            }


def test_the_progress_list_and_chase_show_what_the_tables_gave(client, varied):
    data, reviewer = varied
    for person in (data.finance, reviewer):
        client.force_login(person)
        response = client.get(reverse("projects:department_progress"), {"year": 2024})
        shown = {record.pk: record for record in response.context["table"].data}
        departments = Department.objects.visible_to(person)
        reference = reference_progress(departments, year=2024, tables_queryset=ProjectTable.objects.visible_to(person))
        assert shown
        for row in reference.values(*PROGRESS_FIELDS):
            record = shown[row["pk"]]
            for field in PROGRESS_FIELDS[1:]:
                value = getattr(record, field)
                assert value == pytest.approx(row[field]) if field == "average_score" and value is not None else value == row[field], field
        staffed = notify.unit_staff_of_any().filter(scope__unit=OuterRef("pk")).values("pk")
        submitted = ProjectTable.objects.filter(unit=OuterRef("pk"), year=2024, status__in=SUBMITTED)
        from projects.permissions import units_in_range

        expected = units_in_range(person).filter(~Exists(submitted), Exists(staffed)).order_by("name")
        assert list(units_not_submitted(person, 2024)) == list(expected)
        assert [unit.pk for unit in response.context["chase_units"]] == [unit.pk for unit in expected]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_unit_at_once_leave_no_drift(reference_data):
    unit = factories.unit()
    start = threading.Barrier(2)
    errors = []

    def write(number):
        try:
            start.wait()
            for index in range(5):
                with transaction.atomic():  # the refresh runs inside the writer's transaction
                    factories.project_table(unit, year=2024, name=f"并发项目{number}-{index}", funds_total=Decimal(number + index))
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert TableTally.objects.get(unit=unit, year=2024).tables == 10
    assert no_drift()


def test_generated_benchmark_data_has_its_tallies_counted(tmp_path):
    """bench/generate.py writes in bulk with the tallies paused and counts them at the end."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    url = f"sqlite:///{tmp_path / 'bench_generated.sqlite3'}"
    root = settings.BASE_DIR
    environment = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "bench/generate.py", "--tables", "120", "--database-url", url], cwd=root, check=True, capture_output=True)
    checked = subprocess.run(
        [sys.executable, "manage.py", "rebuild_tallies", "--check"], cwd=root, env=environment, capture_output=True, text=True
    )
    assert checked.returncode == 0 and "统计与表一致" in checked.stdout, checked.stdout + checked.stderr


def test_the_deploy_check_warns_while_tables_have_no_tallies(seeded):
    from projects.checks import tallies_check

    assert tallies_check() == []
    TableTally.objects.all().delete()
    assert [warning.id for warning in tallies_check()] == ["perfgoals.W002"]
    tallies.rebuild()
    assert tallies_check() == [] and no_drift()


def test_migrate_counts_the_tables_of_a_database_that_has_no_tallies_yet(seeded):
    """An installation upgraded to the tallies opens its overview on the real figures, not on zeros:
    the migrate that creates the tally tables counts what is there."""
    from django.core.management import call_command

    TableTally.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert TableTally.objects.exists() and no_drift()


def test_a_unit_moved_to_another_department_is_counted_where_its_tables_are_listed(client, seeded):
    """The people page lets an administrator move a unit to another 主管部门; its tables keep the department
    they were written in, and the old department's reviewers go on seeing them in the lists. The overview
    and the progress list count them there too, not under the unit's new department."""
    staff = user("pl_unit")
    client.force_login(staff)
    table = (
        ProjectTable.objects.visible_to(staff).filter(status=TableStatus.DRAFT, findings__isnull=False)
        .select_related("unit", "department").distinct().first()
    )
    unit, old = table.unit, table.department
    new = Department.objects.create(region=unit.region, code="990", name="新设主管部门")
    unit.department = new
    unit.save()
    edited = editor_post(table, funds_total="12.5", funds_fiscal="12.5")
    assert client.post(reverse("projects:project_edit", args=[table.pk]), edited).status_code == 302
    assert no_drift()
    assert set(TableTally.objects.filter(unit=unit, year=table.year).values_list("department", flat=True)) == {old.pk}
    assert set(CheckFinding.objects.filter(project=table).values_list("rule", flat=True))
    from projects.models import FindingTally

    assert set(FindingTally.objects.filter(unit=unit, year=table.year).values_list("department", flat=True)) == {old.pk}
    listed = ProjectTable.objects.filter(department=old, year=table.year).in_force().count()
    counted = sum(TableTally.objects.filter(department=old, year=table.year).values_list("tables", flat=True))
    assert counted == listed and not TableTally.objects.filter(department=new).exclude(tables=0).exists()
