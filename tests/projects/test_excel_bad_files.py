"""Bad files get a clear Chinese message and write nothing (tracker issue 6, point 5)."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from projects.excel import BadWorkbook, export_tables, read_file
from projects.models import DepartmentTarget, ProjectTable
from tests import factories
from tests.projects.excel_helpers import workbook_bytes


@pytest.fixture
def unit(reference_data):
    department = factories.department(factories.region(code="640221", name="平罗县"), name="平罗县财政局")
    return factories.unit(department, name="平罗县财政局本级")


def a_good_workbook():
    return workbook_bytes(
        [["项目名称", "干部培训经费"], ["预算年度", 2024], ["实施单位", "平罗县财政局本级"],
         ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "100 人"]]
    )


def refused(content, match, **kwargs):
    with pytest.raises(BadWorkbook, match=match):
        read_file(content, **kwargs)
    assert ProjectTable.objects.count() == 0


def test_a_pdf_is_not_an_xlsx(unit):
    refused(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "不是 Excel 工作簿")


def test_a_csv_text_file_is_not_an_xlsx(unit):
    refused("项目名称,干部培训经费\n".encode("gbk"), "不是 Excel 工作簿")


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx(unit):
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le"), "另存为")


def test_a_password_protected_workbook_is_refused(unit):
    """An encrypted .xlsx is an OLE compound file holding EncryptionInfo and EncryptedPackage streams."""
    content = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 400
    )
    refused(content, "设置了打开密码")


def test_a_truncated_workbook_is_reported_as_corrupt(unit):
    content = a_good_workbook()
    refused(content[: len(content) // 2], "已损坏")


def test_a_workbook_with_a_damaged_part_is_reported_as_corrupt(unit):
    content = bytearray(a_good_workbook())
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 5, start + 25):
        content[offset] ^= 0x5A
    refused(bytes(content), "已损坏")


def test_a_workbook_whose_directory_asks_for_an_unknown_zip_version_is_reported_as_corrupt(unit):
    """A damaged byte in the zip directory can claim the file needs zip version 22.6 to open."""
    content = bytearray(a_good_workbook())
    directory = content.index(b"PK\x01\x02")
    content[directory + 6 : directory + 8] = (226).to_bytes(2, "little")
    refused(bytes(content), "已损坏")


def test_a_word_document_is_not_a_workbook(unit):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    refused(buffer.getvalue(), "Word 文档")


def test_an_archive_that_expands_to_an_absurd_size_is_refused(unit):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (80 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    refused(buffer.getvalue(), "压缩炸弹")


def test_a_file_over_the_size_limit_is_refused(unit, settings):
    settings.PERFGOALS_MAX_UPLOAD_BYTES = 2000
    refused(a_good_workbook(), "超过上限")


def test_an_empty_file_is_refused(unit):
    refused(b"", "文件是空的")


def test_a_workbook_without_any_target_table_says_so(unit):
    plan = read_file(workbook_bytes([["姓名", "电话"], ["张三", "138"]]))
    assert [p.message for p in plan.problems] == [
        "工作表“Sheet1”中没有找到绩效目标表：应有“项目名称”等表头和“三级指标”“指标值”列，或“总体绩效目标”。"
    ]
    assert plan.document["project_tables"] == []


def test_formulas_instead_of_values_are_reported_cell_by_cell(unit):
    content = workbook_bytes(
        [["项目名称", "干部培训经费"], ["预算年度", 2024], ["实施单位", "平罗县财政局本级"],
         ["年度资金总额", "=C5+C6"],
         ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "=D7*2"]]
    )
    plan = read_file(content)
    cells = {problem.cell: problem.message for problem in plan.problems}
    assert set(cells) == {"B4", "D6"}
    assert "公式" in cells["B4"] and "粘贴为数值" in cells["D6"]


def test_the_import_command_refuses_bad_files_and_writes_nothing(seeded, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(export_tables(ProjectTable.objects.all(), DepartmentTarget.objects.all(), "pingluo"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    before = list(ProjectTable.objects.values_list("pk", "updated_at"))
    with pytest.raises(CommandError, match="bad.xlsx：文件不是 Excel 工作簿"):
        call_command("import_tables", str(good), str(bad), verbosity=0)
    assert list(ProjectTable.objects.values_list("pk", "updated_at")) == before


def test_the_import_command_asks_for_a_year_when_the_file_has_none(unit, tmp_path):
    path = tmp_path / "noyear.xlsx"
    path.write_bytes(workbook_bytes(
        [["项目名称", "干部培训经费"], ["实施单位", "平罗县财政局本级"],
         ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "100 人"]]
    ))
    with pytest.raises(CommandError, match="--year"):
        call_command("import_tables", str(path), verbosity=0)
    call_command("import_tables", str(path), "--year", "2024", "--dry-run", verbosity=0)
    assert ProjectTable.objects.count() == 0
    call_command("import_tables", str(path), "--year", "2024", verbosity=0)
    assert ProjectTable.objects.get().year == 2024
