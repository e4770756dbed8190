"""Texts longer than an Excel cell holds (32,767 characters) survive an export and re-import whole, and
a file in which anything was cut is refused, never read as empty (issue 22, finding 4)."""

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from indicators.models import Indicator
from perfgoals.xlsx import CELL_LIMIT, excel_length
from projects import interchange
from projects.excel import export_tables, import_plan, read_file
from projects.excel.longtext import DATA_SHEET, PIECE, split
from projects.excel.writer import MARKER_SHEET, ROW_TAG, TABLE_TAG
from projects.models import DepartmentTarget, ProjectGoal, ProjectTable, SpendingCheckpoint
from tests.projects.excel_helpers import workbook_bytes

LONG_USE = "".join(f"第{number}项：购置办案设备、开展业务培训、保障信访接待。" for number in range(1, 1400))[:35000]


def document_of(table):
    return interchange.export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())


def saved(content):
    buffer = io.BytesIO()
    content.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def long_table(seeded):
    """平罗's first table with a project code, a spending plan and a 35,000-character 资金用途."""
    table = ProjectTable.objects.filter(region__code="640221").order_by("pk").first()
    ProjectTable.objects.filter(pk=table.pk).update(fund_use=LONG_USE, code="64022123P000123")
    for month, percent in ((6, 40), (12, 100)):
        SpendingCheckpoint.objects.create(project=table, month=month, cumulative_percent=percent)
    table.refresh_from_db()
    return table


def unit_staff():
    return get_user_model().objects.get(username="pl_unit")


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "flat"])
def test_an_unchanged_reimport_of_a_35000_character_fund_use_changes_nothing(long_table, layout):
    before = document_of(long_table)
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), layout)
    plan = read_file(content, user=unit_staff())
    assert plan.problems == []
    assert plan.document["project_tables"] == before["project_tables"]
    result = import_plan(plan)
    assert (result.updated, result.unchanged) == (0, 1)
    long_table.refresh_from_db()
    assert (long_table.fund_use, long_table.code) == (LONG_USE, "64022123P000123")
    assert document_of(long_table) == before


def every_text(content):
    workbook = load_workbook(io.BytesIO(content))
    return [(sheet.title, cell.coordinate, cell.value) for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou", "flat"])
def test_no_cell_of_an_export_reaches_the_excel_limit(long_table, layout):
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), layout)
    assert max(excel_length(text) for _, _, text in every_text(content)) < CELL_LIMIT


def test_a_printed_text_too_long_for_a_cell_is_marked_and_kept_whole(long_table):
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), "dingzhou")
    shown = [text for sheet, _, text in every_text(content) if text.startswith(LONG_USE[:100]) and sheet != DATA_SHEET]
    assert len(shown) == 1
    assert shown[0].startswith(LONG_USE[:30000])
    assert "全文 35000 字" in shown[0] and "隐藏" in shown[0]


@pytest.mark.parametrize(
    ("layout", "field"),
    [("pingluo", "goal"), ("dingzhou", "description"), ("flat", "note"), ("dingzhou", "long_term")],
)
def test_long_printed_texts_of_every_kind_come_back_whole(long_table, layout, field):
    text = "目标" + "保障全县纪检监察业务正常开展。" * 3000
    if field == "goal":
        ProjectGoal.objects.filter(project=long_table).update(text=text)
    elif field == "long_term":
        ProjectGoal.objects.create(project=long_table, kind="long_term", order=1, text=text)
    else:
        Indicator.objects.filter(project=long_table, order=1).update(**{field: text})
    before = document_of(long_table)
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), layout)
    plan = read_file(content, user=unit_staff())
    assert plan.problems == []
    assert plan.document["project_tables"] == before["project_tables"]


