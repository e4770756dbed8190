"""The plain-data snapshot of one target table that the quality checks read.

Rules never see ORM objects: the same rules run on a saved table, on the editor's unsaved form data
and on an import preview, so each of those only has to build a TableData. Builders for a saved
ProjectTable and for one entry of the JSON interchange document are here.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from indicators.checks.wording import normalized
from indicators.values import ParsedValue, parse_value

LEVEL1_OUTPUT = "产出指标"
LEVEL1_BENEFIT = "效益指标"
LEVEL1_SATISFACTION = "满意度指标"

_MANDATORY = {"required", "required_hard"}


@dataclass(frozen=True)
class Level2Spec:
    """One 二级 of a framework with its 填报要求 (optional / required / required_hard)."""

    level1: str
    name: str
    requirement: str = "optional"

    @property
    def is_mandatory(self):
        return self.requirement in _MANDATORY

    @property
    def is_hard(self):
        return self.requirement == "required_hard"


@dataclass(frozen=True)
class FrameworkData:
    """An indicator framework as reference data: its 一级 names in order and their 二级."""

    code: str
    name: str = ""
    level1_names: tuple = ()
    level2s: tuple = ()
    # Every 一级 and 二级 name, normalized as names are compared; computed once, not per row.
    normalized_level_names: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        names = {*self.level1_names, *(spec.name for spec in self.level2s)}
        object.__setattr__(self, "normalized_level_names", frozenset(normalized(name) for name in names))


@dataclass(frozen=True)
class IndicatorData:
    """One 三级 row. `index` is its position in the table, from 1, as the unit sees it."""

    index: int
    level1: str
    level2: str
    name: str = ""
    description: str = ""
    value_text: str = ""
    parsed: ParsedValue = None
    basis: str = ""
    basis_text: str = ""
    uid: str | None = None
    midterm_value_text: str = ""  # 中期指标值, as written (parsed when a rule compares it)

    def __post_init__(self):
        if self.parsed is None:
            object.__setattr__(self, "parsed", parse_value(self.value_text))

    @property
    def midterm_parsed(self):
        return parse_value(self.midterm_value_text)


@dataclass(frozen=True)
class FundsLine:
    """One line of the funds tree a form printed (财政拨款小计, 一般公共预算 …): its number from 1, its
    label, the number of the line it is a part of (None at the top) and its amount in 万元 (or None)."""

    number: int
    label: str
    parent: int | None = None
    amount: Decimal | None = None


def funds_lines(lines):
    """FundsLine of stored or document lines ({"label", "parent", "amount"}), tolerant of what an
    import preview may hold: an unreadable amount is None, a parent that is no earlier line is none."""
    found = []
    for number, line in enumerate(lines if isinstance(lines, (list, tuple)) else (), 1):
        if not isinstance(line, dict):
            continue
        parent = line.get("parent")
        valid = isinstance(parent, int) and not isinstance(parent, bool) and 1 <= parent < number
        found.append(FundsLine(number, _text(line.get("label")), parent if valid else None, _decimal(line.get("amount"))))
    return tuple(found)


@dataclass(frozen=True)
class TableData:
    """One 项目支出绩效目标表 as the checks see it. Money is in 万元, exact Decimal or None."""

    year: int
    framework: FrameworkData
    name: str = ""
    funds_total: Decimal | None = None
    funds_fiscal: Decimal | None = None
    funds_other: Decimal | None = None
    midterm_funds_total: Decimal | None = None
    funds_breakdown: tuple = ()  # FundsLine of the tree of sources printed, kept for display (not the money)
    goals: tuple = ()
    spending_plan: tuple = ()
    no_direct_beneficiaries: bool = False
    indicators: tuple = ()
    uid: str | None = None

    def __post_init__(self):
        for name in ("goals", "spending_plan", "indicators", "funds_breakdown"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def row(self, index):
        for indicator in self.indicators:
            if indicator.index == index:
                return indicator
        raise IndexError(f"no indicator row {index}")


@dataclass(frozen=True)
class SiblingTable:
    """Another table of the same unit and year, reduced to what the copy-paste rule compares."""

    name: str
    indicator_names: frozenset


class SiblingGroup:
    """The tables of one unit and year, for the copy-paste rule, with an index from each indicator name
    to the tables that have it: a table is then compared only with the tables it shares names with,
    instead of with every table of its unit (which grew with the square of the unit's tables)."""

    def __init__(self, tables):
        self.tables = tuple(tables)
        self.by_indicator = {}
        self.by_name = {}
        for position, table in enumerate(self.tables):
            for name in table.indicator_names:
                self.by_indicator.setdefault(name, []).append(position)
            if table.name:
                self.by_name.setdefault(table.name, []).append(position)

    def siblings_of(self, position, name):
        """The siblings of the group's table at ``position`` (None: a table not in the group, such as
        an unsaved one) called ``name``: every other table, less other versions of the same name."""
        left_out = set(self.by_name.get(name, ())) if name else set()
        if position is not None:
            left_out.add(position)
        return Siblings(self, frozenset(left_out))


@dataclass(frozen=True)
class Siblings:
    """One table's siblings: its group's tables except those left out. Iterates like a tuple."""

    group: SiblingGroup
    left_out: frozenset

    def __iter__(self):
        return (table for position, table in enumerate(self.group.tables) if position not in self.left_out)

    def __len__(self):
        return len(self.group.tables) - len(self.left_out)

    def shared_counts(self, names):
        """[(sibling, how many of ``names`` it has)] for the siblings with at least one of them."""
        counts = {}
        by_indicator = self.group.by_indicator
        for name in names:
            for position in by_indicator.get(name, ()):
                counts[position] = counts.get(position, 0) + 1
        return [(self.group.tables[position], count) for position, count in counts.items() if position not in self.left_out]


def shared_counts(siblings, names):
    """[(sibling, shared names)] for any siblings: indexed (Siblings) or a plain sequence of SiblingTable."""
    if isinstance(siblings, Siblings):
        return siblings.shared_counts(names)
    return [(sibling, len(names & sibling.indicator_names)) for sibling in siblings if names & sibling.indicator_names]


@dataclass(frozen=True)
class CheckContext:
    """What a rule may need beyond the table itself.

    `siblings`: the unit's other tables of the same year (SiblingTable), as Siblings or any sequence.
    `explained`: (rule code, indicator uid or "")
    pairs the unit has answered with an explanation; an explained 警告 costs half its weight.
    `library`: the indicator library the table may use (indicators.checks.library.LibraryData) or None.
    `last_year`: last year's table of the same project as its self-evaluation scored it
    (indicators.checks.lastyear.LastYearData) or None."""

    siblings: tuple = ()
    explained: frozenset = field(default_factory=frozenset)
    library: object = None
    last_year: object = None


def _framework_of(project, frameworks, code):
    code = project.framework.code if code is None else code
    return frameworks.get(code) or FrameworkData(code, project.framework.name)


def table_data_from_project(project, frameworks, level_names=None, framework_code=None):
    """TableData of a saved ProjectTable.

    Reads the rows, goals and spending plan that projects.findings.tables_for_check loaded
    (``checked_rows``, ``checked_goals``, ``checked_plan``), else through the related managers (prefetch
    them when checking many tables that way). `frameworks` is {code: FrameworkData} (the framework
    snapshot's check_data). `level_names` ({二级 id: (一级 name, 二级 name)}, the snapshot's level_names)
    names each row's 一级 and 二级, and must be given for rows from tables_for_check; without it they are
    read from the row (select_related level2__level1 then). `framework_code`, the table's 指标体系 as the
    snapshot names it, spares loading ``project.framework`` (a table written by an import holds its id)."""
    loaded = hasattr(project, "checked_rows")
    goals = [goal.text for goal in (project.checked_goals if loaded else project.goals.all()) if goal.kind == "annual"]
    plan = sorted(
        (point.month, point.cumulative_percent) for point in (project.checked_plan if loaded else project.spending_plan.all())
    )
    rows = []
    for index, row in enumerate(project.checked_rows if loaded else project.indicators.all(), 1):
        if level_names is not None:
            level1, level2 = level_names[row.level2_id]
        else:
            level1, level2 = row.level2.level1.name, row.level2.name
        rows.append(
            IndicatorData(
                index=index,
                uid=str(row.uid),
                level1=level1,
                level2=level2,
                name=row.name,
                description=row.description,
                value_text=row.value_text,
                parsed=ParsedValue(
                    raw=row.value_text,
                    nature=row.value_nature,
                    number=row.value_number,
                    unit=row.value_unit,
                    prefix=row.value_prefix,
                    qualitative=row.value_qualitative,
                ),
                basis=row.basis,
                basis_text=row.basis_text,
                midterm_value_text=row.midterm_value_text,
            )
        )
    return TableData(
        uid=str(project.uid),
        year=project.year,
        name=project.name,
        framework=_framework_of(project, frameworks, framework_code),
        funds_total=project.funds_total,
        funds_fiscal=project.funds_fiscal,
        funds_other=project.funds_other,
        midterm_funds_total=project.midterm_funds_total,
        funds_breakdown=funds_lines(project.funds_breakdown),
        goals=goals,
        spending_plan=plan,
        no_direct_beneficiaries=project.no_direct_beneficiaries,
        indicators=rows,
    )


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value):
    return value if isinstance(value, str) else "" if value is None else str(value)


