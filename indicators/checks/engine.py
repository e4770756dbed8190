"""Running the rules and scoring a table.

The score starts at 100 and each finding takes points off by its severity:

=============  ===============  =====================
severity       points per hit   at most, per rule
=============  ===============  =====================
错误           10               20
警告           3 (1 if 已说明)  9
提示           1                2
=============  ===============  =====================

The cap per rule keeps one sloppy habit (five vague 效益 values) from outweighing a table that is
wrong in several ways; an explained 警告 still costs a point because the reviewer has yet to accept
the explanation. The score never goes below 0. Grades follow the review grades of DOMAIN §3.4:
优 ≥ 90, 良 80–89, 中 60–79, 差 < 60.

With these weights a clean table scores 100; 平罗's tables, whose only faults are vague 效益 values
and money written as outputs, land at 良 or 优; every 定州 table, with a uniform 100百分比 and a
percentage for its cost (two 错误) plus placeholders, scores below 80.
"""

from dataclasses import dataclass

# Importing the rule modules registers their rules.
from indicators.checks import (  # noqa: F401
    completeness,
    consistency,
    lastyear,
    library,
    measurability,
    midterm,
    money,
    placeholders,
    plausibility,
)
from indicators.checks.registry import RULES
from indicators.models import Grade, Severity

WEIGHTS = {
    Severity.ERROR: (10, 20),
    Severity.WARNING: (3, 9),
    Severity.INFO: (1, 2),
}
EXPLAINED_WARNING_POINTS = 1
GRADE_FLOORS = ((90, Grade.EXCELLENT), (80, Grade.GOOD), (60, Grade.FAIR), (0, Grade.POOR))


@dataclass(frozen=True)
class CheckResult:
    findings: list
    score: int
    grade: str

    @property
    def grade_label(self):
        return Grade(self.grade).label

    @property
    def blocks_submission(self):
        """错误 findings block submission; 警告 and 提示 do not."""
        return any(finding.blocks_submission for finding in self.findings)

    def count(self, severity):
        return sum(1 for finding in self.findings if finding.severity == severity)


def grade_for(score):
    return next(grade for floor, grade in GRADE_FLOORS if score >= floor)


def score_for(findings, explained=frozenset()):
    """The score for these findings; `explained` holds the keys (rule, uid) the unit has answered."""
    deducted = {}
    for finding in findings:
        points, _ = WEIGHTS[finding.severity]
        if finding.severity == Severity.WARNING and finding.key in explained:
            points = EXPLAINED_WARNING_POINTS
        deducted[finding.rule] = deducted.get(finding.rule, 0) + points
    total = sum(min(points, WEIGHTS[RULES[code].severity][1]) for code, points in deducted.items())
    return max(0, 100 - total)


def _ordered(findings):
    """Table-level findings first, then by row; rules in registration order within each."""
    order = {code: position for position, code in enumerate(RULES)}
    return sorted(findings, key=lambda f: (f.row is not None, f.row or 0, order[f.rule]))


def check_table(data, context=None):
    """Every rule on one table: its findings, score and grade. Touches no database."""
    findings = [finding for rule in RULES.values() for finding in rule.check(data, context)]
    findings = _ordered(findings)
    score = score_for(findings, context.explained if context is not None else frozenset())
    return CheckResult(findings=findings, score=score, grade=grade_for(score))


def check_row(data, index, context=None):
    """The row rules for the row at position `index` (from 1): what the editor shows as a row is typed."""
    row = data.row(index)
    return _ordered(
        [finding for rule in RULES.values() if rule.row_level for finding in rule.check_row(data, row, context)]
    )


def run_rule(code, data, context=None):
    """One rule alone on a table, as its tests run it."""
    return RULES[code].check(data, context)
