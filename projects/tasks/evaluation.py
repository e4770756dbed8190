"""Opening a self-evaluation round as a background task: the round is created at once (so a second
opening is refused at once), its self-evaluations, one per approved table in force, are made here
with progress, each table in its own transaction; a run cut short is finished by running it again."""

from projects.evaluation.services import round_fill, tables_to_evaluate
from projects.models import EvaluationRound
from projects.tasks import runner
from projects.tasks.compat import task
from projects.tasks.models import TaskProgress


def start_round_fill(owner, evaluation_round):
    """Record and enqueue the making of ``evaluation_round``'s self-evaluations; returns the TaskProgress."""
    total = tables_to_evaluate(region=evaluation_round.region, year=evaluation_round.year).count()
    title = f"{evaluation_round}：为已批复的项目表生成自评"
    return runner.start(owner, TaskProgress.Kind.EVALUATION_ROUND, title, {"round": evaluation_round.pk}, total, round_fill_task)


def round_fill_body(progress, report):
    evaluation_round = EvaluationRound.objects.select_related("region").get(pk=progress.params["round"])
    made = round_fill(evaluation_round=evaluation_round, report=report)
    waiting = evaluation_round.evaluations.count()
    return {"results": [{"label": "本次生成自评", "count": made}, {"label": "本轮次共有自评", "count": waiting}]}


@task()
def round_fill_task(progress_id):
    """Make the self-evaluations of the round of a TaskProgress."""
    return runner.run(progress_id, TaskProgress.Kind.EVALUATION_ROUND, round_fill_body)