def table_data_from_document(table, frameworks):
    """TableData of one entry of an interchange document's "project_tables" (fixtures/seeds/FORMAT.md).

    Tolerant of what an import preview may hold: unreadable money is None (and so reported as missing),
    an unknown framework gives an empty one, so the checks can still say what they see."""
    code = _text(table.get("framework"))
    framework = frameworks.get(code) or FrameworkData(code=code)
    funds = table.get("funds") if isinstance(table.get("funds"), dict) else {}
    midterm_funds = table.get("midterm_funds") if isinstance(table.get("midterm_funds"), dict) else {}
    goals = table.get("goals") if isinstance(table.get("goals"), dict) else {}
    goals = goals.get("annual") if isinstance(goals.get("annual"), list) else []
    plan = []
    for point in table.get("spending_plan") if isinstance(table.get("spending_plan"), list) else []:
        if isinstance(point, dict) and isinstance(point.get("month"), int):
            plan.append((point["month"], _decimal(point.get("percent"))))
    rows = []
    indicators = table.get("indicators") if isinstance(table.get("indicators"), list) else []
    for index, row in enumerate(indicators, 1):
        if not isinstance(row, dict):
            continue
        rows.append(
            IndicatorData(
                index=index,
                uid=_text(row.get("uid")) or None,
                level1=_text(row.get("level1")),
                level2=_text(row.get("level2")),
                name=_text(row.get("name")),
                description=_text(row.get("description")),
                value_text=_text(row.get("value")),
                basis=_text(row.get("basis")),
                basis_text=_text(row.get("basis_text")),
                midterm_value_text=_text(row.get("midterm_value")),
            )
        )
    year = table.get("year")
    return TableData(
        uid=_text(table.get("uid")) or None,
        year=year if isinstance(year, int) else 0,
        name=_text(table.get("name")),
        framework=framework,
        funds_total=_decimal(funds.get("total")),
        funds_fiscal=_decimal(funds.get("fiscal")),
        funds_other=_decimal(funds.get("other")),
        midterm_funds_total=_decimal(midterm_funds.get("total")),
        funds_breakdown=funds_lines(funds.get("breakdown")),
        goals=[_text(goal) for goal in goals],
        spending_plan=sorted(plan, key=lambda point: point[0]),
        no_direct_beneficiaries=bool(table.get("no_direct_beneficiaries")),
        indicators=rows,
    )
