"""The pages of the self-evaluation: the list, a round (opened by finance, and its summary), the form
in the annex layout with its working, the editor, the workflow buttons, finance's change of a score,
and the Excel export."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from indicators.models import Opinion
from projects import audit
from perfgoals.faults import database_failed
from perfgoals.xlsx import list_workbook, xlsx_response
from projects import permissions
from projects.evaluation.checks import evaluation_findings
from projects.evaluation.excel import evaluation_workbook
from projects.evaluation.scoring import points
from projects.evaluation.importing import EvaluationImportError, evaluation_import, evaluation_import_preview
from projects.evaluation.forms import EvaluationItemFormSet, EvaluationRoundForm, RescoreForm, SelfEvaluationForm, cell_errors
from projects.evaluation.services import RoundError, evaluation_rescore, evaluation_save, evaluation_round_create
from projects.evaluation.sheet import FUND_COLUMNS, sheet_of
from projects.models import EvaluationRound, ReviewAction, SelfEvaluation, TaskProgress
from projects.tasks import runner
from projects.tasks.evaluation import start_round_fill
from projects.uploads import read_upload, safe_name
from perfgoals.scope import scope_of
from projects.workflow import WorkflowError, available_actions, document_action

GRADES = ("优", "良", "中", "差")


def _evaluations(user):
    return SelfEvaluation.objects.visible_to(user).select_related(
        "round", "project__unit", "project__department", "project__region"
    )


def _evaluation(request, pk):
    return get_object_or_404(_evaluations(request.user), pk=pk)


@login_required
def evaluation_list(request):
    """每个用户看到自己范围内的自评；财政还看到本区划的自评轮次。"""
    evaluations = list(_evaluations(request.user).prefetch_related("items").order_by("-round__year", "project__unit__code", "project__name"))
    rows = [(evaluation, sheet_of(evaluation, evaluation.items.all())) for evaluation in evaluations]
    rounds = EvaluationRound.objects.visible_to(request.user).select_related("region") if permissions.can_view_evaluation_rounds(request.user) else []
    return render(
        request,
        "projects/evaluation/evaluation_list.html",
        {"rows": rows, "rounds": rounds, "can_open": permissions.can_open_evaluation_rounds(request.user)},
    )


@login_required
def round_create(request):
    """财政局为本区划开启一个年度的自评：每张在用的已批复项目表一份自评。"""
    if not permissions.can_open_evaluation_rounds(request.user):
        raise PermissionDenied("绩效自评由财政局开启。")
    region = scope_of(request.user).region
    form = EvaluationRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation_round = evaluation_round_create(
                region=region,
                year=data["year"],
                due_date=data["due_date"],
                by=request.user,
                weights=form.weights(),
                execution_reason_below=data["execution_reason_below"],
            )
        except (RoundError, IntegrityError) as refused:
            form.add_error(None, str(refused) if isinstance(refused, RoundError) else f"{region.name}{data['year']}年度的自评轮次已经开启。")
        else:
            progress = start_round_fill(request.user, evaluation_round)
            messages.success(request, f"已开启{evaluation_round}，正在后台为 {progress.total} 张已批复的项目表生成自评。")
            return redirect("projects:task_progress", pk=progress.pk)
    return render(request, "projects/evaluation/round_form.html", {"form": form, "region": region})


@login_required
def round_detail(request, pk):
    """一个自评轮次：谁已提交、各状态和等级的分布、执行率，以及检查存疑的自评。"""
    if not permissions.can_view_evaluation_rounds(request.user):
        raise PermissionDenied("自评轮次汇总是财政的视角。")
    evaluation_round = get_object_or_404(EvaluationRound.objects.visible_to(request.user).select_related("region"), pk=pk)
    evaluations = list(
        evaluation_round.evaluations.select_related("round", "project__unit", "project__department").prefetch_related("items")
    )
    rows = []
    for evaluation in evaluations:
        sheet = sheet_of(evaluation, evaluation.items.all())
        doubts = [finding for finding in evaluation_findings(evaluation, sheet).findings]
        rows.append((evaluation, sheet, doubts))
    if request.GET.get("export") == "xlsx":
        return _round_export(request, evaluation_round, rows)
    if request.GET.get("export") == "departments":
        return _departments_export(request, evaluation_round, _by_department(rows))
    grades = Counter(sheet.grade for _evaluation, sheet, _doubts in rows if sheet.total is not None)
    departments = _by_department(rows)
    statuses = Counter(evaluation.get_status_display() for evaluation in evaluations)
    return render(
        request,
        "projects/evaluation/round_detail.html",
        {
            "round": evaluation_round,
            "rows": rows,
            "grades": [(grade, grades.get(grade, 0)) for grade in GRADES],
            "unscored": sum(1 for _evaluation, sheet, _doubts in rows if sheet.total is None),
            "statuses": sorted(statuses.items()),
            "submitted": sum(1 for evaluation in evaluations if evaluation.status != "draft"),
            "departments": departments,
            "filling": TaskProgress.objects.filter(
                kind=TaskProgress.Kind.EVALUATION_ROUND, params__round=evaluation_round.pk, state__in=("queued", "running")
            ).first(),
        },
    )


def _by_department(rows):
    """Per 主管部门: how many, the grades, the mean execution rate and total, and how many the checks doubt."""
    groups = {}
    for evaluation, sheet, doubts in rows:
        groups.setdefault(evaluation.project.department.name, []).append((sheet, doubts))
    summary = []
    for name, members in sorted(groups.items()):
        rates = [sheet.rate for sheet, _doubts in members if sheet.rate is not None]
        totals = [sheet.total for sheet, _doubts in members if sheet.total is not None]
        grades = Counter(sheet.grade for sheet, _doubts in members if sheet.total is not None)
        summary.append(
            {
                "name": name,
                "count": len(members),
                "grades": [grades.get(grade, 0) for grade in GRADES],
                "rate": points(sum(rates) / len(rates)) if rates else None,
                "total": points(sum(totals) / len(totals)) if totals else None,
                "doubted": sum(1 for _sheet, doubts in members if doubts),
            }
        )
    return summary


DEPARTMENT_HEADERS = ("主管部门", "自评份数", *GRADES, "平均执行率（%）", "平均总分", "检查存疑")


def _departments_export(request, evaluation_round, departments):
    """The per-department table exactly as shown."""
    content = list_workbook(
        sheet_title="各主管部门",
        title=f"{evaluation_round}·各主管部门",
        headers=DEPARTMENT_HEADERS,
        rows=[(row["name"], row["count"], *row["grades"], row["rate"], row["total"], row["doubted"]) for row in departments],
    )
    audit.record("export", request=request, evaluation_round=evaluation_round.pk, year=evaluation_round.year, layout="evaluation_departments")
    return xlsx_response(content, f"{evaluation_round}各主管部门.xlsx")


ROUND_HEADERS = ("项目名称", "主管部门", "实施单位", "状态", "执行率（%）", "自评总分", "复核后总分", "等级", "检查存疑")


def _round_export(request, evaluation_round, rows):
    """The round's list exactly as shown: one row per self-evaluation, its figures and its doubts."""
    content = list_workbook(
        sheet_title="自评汇总",
        title=str(evaluation_round),
        headers=ROUND_HEADERS,
        rows=[
            (
                evaluation.project.name,
                evaluation.project.department.name,
                evaluation.project.unit.name,
                evaluation.get_status_display(),
                sheet.rate,
                sheet.self_total,
                sheet.total,
                sheet.grade,
                "\n".join(finding.message for finding in doubts),
            )
            for evaluation, sheet, doubts in rows
        ],
    )
    audit.record("export", request=request, evaluation_round=evaluation_round.pk, year=evaluation_round.year, layout="evaluation_round")
    return xlsx_response(content, f"{evaluation_round}汇总.xlsx")


