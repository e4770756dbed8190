"""The export's xlsx file written sheet by sheet (projects/excel/package.py): the same file openpyxl's
own save writes, the 汇总 first with links to every sheet, and a worker's memory that does not grow
with the number of tables (issue 20: a province's 20,000 tables under 300 MB)."""

import gc
import io
import re
import tracemalloc
import zipfile

from openpyxl import Workbook, load_workbook

from projects import interchange
from projects.excel.package import StreamedWorkbook
from projects.excel.writer import SUMMARY_SHEET, WorkbookWriter, workbook_bytes
from projects.models import DepartmentTarget, ProjectTable

# Names Excel allows that XML must escape, a hidden sheet, print titles and area, a filter, a link.
SHEETS = [
    ("汇总", "visible", "1:2", "A1:K5", None),
    ("1.a&b<c>\"d\"", "visible", "1:3", "A1:F40", None),
    ("部门整体1.x'y", "hidden", None, "A1:C9", None),
    ("指标清单", "visible", "1:1", None, "A1:D3"),
    ("_perfgoals", "veryHidden", None, None, None),
]


def fill(sheet, title, state, titles, area, filter_ref):
    sheet.sheet_state = state
    sheet.column_dimensions["A"].width = 12
    if titles:
        sheet.print_title_rows = titles
    if area:
        sheet.print_area = area
    if filter_ref:
        sheet.auto_filter.ref = filter_ref
    sheet.append([title, 1, 2.5, "长文本\n第二行"])
    sheet.append(["链接"])


def parts(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        found = {name: archive.read(name) for name in archive.namelist()}
    # When it was written: the only difference two saves of one workbook may have.
    found["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT[\d:]+Z", b"T", found["docProps/core.xml"])
    return found


def test_the_streamed_file_holds_the_parts_openpyxls_own_save_writes_byte_for_byte():
    own = Workbook(write_only=True)
    for spec in SHEETS:
        fill(own.create_sheet(spec[0]), *spec)
    saved = io.BytesIO()
    own.save(saved)

    streamed = io.BytesIO()
    book = StreamedWorkbook(streamed)
    for spec in SHEETS:
        sheet = book.create_sheet(spec[0])
        fill(sheet, *spec)
        book.finish(sheet)
    book.close()

    assert parts(streamed.getvalue()) == parts(saved.getvalue())


def test_a_sheet_placed_first_opens_first_with_its_print_settings_though_finished_last():
    streamed = io.BytesIO()
    book = StreamedWorkbook(streamed)
    opened = {}
    for spec in SHEETS[1:]:
        opened[spec[0]] = sheet = book.create_sheet(spec[0])
        fill(sheet, *spec)
    book.finish(opened["部门整体1.x'y"])  # finished before the sheet in front of it: waits for it
    summary = book.create_sheet(SHEETS[0][0], first=True)
    fill(summary, *SHEETS[0])
    book.finish(opened["1.a&b<c>\"d\""])
    book.close()  # the rest, and the summary, finished here

    workbook = load_workbook(io.BytesIO(streamed.getvalue()))
    assert [(sheet.title, sheet.sheet_state) for sheet in workbook.worksheets] == [(s[0], s[1]) for s in SHEETS]
    assert workbook.active.title == "汇总"
    first, table, target, flat = workbook.worksheets[:4]
    assert first.print_title_rows == "$1:$2" and first.print_area == "'汇总'!$A$1:$K$5"
    assert table.print_title_rows == "$1:$3" and table["A1"].value == "1.a&b<c>\"d\""
    assert target.print_area == "'部门整体1.x''y'!$A$1:$C$9"
    assert flat.auto_filter.ref == "A1:D3" and flat["D1"].value == "长文本\n第二行"


def test_the_summary_lists_every_table_first_and_links_each_to_its_sheet(seeded):
    tables = ProjectTable.objects.filter(region__code="640221")
    workbook = load_workbook(io.BytesIO(workbook_bytes(interchange.export_document(tables, DepartmentTarget.objects.none()), "pingluo")))
    summary = workbook.worksheets[0]
    assert summary.title == SUMMARY_SHEET
    names = [summary.cell(row, 2).value for row in range(3, 3 + tables.count())]
    assert names == [sheet.title for sheet in workbook.worksheets[1 : 1 + tables.count()]]
    for row, name in enumerate(names, 3):
        link = summary.cell(row, 2).hyperlink
        assert link.location == f"'{name}'!A1" and not link.target  # a place in this workbook, no outside file


def test_a_worker_writing_more_tables_holds_no_more_memory(seeded, tmp_path):
    """What stays in memory once a table's sheet is written must not add up: 20,000 tables at the
    14 KB each openpyxl's workbook kept came to 280 MB. Measured between the parts the export reads
    (200 tables each in a worker; 60 here), after 60 and after 360 tables."""
    first = ProjectTable.objects.filter(region__code="640221").first()
    table = interchange.export_document(ProjectTable.objects.filter(pk=first.pk), DepartmentTarget.objects.none())
    held = []

    def documents():
        for _ in range(7):
            yield {**table, "project_tables": table["project_tables"] * 60}
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])

    tracemalloc.start()
    try:
        with open(tmp_path / "export.xlsx", "wb") as target:
            WorkbookWriter("pingluo", target).write(documents())
    finally:
        tracemalloc.stop()
    per_table = (held[5] - held[0]) / 300
    assert per_table < 1500, f"{per_table:.0f} bytes more held for each table written"
    with zipfile.ZipFile(tmp_path / "export.xlsx") as archive:
        assert sum(name.startswith("xl/worksheets/sheet") for name in archive.namelist()) == 420 + 2
