import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from projects.findings import FINDING_FIELDS, projects_recheck
from indicators.models import CheckFinding, Indicator
from perfgoals.roles import Role
from projects import interchange
from projects.models import (
    Department,
    DepartmentSubTarget,
    DepartmentTarget,
    ProjectGoal,
    ProjectTable,
    Region,
    SpendingCheckpoint,
    Unit,
    UserScope,
)
from tests import factories


def export_all():
    return interchange.dumps(interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.all()))


def empty_the_database():
    """Everything but the reference data goes, as in a fresh installation."""
    UserScope.objects.all().delete()
    Indicator.objects.all().delete()
    ProjectTable.objects.all().delete()
    DepartmentTarget.objects.all().delete()
    Unit.objects.all().delete()
    Department.objects.all().delete()
    Region.objects.all().delete()


def test_export_import_export_of_both_seeds_is_byte_identical(seeded, tmp_path):
    first = tmp_path / "first.json"
    call_command("export_tables", "--format", "json", "-o", str(first), verbosity=0)
    empty_the_database()
    assert ProjectTable.objects.count() == 0
    call_command("import_tables", "--format", "json", str(first), verbosity=0)
    second = tmp_path / "second.json"
    call_command("export_tables", "--format", "json", "-o", str(second), verbosity=0)
    assert second.read_bytes() == first.read_bytes()
    document = json.loads(first.read_text(encoding="utf-8"))
    assert len(document["project_tables"]) == 15
    assert len(document["department_targets"]) == 1


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--region", "640221"], 5),
        (["--region", "130682"], 10),
        (["--department", "222"], 10),
        (["--department", "平罗县纪律检查委员会"], 5),
        (["--year", "2022"], 10),
        (["--year", "2023", "--region", "130682"], 0),
    ],
)
def test_export_is_limited_to_the_requested_scope(seeded, tmp_path, args, names):
    out = tmp_path / "scope.json"
    call_command("export_tables", "--format", "json", *args, "-o", str(out), verbosity=0)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["project_tables"]) == names


def test_export_writes_money_as_exact_shortest_decimal_strings(seeded):
    document = json.loads(export_all())
    special = next(t for t in document["project_tables"] if t["name"] == "特邀监察员经费")
    assert special["funds"] == {"total": "1.2", "fiscal": "1.2", "other": None, "breakdown": []}
    security = next(t for t in document["project_tables"] if t["name"] == "安保经费")
    assert security["funds"]["total"] == "19.56"
    assert security["spending_plan"] == [
        {"month": 3, "percent": "25"},
        {"month": 6, "percent": "50"},
        {"month": 10, "percent": "75"},
        {"month": 12, "percent": "100"},
    ]


def test_import_writes_nothing_when_one_table_is_invalid(seeded):
    document = json.loads(export_all())
    empty_the_database()
    document["project_tables"][3]["indicators"][2]["level2"] = "不存在的二级"
    document["project_tables"][7]["funds"]["total"] = "十九万"
    with pytest.raises(interchange.InterchangeError) as raised:
        interchange.import_document(document)
    problems = raised.value.problems
    assert len(problems) == 2
    assert "第 4 张项目表" in problems[0] and "第 3 行指标" in problems[0] and "不存在的二级" in problems[0]
    assert "第 8 张项目表" in problems[1] and "十九万" in problems[1]
    assert ProjectTable.objects.count() == 0
    assert Region.objects.count() == 0


def test_import_command_reports_problems_in_chinese_and_changes_nothing(seeded, tmp_path):
    before = export_all()
    bad = tmp_path / "bad.json"
    document = json.loads(before)
    document["project_tables"][0]["name"] = "改过的名字"
    document["project_tables"][1]["framework"] = "1999"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="指标体系“1999”不存在"):
        call_command("import_tables", "--format", "json", str(bad), verbosity=0)
    assert export_all() == before