def test_a_long_overall_goal_of_a_department_target_comes_back_whole(seeded):
    target = DepartmentTarget.objects.get()
    DepartmentTarget.objects.filter(pk=target.pk).update(overall_goal="总体目标。" * 9000)
    before = interchange.export_document(ProjectTable.objects.none(), DepartmentTarget.objects.all())
    plan = read_file(export_tables(ProjectTable.objects.none(), DepartmentTarget.objects.all(), "department"), keep_status=True)
    assert plan.problems == []
    assert plan.document["department_targets"] == before["department_targets"]


def hidden_cells(workbook, tag):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(tag):
                    yield sheet, sheet.cell(cell.row, cell.column + 1)


def test_hidden_row_data_cut_by_excel_refuses_the_table_instead_of_reading_it_as_empty(long_table):
    """A file written before this was fixed: the row data cut at 32,767 characters. Re-importing it
    erased the code, 资金用途 and spending plan; now the table is refused, naming sheet and cell."""
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), "pingluo")
    workbook = load_workbook(io.BytesIO(content))
    sheet, data_cell = next(hidden_cells(workbook, TABLE_TAG))
    data_cell.value = '{"fund_use": "' + LONG_USE[:32000]
    del workbook[DATA_SHEET]
    plan = read_file(saved(workbook), user=unit_staff())
    assert not plan.ok
    assert plan.problems_of(plan.tables[0]) == plan.problems
    message = str(plan.problems[0])
    assert f"工作表“{sheet.title}” {data_cell.coordinate}" in message and "隐藏数据" in message
    with pytest.raises(interchange.InterchangeError):
        import_plan(plan)
    long_table.refresh_from_db()
    assert (long_table.fund_use, long_table.code) == (LONG_USE, "64022123P000123")


def test_a_missing_piece_of_long_hidden_data_refuses_the_table(long_table):
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), "pingluo")
    workbook = load_workbook(io.BytesIO(content))
    data = workbook[DATA_SHEET]
    data.delete_rows(data.max_row)
    plan = read_file(saved(workbook), user=unit_staff())
    assert any("隐藏数据" in str(problem) and "不完整" in str(problem) for problem in plan.problems_of(plan.tables[0]))


def test_deleted_hidden_row_data_refuses_the_table(long_table):
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), "pingluo")
    workbook = load_workbook(io.BytesIO(content))
    _, data_cell = next(hidden_cells(workbook, ROW_TAG))
    data_cell.value = None
    plan = read_file(saved(workbook), user=unit_staff())
    assert any(data_cell.coordinate in str(problem) and "隐藏数据" in str(problem) for problem in plan.problems_of(plan.tables[0]))


def test_an_edited_shortened_cell_is_refused_rather_than_read_in_part(long_table):
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), "dingzhou")
    workbook = load_workbook(io.BytesIO(content))
    sheet = next(s for s in workbook.worksheets if s.title not in (MARKER_SHEET, DATA_SHEET, "汇总"))
    cell = next(c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(LONG_USE[:50]))
    cell.value = "已修改：" + cell.value
    plan = read_file(saved(workbook), user=unit_staff())
    assert any(cell.coordinate in str(problem) and "32767" in str(problem) for problem in plan.problems_of(plan.tables[0]))


def test_a_cell_of_another_system_at_the_excel_limit_is_flagged_as_cut(reference_data):
    cut = "资金用途" * (CELL_LIMIT // 4) + "资金用"
    assert len(cut) == CELL_LIMIT
    content = workbook_bytes(
        [
            ["项目名称", "培训经费"],
            ["实施单位", "某单位"],
            ["年度总体目标", cut],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "培训人数", "100 人"],
        ]
    )
    plan = read_file(content, year=2024)
    assert any("B3" in str(problem) and "32767" in str(problem) for problem in plan.problems)