@login_required
def evaluation_detail(request, pk):
    """自评表（10号文附件格式），每个得分旁边写明计算过程；检查发现、审核记录和可用的操作。"""
    evaluation = _evaluation(request, pk)
    sheet = sheet_of(evaluation)
    actions = available_actions(request.user, evaluation)
    return render(
        request,
        "projects/evaluation/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "sheet": sheet,
            "fund_columns": FUND_COLUMNS,
            "findings": evaluation_findings(evaluation, sheet).findings,
            # 改分 is taken row by row (a form beside each score), not as a button of the whole.
            "actions": [action for action in actions if action != ReviewAction.RESCORE],
            "can_edit": permissions.can_edit_evaluation(request.user, evaluation),
            "can_rescore": ReviewAction.RESCORE in actions,
            "records": evaluation.reviews.select_related("actor").order_by("at", "id"),
            "opinions": Opinion.choices,
        },
    )


@login_required
def evaluation_edit(request, pk):
    """单位填写自评：资金执行、实际完成情况、每行实际完成值（按指标值同一解析器解析）和改分理由。
    A bad value keeps everything typed and names its cell."""
    evaluation = _evaluation(request, pk)
    if not permissions.can_edit_evaluation(request.user, evaluation):
        raise PermissionDenied(f"这份自评当前为“{evaluation.get_status_display()}”，只有本单位在草稿或退回状态下可以填写。")
    items = list(evaluation.items.order_by("order", "id"))
    data = request.POST if request.method == "POST" else None
    form = SelfEvaluationForm(data, instance=evaluation)
    formset = EvaluationItemFormSet(data, queryset=evaluation.items.order_by("order", "id"))
    errors = []
    if request.method == "POST":
        if request.POST.get("revision") != str(evaluation.revision):
            errors.append("打开这一页之后，这份自评已被保存或审核过；请复制您填写的内容，刷新页面后再保存。")
        elif form.is_valid() and formset.is_valid():
            try:
                evaluation_save(form=form, formset=formset)
            except DatabaseError:
                errors.append(database_failed("saving a self-evaluation"))
            else:
                messages.success(request, "自评已保存，得分已按填写的数值重新计算。")
                return redirect("projects:evaluation_detail", pk=evaluation.pk)
        errors += cell_errors(form, formset, items)
    if form.is_bound:
        # The working beside each row follows what was typed (the fields that parsed), not the stored rows.
        sheet = sheet_of(form.instance, [row_form.instance for row_form in formset.forms])
    else:
        sheet = sheet_of(evaluation, items)
    for row_form, row in zip(formset.forms, sheet.items):
        if row.needs_reason:
            # The box the row waits for is outlined, as a field in error is.
            widget = row_form.fields["unit_reason"].widget
            widget.attrs = {**widget.attrs, "class": f"{widget.attrs.get('class', '')} is-invalid".strip()}
    return render(
        request,
        "projects/evaluation/evaluation_edit.html",
        {
            "evaluation": evaluation,
            "form": form,
            "formset": formset,
            "rows": list(zip(formset.forms, sheet.items)),
            "sheet": sheet,
            "errors": errors,
        },
    )


