"""Benchmark: export and import 1,000 generated target tables as Excel, beside openpyxl alone.

Run with ``.venv/bin/python bench/bench_excel.py [--tables 1000] [--layout pingluo]``. It builds its own
SQLite database in a temporary folder (migrate + reference data + generated tables), so it never
touches db.sqlite3. Printed: seconds for our export, our read (parse + resolve), our import of an
unchanged file (compare only) and of the same file into an empty database (creates everything), and
the seconds openpyxl alone needs to write and to read the same cell values, with the ratios.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(folder):
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfgoals.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", str(ROOT / "fixtures" / "reference.json"), verbosity=0)


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


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def openpyxl_alone(content):
    """Seconds for openpyxl to write, then read back, the same cell values (no styles, merges or
    print setup): the floor any Excel code built on openpyxl stands on. Written in openpyxl's normal
    mode and read in its read-only mode, the modes perfgoals itself uses."""
    from openpyxl import Workbook, load_workbook

    source = load_workbook(io.BytesIO(content), read_only=True)
    sheets = [(sheet.title, [[cell.value for cell in row] for row in sheet.iter_rows()]) for sheet in source.worksheets]
    cells = sum(len(row) for _, rows in sheets for row in rows)

    def write():
        workbook = Workbook()
        workbook.remove(workbook.active)
        for title, rows in sheets:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    write_seconds, plain = timed(write)

    def read():
        workbook = load_workbook(io.BytesIO(plain), read_only=True)
        return sum(1 for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None)

    read_seconds, _ = timed(read)
    return write_seconds, read_seconds, cells


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--layout", default="pingluo", choices=["pingluo", "dingzhou", "flat"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder))
        from indicators.models import Indicator
        from projects import excel, interchange
        from projects.models import DepartmentTarget, ProjectTable

        seconds, _ = timed(lambda: interchange.import_document(generated_document(options.tables)))
        rows = Indicator.objects.count()
        print(f"{options.tables} tables, {rows} indicator rows generated in {seconds:.1f} s (layout {options.layout})")
        tables, targets = ProjectTable.objects.all(), DepartmentTarget.objects.none()
        export_seconds, content = timed(lambda: excel.export_tables(tables, targets, options.layout))
        read_seconds, plan = timed(lambda: excel.read_file(content, keep_status=True, max_bytes=1 << 40))
        assert not plan.problems, plan.problems[:5]
        unchanged_seconds, result = timed(lambda: excel.import_plan(plan))
        assert result.unchanged == options.tables, result
        Indicator.objects.all().delete()
        ProjectTable.objects.all().delete()
        create_seconds, result = timed(lambda: excel.import_plan(excel.read_file(content, keep_status=True, max_bytes=1 << 40)))
        assert result.created == options.tables, result
        write_alone, read_alone, cells = openpyxl_alone(content)
        ours_in = read_seconds + unchanged_seconds
        print(f"workbook: {len(content) / 1024 / 1024:.1f} MB, {cells} cells in {options.tables + 1} sheets")
        print(f"{'':44}{'perfgoals':>10}{'openpyxl':>10}{'ratio':>8}")
        print(f"{'export (query + write)':44}{export_seconds:10.2f}{write_alone:10.2f}{export_seconds / write_alone:8.2f}")
        print(f"{'read (parse + resolve, no writes)':44}{read_seconds:10.2f}{read_alone:10.2f}{read_seconds / read_alone:8.2f}")
        print(f"{'import unchanged file (read + compare)':44}{ours_in:10.2f}{read_alone:10.2f}{ours_in / read_alone:8.2f}")
        print(f"{'import into empty database (read + create)':44}{create_seconds:10.2f}{read_alone:10.2f}{create_seconds / read_alone:8.2f}")


if __name__ == "__main__":
    main()
