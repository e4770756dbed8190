"""Benchmark: export and import 1,000 generated target tables as Excel, beside openpyxl alone.

    .venv/bin/python bench/bench_excel.py [--tables 1000] [--layout pingluo] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_excel.py

The database: a SQLite file in a temporary folder (never db.sqlite3); or, when DATABASE_URL (or
``--database-url``) names a PostgreSQL server, a database of its own created there
(perfgoals_bench_excel_<pid>) and dropped at the end; the database named in the URL is not touched,
and its role must be allowed to create databases (bench/postgres.sh sets that up). Into it go the
migrations, the reference data and ``--tables`` generated tables shaped like the seeds.
Settings are the production ones (DEBUG=0), as in bench_pages.py: with DEBUG on Django keeps a log of
every query, which a deployment does not.

Each run times, one after the other, on the same tables:
- export (query + write): export_tables of every table in ``--layout``;
- read (parse + resolve, no writes): read_file of that export;
- import of the unchanged file (read + compare): read, then import_plan, which finds every table
  unchanged and writes nothing;
- import into an empty database (read + create): the tables deleted (not timed), then the file read
  and imported, creating every table, row and history record.

Beside them, openpyxl alone, given everything it must write or read and nothing else to do:
- write: the same workbook: every sheet, cell value and type, cell style, merged range, column width,
  hidden column, row height, frozen and repeated title rows, print area, A4 setup, link and the very
  hidden sheet, all taken from the export before the runs; in write-only mode with each style
  registered once, as perfgoals writes;
- read: the export read back as openpyxl's documentation advises for large files (load_workbook in
  read-only mode, iter_rows), every cell's value. perfgoals reads the cells of each sheet with expat
  itself (projects/excel/cells.py), the same values, without openpyxl's per-cell objects.

Printed: medians over the runs of wall-clock seconds and of this process's CPU seconds (steadier when
others use the machine, but without the PostgreSQL server's own work), and the ratios of the medians.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from copy import copy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import percentile  # noqa: E402
from bench.databases import is_postgresql, postgresql_database  # noqa: E402


@contextmanager
def bench_database(database_url=None):
    """A database URL of the benchmark's own: a SQLite file, or a PostgreSQL database created on the
    server of ``database_url`` and dropped afterwards."""
    database_url = database_url or os.environ.get("DATABASE_URL", "")
    if is_postgresql(database_url):
        with postgresql_database(database_url, "excel") as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


def setup_django(database_url):
    from bench.bench_pages import production_environment

    production_environment(database_url)  # DEBUG off, as a deployment runs: no query log kept
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", str(ROOT / "fixtures" / "reference.json"), verbosity=0)
    # The worker as gunicorn loads it (perfgoals/wsgi.py): the loaded app frozen out of the garbage
    # collector's sight, young objects collected less often. openpyxl alone runs in this process too.
    import perfgoals.wsgi  # noqa: F401


def generated_document(count):
    """``count`` tables shaped like the seeds: nine to fifteen indicators, goals, funds, a spending plan."""
    from indicators.models import Level2

    pairs = [(l2.level1.name, l2.name) for l2 in Level2.objects.filter(level1__framework__code="2015").select_related("level1")]
    values = ["≥90%", "1 家", "66万元", "显著提高", "2023年底", "100%", "≥ 1 次", "10 名"]
    tables = []
    for number in range(count):
        rows = []
        for index in range(9 + number % 7):
            level1, level2 = pairs[index % len(pairs)]
            rows.append({
                "level1": level1, "level2": level2, "name": f"第{number}号项目的第{index}项指标（用于性能测试）",
                "description": f"指标说明{index}" if number % 2 else "", "value": values[(number + index) % len(values)],
                "basis": "plan" if index % 3 == 0 else "", "basis_text": "" if index % 3 == 0 else "是否合格",
                "weight": None, "note": "",
            })
        tables.append({
            "region": "640999", "department": "测试县财政局", "unit": "测试县财政局本级", "year": 2024,
            "name": f"性能测试项目{number:04d}", "code": f"64099924P{number:012d}", "attribute": "0101", "period": "1 年",
            "funds": {"total": f"{number % 97 + 1}.56", "fiscal": f"{number % 97 + 1}.56", "other": None},
            "fund_use": "项目经费", "spending_plan": [{"month": m, "percent": p} for m, p in ((3, "25"), (6, "50"), (10, "75"), (12, "100"))],
            "goals": {"annual": ["完成年度工作任务", "提升工作质量和效率", "保障资金使用安全"], "long_term": []},
            "framework": "2015", "no_direct_beneficiaries": False, "status": "draft", "version": 1, "indicators": rows,
        })
    return {
        "format": "perfgoals-tables", "version": 1,
        "organisations": {
            "regions": [{"code": "640999", "name": "测试县"}],
            "departments": [{"region": "640999", "code": "042", "name": "测试县财政局"}],
            "units": [{"region": "640999", "department": "测试县财政局", "code": "042001", "name": "测试县财政局本级",
                       "is_department_office": True}],
        },
        "project_tables": tables, "department_targets": [],
    }


def timed(function, *args):
    """(wall seconds, CPU seconds, value) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, value


