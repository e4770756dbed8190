"""Probe: what a small hostile or large workbook makes the server do (issue 22 findings 2 and 7).

    .venv/bin/python bench/probe_uploads.py [--far-sheets 30] [--rows 110000] [--memory-gb 1.5]

Each probe runs in a process of its own, capped at ``--memory-gb`` of address space and ``--timeout``
seconds, so a probe that would take gigabytes fails here instead of taking the machine:
- merged: one sheet merging A1:XFD1048576 (5 KB): read_file's time and peak RSS, and what it said;
- far: ``--far-sheets`` sheets each holding one cell at A1048576: read_file's time;
- padded: a 10 MB workbook padded with random bytes and a part that inflates to 850 MB: accepted or
  refused at upload (open_workbook);
- bench1000: the 1,000 generated tables of bench/bench_excel.py exported in the 平罗 layout (1,000
  sheets) and as the flat list (one sheet), each read within the upload's limits;
- preview: one sheet of ``--rows`` short indicator rows uploaded through the browser views (Django's
  test client, DEBUG off, SQLite): upload time, first and second preview visit (time, HTML size).

Not a test: it prints figures. The database is a SQLite file in a temporary folder.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = [["项目名称", "干部培训经费"], ["预算年度", 2024], ["实施单位", "平罗县财政局本级"], ["一级指标", "二级指标", "三级指标", "指标值"]]


def workbook(sheets):
    """xlsx bytes of ``sheets``: (title, rows) with rows lists of values; write-only, so it is quick."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content, change):
    """``content`` with every worksheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = change(data.decode()).encode()
            target.writestr(info, data)
    return buffer.getvalue()


def merged_file():
    content = workbook([("合并", HEADER + [["产出指标", "数量指标", "培训人数", "100 人"]])])
    return rewritten(content, lambda xml: xml.replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>', 1))


def far_file(count):
    content = workbook([(f"表{number}", [["脚注"]]) for number in range(count)])
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>脚注</t></is></c></row>'
    return rewritten(content, lambda xml: xml.replace("</sheetData>", far + "</sheetData>", 1))


def padded_file():
    """About 10 MB: a real workbook, 9.5 MB of random bytes stored beside it, and a part of 850 MB of
    spaces deflated (openpyxl never reads either, so only the expansion cap can refuse it)."""
    source = zipfile.ZipFile(io.BytesIO(workbook([("表", HEADER)])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("xl/media/padding.bin", os.urandom(9_500_000), compress_type=zipfile.ZIP_STORED)
        with archive.open("xl/media/spaces.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(850):
                member.write(block)
    return buffer.getvalue()


def rows_file(count, unit):
    header = [["项目名称", "干部培训经费"], ["预算年度", 2024], ["实施单位", unit], HEADER[-1]]
    rows = header + [["产出指标", "数量指标", f"培训{number}", "1 人"] for number in range(count)]
    return workbook([("指标", rows)])


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(database_url, debug="0"):
    from bench.bench_pages import production_environment

    production_environment(database_url)
    os.environ["DEBUG"] = debug
    os.environ.setdefault("PERFGOALS_IMPORT_DIR", tempfile.mkdtemp(prefix="probe-uploads-"))
    import django

    django.setup()


def one(name, options):
    """Run one probe in this process; print a JSON line of its figures."""
    setup(options.database_url)
    from projects import excel

    figures = {}
    if name in ("merged", "far"):
        content = merged_file() if name == "merged" else far_file(options.far_sheets)
        figures["file_kb"] = round(len(content) / 1024, 1)
        start = time.perf_counter()
        try:
            plan = excel.read_file(content)
            figures["outcome"] = f"read: {len(plan.tables)} tables, {len(plan.problems)} problems"
        except excel.BadWorkbook as error:
            figures["outcome"] = f"refused: {error}"
        except MemoryError:
            figures["outcome"] = "MemoryError"
        figures["seconds"] = round(time.perf_counter() - start, 2)
    elif name == "padded":
        content = padded_file()
        figures["file_mb"] = round(len(content) / 1024 / 1024, 1)
        start = time.perf_counter()
        try:
            excel.open_workbook(content)
            figures["outcome"] = "accepted"
        except excel.BadWorkbook as error:
            figures["outcome"] = f"refused: {error}"
        figures["seconds"] = round(time.perf_counter() - start, 2)
    elif name == "preview":
        from django.contrib.auth import get_user_model
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client
        from django.urls import reverse

        from django.conf import settings
        from django.test.utils import setup_test_environment

        setup_test_environment()  # responses carry their context, so the refusal message can be shown
        # The pages' static files by their plain names: the probe measures the views, not collectstatic.
        settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        from projects.permissions import unit_of

        user = get_user_model().objects.get(username="pl_unit")
        content = rows_file(options.rows, unit_of(user).name)
        figures["file_mb"] = round(len(content) / 1024 / 1024, 2)
        client = Client()
        client.force_login(user)
        start = time.perf_counter()
        response = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile("rows.xlsx", content)})
        figures["upload_s"] = round(time.perf_counter() - start, 2)
        location = response.get("Location")
        for visit in ("first", "second"):
            start = time.perf_counter()
            page = client.get(location, follow=True)
            figures[f"{visit}_s"] = round(time.perf_counter() - start, 2)
            figures[f"{visit}_html_mb"] = round(len(page.content) / 1024 / 1024, 2)
            figures[f"{visit}_status"] = page.status_code
            figures[f"{visit}_can_confirm"] = b'id="confirm-import"' in page.content
            if os.environ.get("PROBE_PAGE"):
                Path(os.environ["PROBE_PAGE"]).write_bytes(page.content)
            refused = [str(message) for message in page.context["messages"]] if page.context else []
            if refused:
                figures[f"{visit}_message"] = refused[0]
    elif name == "bench1000":
        from django.core.management import call_command

        from bench.bench_excel import generated_document
        from projects import interchange
        from projects.models import DepartmentTarget, ProjectTable

        call_command("loaddata", str(ROOT / "fixtures" / "reference.json"), verbosity=0)
        interchange.import_document(generated_document(1000))
        for layout in ("pingluo", "flat"):
            content = excel.export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.none(), layout)
            archive = zipfile.ZipFile(io.BytesIO(content))
            parts = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
            figures[f"{layout}_cells"] = {"file": sum(part.count(b"<c ") for part in parts), "largest sheet": max(part.count(b"<c ") for part in parts)}
            try:
                plan = excel.read_file(content, keep_status=True)  # the upload's own limits, size included
                figures[layout] = f"{len(content) / 1024 / 1024:.1f} MB: {len(plan.tables)} tables read, {len(plan.problems)} problems"
            except excel.BadWorkbook as error:
                figures[layout] = f"{len(content) / 1024 / 1024:.1f} MB refused: {error}"
    figures["peak_rss_mb"] = round(peak_rss_mb())
    print(json.dumps(figures, ensure_ascii=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--far-sheets", type=int, default=30)
    parser.add_argument("--rows", type=int, default=110_000)
    parser.add_argument("--memory-gb", type=float, default=1.5)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", nargs="*", default=["merged", "far", "padded", "preview", "bench1000"])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        limit = int(options.memory_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return one(options.one, options)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'probe.sqlite3'}"
        prepare = (
            "import sys; sys.path.insert(0, sys.argv[1]); from bench.probe_uploads import setup; setup(sys.argv[2], '1'); "
            "from django.core.management import call_command; call_command('migrate', verbosity=0); "
            "call_command('setup_demo', verbosity=0)"
        )
        subprocess.run([sys.executable, "-c", prepare, str(ROOT), url], check=True)
        for name in options.only:
            command = [sys.executable, __file__, "--one", name, "--database-url", url, "--far-sheets", str(options.far_sheets),
                       "--rows", str(options.rows), "--memory-gb", str(options.memory_gb)]
            start = time.perf_counter()
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=options.timeout)
                output = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-300:]
            except subprocess.TimeoutExpired:
                output = f"killed after the {options.timeout:.0f} s timeout"
            print(f"{name}: {output} (process {time.perf_counter() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
