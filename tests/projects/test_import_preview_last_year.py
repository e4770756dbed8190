"""The import preview runs the last-year checks the editor runs (issue 19 point 3): a unit importing
next year's table whose target is below what last year's self-evaluation says was achieved sees the
finding before it confirms."""

from django.db import transaction

from projects import services
from projects.excel import export_tables
from projects.models import DepartmentTarget, ProjectTable, TableStatus
from tests.evaluation.helpers import MET
from tests.projects.test_excel_views import upload
from tests.projects.test_memory import SHORT, evaluated


class _Undo(Exception):
    pass


def next_years_file(last, by, change=None):
    """The pingluo file of next year's table as the unit prepared it (a copy of ``last``, changed by
    ``change``), without that table being in the database: it is the import that would make it."""
    content = {}
    try:
        with transaction.atomic():
            copy = services.project_copy_to_year(project=last, year=last.year + 1, by=by)
            if change:
                change(copy)
            content["file"] = export_tables(ProjectTable.objects.filter(pk=copy.pk), DepartmentTarget.objects.none(), "pingluo")
            raise _Undo
    except _Undo:
        pass
    return content["file"]


def preview(client, user, content):
    client.force_login(user)
    return client.get(upload(client, content)["Location"]).content.decode()


def test_a_target_below_last_years_actual_is_a_finding_of_the_preview(seeded, client):
    last, people = evaluated(("6 期", *MET[1:]))
    page = preview(client, people["staff"], next_years_file(last, people["staff"]))
    assert not ProjectTable.objects.filter(year=last.year + 1, unit=last.unit).exists()
    assert "指标值“≥ 4 期”低于2024年的实际完成值“6 期”" in page
    assert "第 1 条指标：第 1 行" not in page  # the row is named once


def test_a_target_copied_unchanged_after_a_miss_is_a_finding_of_the_preview(seeded, client):
    last, people = evaluated(SHORT)
    page = preview(client, people["staff"], next_years_file(last, people["staff"]))
    assert "2024年定为“≥ 4 期”，实际只完成“3 期”" in page


def test_raising_the_target_in_the_file_quiets_the_finding(seeded, client):
    last, people = evaluated(("6 期", *MET[1:]))

    def raise_target(copy):
        copy.indicators.filter(name="举办业务培训期数").update(value_text="≥ 6 期", value_number=6)

    page = preview(client, people["staff"], next_years_file(last, people["staff"], raise_target))
    assert "低于2024年的实际完成值“6 期”" not in page


def test_an_import_updating_this_years_stored_copy_is_checked_against_last_year_too(seeded, client):
    """The table already copied into next year and changed in Excel: the stored copy's own link to last
    year's table finds the results, whatever the file's rows are named."""
    last, people = evaluated(("6 期", *MET[1:]))
    copy = services.project_copy_to_year(project=last, year=last.year + 1, by=people["staff"])
    assert copy.status == TableStatus.DRAFT
    content = export_tables(ProjectTable.objects.filter(pk=copy.pk), DepartmentTarget.objects.none(), "pingluo")
    page = preview(client, people["staff"], content)
    assert "与系统中现有的表相同" in page
    assert "指标值“≥ 4 期”低于2024年的实际完成值“6 期”" in page
