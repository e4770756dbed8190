"""The import preview of a table that replaces a stored one lists old → new per changed field and per
changed 三级 row, and names the rows added and removed (issue 17 point 7); confirming still writes
all of it or nothing."""

import io
import re
from decimal import Decimal

from django.db import transaction
from openpyxl import load_workbook

from indicators.models import Indicator
from projects.excel import export_tables
from projects.models import DepartmentTarget, ProjectTable
from projects.review import document_diff
from projects.interchange import export_document
from tests.projects.test_excel_views import login, pingluo_table, upload

NAME = "纪检监察事务工作经费"


class _Undo(Exception):
    pass


def exported_after(change, layout="pingluo"):
    """The export of 平罗's table NAME as it stands after ``change(table)``, which is then undone: the
    file a unit would have after editing its table elsewhere."""
    content = {}
    try:
        with transaction.atomic():
            table = pingluo_table(NAME)
            change(table)
            content["file"] = export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), layout)
            raise _Undo
    except _Undo:
        pass
    return content["file"]


def edited_in_excel(content, edits):
    """The workbook with cells set as a user types them in Excel: ``edits`` maps the text printed left
    of (or in) a row to {column letter: new value}."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[1]
    for label, cells in edits.items():
        (row,) = [cells_row[0].row for cells_row in sheet.iter_rows() if any(cell.value == label for cell in cells_row)]
        for column, value in cells.items():
            sheet[f"{column}{row}"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview_of(client, content):
    location = upload(client, content)["Location"]
    return location, client.get(location).content.decode()


def rows_of(page):
    """The text of each row of the preview's change list, cells joined by " | "."""
    section = page.split('class="import-diff', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr class=\"diff-[a-z]+\">(.*?)</tr>", section, re.S)
    return [" | ".join(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)) for row in rows]


def test_a_changed_amount_and_value_are_listed_old_to_new_in_the_preview(seeded, client):
    login(client, "pl_unit")
    content = edited_in_excel(
        export_tables(ProjectTable.objects.filter(pk=pingluo_table(NAME).pk), DepartmentTarget.objects.none(), "pingluo"),
        {"年度资金总额：": {"D": 70}, "其中：财政拨款": {"D": 70}, "纪检监察工作满意度": {"E": "≥98%"}},
    )
    _, page = preview_of(client, content)
    rows = rows_of(page)
    assert "年度资金总额（万元） | 66 | 70" in rows
    assert "其中：财政拨款（万元） | 66 | 70" in rows
    assert "三级指标“纪检监察工作满意度”（服务对象满意度指标）· 指标值 | ≥95% | ≥98%" in rows
    assert len(rows) == 3  # nothing else is said to change
    # In the table's grid below, the changed row is marked where it stands.
    assert page.count('class="table-warning row-changed"') == 1
    assert "确认导入后将修改系统中现有的这张表：2 项内容、1 条三级指标修改" in page


def test_rows_added_and_removed_are_named_with_their_values(seeded, client):
    def change(table):
        Indicator.objects.filter(project=table, name="平罗县纪委监委网数量").delete()
        row = table.indicators.get(name="纪检监察工作满意度")
        Indicator.objects.create(project=table, level2=row.level2, name="群众来信办结率", value_text="≥98%", order=99)

    login(client, "pl_unit")
    _, page = preview_of(client, exported_after(change))
    rows = rows_of(page)
    assert "新增三级指标“群众来信办结率”（满意度指标 / 服务对象满意度指标） |  | ≥98%" in rows
    assert "删除三级指标“平罗县纪委监委网数量”（产出指标 / 数量指标） | 1家 | —" in rows
    assert "新增 1 条、删除 1 条" in page
    assert page.count('class="table-warning row-added"') == 1


def test_an_unchanged_table_says_so_and_lists_no_change(seeded, client):
    login(client, "pl_unit")
    _, page = preview_of(client, export_tables(ProjectTable.objects.filter(pk=pingluo_table(NAME).pk), DepartmentTarget.objects.none(), "pingluo"))
    assert "import-diff" not in page
    assert "与系统中现有的表相同，确认导入时不做修改。" in page


def test_confirming_the_previewed_changes_writes_every_one_of_them(seeded, client):
    def change(table):
        ProjectTable.objects.filter(pk=table.pk).update(funds_total=Decimal("70"), funds_fiscal=Decimal("70"))
        table.indicators.filter(name="纪检监察工作满意度").update(value_text="≥98%")

    login(client, "pl_unit")
    location, page = preview_of(client, exported_after(change))
    assert "年度资金总额（万元） | 66 | 70" in rows_of(page)
    client.post(location + "confirm/")
    table = pingluo_table(NAME)
    assert table.funds_total == Decimal("70")
    assert table.indicators.get(name="纪检监察工作满意度").value_text == "≥98%"


