"""Rules that read the indicator library: a core indicator of the project's category left out, a row
named like a library entry but with another unit or nature, a value well below what the region's
approved tables set for the same entry (a hint with the figures).

The library reaches the rules as plain data (LibraryData in CheckContext.library, built by
indicators.library.snapshot), like every other input of the checks; without it these rules say nothing.
The project's category is read from its name (indicators.library.categories)."""

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.checks.registry import Problem, rule
from indicators.checks.wording import normalized, quoted, row_label
from indicators.library.categories import infer_category
from indicators.models import Criterion, Opinion, Severity
from indicators.values import Nature, parse_value

CATEGORY_LABELS = {
    "operation": "运转类",
    "infrastructure": "基础设施建设类",
    "information": "信息化建设",
    "training": "会议培训",
    "subsidy": "补助补贴",
}
# A value is "well below" when under this share of the median of at least LOW_VALUE_MIN_TABLES tables.
LOW_VALUE_SHARE = Decimal("0.8")
LOW_VALUE_MIN_TABLES = 5
_RISING = {Nature.GE, Nature.GT, Nature.EQ}


@dataclass(frozen=True)
class EntryData:
    """One library entry as the checks see it; ``values`` are [(指标值, 表数)] of the region's approved tables."""

    level1: str
    level2: str
    name: str
    unit: str = ""
    nature: str = ""
    category: str = ""
    is_core: bool = False
    values: tuple = ()


@dataclass(frozen=True)
class LibraryData:
    """The library entries a table may use (one framework, national and its region's)."""

    entries: tuple = ()
    by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {(entry.level2, normalized(entry.name)): entry for entry in self.entries})

    def entry_for(self, row):
        return self.by_name.get((row.level2, normalized(row.name)))


def _units_differ(row_unit, entry_unit):
    same = {"%": "%", "百分比": "%", "％": "%"}
    return normalized(same.get(row_unit, row_unit)) != normalized(same.get(entry_unit, entry_unit))


@rule(
    "library_core_missing",
    title="缺少本类项目的核心指标",
    severity=Severity.WARNING,
    criterion=Criterion.COMPLETENESS,
    opinion=Opinion.INCOMPLETE,
)
def library_core_missing(data, context):
    library = getattr(context, "library", None)
    category = infer_category(data.name)
    if library is None or not category or not data.indicators:
        return
    written = {(row.level2, normalized(row.name)) for row in data.indicators}
    missing = [
        entry
        for entry in library.entries
        if entry.is_core and entry.category == category and (entry.level2, normalized(entry.name)) not in written
    ]
    if missing:
        # One finding for the table: the category is read from the name, so a guess must not cost much.
        names = "、".join(f"“{entry.name}”（{entry.level1} › {entry.level2}）" for entry in missing)
        yield Problem(
            f"本项目按名称属于项目类别“{CATEGORY_LABELS[category]}”，指标库中该类别的核心指标{names}没有设置。",
            "在相应的二级指标下点“从指标库选择”加入这些指标；确实不适用的（项目类别判断有误或另有原因），请说明。",
        )


@rule(
    "library_unit_mismatch",
    title="指标与指标库的单位或性质不一致",
    severity=Severity.WARNING,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.VALUE_MISMATCH,
    row_level=True,
)
def library_unit_mismatch(data, row, context):
    library = getattr(context, "library", None)
    entry = library.entry_for(row) if library is not None else None
    parsed = row.parsed
    if entry is None or not parsed.nature:
        return
    if entry.nature == Nature.QUALITATIVE and parsed.nature != Nature.QUALITATIVE:
        yield Problem(
            f"{row_label(row)}{quoted(row.name)}在指标库中是定性指标，本表却填了定量的指标值“{row.value_text}”。",
            "按指标库的评分标准填写定性指标值，或改用与指标值相符的指标名称。",
        )
    elif entry.nature and entry.nature != Nature.QUALITATIVE and parsed.nature == Nature.QUALITATIVE:
        yield Problem(
            f"{row_label(row)}{quoted(row.name)}在指标库中是定量指标（单位：{entry.unit or '无'}），本表填的是定性描述。",
            f"填写可衡量的指标值，例如 {entry.values[0][0] if entry.values else '带数值和单位的目标'}。",
        )
    elif entry.unit and parsed.unit and _units_differ(parsed.unit, entry.unit):
        yield Problem(
            f"{row_label(row)}{quoted(row.name)}的计量单位是“{parsed.unit}”，指标库中同名指标的单位是“{entry.unit}”。",
            f"核对单位：按指标库以“{entry.unit}”计量，或把指标名称改成与“{parsed.unit}”相符的说法。",
        )


def _median(numbers):
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@rule(
    "library_value_low",
    title="指标值明显低于同类已批复的表",
    severity=Severity.INFO,
    criterion=Criterion.APPROPRIATENESS,
    opinion=Opinion.OTHER,
    row_level=True,
)
def library_value_low(data, row, context):
    library = getattr(context, "library", None)
    entry = library.entry_for(row) if library is not None else None
    parsed = row.parsed
    if entry is None or parsed.number is None or parsed.nature not in _RISING or not entry.values:
        return
    numbers = []
    for text, count in entry.values:
        value = parse_value(text)
        if value.number is not None and value.nature in _RISING and not _units_differ(value.unit, parsed.unit):
            numbers += [value.number] * count
    if len(numbers) < LOW_VALUE_MIN_TABLES or parsed.number <= 0:
        return
    median = _median(numbers)
    if parsed.number < median * LOW_VALUE_SHARE:
        figures = "，".join(f"{text}：{count} 张" for text, count in entry.values[:3])
        yield Problem(
            f"{row_label(row)}{quoted(row.name)}的指标值“{row.value_text}”明显低于本地区已批复的同类表"
            f"（{len(numbers)} 张，中位数 {median.normalize():f}{parsed.unit}；{figures}）。",
            "核对目标是否定得过低；确有原因的（规模小、新开展），请在备注中说明。",
        )
