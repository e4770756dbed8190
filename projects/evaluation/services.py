"""Opening a self-evaluation round and saving a self-evaluation (services that span models)."""

from decimal import Decimal

from django.db import transaction

from projects.evaluation.prefill import monitoring_prefill
from projects.evaluation.scoring import points, spread_weights
from projects.evaluation.sheet import sheet_of
from projects.models import EvaluationItem, EvaluationRound, GoalKind, ProjectTable, ReviewAction, SelfEvaluation, TableStatus
from projects.workflow import WorkflowError, document_amend

# Where a self-evaluation's prefill comes from besides the approved table: functions taking an approved
# ProjectTable and returning SelfEvaluation field values, and under "actuals" and "deviations" mappings
# of Indicator uid → 实际完成值 / 偏差原因 text. The last monitoring report is the first.
PREFILLS = [monitoring_prefill]


def register_monitoring_prefill(function):
    """Add a source a self-evaluation starts from (the hook this module offered before it read the
    monitoring reports itself; kept so that code registering through it goes on working)."""
    if function not in PREFILLS:
        PREFILLS.append(function)
    return function


class RoundError(Exception):
    """A round could not be opened; ``str()`` says why in Chinese."""


def tables_to_evaluate(*, region, year):
    """The approved project tables in force of ``region`` and ``year``, each project once."""
    return (
        ProjectTable.objects.in_force()
        .filter(region=region, year=year, status=TableStatus.APPROVED)
        .select_related("unit", "department")
        .prefetch_related("goals")
    )


def round_open(*, region, year, due_date, by, weights=None, execution_reason_below=Decimal(90)):
    """财政局开启自评轮次：本区划该年度每张在用的已批复项目表一份自评，预填批复内容（in the foreground:
    the page does the same in two steps, evaluation_round_create then round_fill in a background task)."""
    evaluation_round = evaluation_round_create(
        region=region, year=year, due_date=due_date, by=by, weights=weights, execution_reason_below=execution_reason_below
    )
    round_fill(evaluation_round=evaluation_round)
    return evaluation_round


