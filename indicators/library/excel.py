"""The library in the layout the provincial systems use for 共性/个性指标 (one row per 三级 indicator).

COLUMNS is the one declaration: the export writes these headers and values, the import finds the
header row by these names (in any order, extra columns ignored) and reads the same fields back, so an
exported library is always a valid import. The import checks every row first and reports each problem
with sheet, row and column; write_library runs only on a file without problems."""

import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

from indicators.frameworks import framework_snapshot
from indicators.library.models import EntryKind, EntryStatus, LibraryEntry
from indicators.values import Nature
from perfgoals.xlsx import XLSX_TYPE, list_workbook  # noqa: F401  (XLSX_TYPE: the views' response type)

# (header, entry field, required)
COLUMNS = (
    ("一级指标", "level1", True),
    ("二级指标", "level2", True),
    ("三级指标", "name", True),
    ("指标解释/绩效指标描述", "description", False),
    ("指标性质", "nature", False),
    ("计量单位", "unit", False),
    ("指标值说明/评分标准", "guidance", False),
    ("指标值确定依据", "basis", False),
    ("类别", "kind", False),
    ("是否核心指标", "is_core", False),
)
# Headers other systems print for the same column.
HEADER_ALIASES = {"绩效指标描述": "description", "指标解释": "description", "评分标准": "guidance", "指标值说明": "guidance"}
NATURE_BY_LABEL = {label: value for value, label in Nature.choices} | {
    ">=": Nature.GE, "<=": Nature.LE, "=": Nature.EQ, "＞": Nature.GT, "＜": Nature.LT, ">": Nature.GT, "<": Nature.LT,
    "≧": Nature.GE, "≦": Nature.LE, "正向指标": Nature.GE, "反向指标": Nature.LE, "定量": "", "": "",
}
KIND_BY_LABEL = {label: value for value, label in EntryKind.choices} | {"共性指标": EntryKind.COMMON, "个性指标": EntryKind.SPECIFIC, "行业指标": EntryKind.SECTOR, "": EntryKind.COMMON}
YES = {"是", "Y", "y", "√", "1", "核心", "TRUE", "True"}
NO = {"否", "", "N", "n", "0", "FALSE", "False"}
MAX_ROWS = 5000


def library_workbook(entries):
    """xlsx bytes of these entries, one sheet titled 指标库, headers as COLUMNS declares."""
    rows = [
        [
            entry.level2.level1.name,
            entry.level2.name,
            entry.name,
            entry.description,
            entry.get_nature_display() if entry.nature else "",
            entry.unit,
            entry.guidance,
            entry.basis,
            entry.get_kind_display(),
            "是" if entry.is_core else "否",
        ]
        for entry in entries
    ]
    return list_workbook(sheet_title="指标库", title="绩效指标库（共性/个性指标）", headers=[c[0] for c in COLUMNS], rows=rows)