# openpyxl alone


def workbook_spec(content):
    """Everything openpyxl has to write to produce this workbook, read from it beforehand (not timed).
    Cells and their styles come from a read-only pass, which sees the file as it is (a normal load
    restyles the cells under merged ranges); the rest from a normal load."""
    from openpyxl import load_workbook

    styles = {}  # style id in the file → (font, border, alignment, number format)
    cells = []
    source = load_workbook(io.BytesIO(content), read_only=True)
    for sheet in source.worksheets:
        rows = []
        for row in sheet.iter_rows():
            line = []
            for cell in row:
                style = getattr(cell, "_style_id", 0)
                if cell.value is None and not style:
                    continue
                if style and style not in styles:
                    styles[style] = (copy(cell.font), copy(cell.border), copy(cell.alignment), cell.number_format)
                line.append((cell.column, cell.value, style))
            rows.append(line)
        cells.append(rows)
    source.close()
    full = load_workbook(io.BytesIO(content))
    sheets = []
    for sheet, rows in zip(full.worksheets, cells, strict=True):
        links = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.hyperlink is not None:
                    links[(cell.row, cell.column)] = cell.hyperlink.target
        setup = sheet.page_setup
        margins = sheet.page_margins
        sheets.append({
            "title": sheet.title,
            "state": sheet.sheet_state,
            "rows": rows,
            "links": links,
            "heights": {index: dimension.height for index, dimension in sheet.row_dimensions.items() if dimension.height},
            "columns": {letter: (dimension.width, dimension.hidden) for letter, dimension in sheet.column_dimensions.items()},
            "merges": [str(merged) for merged in sheet.merged_cells.ranges],
            "freeze": sheet.freeze_panes,
            "print_area": sheet.print_area.rsplit("!", 1)[-1].replace("$", "") if sheet.print_area else None,
            "print_title_rows": sheet.print_title_rows,
            "page": (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight),
            "fit_to_page": bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage),
            "centered": sheet.print_options.horizontalCentered,
            "margins": (margins.left, margins.right, margins.top, margins.bottom),
            "grid_lines": sheet.sheet_view.showGridLines,
            "auto_filter": sheet.auto_filter.ref,
        })
    return {"styles": styles, "sheets": sheets, "cells": sum(len(line) for rows in cells for line in rows)}


def openpyxl_write(spec):
    """The xlsx bytes of the workbook ``spec`` describes, written by openpyxl and nothing else."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.properties import PageSetupProperties

    workbook = Workbook(write_only=True)
    arrays = {}
    for description in spec["sheets"]:
        sheet = workbook.create_sheet(description["title"])
        sheet.sheet_state = description["state"]
        for letter, (width, hidden) in description["columns"].items():
            sheet.column_dimensions[letter].width = width
            sheet.column_dimensions[letter].hidden = hidden
        if description["freeze"]:
            sheet.freeze_panes = description["freeze"]
        if description["fit_to_page"]:
            sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.sheet_view.showGridLines = description["grid_lines"]
        if not arrays:
            for style, (font, border, alignment, number_format) in spec["styles"].items():
                scratch = Cell(sheet)
                scratch.font, scratch.border, scratch.alignment, scratch.number_format = font, border, alignment, number_format
                arrays[style] = scratch._style
        heights, links = description["heights"], description["links"]
        for number, row in enumerate(description["rows"], 1):
            if number in heights:
                sheet.row_dimensions[number].height = heights[number]
            line = [None] * (row[-1][0] if row else 0)
            for column, value, style in row:
                cell = Cell(sheet, row=number, column=column, value=value, style_array=arrays.get(style))
                if isinstance(value, str):
                    cell.data_type = "s"
                if (number, column) in links:
                    cell.hyperlink = links[(number, column)]
                line[column - 1] = cell
            sheet.append(line)
        for merged in description["merges"]:
            sheet.merged_cells.add(CellRange(merged))
        if description["auto_filter"]:
            sheet.auto_filter.ref = description["auto_filter"]
        if description["print_area"]:
            sheet.print_area = description["print_area"]
        if description["print_title_rows"]:
            sheet.print_title_rows = description["print_title_rows"]
        setup = sheet.page_setup
        setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight = description["page"]
        sheet.print_options.horizontalCentered = description["centered"]
        margins = sheet.page_margins
        margins.left, margins.right, margins.top, margins.bottom = description["margins"]
        sheet.close()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def openpyxl_read(content):
    """Every cell value of the workbook, read in read-only mode."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    found = sum(1 for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None)
    workbook.close()
    return found


