"""Matching the 一级/二级 names units print to the frameworks held as reference data (DOMAIN §3.2).

Units write the framework's names with variations: 项目完成指标 for 产出指标, 项目效益指标 for 效益指标,
satisfaction filed as a 二级 under 效益, 成本指标 as its own 一级 (2021 framework) or as a 二级 under 产出
(2015). The synonyms below only fold spellings; which names exist comes from the database.
"""

from dataclasses import dataclass

from indicators.frameworks import framework_snapshot
from projects.excel.text import level_key

LEVEL1_SYNONYMS = {
    "产出指标": ("产出指标", "产出", "项目完成指标", "完成指标", "产出目标"),
    "成本指标": ("成本指标", "成本"),
    "效益指标": ("效益指标", "效益", "项目效益指标", "效果指标", "效益目标"),
    "满意度指标": ("满意度指标", "满意度", "满意度目标"),
}
SATISFACTION_LEVEL2 = "服务对象满意度指标"
_SATISFACTION_KEYS = {"服务对象满意度指标", "服务对象满意度", "满意度指标", "满意度", "社会公众或服务对象满意度指标"}
_COST_LEVEL2 = {"2021": "经济成本指标"}

_LEVEL1_BY_KEY = {level_key(synonym): name for name, synonyms in LEVEL1_SYNONYMS.items() for synonym in synonyms}


class Frameworks:
    """The framework snapshot (indicators.frameworks) as the Excel reader and writer match printed names
    against it: {framework code: {(一级, 二级): Level2Entry}} of the frameworks that have 二级."""

    def __init__(self, snapshot):
        self.level2s = {framework.code: framework.level2_by_names for framework in snapshot.frameworks if framework.level2s}
        self.order = list(self.level2s)  # framework codes, oldest first
        self._names2 = {}

    @classmethod
    def load(cls):
        """The request's (or import's) framework snapshot, read at most once."""
        return cls(framework_snapshot())

    def level2_names(self, framework, level1):
        """{level_key(二级 name): 二级 name} of the 二级 under ``level1`` in ``framework``."""
        found = self._names2.get((framework, level1))
        if found is None:
            known = self.level2s.get(framework, {})
            found = self._names2[(framework, level1)] = {level_key(name): name for (l1, name) in known if l1 == level1}
        return found

    def requirement_note(self, framework, level1, level2):
        found = self.level2s.get(framework, {}).get((level1, level2))
        return found.requirement_note if found else ""


@dataclass
class LevelMatch:
    level1: str = ""
    level2: str = ""
    note: str = ""  # why the names were moved, for the preview
    found: bool = False

    def renames(self, level1_text, level2_text):
        """The printed names read under another of the framework's names (项目完成指标 → 产出指标),
        as (level, printed, read) for the preview's hints; decorations (（必填）, numbering) are no rename."""
        if not self.found:
            return []
        moved = []
        for level, printed, read in (("一级", level1_text, self.level1), ("二级", level2_text, self.level2)):
            key = level_key(printed)
            if key and key != level_key(read):
                moved.append((level, key, read))
        return moved


def match_levels(frameworks, framework, level1_text, level2_text):
    """The framework's (一级, 二级) for what a row prints, or found=False when nothing fits."""
    known = frameworks.level2s.get(framework, {})
    level1 = _LEVEL1_BY_KEY.get(level_key(level1_text), level_key(level1_text))
    key2 = level_key(level2_text)
    names2 = frameworks.level2_names(framework, level1)
    if key2 in names2:
        return LevelMatch(level1, names2[key2], found=True)
    if key2 + "指标" in names2:
        return LevelMatch(level1, names2[key2 + "指标"], found=True)
    if key2 in _SATISFACTION_KEYS and ("满意度指标", SATISFACTION_LEVEL2) in known:
        note = "" if level1 == "满意度指标" else f"满意度指标填在了“{level1_text}”之下，已归入一级指标“满意度指标”"
        return LevelMatch("满意度指标", SATISFACTION_LEVEL2, note=note, found=True)
    if level1 == "成本指标" or key2 in {"成本指标", "成本"}:
        if ("产出指标", "成本指标") in known:
            note = "" if level1 == "产出指标" else "成本指标按本表的指标体系归入一级指标“产出指标”"
            return LevelMatch("产出指标", "成本指标", note=note, found=True)
        if level1 == "成本指标" and key2 in {"", "成本指标", "成本"} and framework in _COST_LEVEL2:
            return LevelMatch(
                "成本指标", _COST_LEVEL2[framework], note="二级指标未细分，按“经济成本指标”读取", found=True
            )
        for (l1, name) in known:
            if l1 == "成本指标" and level_key(name) == key2:
                return LevelMatch(l1, name, found=True)
    return LevelMatch(level1, level2_text, found=False)


def choose_framework(frameworks, pairs, preferred=None):
    """The framework a table's rows belong to: the preferred one (carried in our own exports) when
    given, otherwise the one in which most rows are found, the newest on a tie."""
    if preferred in frameworks.level2s:
        return preferred
    best, best_hits = None, -1
    for code in frameworks.order:
        direct = sum(1 for level1, level2 in pairs if _exact(frameworks, code, level1, level2))
        hits = sum(1 for level1, level2 in pairs if match_levels(frameworks, code, level1, level2).found)
        score = hits * 1000 + direct
        if score >= best_hits:
            best, best_hits = code, score
    return best


def _exact(frameworks, code, level1_text, level2_text):
    level1 = _LEVEL1_BY_KEY.get(level_key(level1_text), level_key(level1_text))
    key2 = level_key(level2_text)
    return any(l1 == level1 and level_key(name) in {key2, key2 + "指标"} for (l1, name) in frameworks.level2s[code])
