"""What the reader and its helpers for header blocks (header.py) and flat lists (flat.py) share: the
result of reading a table (TableRead, WorkbookRead, Problem), the labels and patterns that mark a
table's parts, and the two small functions that fill a table's data. One module below all three, so
none of them imports another's private names.
"""

import re
from dataclasses import dataclass, field

from projects.excel import layouts
from projects.excel.writer import BASIS_LABELS, basis_text

FOOTER = re.compile(r"^(注|说明|填表说明|备注[:：]|填报人|联系电话|审核人|单位负责人|财务负责人|制表|[（(]?盖章)")
TITLE_HINT = re.compile(r"绩效目标表|部门整体绩效目标$|绩效目标申报表|^[（(]?\s*20\d\d\s*年度?\s*[)）]?$")
MONTH = re.compile(r"^(\d{1,2})\s*月\s*(底|末)?$")
BASIS_BY_LABEL = {label: code for code, label in BASIS_LABELS.items() if label}
LABEL_FIELD = {key: name for name, keys in layouts.FIELD_KEYS.items() for key in keys}
DEPARTMENT_ONLY = {key for key in layouts.FIELD_KEYS["target.overall_goal"]}


@dataclass
class Problem:
    sheet: str
    cell: str
    message: str

    def __str__(self):
        where = (f"工作表“{self.sheet}”" if self.sheet else "工作簿") + (f" {self.cell}" if self.cell else "")
        return f"{where}：{self.message}"


@dataclass
class TableRead:
    """One table found in a workbook, as an interchange dict plus what the reader noticed."""

    sheet: str
    kind: str  # project | department
    layout: str
    data: dict
    cells: dict = field(default_factory=dict)  # field → cell reference, for later problems
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    exact: bool = False
    framework_evidence: bool = True  # False when no row decided the framework (an empty grid)

    @property
    def label(self):
        if self.kind == "department":
            return f"{self.data.get('department') or '部门'}部门整体绩效目标"
        return self.data.get("name") or "（未命名项目）"


@dataclass
class WorkbookRead:
    tables: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def all_problems(self):
        return self.problems + [problem for table in self.tables for problem in table.problems]

    def all_warnings(self):
        return self.warnings + [warning for table in self.tables for warning in table.warnings]


def read_basis(text, hidden):
    """(basis, basis_text) from the printed 指标值确定依据: an unchanged cell of ours gives back both
    stored fields; a standard's name (计划标准 …) gives its code; other text is kept as written."""
    if hidden and text == basis_text(hidden):
        return hidden.get("basis") or "", hidden.get("basis_text") or ""
    if text in BASIS_BY_LABEL:
        return BASIS_BY_LABEL[text], ""
    return "", text


def set_path(data, dotted, value, overwrite=True):
    """Set ``data``'s value at ``dotted`` (e.g. "funds.total"), creating the dicts on the way; with
    ``overwrite`` False, a value already there stays."""
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    if overwrite or parts[-1] not in data:
        data[parts[-1]] = value