def test_a_file_without_our_hidden_marks_is_compared_by_name_and_rows_by_their_levels(seeded, client):
    """A table typed into another copy of the form (no hidden uids) still replaces the unit's table of
    the same name and year, and its rows are matched by 一级/二级/三级: only the real edits show."""
    workbook = load_workbook(io.BytesIO(export_tables(
        ProjectTable.objects.filter(pk=pingluo_table(NAME).pk), DepartmentTarget.objects.none(), "pingluo"
    )))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("perfgoals-"):
                    cell.value = None
    del workbook["_perfgoals"]
    sheet = workbook.worksheets[1]
    last = sheet.max_row + 1  # a row typed under the grid
    for column, value in zip("BCDE", ("满意度指标", "服务对象满意度指标", "群众来信办结率", "≥98%"), strict=True):
        sheet[f"{column}{last}"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = edited_in_excel(buffer.getvalue(), {"“清廉平罗”微信平台正常运行率": {"E": "≥95%"}})
    login(client, "pl_unit")
    _, page = preview_of(client, content)
    assert "三级指标““清廉平罗”微信平台正常运行率”（质量指标）· 指标值 | ≥90% | ≥95%" in rows_of(page)
    assert "新增三级指标“群众来信办结率”（满意度指标 / 服务对象满意度指标） |  | ≥98%" in rows_of(page)
    assert not any(row.startswith("删除") for row in rows_of(page))
    assert page.count('class="table-warning row-added"') == 1


def test_the_review_diff_and_the_preview_diff_are_one_comparison(seeded):
    """document_diff compares any two interchange documents: a department target's fields by their labels too."""
    target = DepartmentTarget.objects.get()
    before = export_document(ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk=target.pk))["department_targets"][0]
    after = {**before, "overall_goal": "新的总体目标", "funds": {**before["funds"], "total": "999"}}
    diff = document_diff(before, after, model=DepartmentTarget)
    assert {(change.label, change.new) for change in diff.fields} == {("总体绩效目标", "新的总体目标"), ("部门预算总额（万元）", "999")}


def test_a_dry_run_of_the_interchange_import_prints_each_change_old_to_new(seeded, tmp_path):
    """The command line's preview of a JSON interchange file: ``import_tables --dry-run`` says what each
    stored table would become, and writes nothing."""
    import json

    from django.core.management import call_command

    table = pingluo_table(NAME)
    document = export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())
    entry = document["project_tables"][0]
    entry["funds"]["total"] = entry["funds"]["fiscal"] = "70"
    row = next(row for row in entry["indicators"] if row["name"] == "纪检监察工作满意度")
    row["value"] = "≥98%"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_tables", "--dry-run", str(path), stdout=out)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert "将修改“纪检监察事务工作经费”（2023 年）：" in lines
    assert "年度资金总额（万元）：66 → 70" in lines
    assert "三级指标“纪检监察工作满意度”（服务对象满意度指标）指标值：≥95% → ≥98%" in lines
    assert pingluo_table(NAME).funds_total == Decimal("66")


def test_a_batch_check_lists_each_updated_tables_changes_old_to_new(seeded, client, django_capture_on_commit_callbacks):
    """The background import of many files shows the same changes file by file before its confirm."""
    from projects.tasks.imports import import_task
    from tests.projects.tasks.test_batch_import import pingluo_export, start_batch

    login(client, "pl_unit")
    content = pingluo_export({("1.县委巡查专项经费", "E17"): "≥95%"})
    checked = start_batch(client, django_capture_on_commit_callbacks, {"巡查经费.xlsx": content})
    import_task.call(checked.pk)
    checked.refresh_from_db()
    (table,) = [table for table in checked.results[0]["tables"] if table["action"] == "更新"]
    assert table["changes"] == ["三级指标“巡察工作信息化系统建设及维护按期完成率”（时效指标）指标值：≥98% → ≥95%"]
    from django.urls import reverse

    page = client.get(reverse("projects:task_progress", args=[checked.pk])).content.decode()
    assert table["changes"][0] in page


def test_a_department_targets_changes_are_listed_old_to_new_too(seeded, client):
    target = DepartmentTarget.objects.get()
    content = export_tables(ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk=target.pk), "department")
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[1]
    (row,) = [cells[0].row for cells in sheet.iter_rows() if cells[0].value == "总体绩效目标"]
    sheet[f"C{row}"] = "全年立案审查 120 件，办结率 100%。"
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "dz_unit")
    _, page = preview_of(client, buffer.getvalue())
    (line,) = [line for line in rows_of(page) if line.startswith("总体绩效目标 | ")]
    assert line.endswith(" | 全年立案审查 120 件，办结率 100%。") and target.overall_goal[:10] in line
