"""The quality checks that apply to a department's whole-department targets (部门整体绩效目标).

A target is checked by the same rules as a project table, on what it has: its overall goal and its
indicator rows. The rules about a project's money, spending plan, siblings and library do not apply
(a department's budget split is not a project's sources, and it has no spending plan); the rules
about missing 产出/效益/满意度 indicators apply once the target has an indicator table at all (定州's
form states its targets as text and has none).
"""

from indicators.checks.data import FrameworkData, IndicatorData, TableData
from indicators.checks.engine import WEIGHTS, CheckResult, check_table, grade_for, score_for
from indicators.checks.registry import Finding
from indicators.choices import Criterion, Opinion, Severity
from indicators.frameworks import framework_snapshot
from perfgoals.formatting import decimal_text

# The department's budget split must add up: 部门预算总额 = 基本支出 + 项目支出.
FUNDS_RULE = "target_funds_mismatch"

# The rules that read what a department target holds.
TEXT_RULES = frozenset(
    {
        "goals_missing",
        "year_in_goals",
    }
)
ROW_RULES = frozenset(
    {
        "year_in_indicator",
        "duplicate_indicator",
        "quantity_qualitative",
        "unit_missing",
        "vague_wording",
        "timeliness_not_time",
        "name_is_level_name",
        "placeholder",
        "template_prefix",
        "description_repeats_name",
        "impossible_percent",
        "percent_over_100",
        "satisfaction_full",
        "uniform_values",
        "output_missing",
        "benefit_missing",
        "satisfaction_missing",
    }
)


def target_data(target, rows=None):
    """TableData of a saved DepartmentTarget: its overall goal as the annual goal and its indicator rows
    (``rows``: loaded with level2__level1, in order; read from the database when not given)."""
    frameworks = framework_snapshot().check_data
    framework = frameworks.get(target.framework.code) or FrameworkData(target.framework.code, target.framework.name)
    if rows is None:
        rows = target.indicators.select_related("level2__level1").order_by("order", "id")
    indicators = [
        IndicatorData(
            index=index,
            uid=str(row.uid),
            level1=row.level2.level1.name,
            level2=row.level2.name,
            name=row.name,
            description=row.description,
            value_text=row.value_text,
            basis=row.basis,
            basis_text=row.basis_text,
        )
        for index, row in enumerate(rows, 1)
    ]
    goals = [target.overall_goal] if target.overall_goal.strip() else []
    return TableData(
        uid=str(target.uid),
        year=target.year,
        name=f"{target.department.name}部门整体绩效目标",
        framework=framework,
        goals=goals,
        no_direct_beneficiaries=False,
        indicators=indicators,
    )


def funds_finding(target):
    """A 错误 when 部门预算总额, 基本支出 and 项目支出 are all given and do not add up, else None."""
    total, basic, project = target.funds_total, target.funds_basic, target.funds_project
    if total is None or basic is None or project is None or basic + project == total:
        return None
    return Finding(
        rule=FUNDS_RULE,
        severity=Severity.ERROR,
        criterion=Criterion.COMPLETENESS,
        opinion=Opinion.OTHER,
        message=(
            f"部门预算总额 {decimal_text(total)} 万元与基本支出 {decimal_text(basic)} 万元、"
            f"项目支出 {decimal_text(project)} 万元之和 {decimal_text(basic + project)} 万元不符。"
        ),
        suggestion="核对部门预算批复，使 部门预算总额 = 基本支出 + 项目支出。",
    )


def target_findings(target, rows=None):
    """The findings, score and grade of a department target, worked out afresh (targets are few: they
    are checked when shown and when submitted, and nothing is stored)."""
    data = target_data(target, rows)
    applicable = TEXT_RULES | (ROW_RULES if data.indicators else frozenset())
    findings = [finding for finding in check_table(data).findings if finding.rule in applicable]
    score = score_for(findings)
    funds = funds_finding(target)
    if funds is not None:
        findings.insert(0, funds)
        score = max(0, score - WEIGHTS[Severity.ERROR][0])
    return CheckResult(findings=findings, score=score, grade=grade_for(score))