def test_import_of_broken_json_names_the_line(db, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{\n  "format": "perfgoals-tables",\n  "version": 1,\n  oops\n}', encoding="utf-8")
    with pytest.raises(CommandError, match="第 4 行"):
        call_command("import_tables", "--format", "json", str(bad), verbosity=0)


def test_reimport_with_the_same_uids_replaces_instead_of_duplicating(seeded):
    document = json.loads(export_all())
    document["project_tables"][0]["indicators"][0]["value"] = "2 家"
    result = interchange.import_document(document)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 15)
    assert ProjectTable.objects.count() == 15
    table = ProjectTable.objects.get(uid=document["project_tables"][0]["uid"])
    first = table.indicators.order_by("order").first()
    assert (first.value_text, first.value_number, first.value_unit) == ("2 家", 2, "家")


def test_a_table_with_another_tables_name_in_the_same_unit_and_year_is_refused(seeded):
    document = json.loads(export_all())
    copy = dict(document["project_tables"][0], uid=None)
    document["project_tables"].append(copy)
    with pytest.raises(interchange.InterchangeError, match=r"已有 20\d\d 年同名项目表"):
        interchange.import_document(document)


def test_reimporting_an_unchanged_export_writes_nothing(seeded):
    document = json.loads(export_all())
    stamps = dict(ProjectTable.objects.values_list("uid", "updated_at"))
    indicator_ids = list(Indicator.objects.order_by("pk").values_list("pk", "uid"))
    result = interchange.import_document(document)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 16)
    assert result.indicators_created == result.indicators_updated == result.indicators_deleted == 0
    assert dict(ProjectTable.objects.values_list("uid", "updated_at")) == stamps
    assert list(Indicator.objects.order_by("pk").values_list("pk", "uid")) == indicator_ids


def test_a_changed_indicator_is_updated_in_place_and_keeps_its_row(seeded):
    document = json.loads(export_all())
    table = document["project_tables"][0]
    changed, removed = table["indicators"][1], table["indicators"][-1]
    kept_pk = Indicator.objects.get(uid=changed["uid"]).pk
    changed["value"] = "≥ 3 个"
    del table["indicators"][-1]
    table["indicators"].append({"level1": "产出指标", "level2": "数量指标", "name": "新增的指标", "value": "5 次"})
    result = interchange.import_document(document)
    assert (result.updated, result.unchanged) == (1, 15)
    assert (result.indicators_created, result.indicators_updated, result.indicators_deleted) == (1, 1, 1)
    row = Indicator.objects.get(uid=changed["uid"])
    assert (row.pk, row.value_text, row.value_number) == (kept_pk, "≥ 3 个", 3)
    assert not Indicator.objects.filter(uid=removed["uid"]).exists()
    assert Indicator.objects.filter(project__uid=table["uid"], name="新增的指标").exists()


def test_an_indicator_uid_of_another_table_is_refused(seeded):
    document = json.loads(export_all())
    first, second = document["project_tables"][0], document["project_tables"][1]
    second["indicators"].append(dict(first["indicators"][0]))
    with pytest.raises(interchange.InterchangeError, match="属于另一张表"):
        interchange.import_document(document)


def test_two_new_tables_with_the_same_name_in_one_document_are_refused(seeded):
    """New tables are created together at the end of an import; the names they take are still
    known while the document is checked."""
    document = json.loads(export_all())
    empty_the_database()
    first = document["project_tables"][0]
    copy = dict(first, uid=None, code="", indicators=[dict(row, uid=None) for row in first["indicators"]])
    document["project_tables"].append(copy)
    with pytest.raises(interchange.InterchangeError, match=r"已有 20\d\d 年同名项目表"):
        interchange.import_document(document)
    assert not ProjectTable.objects.exists()


def test_an_indicator_uid_shared_by_two_new_tables_is_refused(seeded):
    document = json.loads(export_all())
    empty_the_database()
    first, second = document["project_tables"][0], document["project_tables"][1]
    second["indicators"].append(dict(first["indicators"][0]))
    with pytest.raises(interchange.InterchangeError, match="属于另一张表"):
        interchange.import_document(document)