@login_required
def evaluation_action(request, pk):
    """提交、撤回（单位），通过、退回（主管部门复核），批复、退回（财政抽查）：都经同一个审核流程。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    evaluation = _evaluation(request, pk)
    action = request.POST.get("action", "")
    try:
        if action not in (ReviewAction.SUBMIT, ReviewAction.WITHDRAW, ReviewAction.PASS, ReviewAction.RETURN, ReviewAction.APPROVE):
            raise WorkflowError("不支持的操作。")
        document_action(
            action, evaluation, by=request.user, reason=request.POST.get("reason", ""), comment=request.POST.get("comment", "")
        )
    except WorkflowError as refused:
        messages.error(request, str(refused))
        for problem in refused.problems:
            messages.warning(request, problem)
    except DatabaseError:
        messages.error(request, database_failed(f"taking the action {action!r} on a self-evaluation"))
    else:
        messages.success(request, f"已{ReviewAction(action).label}“{evaluation}”。")
    return redirect("projects:evaluation_detail", pk=evaluation.pk)


@login_required
def evaluation_rescore_view(request, pk):
    """财政抽查改分：改一行的得分须说明理由，单位的自评得分保留并显示在旁。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    evaluation = _evaluation(request, pk)
    if not permissions.can_rescore_evaluations(request.user):
        raise PermissionDenied("只有财政审核人可以在抽查时改分。")
    if not permissions.can_rescore_evaluation(request.user, evaluation):
        messages.error(request, f"这份自评当前为“{evaluation.get_status_display()}”，只有在待财政审核（抽查）时可以改分。")
        return redirect("projects:evaluation_detail", pk=evaluation.pk)
    form = RescoreForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"改分{('·' + label) if label else ''}：{error}")
        return redirect("projects:evaluation_detail", pk=evaluation.pk)
    item = evaluation.items.filter(pk=form.cleaned_data["item"]).first()
    try:
        if item is None:
            raise WorkflowError("这一行不在这份自评上。")
        evaluation_rescore(
            evaluation=evaluation, item=item, score=form.cleaned_data["score"], reason=form.cleaned_data["reason"], by=request.user
        )
    except WorkflowError as refused:
        messages.error(request, str(refused))
    except DatabaseError:
        messages.error(request, database_failed("changing a score of a self-evaluation"))
    else:
        messages.success(request, f"第 {item.order} 行“{item.name}”复核得分改为 {points(item.reviewed_score)} 分，自评得分保留。")
    return redirect("projects:evaluation_detail", pk=evaluation.pk)


