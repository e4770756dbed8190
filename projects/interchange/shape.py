"""The shape check: the document's header and the kind of each value, derived from projects.schema."""

from dataclasses import dataclass


from perfgoals.text import unstorable_message
from projects import schema
from projects.models import (
    GoalKind,
)
from projects.interchange.export import FORMAT_NAME, FORMAT_VERSION
from projects.interchange.outcome import InterchangeError


def check_header(document):
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise InterchangeError([f"文件不是 perfgoals 的 JSON 交换格式（缺少 \"format\": \"{FORMAT_NAME}\"）。"])
    if document.get("version") != FORMAT_VERSION:
        raise InterchangeError([f"不支持的格式版本 {document.get('version')!r}，本系统读取第 {FORMAT_VERSION} 版。"])


# The shape of a document (fixtures/seeds/FORMAT.md), checked before anything is read or written, so
# that a value of the wrong kind (a list where a name belongs, text where rows belong) or text that
# cannot be stored (perfgoals.text) is reported with its place instead of failing on the way. A key
# may be missing or null, which is an empty value. SCALAR is any single value (text, number,
# true/false), which the reader judges further; Text is text of at most ``max_length`` characters.
SCALAR = "scalar"


@dataclass(frozen=True)
class Text:
    max_length: int | None = None


TEXT = Text()
# What each part of a document must be, derived from the declared schema (projects.schema).
ROW = schema.INDICATOR.shape(TEXT, SCALAR)
SHAPE = {
    "format": SCALAR,
    "version": SCALAR,
    "organisations": {
        "regions": [{"code": SCALAR, "name": Text(50)}],
        "departments": [{"region": SCALAR, "code": Text(20), "name": Text(100)}],
        "units": [
            {"region": SCALAR, "department": SCALAR, "code": Text(20), "name": Text(100), "is_department_office": SCALAR}
        ],
    },
    "project_tables": [
        schema.PROJECT_TABLE.shape(
            TEXT,
            SCALAR,
            {
                "spending_plan": [{"month": SCALAR, "percent": SCALAR}],
                "goals": {kind.value: [TEXT] for kind in GoalKind},
                "indicators": [ROW],
            },
        )
    ],
    "department_targets": [
        schema.DEPARTMENT_TARGET.shape(
            TEXT,
            SCALAR,
            {
                "sub_targets": [{"title": TEXT, "goal": TEXT, "indicator_text": TEXT, "safeguards": TEXT}],
                "indicators": [ROW],
            },
        )
    ],
}
PLACES = {
    "project_tables": "第 {} 张项目表",
    "department_targets": "第 {} 份部门整体绩效目标",
    "regions": "行政区划第 {} 条",
    "departments": "主管部门第 {} 条",
    "units": "预算单位第 {} 条",
    "indicators": "第 {} 行指标",
    "sub_targets": "第 {} 个分项",
    "spending_plan": "资金支出计划第 {} 项",
    GoalKind.ANNUAL.value: "年度目标第 {} 条",
    GoalKind.LONG_TERM.value: "中长期目标第 {} 条",
}


def place(path):
    """Where ``path`` (keys and list positions) is, in the words the other problems use."""
    parts, keys = [], []
    for position, step in enumerate(path):
        following = path[position + 1] if position + 1 < len(path) else None
        if isinstance(step, int):
            continue
        if isinstance(following, int) and step in PLACES:
            parts.append(PLACES[step].format(following + 1))
            keys = []
        else:
            keys.append(str(step))
    named = f"“{'.'.join(keys)}”" if keys else ""
    return "".join(parts) + ("的" if parts and named else "") + named or "文件"


def shape_problems(value, shape, path=()):
    """Every place where ``value`` does not have ``shape``, as problems."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{place(path)}：应为对象（{{…}}）。"]
        return [
            problem
            for key, member in shape.items()
            if value.get(key) is not None
            for problem in shape_problems(value[key], member, path + (key,))
        ]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{place(path)}：应为列表（[…]）。"]
        return [problem for index, item in enumerate(value) for problem in shape_problems(item, shape[0], path + (index,))]
    if isinstance(value, (dict, list)) or value is None or (isinstance(shape, Text) and not isinstance(value, str)):
        return [f"{place(path)}：应为{'文字' if isinstance(shape, Text) else '单个的值（文字或数字）'}。"]
    if isinstance(value, str):
        if message := unstorable_message(value, ""):
            return [f"{place(path)}：{message}"]
        if isinstance(shape, Text) and shape.max_length and len(value) > shape.max_length:
            return [f"{place(path)}：超过 {shape.max_length} 个字符。"]
    return []


def check_shape(document):
    problems = shape_problems(document, SHAPE)
    if problems:
        raise InterchangeError(problems)