def evaluation_round_create(*, region, year, due_date, by, weights=None, execution_reason_below=Decimal(90)):
    """The round itself, without its self-evaluations yet (round_fill makes them).

    ``weights`` (预算执行/产出指标/效益指标/满意度指标 → points) must add up to 100. Refused when the
    region already has a round for the year or has no approved table to evaluate."""
    weights = weights or {"预算执行": Decimal(10), "产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)}
    total = sum((Decimal(value) for value in weights.values()), Decimal(0))
    if total != 100:
        raise RoundError(f"各项分值合计应为 100 分，现为 {total} 分。")
    if EvaluationRound.objects.filter(region=region, year=year).exists():
        raise RoundError(f"{region.name}{year}年度的自评轮次已经开启。")
    if not tables_to_evaluate(region=region, year=year).exists():
        raise RoundError(f"{region.name}{year}年度没有已批复的项目绩效目标表，无需开启自评。")
    return EvaluationRound.objects.create(
        region=region,
        year=year,
        due_date=due_date,
        opened_by=by,
        weight_execution=weights["预算执行"],
        weight_output=weights["产出指标"],
        weight_benefit=weights["效益指标"],
        weight_satisfaction=weights["满意度指标"],
        execution_reason_below=execution_reason_below,
    )


def round_fill(*, evaluation_round, report=None):
    """One prefilled self-evaluation for each approved table in force of the round's region and year
    that has none yet (so a run cut short is finished by running it again), each table in its own
    transaction; ``report(done)`` after each. Returns how many were made."""
    tables = tables_to_evaluate(region=evaluation_round.region, year=evaluation_round.year).exclude(
        self_evaluations__round=evaluation_round
    )
    made = 0
    for table in tables.order_by("unit__code", "pk"):
        with transaction.atomic():
            evaluation_prefill(evaluation_round=evaluation_round, table=table)
        made += 1
        if report is not None:
            report(made)
    return made


def evaluation_prefill(*, evaluation_round, table):
    """One self-evaluation of ``table``, prefilled from the approved table (funds as budgeted, the
    annual goals as 预期目标, each 三级 indicator with its 年度指标值 and its 分值) and from whatever
    the monitoring hook supplies."""
    fields = {
        "total_initial": table.funds_total,
        "total_full": table.funds_total,
        "fiscal_initial": table.funds_fiscal,
        "fiscal_full": table.funds_fiscal,
        "other_initial": table.funds_other,
        "other_full": table.funds_other,
        "goal_expected": "\n".join(goal.text for goal in table.goals.all() if goal.kind == GoalKind.ANNUAL),
    }
    actuals, deviations = {}, {}
    for prefill in PREFILLS:
        supplied = dict(prefill(table) or {})
        actuals.update(supplied.pop("actuals", {}))
        deviations.update(supplied.pop("deviations", {}))
        fields.update({name: value for name, value in supplied.items() if value not in (None, "")})
    evaluation = SelfEvaluation.objects.create(round=evaluation_round, project=table, **fields)
    rows = list(table.indicators.select_related("level2__level1").order_by("order", "id"))
    weights = item_weights(rows, evaluation_round)
    EvaluationItem.objects.bulk_create(
        EvaluationItem(
            evaluation=evaluation,
            indicator_uid=row.uid,
            order=index,
            level1=row.level2.level1.name,
            level2=row.level2.name,
            name=row.name,
            target_text=row.value_text,
            weight=weight,
            actual_text=actuals.get(str(row.uid), ""),
            deviation=deviations.get(str(row.uid), ""),
        )
        for index, (row, weight) in enumerate(zip(rows, weights), 1)
    )
    return evaluation


def item_weights(rows, evaluation_round):
    """The rows' 分值: the table's own per-indicator weights where every row has one and they add up
    to the indicators' points (四川's variant), else each 一级's points spread over its rows."""
    indicator_points = 100 - evaluation_round.weight_execution
    own = [row.weight for row in rows]
    if rows and all(weight is not None for weight in own) and sum(own) == indicator_points:
        return own
    return spread_weights([row.level2.level1.name for row in rows], evaluation_round.weights)




def evaluation_save(*, form, formset):
    """Save the unit's self-evaluation and its rows together (validated together beforehand). The figures
    are now the ones typed on the form, so the execution score, total and grade printed on an earlier
    imported file no longer stand beside them (the form says so before it is saved)."""
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.printed_total, saved.printed_grade = None, ""
        saved.printed_execution, saved.printed_rate, saved.printed_cells = None, None, {}
        saved.revision += 1
        saved.save()
        formset.save()
    return saved


def evaluation_rescore(*, evaluation, item, score, reason, by):
    """财政抽查改分：一行的复核得分须在 0 到本行分值之间并说明理由；单位的自评得分保留不变。

    An action of the workflow gate (改分, only while 待财政审核, by the region's finance officer): the
    record keeps the row, the score before and after, and the reason. Refusals raise WorkflowError."""
    reason = (reason or "").strip()
    if item.evaluation_id != evaluation.pk:
        raise WorkflowError("这一行不在这份自评上。")
    if not reason:
        raise WorkflowError(f"第 {item.order} 行“{item.name}”：改分必须说明理由。")
    if not Decimal(0) <= score <= item.weight:
        raise WorkflowError(f"第 {item.order} 行“{item.name}”：复核得分应在 0 到 {item.weight} 分之间。")

    def change(locked):
        row = EvaluationItem.objects.select_for_update().get(pk=item.pk)
        before = row.reviewed_score
        self_score = next(scored.self_score for scored in sheet_of(locked).items if scored.item.pk == row.pk)
        row.reviewed_score = points(score)
        row.reviewed_reason = reason
        row.save(update_fields=["reviewed_score", "reviewed_reason"])
        item.reviewed_score, item.reviewed_reason = row.reviewed_score, row.reviewed_reason
        was = f"复核 {before} 分" if before is not None else f"自评 {self_score} 分"
        return f"第 {row.order} 行“{row.name}”：{was} → 复核 {row.reviewed_score} 分"

    document_amend(ReviewAction.RESCORE, evaluation, by=by, reason=reason, change=change)
    return item
