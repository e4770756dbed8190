"""An approved table of an ordinary unit under 平罗县纪律检查委员会, its people, and a round over it."""

import datetime
from decimal import Decimal

from projects.evaluation.services import round_open
from projects.models import Department, ProjectTable, TableStatus
from tests import factories

# What a unit reports at year end for factories.CLEAN_ROWS, in order: every target met.
MET = ("4 期", "210 人次", "96%", "", "19 万元", "88 分", "3 年", "93%")


def approved_table(unit, **fields):
    table = factories.stored_table(unit, **fields)
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.APPROVED)  # as the finance bureau approved it
    table.refresh_from_db()
    return table


def evaluation_world():
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department)
    table = approved_table(unit)
    people = {
        "staff": factories.user("unit_staff", unit=unit),
        "reviewer": factories.user("department_reviewer", department=department),
        "finance": factories.user("finance_officer", region=department.region),
    }
    evaluation_round = round_open(region=department.region, year=table.year, due_date=datetime.date(2025, 3, 31), by=people["finance"])
    return table, evaluation_round, people


def fill(evaluation, actuals=MET, executed=Decimal("19")):
    """Type the year's figures: the funds executed and each row's 实际完成值 (qualitative rows 达成)."""
    evaluation.total_executed = executed
    evaluation.fiscal_executed = executed
    evaluation.goal_actual = "全年举办培训 4 期，培训 210 人次。"
    evaluation.save()
    for item, actual in zip(evaluation.items.order_by("order"), actuals):
        item.actual_text = actual or "按时完成"
        item.band = "" if actual else "met"
        item.save()
    return evaluation