@dataclass
class LibraryPreview:
    """What an import would write: ``rows`` (entry values by field) and ``problems`` (Chinese, each
    naming sheet, row and column). Nothing is written while ``problems`` is not empty."""

    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def read_library(content, *, framework):
    """Read and check a library workbook against ``framework``'s 一级/二级; writes nothing."""
    preview = LibraryPreview()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        preview.problems.append("无法读取这个文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。")
        return preview
    level2s = framework_snapshot().framework(framework.code).level2_by_names  # {(一级, 二级): Level2Entry}
    try:
        sheet = workbook.worksheets[0]
        _read_sheet(sheet, level2s, framework, preview)
    finally:
        workbook.close()
    return preview


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_sheet(sheet, level2s, framework, preview):
    where = f"工作表“{sheet.title}”"
    header_row, columns = None, {}
    lines = sheet.iter_rows(values_only=True)
    for number, values in enumerate(lines, 1):
        found = {}
        for position, value in enumerate(values):
            text = _text(value)
            name = next((c[1] for c in COLUMNS if c[0] == text), HEADER_ALIASES.get(text))
            if name and name not in found:
                found[name] = position
        if "name" in found:
            header_row, columns = number, found
            break
        if number >= 20:
            break
    if header_row is None:
        preview.problems.append(f"{where}：前 20 行中没有找到“三级指标”表头，请使用导出的指标库模板。")
        return
    missing = [c[0] for c in COLUMNS if c[2] and c[1] not in columns]
    if missing:
        preview.problems.append(f"{where}第 {header_row} 行：缺少列“{'”“'.join(missing)}”。")
        return
    headers = {c[1]: c[0] for c in COLUMNS}
    seen = {}
    for number, values in enumerate(lines, header_row + 1):
        cells = {name: _text(values[position]) if position < len(values) else "" for name, position in columns.items()}
        if not any(cells.values()):
            continue
        if len(preview.rows) + len(preview.problems) >= MAX_ROWS:
            preview.problems.append(f"{where}：超过 {MAX_ROWS} 行，请分成几个文件导入。")
            return

        def problem(name, message):
            preview.problems.append(f"{where}第 {number} 行“{headers.get(name, name)}”列：{message}")

        level2 = level2s.get((cells.get("level1", ""), cells.get("level2", "")))
        before = len(preview.problems)
        if level2 is None:
            problem("level2", f"“{cells.get('level1', '')} / {cells.get('level2', '')}”不是{framework.name}中的一级/二级指标。")
        if not cells["name"]:
            problem("name", "三级指标名称不能为空。")
        elif len(cells["name"]) > 200:
            problem("name", "三级指标名称不能超过 200 个字。")
        nature = NATURE_BY_LABEL.get(cells.get("nature", ""))
        if nature is None:
            problem("nature", f"无法识别“{cells['nature']}”，请填写 ≥、≤、＝、＞、＜ 或 定性。")
        if len(cells.get("unit", "")) > 50:
            problem("unit", "计量单位不能超过 50 个字。")
        kind = KIND_BY_LABEL.get(cells.get("kind", ""))
        if kind is None:
            problem("kind", f"无法识别“{cells['kind']}”，请填写 共性、行业 或 个性。")
        core = cells.get("is_core", "")
        if core not in YES and core not in NO:
            problem("is_core", f"无法识别“{core}”，请填写 是 或 否。")
        key = (level2.pk if level2 else None, cells["name"])
        if level2 and cells["name"] and key in seen:
            problem("name", f"与第 {seen[key]} 行重复（同一二级下的同名指标）。")
        if len(preview.problems) > before:
            continue
        seen[key] = number
        preview.rows.append(
            {
                "row": number,
                "level2": level2,
                "name": cells["name"],
                "description": cells.get("description", ""),
                "nature": nature,
                "unit": cells.get("unit", ""),
                "guidance": cells.get("guidance", ""),
                "basis": cells.get("basis", "")[:200],
                "kind": kind,
                "is_core": core in YES,
            }
        )
    if not preview.rows and not preview.problems:
        preview.problems.append(f"{where}：表头下面没有任何指标。")


def write_library(preview, *, region, by):
    """Write a previewed library (no problems) into ``region``'s library (None: the national one):
    an entry of the same 二级 and name is updated, the others created. Returns rows written."""
    if preview.problems:
        raise ValueError("a library with problems is never written")
    for row in preview.rows:
        values = {name: row[name] for name in ("description", "nature", "unit", "guidance", "basis", "kind", "is_core")}
        entry = LibraryEntry.objects.filter(level2_id=row["level2"].pk, name=row["name"], region=region, department=None).first()
        if entry is None:
            entry = LibraryEntry(level2_id=row["level2"].pk, name=row["name"], region=region, created_by=by)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.state = EntryStatus.ACTIVE
        entry._history_user = by
        entry.save()
    return len(preview.rows)
