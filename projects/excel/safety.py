"""Refusing bad files before openpyxl touches them, each with a message a unit can act on.

A workbook is a zip of XML parts. Checked here, in this order: the size limit, what the bytes are
(an old .xls, a password-protected workbook, a Word file, something else), whether the archive is
intact, and whether it expands to an absurd size (a zip bomb: the bytes are really inflated, with a
cap, rather than trusting the sizes the archive claims). XML entity tricks are stopped by defusedxml,
which openpyxl uses whenever it is installed.
"""

import io
import zipfile

from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 5000
MAX_EXPANSION = 100  # total uncompressed bytes may be at most this many times the file size …
MIN_EXPANDED_LIMIT = 50 * 1024 * 1024  # … or this, whichever is larger


class BadWorkbook(Exception):
    """The file cannot be read as a workbook; ``str()`` is the Chinese message for the user."""


def check_workbook_bytes(data, max_bytes=None):
    """Raise BadWorkbook unless ``data`` looks like a readable, reasonably sized .xlsx file."""
    limit = settings.PERFGOALS_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise BadWorkbook(f"文件大小 {_megabytes(len(data))}，超过上限 {_megabytes(limit)}，未导入。")
    if not data:
        raise BadWorkbook("文件是空的，未导入。")
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise BadWorkbook("文件设置了打开密码，无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后另存再导入。")
        raise BadWorkbook("这是旧版 Excel（.xls）或其他 Office 文件，请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入。")
    if not data.startswith(ZIP_MAGIC):
        raise BadWorkbook("文件不是 Excel 工作簿（.xlsx），未导入。请上传 .xlsx 文件。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as error:
        # NotImplementedError: the directory asks for a zip version or method Python cannot read.
        raise BadWorkbook("文件已损坏，无法作为 Excel 工作簿打开，未导入。") from error
    if len(names) > MAX_MEMBERS:
        raise BadWorkbook(f"文件包含 {len(names)} 个部件，远超正常工作簿，已拒绝。")
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise BadWorkbook("这是 Word 文档（.docx），不是 Excel 工作簿。请把表格复制到 Excel 中保存为 .xlsx 后再导入。")
        raise BadWorkbook("文件是压缩包，但不是 Excel 工作簿（.xlsx），未导入。")
    # Relative to the file, but never past an absolute cap: padding a file with random bytes must not
    # buy it room to expand to gigabytes.
    expanded_limit = min(max(MIN_EXPANDED_LIMIT, len(data) * MAX_EXPANSION), settings.PERFGOALS_MAX_EXPANDED_BYTES)
    total = 0
    try:
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise BadWorkbook("文件设置了密码，无法读取。请取消密码后另存再导入。")
            with archive.open(info) as member:
                while chunk := member.read(1024 * 1024):
                    total += len(chunk)
                    if total > expanded_limit:
                        raise BadWorkbook(
                            f"文件解压后超过 {_megabytes(expanded_limit)}，大小异常（疑似压缩炸弹），已拒绝。"
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise BadWorkbook("文件已损坏（压缩数据无法解开），未导入。") from error
    except Exception as error:  # zlib.error and friends from a damaged member
        if isinstance(error, BadWorkbook):
            raise
        raise BadWorkbook("文件已损坏（压缩数据无法解开），未导入。") from error


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f} MB"
