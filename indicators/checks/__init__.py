"""智能审核: explainable quality checks on target tables (tracker issue 4).

Rules are plain functions over a TableData snapshot (data.py), registered with their code, severity,
criterion and 监审意见 (registry.py) and grouped by sub-domain: completeness, placeholders,
measurability, plausibility, money, consistency, lastyear (last year's results). engine.py runs them and scores the table;
services.py stores results on ProjectTable and records units' explanations.
"""

from indicators.checks.data import (
    CheckContext,
    FrameworkData,
    IndicatorData,
    Level2Spec,
    SiblingTable,
    TableData,
    table_data_from_document,
    table_data_from_project,
)
from indicators.checks.engine import CheckResult, check_row, check_table, grade_for, run_rule, score_for
from indicators.checks.registry import RULES, Finding, Problem, rule

__all__ = [
    "RULES",
    "CheckContext",
    "CheckResult",
    "Finding",
    "FrameworkData",
    "IndicatorData",
    "Level2Spec",
    "Problem",
    "SiblingTable",
    "TableData",
    "check_row",
    "check_table",
    "grade_for",
    "rule",
    "run_rule",
    "score_for",
    "table_data_from_document",
    "table_data_from_project",
]