def delete_tables():
    """Empty the database of tables (their history recorded in bulk, as the product deletes rows)."""
    from indicators.models import Indicator
    from perfgoals.history import delete_with_history
    from projects.models import ProjectGoal, ProjectTable, SpendingCheckpoint

    for model in (Indicator, ProjectGoal, SpendingCheckpoint, ProjectTable):
        delete_with_history(model.objects.all())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--layout", default="pingluo", choices=["pingluo", "dingzhou", "flat"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to create the benchmark's database on")
    options = parser.parse_args()
    with bench_database(options.database_url) as database_url:
        setup_django(database_url)
        from django.db import connection

        from indicators.models import Indicator
        from projects import excel, interchange
        from projects.models import DepartmentTarget, ProjectTable

        wall, _, _ = timed(interchange.import_document, generated_document(options.tables))
        rows = Indicator.objects.count()
        print(f"{options.tables} tables, {rows} indicator rows generated in {wall:.1f} s "
              f"(layout {options.layout}, {connection.vendor}, {options.runs} runs)")

        def export():
            return excel.export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.none(), options.layout)

        def read(content):
            return excel.read_file(content, keep_status=True, max_bytes=1 << 40)

        def unchanged(content):
            result = excel.import_plan(read(content))
            assert result.unchanged == options.tables, result

        def create(content):
            result = excel.import_plan(read(content))
            assert result.created == options.tables, result

        content = export()
        spec = workbook_spec(content)
        figures = {}

        def record(name, measured):
            wall, cpu, value = measured
            figures.setdefault(name, []).append((wall, cpu))
            return value

        for _ in range(options.runs):
            content = record("export", timed(export))
            plan = record("read", timed(read, content))
            assert not plan.problems, plan.problems[:5]
            record("unchanged", timed(unchanged, content))
            delete_tables()
            record("create", timed(create, content))
            record("openpyxl write", timed(openpyxl_write, spec))
            record("openpyxl read", timed(openpyxl_read, content))

        median = {name: tuple(statistics.median(run[i] for run in runs) for i in (0, 1)) for name, runs in figures.items()}
        slowest = {name: percentile([wall for wall, _ in runs], 0.95) for name, runs in figures.items()}
        print(f"workbook: {len(content) / 1024 / 1024:.1f} MB, {spec['cells']} cells in {len(spec['sheets'])} sheets")
        print(f"{'medians, wall s (CPU s)':44}{'perfgoals':>16}{'openpyxl':>16}{'ratio':>14}{'p95 wall s, ratio':>24}")
        for name, label, baseline in (
            ("export", "export (query + write)", "openpyxl write"),
            ("read", "read (parse + resolve, no writes)", "openpyxl read"),
            ("unchanged", "import unchanged file (read + compare)", "openpyxl read"),
            ("create", "import into empty database (read + create)", "openpyxl read"),
        ):
            (ours, ours_cpu), (alone, alone_cpu) = median[name], median[baseline]
            ours_p95, alone_p95 = slowest[name], slowest[baseline]
            print(f"{label:44}{ours:8.2f} ({ours_cpu:5.2f}){alone:8.2f} ({alone_cpu:5.2f})"
                  f"{ours / alone:6.2f} ({ours_cpu / alone_cpu:4.2f})"
                  f"{ours_p95:9.2f} /{alone_p95:6.2f} ={ours_p95 / alone_p95:5.2f}")
        print(f"p95: the 95th percentile of the {options.runs} runs (nearest rank: with up to 11 runs, the slowest)")


if __name__ == "__main__":
    main()
