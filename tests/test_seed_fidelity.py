"""The seed data, as loaded, says what the two published documents say.

The documents themselves (tests/data/, text extracted from the published PDF/Word files: tabs are cell
borders) are the reference: this module reads them, cuts them into one section per project and compares
every loaded table with its section. It never reads the seed JSON files, so a transcription mistake there
shows up here as a difference from the printed text.

平罗 (000_…): five tables, 2023. The extraction scrambles columns in places (cells shifted left, labels
broken across lines: "产出指" + "标"), so which 二级 a row belongs to is checked against counts read off
the document by hand (PINGLUO_LEVELS below) as well as against the text.
定州 (001_…): a whole-department target text plus ten tables, 2022 (the year is printed only inside the
项目编码 …22P…). Every indicator row is printed as six cells: 一级, 二级, 三级, 绩效指标描述, 指标值, 指标值确定依据.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from django.core.management import call_command

from indicators.models import Level2
from projects.models import DepartmentTarget, ProjectTable

DATA = Path(__file__).parent / "data"
PINGLUO_FILE = DATA / "000_bca74b2c912dd784.txt"
DINGZHOU_FILE = DATA / "001_df780b8aaa8bcc25.txt"
PINGLUO_REGION = "640221"
DINGZHOU_REGION = "130682"

# Read off the document by hand: for every 平罗 table, how many 三级 rows each 二级 has (in framework
# order) and therefore each 一级. 成本指标 is a 二级 under 产出指标 (framework 2015).
PINGLUO_LEVELS = {
    "纪检监察事务工作经费": {
        "数量指标": 3, "质量指标": 3, "时效指标": 2, "成本指标": 1,
        "社会效益指标": 2, "可持续影响指标": 3, "服务对象满意度指标": 1,
    },
    "监督检查审查调查专项经费": {
        "数量指标": 3, "质量指标": 1, "时效指标": 2, "成本指标": 1,
        "社会效益指标": 1, "可持续影响指标": 1, "服务对象满意度指标": 1,
    },
    "县委巡查专项经费": {
        "数量指标": 3, "质量指标": 1, "时效指标": 3, "成本指标": 1,
        "社会效益指标": 1, "可持续影响指标": 1, "服务对象满意度指标": 1,
    },
    "特邀监察员经费": {
        "数量指标": 2, "质量指标": 2, "时效指标": 2, "成本指标": 1,
        "社会效益指标": 1, "可持续影响指标": 1, "服务对象满意度指标": 1,
    },
    "政府长聘人员经费": {
        "数量指标": 2, "质量指标": 1, "时效指标": 1, "成本指标": 1,
        "社会效益指标": 1, "可持续影响指标": 1, "服务对象满意度指标": 1,
    },
}
PINGLUO_LEVEL1_COUNTS = {
    "纪检监察事务工作经费": {"产出指标": 9, "效益指标": 5, "满意度指标": 1},
    "监督检查审查调查专项经费": {"产出指标": 7, "效益指标": 2, "满意度指标": 1},
    "县委巡查专项经费": {"产出指标": 8, "效益指标": 2, "满意度指标": 1},
    "特邀监察员经费": {"产出指标": 7, "效益指标": 2, "满意度指标": 1},
    "政府长聘人员经费": {"产出指标": 5, "效益指标": 2, "满意度指标": 1},
}
PINGLUO_INDICATOR_COUNTS = {
    "纪检监察事务工作经费": 15,
    "监督检查审查调查专项经费": 10,
    "县委巡查专项经费": 11,
    "特邀监察员经费": 10,
    "政府长聘人员经费": 8,
}
DINGZHOU_NAMES = [
    "安保经费",
    "大要案及乡镇纪委经费",
    "纪委全会经费",
    "监督检查及督导经费",
    "检举举报平台经费",
    "劳务派遣人员经费",
    "粮食专项检查工作经费",
    "留置场所改造经费",
    "留置场所专项经费",
    "职务犯罪举报人奖励经费",
]
CHINESE_NUMERALS = "一二三四五六七八九十"


@pytest.fixture
def seeded(db):
    """Reference data (frameworks 2015/2021, code lists), both seed files and the demo users."""
    call_command("setup_demo", verbosity=0)


# Reading the documents


def squash(text):
    """The text without any whitespace: the extraction adds and drops spaces and line breaks freely."""
    return re.sub(r"\s+", "", text)


def split_cells(text):
    """Every non-empty cell: tabs are cell borders, and a line break inside a cell starts a new piece."""
    return [cell.strip() for cell in re.split(r"[\t\n]", text) if cell.strip()]


def value_after(cells, label):
    """The first cell after the cell that starts with label (compared without whitespace)."""
    for index, cell in enumerate(cells):
        if squash(cell).startswith(squash(label)):
            return cells[index + 1]
    raise AssertionError(f"“{label}” is not printed in this section")


def as_decimal(text):
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass
class Section:
    """One printed project table."""

    region: str
    heading: str
    text: str
    cells: list
    name: str
    total: Decimal
    fiscal: Decimal
    other: Decimal
    goal_text: str
    indicator_text: str
    indicator_cells: list
    extra: dict = field(default_factory=dict)


def pingluo_sections():
    text = PINGLUO_FILE.read_text(encoding="utf-8")
    parts = re.split(r"^部门项目支出预算绩效目标表[\t ]*$", text, flags=re.MULTILINE)[1:]
    sections = []
    for part in parts:
        cells = split_cells(part)
        header = re.search(r"^名称\t一级指标\t二级指标\t三级指标\t指标值[\t ]*$", part, flags=re.MULTILINE)
        assert header, "a 平罗 section without its indicator header"
        indicator_text = part[header.end():]
        after_other = value_after(cells, "其他资金")
        sections.append(
            Section(
                region=PINGLUO_REGION,
                heading=cells[0],
                text=part,
                cells=cells,
                name=value_after(cells, "项目名称"),
                total=as_decimal(value_after(cells, "年度资金总额")),
                fiscal=as_decimal(value_after(cells, "其中:财政拨款")),
                other=as_decimal(after_other),
                goal_text=value_after(cells, "年度总体目标"),
                indicator_text=indicator_text,
                indicator_cells=split_cells(indicator_text),
                extra={
                    "department": value_after(cells, "主管部门及代码"),
                    "unit": value_after(cells, "实施单位"),
                    "attribute": value_after(cells, "项目属性"),
                    "period": value_after(cells, "项目期"),
                },
            )
        )
    return sections


def dingzhou_document():
    """(part one: the whole-department target text, [one Section per project table])."""
    text = DINGZHOU_FILE.read_text(encoding="utf-8")
    pieces = re.split(r"^\[bookmark: _Toc_4_4_\d+\]\d+\.", text, flags=re.MULTILINE)
    part_one, parts = pieces[0], pieces[1:]
    sections = []
    for part in parts:
        heading, _, body = part.partition("\n")
        cells = split_cells(body)
        other_at = next(i for i, cell in enumerate(cells) if cell == "其他资金")
        plan_at = cells.index("资金支出计划（%）")
        between = cells[other_at + 1:plan_at]
        amounts = [cell for cell in between if as_decimal(cell) is not None]
        goals_at = cells.index("绩效目标")
        header_at = cells.index("一级指标")
        assert cells[header_at:header_at + 6] == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
        plan = cells[plan_at + 1:goals_at]
        months = [int(m.group(1)) for cell in plan if (m := re.fullmatch(r"(\d+)月底", cell))]
        percents = [Decimal(m.group(1)) for cell in plan if (m := re.fullmatch(r"(\d+(?:\.\d+)?)%", cell))]
        indicator_start = body.index("指标值确定依据") + len("指标值确定依据")
        sections.append(
            Section(
                region=DINGZHOU_REGION,
                heading=heading.strip(),
                text=body,
                cells=cells,
                name=value_after(cells, "项目名称"),
                total=as_decimal(value_after(cells, "预算数")),
                fiscal=as_decimal(value_after(cells, "其中：财政资金")),
                other=as_decimal(amounts[0]) if amounts else None,
                goal_text="\n".join(cells[goals_at + 1:header_at]),
                indicator_text=body[indicator_start:],
                indicator_cells=cells[header_at + 6:],
                extra={
                    "unit": cells[0],
                    "code": value_after(cells, "项目编码"),
                    "fund_use": "".join(cell for cell in between if as_decimal(cell) is None),
                    "spending_plan": list(zip(months, percents)),
                },
            )
        )
    return part_one, sections


def all_sections():
    return pingluo_sections() + dingzhou_document()[1]


def loaded_tables(region):
    return list(
        ProjectTable.objects.filter(region__code=region)
        .select_related("region", "department", "unit", "attribute", "framework")
        .order_by("id")
    )


def indicators_of(table):
    return list(table.indicators.select_related("level2__level1").order_by("order", "id"))


def goals_of(table):
    return [goal.text for goal in table.goals.filter(kind="annual").order_by("order", "id")]


def texts_of(indicator, region):
    """The cells of an indicator row in printed order: 三级, (描述,) 指标值(, 确定依据)."""
    if region == DINGZHOU_REGION:
        return [indicator.name, indicator.description, indicator.value_text, indicator.basis_text]
    return [indicator.name, indicator.value_text]


def find_in_order(haystack, needles):
    """Where each needle starts in haystack, each found after the previous one, whitespace ignored on both
    sides; the first needle that cannot be found so is returned as the second value."""
    flat = squash(haystack)
    positions, start = [], 0
    for needle in needles:
        wanted = squash(needle)
        at = flat.find(wanted, start) if wanted else start
        if at < 0:
            return positions, needle
        positions.append(at)
        start = at + len(wanted)
    return positions, None


def section_for(table, sections):
    matching = [s for s in sections if s.region == table.region.code and s.name == table.name]
    assert len(matching) == 1, f"{table.name}: {len(matching)} printed sections carry this 项目名称"
    return matching[0]


def each_table():
    """(table, its printed section) for every loaded table of both regions."""
    sections = all_sections()
    for region in (PINGLUO_REGION, DINGZHOU_REGION):
        for table in loaded_tables(region):
            yield table, section_for(table, sections)


# The project tables


def test_every_printed_project_is_loaded_once_and_nothing_else(seeded):
    for region, sections in ((PINGLUO_REGION, pingluo_sections()), (DINGZHOU_REGION, dingzhou_document()[1])):
        loaded = sorted(table.name for table in loaded_tables(region))
        assert loaded == sorted(section.name for section in sections)
    assert len(pingluo_sections()) == 5
    assert [section.name for section in dingzhou_document()[1]] == DINGZHOU_NAMES


def test_dingzhou_headings_name_the_same_project_as_the_table(seeded):
    for table, section in each_table():
        if section.region == DINGZHOU_REGION:
            assert section.heading == f"{table.name}绩效目标表"


def test_pingluo_has_five_tables_with_the_printed_number_of_indicators(seeded):
    counts = {table.name: table.indicators.count() for table in loaded_tables(PINGLUO_REGION)}
    assert counts == PINGLUO_INDICATOR_COUNTS
    for section in pingluo_sections():
        printed_rows = [line for line in section.indicator_text.split("\n") if line.strip()]
        assert len(printed_rows) == PINGLUO_INDICATOR_COUNTS[section.name], section.name


def test_dingzhou_has_ten_tables_with_nine_indicators_each(seeded):
    tables = loaded_tables(DINGZHOU_REGION)
    assert len(tables) == 10
    assert {table.name: table.indicators.count() for table in tables} == {name: 9 for name in DINGZHOU_NAMES}
    for section in dingzhou_document()[1]:
        # six cells a row; the 一级 cell is printed only on the first row of its group
        assert len(section.indicator_cells) == 9 * 6 - 6, section.name


def test_every_table_has_the_amounts_printed_in_its_section(seeded):
    problems = []
    for table, section in each_table():
        printed = (section.total, section.fiscal, section.other)
        loaded = (table.funds_total, table.funds_fiscal, table.funds_other)
        if printed != loaded:
            problems.append(f"{table.name}: printed {printed}, loaded {loaded}")
    assert not problems, "\n".join(problems)


def test_every_goal_item_is_printed_in_its_sections_goal_text(seeded):
    problems = []
    for table, section in each_table():
        goals = goals_of(table)
        if not goals:
            problems.append(f"{table.name}: no goals loaded")
            continue
        for goal in goals:
            if goal not in section.goal_text:
                problems.append(f"{table.name}: goal “{goal}” is not printed character for character")
        _, missing = find_in_order(section.goal_text, goals)
        if missing is not None:
            problems.append(f"{table.name}: goal “{missing}” is out of the printed order")
        # The items are the whole printed text, less only the numbering and the separators between items.
        printed = squash(section.goal_text)
        if printed.startswith("目标1:"):
            rebuilt = ";".join(f"目标{n}:{squash(goal)}" for n, goal in enumerate(goals, 1))
        elif printed.startswith("1."):
            rebuilt = "".join(f"{n}.{squash(goal)}" for n, goal in enumerate(goals, 1))
        else:
            rebuilt = "".join(squash(goal) for goal in goals)
        if rebuilt != printed:
            problems.append(f"{table.name}: goals {goals} do not make up the printed “{section.goal_text}”")
    assert not problems, "\n".join(problems)


def test_every_indicator_is_printed_in_its_section_in_the_same_order(seeded):
    problems = []
    for table, section in each_table():
        needles = [text for indicator in indicators_of(table) for text in texts_of(indicator, section.region)]
        _, missing = find_in_order(section.indicator_text, needles)
        if missing is not None:
            problems.append(f"{table.name}: “{missing}” is not printed where the loaded order puts it")
    assert not problems, "\n".join(problems)


def test_every_indicator_text_is_a_printed_cell_character_for_character(seeded):
    problems = []
    for table, section in each_table():
        cells = set(section.indicator_cells)
        for indicator in indicators_of(table):
            for text in texts_of(indicator, section.region):
                if text not in cells:
                    problems.append(f"{table.name}: “{text}” is not exactly a printed cell")
    assert not problems, "\n".join(problems)


def level2_names():
    return set(Level2.objects.filter(level1__framework__code="2015").values_list("name", flat=True))


def test_every_indicator_follows_the_framework_order(seeded):
    problems = []
    for table, _ in each_table():
        ranks = [(i.level2.level1.order, i.level2.order) for i in indicators_of(table)]
        if ranks != sorted(ranks):
            problems.append(f"{table.name}: {[i.level2.name for i in indicators_of(table)]}")
        assert table.framework.code == "2015"
    assert not problems, "\n".join(problems)


def test_every_pingluo_indicator_is_loaded_under_its_printed_level2(seeded):
    problems = []
    sections = pingluo_sections()
    for table in loaded_tables(PINGLUO_REGION):
        section = section_for(table, sections)
        indicators = indicators_of(table)
        level2_counts, level1_counts = {}, {}
        for indicator in indicators:
            level2_counts[indicator.level2.name] = level2_counts.get(indicator.level2.name, 0) + 1
            level1_counts[indicator.level2.level1.name] = level1_counts.get(indicator.level2.level1.name, 0) + 1
        if level2_counts != PINGLUO_LEVELS[table.name]:
            problems.append(f"{table.name}: 二级 {level2_counts}, printed {PINGLUO_LEVELS[table.name]}")
        if level1_counts != PINGLUO_LEVEL1_COUNTS[table.name]:
            problems.append(f"{table.name}: 一级 {level1_counts}, printed {PINGLUO_LEVEL1_COUNTS[table.name]}")
        positions, missing = find_in_order(section.indicator_text, [i.name for i in indicators])
        assert missing is None, f"{table.name}: “{missing}”"
        flat = squash(section.indicator_text)
        for indicator, at in zip(indicators, positions):
            label_at = flat.find(indicator.level2.name)
            if label_at < 0 or label_at >= at:
                problems.append(f"{table.name}: 二级 {indicator.level2.name} is not printed before “{indicator.name}”")
    assert not problems, "\n".join(problems)


def test_every_dingzhou_indicator_is_loaded_under_the_level1_and_level2_printed_on_its_row(seeded):
    problems = []
    level2s = level2_names()
    level1s = {"产出指标", "效益指标", "满意度指标"}
    sections = dingzhou_document()[1]
    for table in loaded_tables(DINGZHOU_REGION):
        cells = section_for(table, sections).indicator_cells
        start = 0
        for indicator in indicators_of(table):
            row = [indicator.name, indicator.description, indicator.value_text, indicator.basis_text]
            at = next((i for i in range(start, len(cells) - 3) if cells[i:i + 4] == row), None)
            if at is None:
                problems.append(f"{table.name}: no printed row reads {row}")
                continue
            printed_level2 = next(cells[i] for i in range(at - 1, -1, -1) if cells[i] in level2s)
            printed_level1 = next(cells[i] for i in range(at - 1, -1, -1) if cells[i] in level1s)
            if (printed_level1, printed_level2) != (indicator.level2.level1.name, indicator.level2.name):
                problems.append(
                    f"{table.name}: “{indicator.name}” printed under {printed_level1}/{printed_level2}, "
                    f"loaded under {indicator.level2.level1.name}/{indicator.level2.name}"
                )
            start = at + 4
    assert not problems, "\n".join(problems)


def test_pingluo_tables_carry_the_printed_organisation_attribute_period_and_year(seeded):
    sections = pingluo_sections()
    for table in loaded_tables(PINGLUO_REGION):
        section = section_for(table, sections)
        assert table.department.name == section.extra["department"]
        assert table.unit.name == section.extra["unit"]
        assert table.attribute is not None and re.match(r"0101[-—]一年期项目$", section.extra["attribute"])
        assert table.attribute.code == "0101"
        assert table.period == section.extra["period"] == "1 年"
        assert table.code == ""
        assert re.fullmatch(rf"[(（]{table.year} 年度[)）]", section.heading) and table.year == 2023
        assert table.fund_use == "" and not table.spending_plan.exists()


def test_dingzhou_tables_carry_the_printed_code_unit_fund_use_and_spending_plan(seeded):
    sections = dingzhou_document()[1]
    for table in loaded_tables(DINGZHOU_REGION):
        section = section_for(table, sections)
        assert table.code == section.extra["code"]
        assert table.code.startswith(table.region.code + str(table.year)[2:] + "P")
        assert f"{table.unit.code}{table.unit.name}" == section.extra["unit"]
        assert table.department.name == "纪律检查委员会" and table.department.code == "222"
        assert table.fund_use == section.extra["fund_use"]
        assert table.attribute is None and table.period == ""
        plan = [(point.month, point.cumulative_percent) for point in table.spending_plan.order_by("month")]
        assert plan == section.extra["spending_plan"]
        assert len(plan) == 4


# The whole-department target


def test_the_dingzhou_department_target_is_the_printed_text(seeded):
    part_one = dingzhou_document()[0]
    lines = [re.sub(r"\[bookmark: [^\]]*\]", "", line).strip() for line in part_one.split("\n")]
    target = DepartmentTarget.objects.get(department__region__code=DINGZHOU_REGION, department__name="纪律检查委员会")
    assert target.year == 2022

    overall = lines[lines.index("总体绩效目标") + 1]
    assert target.overall_goal == overall
    assert target.overall_goal in part_one

    subs = list(target.sub_targets.order_by("order", "id"))
    assert len(subs) == 5
    for number, sub in zip(CHINESE_NUMERALS, subs):
        title_at = lines.index(f"（{number}）{sub.title}")
        assert lines[title_at + 1] == f"绩效目标：{sub.goal}"
        assert lines[title_at + 2] == f"绩效指标：{sub.indicator_text}"
        assert f"（{number}）{sub.title}完成保障措施：{sub.safeguards}" in lines
        for text in (sub.title, sub.goal, sub.indicator_text, sub.safeguards):
            assert text and text in part_one
    assert not target.indicators.exists()
