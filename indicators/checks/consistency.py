"""相关性: the table speaks of this project in this year — no year left from a table copied forward,
no inputs (money, staff, materials) passed off as outputs, no indicator written twice."""

import re

from indicators.checks.data import LEVEL1_OUTPUT
from indicators.checks.measurability import MONEY_COST_LEVEL2
from indicators.checks.registry import Problem, rule
from indicators.checks.wording import normalized, quoted, row_label
from indicators.models import Criterion, Opinion, Severity

# A year as written in text: 2022年, 2023 年底. The 年 is required so amounts (2000 元) are not read as years.
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年")


def _other_years(text, year):
    return sorted({int(found) for found in _YEAR.findall(text or "")} - {year})


def _year_problem(where, text, years, year):
    shown = "、".join(f"{found} 年" for found in years)
    return Problem(
        f"{where}写的是 {shown}（{quoted(text[:40])}），与预算年度 {year} 年不一致，可能是从其他年度的表复制过来的。",
        f"把年份改为 {year} 年，并按本年度的任务核对相应的目标值。",
    )


@rule(
    "year_in_goals",
    title="目标中的年份与预算年度不符",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.NOT_RELEVANT,
)
def year_in_goals(data, context):
    if not data.year:  # a preview whose year could not be read: nothing to compare against
        return
    for number, goal in enumerate(data.goals, 1):
        years = _other_years(goal, data.year)
        if years:
            yield _year_problem(f"年度总体目标第 {number} 条", goal, years, data.year)


@rule(
    "year_in_indicator",
    title="指标中的年份与预算年度不符",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.NOT_RELEVANT,
    row_level=True,
)
def year_in_indicator(data, row, context):
    if not data.year:
        return
    for label, text in (("三级指标名称", row.name), ("指标值", row.value_text), ("绩效指标描述", row.description)):
        years = _other_years(text, data.year)
        if years:
            yield _year_problem(f"{row_label(row)}的{label}", text, years, data.year)


# Inputs: money arriving or being paid out, the unit's own staff, materials bought. A project's money,
# people and equipment are what it spends, not what it produces.
_INPUTS = (
    ("资金", re.compile(r"(?:经费|资金|款项|拨款|预算)[^，,；;。]{0,8}?(?:到位|拨付|下达|支付|落实)")),
    # People a project serves (参训人员, 服务人员) are outputs; the unit's own staff are inputs.
    (
        "人员",
        re.compile(
            r"(?<!参训)(?<!培训)(?<!受训)(?<!服务)(?<!受益)(?<!救助)(?<!帮扶)(?<!参会)(?<!参赛)"
            r"(?:人员|职工|工作人员|长聘|聘用|派遣|编制|在岗)[^，,；;。]{0,4}?(?:数量|人数|配备|到岗)"
        ),
    ),
    ("物资", re.compile(r"(?:设备|物资|材料|办公用品|耗材)[^，,；;。]{0,4}?(?:采购|购置|配备|购买)")),
)


@rule(
    "input_as_output",
    title="把投入当作产出",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.WRONG_LEVEL1,
    row_level=True,
)
def input_as_output(data, row, context):
    """Only 产出 rows outside 成本: a cost row is exactly where money belongs."""
    if row.level1 != LEVEL1_OUTPUT or row.level2 in MONEY_COST_LEVEL2:
        return
    for kind, pattern in _INPUTS:
        match = pattern.search(row.name)
        if match:
            yield Problem(
                f"{row_label(row)}{quoted(match.group())}衡量的是{kind}投入，不是项目的产出。",
                f"把{kind}投入写在成本指标或资金栏中；产出指标写用这些{kind}完成了什么工作，"
                f"例如“完成××次检查”“系统正常运行率 ≥ 95%”“××在规定时间内完成”。",
            )
            return


@rule(
    "duplicate_indicator",
    title="三级指标重复",
    severity=Severity.WARNING,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.OTHER,
    row_level=True,
)
def duplicate_indicator(data, row, context):
    """Reported on the later row, naming the first, so deleting the later one clears it."""
    name = normalized(row.name)
    if not name:
        return
    for earlier in data.indicators:
        if earlier.index >= row.index:
            break
        if normalized(earlier.name) == name:
            yield Problem(
                f"{row_label(row)}与第 {earlier.index} 行是同一个三级指标。",
                "删除重复的一行；如果两行衡量的是不同内容，在名称中写明区别。",
            )
            return


# Outputs that belong to one kind of project: a row about roads or water supply in a table whose name
# and goals speak of neither was left over from another project's template.
_PROJECT_KINDS = {
    "道路": ("道路", "公路", "路面", "路基", "沥青", "通车", "桥梁", "硬化"),
    "供水": ("供水", "饮水", "自来水", "水厂", "管网", "饮用水", "入户水"),
}


@rule(
    "indicator_from_other_project",
    title="指标像是其他类项目模板留下的",
    severity=Severity.WARNING,
    criterion=Criterion.RELEVANCE,
    opinion=Opinion.NOT_RELEVANT,
    row_level=True,
)
def indicator_from_other_project(data, row, context):
    """A 道路硬化里程 or 供水管网长度 in a training project: the row was copied with a template."""
    about = data.name + "".join(data.goals)
    text = row.name + row.description
    for kind, words in _PROJECT_KINDS.items():
        said = [word for word in words if word in text]
        if said and not any(word in about for word in words):
            yield Problem(
                f"{row_label(row)}讲的是{kind}（{quoted(said[0])}），而项目名称和年度目标都没有涉及{kind}，像是从其他项目的模板留下的。",
                f"删除与本项目无关的指标，按本项目的资金用途设定产出；如本项目确有{kind}内容，请在年度目标中写明。",
            )
            return