@login_required
def evaluation_import_xlsx(request, pk):
    """单位导入填好的自评表（10号文附件格式或四川格式）：上传 → 预览（与规则不符之处、哪些行须补改分理由）→
    确认后写入；文件有问题则逐处列出（写明单元格），一处不写。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    evaluation = _evaluation(request, pk)
    if not permissions.can_edit_evaluation(request.user, evaluation):
        raise PermissionDenied(f"这份自评当前为“{evaluation.get_status_display()}”，只有本单位在草稿或退回状态下可以导入。")
    stash = f"evaluation-upload-{evaluation.pk}-u{request.user.pk}"
    token = request.POST.get("token", "")
    if token:
        data, name = runner.stashed_upload(stash, token), safe_name(request.POST.get("name", ""))
        if data is None:
            messages.error(request, "上传的文件已过期，请重新上传。")
            return redirect("projects:evaluation_detail", pk=evaluation.pk)
        if not request.POST.get("confirm"):
            runner.drop_upload(stash, token)
            messages.info(request, f"已取消导入“{name}”，自评未改动。")
            return redirect("projects:evaluation_detail", pk=evaluation.pk)
    else:
        name, data, problem = read_upload(request)
        if problem:
            messages.error(request, problem)
            return redirect("projects:evaluation_detail", pk=evaluation.pk)
        name = safe_name(name)
    try:
        if not token:
            plan = evaluation_import_preview(evaluation=evaluation, data=data)
            context = {"evaluation": evaluation, "plan": plan, "name": name, "token": runner.stash_upload(stash, data)}
            return render(request, "projects/evaluation/evaluation_import.html", context)
        plan = evaluation_import(evaluation=evaluation, data=data)
    except EvaluationImportError as refused:
        runner.drop_upload(stash, token)
        messages.error(request, f"导入“{name}”：{refused}")
        for problem in refused.problems:
            messages.warning(request, problem)
    except DatabaseError:
        messages.error(request, database_failed("importing a self-evaluation"))
    else:
        runner.drop_upload(stash, token)
        audit.record("import", request=request, self_evaluations=[evaluation.pk], layout=plan.layout.key, filename=name)
        messages.success(request, f"已按{plan.layout.name}导入“{name}”（工作表“{plan.sheet_title}”），得分已按规则重新计算。")
        for difference in plan.other_differences:
            messages.warning(request, f"与规则不符：{difference}")
        for read in plan.reasons_read:
            messages.warning(request, f"单位改分：{read}")
        for missing in plan.needs_reason:
            messages.error(request, f"须补改分理由：{missing}")
    return redirect("projects:evaluation_detail", pk=evaluation.pk)


@login_required
def evaluation_export_xlsx(request, pk):
    """自评表按10号文附件格式导出 Excel，可直接打印。"""
    evaluation = _evaluation(request, pk)
    content = evaluation_workbook(sheet_of(evaluation))
    audit.record("export", request=request, self_evaluations=[evaluation.pk], year=evaluation.project.year, layout="evaluation")
    return xlsx_response(content, f"{evaluation.project.year}年{evaluation.project.name or '未命名项目'}绩效自评表.xlsx")
