"""完整性: rows left as a template — a 三级 named after its 一级/二级, filler marks (*, XX, …) where a name or
value belongs, numbering prefixes copied from a template, a description that repeats the name."""

import re

from indicators.checks.registry import Problem, rule
from indicators.checks.wording import normalized, quoted, row_label
from indicators.models import Criterion, Opinion, Severity


@rule(
    "name_is_level_name",
    title="三级指标名称照抄一级或二级指标",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.NOT_QUANTIFIED,
    row_level=True,
)
def name_is_level_name(data, row, context):
    """定州's 经济效益指标 / 经济效益指标 / 经济效益指标: the 三级 slot still holds the category's name."""
    name = normalized(row.name)
    if not name:
        return
    if name in data.framework.normalized_level_names or name in (normalized(row.level1), normalized(row.level2)):
        yield Problem(
            f"{row_label(row)}的三级指标名称与{'一' if name == normalized(row.level1) else '二'}级指标名称相同，"
            f"没有写出具体要衡量的内容。",
            f"把{quoted(row.name)}换成本项目具体的衡量内容，例如{row.level2}下的“××覆盖率”“××次数”；"
            f"本项目确实没有这类效益的，删除此行（选填的二级指标可以不填）。",
        )


# Marks people leave where something was to be filled in. "-" and the like only count when they are
# the whole cell: 90-100 or 1—3月 are real values.
_FILLER_MARKS = re.compile(r"\*+|[xX×ＸｘⅩ]{2,}|…|\.{3,}|。{3,}|〇〇|○○|□|＿{2,}|_{2,}")
_NULL_WORD = re.compile(r"\bnull\b", re.IGNORECASE)
_FILLER_CELLS = {"-", "--", "—", "——", "－", "/", "／", "无", "null", "none", "n/a", "na", "nan", "暂无", "待定", "略"}


# One core-indicator marker before or after a real name (“*培训人数”, “验收合格率＊”, “★满意度”) marks
# a 核心指标, as published tables do; it is no placeholder.
_CORE_MARKER = re.compile(r"^[*＊★☆※]\s*|\s*[*＊★☆※]$")


def filler_mark(text):
    """How a placeholder cell shows itself ("空白", “**”, “XX” …), or None for real content.
    Other rules skip such values: one placeholder is one finding, not one per rule."""
    stripped = text.strip()
    if not stripped:
        return "空白"
    unmarked = _CORE_MARKER.sub("", stripped, count=1).strip()
    if unmarked and unmarked != stripped and not _CORE_MARKER.fullmatch(unmarked[:1]):
        stripped = unmarked
    if stripped.lower() in _FILLER_CELLS:
        return quoted(stripped)
    match = _FILLER_MARKS.search(stripped) or _NULL_WORD.search(stripped)
    if match:
        return quoted(match.group())
    return None


@rule(
    "placeholder",
    title="名称或指标值是占位符",
    severity=Severity.ERROR,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.INCOMPLETE,
    row_level=True,
)
def placeholder(data, row, context):
    for label, text in (("三级指标名称", row.name), ("指标值", row.value_text)):
        mark = filler_mark(text)
        if mark is None:
            continue
        if mark == "空白":
            message = f"{row_label(row)}的{label}是空的。"
        else:
            message = f"{row_label(row)}的{label}{quoted(text)}中有占位符{mark}，像是模板没有填完。"
        yield Problem(
            message,
            f"填写实际的{label}"
            + ("，例如“≥ 95%”“10 次”“2024 年 6 月底前”。" if label == "指标值" else "，写明本项目具体衡量什么。"),
        )


_TEMPLATE_PREFIX = re.compile(
    r"^\s*(?:三级)?(?:指标|目标)\s*(?:名称|[0-9０-９一二三四五六七八九十]+)\s*[:：、.．]"
)


@rule(
    "template_prefix",
    title="名称带有模板编号",
    severity=Severity.WARNING,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.OTHER,
    row_level=True,
)
def template_prefix(data, row, context):
    match = _TEMPLATE_PREFIX.match(row.name)
    if match:
        yield Problem(
            f"{row_label(row)}的名称以模板编号{quoted(match.group())}开头。",
            f"删去{quoted(match.group())}，只保留指标本身的名称；如果后面没有内容，说明这一行还没有填写。",
        )


@rule(
    "description_repeats_name",
    title="指标描述只是重复名称",
    severity=Severity.INFO,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.NOT_QUANTIFIED,
    row_level=True,
)
def description_repeats_name(data, row, context):
    description = normalized(row.description)
    if description and description == normalized(row.name):
        yield Problem(
            f"{row_label(row)}的绩效指标描述与名称完全相同，没有说明口径。",
            "在描述中写明如何计算或判断：统计范围、计算公式或达到标准的条件，例如“考核合格人数 ÷ 参训人数 × 100%”。",
        )
