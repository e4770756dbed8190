"""The rule registry: each 审核规则 is a plain function registered with its metadata.

A rule function yields Problem(message, suggestion[, row]); the registry turns each into a Finding that
carries the rule's code, severity, criterion and 监审意见. Two shapes of rule exist:

- a row rule, ``f(data, row, context)``, judges one 三级 row (it may look at the rest of the table, as
  the duplicate rule does). The editor runs these for the row being typed (check_row).
- a table rule, ``f(data, context)``, judges the table as a whole (funds, goals, the set of rows).

Adding a rule is writing one decorated function in the module of its sub-domain; the engine and the
score pick it up from RULES.
"""

from dataclasses import dataclass

from indicators.findings import Criterion, Opinion, Severity


@dataclass(frozen=True)
class Problem:
    """What a rule function reports: the Chinese message and fix, and the row for table rules."""

    message: str
    suggestion: str
    row: object = None


@dataclass(frozen=True)
class Finding:
    """One finding as users read it, with everything needed to store, group and explain it."""

    rule: str
    severity: str
    criterion: str
    opinion: str
    message: str
    suggestion: str
    row: int | None = None
    indicator_uid: str | None = None

    @property
    def severity_label(self):
        return Severity(self.severity).label

    @property
    def criterion_label(self):
        return Criterion(self.criterion).label

    @property
    def opinion_label(self):
        return Opinion(self.opinion).label

    @property
    def key(self):
        """What an explanation is attached to: the rule and the indicator ("" for the table)."""
        return (self.rule, self.indicator_uid or "")

    @property
    def blocks_submission(self):
        return self.severity == Severity.ERROR

    def as_dict(self):
        return {
            "rule": self.rule,
            "severity": self.severity_label,
            "criterion": self.criterion_label,
            "opinion": self.opinion_label,
            "row": self.row,
            "indicator_uid": self.indicator_uid,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str
    criterion: str
    opinion: str
    row_level: bool
    function: object

    def _finding(self, problem, row):
        row = problem.row if problem.row is not None else row
        return Finding(
            rule=self.code,
            severity=self.severity,
            criterion=self.criterion,
            opinion=self.opinion,
            message=problem.message,
            suggestion=problem.suggestion,
            row=row.index if row is not None else None,
            indicator_uid=row.uid if row is not None else None,
        )

    def check_row(self, data, row, context):
        """Findings of this row rule for one row."""
        return [self._finding(problem, row) for problem in self.function(data, row, context)]

    def check(self, data, context):
        """Findings of this rule on the whole table (every row, for a row rule)."""
        if self.row_level:
            function = self.function
            return [self._finding(problem, row) for row in data.indicators for problem in function(data, row, context)]
        return [self._finding(problem, None) for problem in self.function(data, context)]


RULES = {}


def rule(code, *, title, severity, criterion, opinion, row_level=False):
    """Register the decorated function as rule `code`; the function itself is returned unchanged."""

    def register(function):
        if code in RULES:
            raise ValueError(f"rule {code} is registered twice")
        RULES[code] = Rule(code, title, Severity(severity), Criterion(criterion), Opinion(opinion), row_level, function)
        return function

    return register