def test_each_created_table_gets_one_creation_record_in_its_history(seeded):
    document = json.loads(export_all())
    empty_the_database()
    started = timezone.now()
    interchange.import_document(document)
    records = ProjectTable.history.model.objects.filter(history_date__gte=started)
    assert records.count() == ProjectTable.objects.count() == len(document["project_tables"])
    assert set(records.values_list("history_type", "history_change_reason")) == {("+", None)}
    assert set(records.values_list("uid", flat=True)) == set(ProjectTable.objects.values_list("uid", flat=True))


@pytest.mark.parametrize("model", [Indicator, ProjectGoal, SpendingCheckpoint, DepartmentSubTarget])
def test_each_imported_row_gets_one_creation_record_by_the_importer_with_its_values(seeded, model):
    document = json.loads(export_all())
    empty_the_database()
    importer = factories.user(Role.ADMINISTRATOR)
    started = timezone.now()
    interchange.import_document(document, by=importer)
    history = model.history.model
    fields = [field.attname for field in history.tracked_fields]
    rows = {row["id"]: row for row in model.objects.values(*fields)}
    records = list(
        history.objects.filter(history_date__gte=started).values(
            *fields, "history_type", "history_user", "history_change_reason", "history_date"
        )
    )
    assert rows and sorted(record["id"] for record in records) == sorted(rows)
    who = {(record["history_type"], record["history_user"], record["history_change_reason"]) for record in records}
    assert who == {("+", importer.pk, "导入")}
    assert len({record["history_date"] for record in records}) == 1
    for record in records:
        assert {name: record[name] for name in fields} == rows[record["id"]]


def test_imported_tables_are_checked_and_scored_at_once(seeded):
    document = json.loads(export_all())
    empty_the_database()
    interchange.import_document(document)
    assert not ProjectTable.objects.filter(quality_score__isnull=True).exists()
    assert ProjectTable.objects.get(name="纪委全会经费").get_quality_grade_display() == "差"


def stored_checks():
    """Every stored finding (with its id) and every table's score and grade."""
    return (
        list(CheckFinding.objects.order_by("id").values_list("id", "project_id", *FINDING_FIELDS)),
        list(ProjectTable.objects.order_by("id").values_list("id", "quality_score", "quality_grade")),
    )


def test_imported_tables_are_stored_with_exactly_what_a_recheck_from_the_database_finds(seeded):
    """New tables are checked from what the import wrote, without reading it back: the findings and
    scores stored must be the ones checking the stored rows gives, so a recheck changes nothing. The
    document has amounts and values with more places than the columns keep (those tables are read
    back), and one table twice (written twice, checked as finally stored)."""
    document = json.loads(export_all())
    tables = document["project_tables"]
    tables[0]["funds"] = {"total": "12.5", "fiscal": "12.5", "other": None}
    tables[0]["spending_plan"] = [{"month": 6, "percent": "33.3"}, {"month": 12, "percent": "100"}]
    tables[0]["indicators"][0]["value"] = "≥ 90.5%"
    tables[1]["funds"] = {"total": "0.12345600", "fiscal": "0.1234560", "other": None}  # 6 places kept (more are refused)
    tables[2]["indicators"][0]["value"] = "1.234567891 万元"  # rounded to 6 places
    tables[3]["spending_plan"] = [{"month": 12, "percent": "99.999"}]  # rounded to 2 places
    again = json.loads(json.dumps(tables[4]))
    again["indicators"] = again["indicators"][:-1]
    tables.append(again)
    empty_the_database()
    interchange.import_document(document)
    imported = stored_checks()
    assert len(imported[0]) > 20 and all(score is not None for _, score, _ in imported[1])
    projects_recheck(ProjectTable.objects.all())
    assert stored_checks() == imported