# Labels are taken off only where the layout printed them.


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou"])
def test_a_text_that_begins_with_a_label_comes_back_as_written(seeded, layout):
    table = ProjectTable.objects.filter(region__code="640221").order_by("pk").first()
    ProjectTable.objects.filter(pk=table.pk).update(fund_use="资金用途：培训", period="项目期：1 年")
    ProjectGoal.objects.filter(project=table).delete()
    ProjectGoal.objects.create(project=table, kind="annual", order=1, text="年度总体目标：完成培训")
    ProjectGoal.objects.create(project=table, kind="long_term", order=1, text="中长期目标：持续提升")
    before = document_of(table)
    content = export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), layout)
    plan = read_file(content, user=unit_staff())
    assert plan.problems == []
    got = plan.document["project_tables"][0]
    assert got["goals"] == {"annual": ["年度总体目标：完成培训"], "long_term": ["中长期目标：持续提升"]}
    assert (got["fund_use"], got["period"]) == ("资金用途：培训", "项目期：1 年")
    assert plan.document["project_tables"] == before["project_tables"]


def test_the_unit_line_the_dingzhou_layout_prints_still_reads_as_the_unit(seeded):
    table = ProjectTable.objects.filter(region__code="640221").order_by("pk").first()
    content = export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), "dingzhou")
    assert any(text == f"实施单位：{table.unit.name}" for _, _, text in every_text(content))
    plan = read_file(content, user=unit_staff())
    assert plan.problems == []
    assert plan.document["project_tables"] == document_of(table)["project_tables"]


def test_one_goal_written_with_inline_numbers_stays_one_goal(seeded):
    table = ProjectTable.objects.filter(region__code="640221").order_by("pk").first()
    ProjectGoal.objects.filter(project=table).delete()
    ProjectGoal.objects.create(project=table, kind="annual", order=1, text="目标 1：完成培训；目标 2：提升能力")
    content = export_tables(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none(), "pingluo")
    plan = read_file(content, user=unit_staff())
    assert plan.document["project_tables"][0]["goals"]["annual"] == ["目标 1：完成培训；目标 2：提升能力"]


@pytest.mark.parametrize("fund_use", ["购置办案设备", LONG_USE])
def test_a_flat_list_with_its_first_row_deleted_keeps_the_tables_unprinted_fields(long_table, fund_use):
    """The flat list is a list to filter and sort: its table fields that are not printed (资金用途,
    goals, spending plan …) must not depend on the first row staying first, or staying at all."""
    ProjectTable.objects.filter(pk=long_table.pk).update(fund_use=fund_use)
    before = document_of(long_table)["project_tables"][0]
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), "flat")
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["指标清单"]
    sheet.delete_rows(2)  # the first indicator row, right under the header
    plan = read_file(saved(workbook), user=unit_staff())
    assert plan.problems == []
    got = plan.document["project_tables"][0]
    assert {k: v for k, v in got.items() if k != "indicators"} == {k: v for k, v in before.items() if k != "indicators"}
    assert got["indicators"] == before["indicators"][1:]


@pytest.mark.parametrize("layout", ["pingluo", "dingzhou"])
def test_long_text_outside_the_bmp_fits_excel_which_counts_such_characters_twice(long_table, layout):
    ProjectTable.objects.filter(pk=long_table.pk).update(fund_use="𠀀𠀁𠀂" * 7000)
    before = document_of(long_table)
    content = export_tables(ProjectTable.objects.filter(pk=long_table.pk), DepartmentTarget.objects.none(), layout)
    assert max(excel_length(text) for _, _, text in every_text(content)) < CELL_LIMIT
    plan = read_file(content, user=unit_staff())
    assert plan.problems == []
    assert plan.document["project_tables"] == before["project_tables"]


def test_no_piece_starts_like_a_hidden_tag_which_the_reader_would_set_aside():
    text = "甲" * PIECE + ROW_TAG + "x" + "乙" * PIECE + TABLE_TAG
    pieces = split(text)
    assert "".join(pieces) == text
    assert all(len(piece) <= PIECE and not piece.startswith((TABLE_TAG, ROW_TAG)) for piece in pieces)
