"""The reviewer workbench and the workflow's buttons: the queue of tables awaiting a reviewer, the
review page (the table, its findings, last year's values, the diff since the previous submission, row
comments and the decision), bulk decisions, the unit's submit / withdraw / adjust, and the history.

Every action goes through projects.workflow, which alone changes a status; a refused action changes
nothing and its Chinese message is shown on the page the user came from, with what they typed kept."""

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from projects.evaluation.queue import awaiting_evaluations
from projects.findings import project_findings
from indicators.models import Grade, Opinion
from perfgoals.faults import database_failed
from perfgoals.lists import FilteredListView, SearchFilterSet
from perfgoals.tables import BadgeColumn, BaseTable, DetailLinkColumn, MoneyColumn, NumberColumn
from projects import permissions, presentation, workflow
from projects.approvals import approval_from
from projects.memory import last_year_of, last_years
from projects.models import Department, GoalKind, ProjectTable, ReviewAction, ReviewRecord
from projects.review import awaiting, awaiting_targets, submission_diff, table_history
from projects.views import findings_by_row, project_for_display

DECISIONS = (ReviewAction.PASS, ReviewAction.APPROVE, ReviewAction.RETURN)


# The queue


class ReviewQueueFilterSet(SearchFilterSet):
    year = django_filters.NumberFilter(label="预算年度")
    department = django_filters.ModelChoiceFilter(label="主管部门", queryset=Department.objects.none(), empty_label="全部")
    quality_grade = django_filters.ChoiceFilter(label="等级", choices=Grade.choices, empty_label="全部")

    search_fields = ("name", "code", "unit__name", "department__name")
    primary = ("q", "year", "department", "quality_grade")

    class Meta:
        model = ProjectTable
        fields = ["q", "year", "department", "quality_grade"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # The departments the reviewer sees that have a table they see: one index probe a department
        # (EXISTS), not a pass over every table of the region (100 ms at 100,000 tables).
        self.filters["department"].queryset = Department.objects.visible_to(request.user).filter(
            Exists(ProjectTable.objects.visible_to(request.user).filter(department=OuterRef("pk")))
        )


class ReviewQueueTable(BaseTable):
    selected = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"input": {"form": "bulk-form", "name": "selected", "data-name": lambda record: record.name or "未命名项目"}, "th__input": {"class": "select-all", "aria-label": "全选"}},
        exclude_from_export=True,
    )
    department = tables.Column(verbose_name="主管部门", accessor="department__name")
    unit = tables.Column(verbose_name="实施单位", accessor="unit__name")
    name = DetailLinkColumn(verbose_name="项目名称", url_name="projects:project_review")
    year = tables.Column(verbose_name="年度")
    funds_total = MoneyColumn(verbose_name="金额（万元）")
    quality_score = NumberColumn(verbose_name="得分")
    quality_grade = BadgeColumn(verbose_name="等级", css_prefix="grade")
    submitted_at = tables.DateTimeColumn(verbose_name="提交时间", format="Y-m-d H:i")
    rounds = NumberColumn(verbose_name="轮次")
    # Last year's self-evaluation of the same project (projects.memory), read for the page's rows only.
    last_grade = tables.Column(verbose_name="上年自评", empty_values=(), orderable=False, exclude_from_export=True)
    last_rate = tables.Column(verbose_name="上年执行率", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta(BaseTable.Meta):
        model = ProjectTable
        fields = ()
        sequence = (
            "selected", "department", "unit", "name", "year", "funds_total", "quality_score", "quality_grade",
            "last_grade", "last_rate", "submitted_at", "rounds",
        )

    def render_last_grade(self, record):
        last_year = getattr(record, "last_year", None)
        if last_year is None or not last_year.grade:
            return "—"
        return format_html('<span class="badge last-grade grade-{}">{}</span> {}', last_year.grade, last_year.grade, last_year.total)

    def render_last_rate(self, record):
        last_year = getattr(record, "last_year", None)
        if last_year is None or last_year.rate is None:
            return "—"
        if last_year.from_evaluation:
            return f"{last_year.rate}%"
        return f"{last_year.rate}%（{last_year.report.monitoring_round.period_label}监控）"
        order_by = ("submitted_at",)


class ReviewQueueView(FilteredListView):
    """待我审核：主管部门审核人看到本部门待主管部门审核的表，财政审核人看到本区划待财政审核的表。"""

    pages_by_ids = True
    title = "待我审核"
    filterset_class = ReviewQueueFilterSet
    table_class = ReviewQueueTable
    template_name = "projects/review_queue.html"

    def user_may_view(self, user):
        return permissions.can_review(user)

    def scoped_queryset(self, user):
        return awaiting(user)

    def get_table(self, **kwargs):
        """The queue, with last year's self-evaluation attached to the rows of the page shown."""
        table = super().get_table(**kwargs)
        page = getattr(table, "page", None)
        records = [row.record for row in page.object_list] if page is not None else []
        memory = last_years(records)
        for record in records:
            record.last_year = memory[record.pk]
        return table

    def target_filters(self):
        """The queue's 年度 and 主管部门 filters, applied to the department targets listed above the tables."""
        fields = {"year": "year", "department": "department_id"}
        return {field: int(value) for name, field in fields.items() if (value := self.request.GET.get(name, "")).isdigit()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            targets=awaiting_targets(self.request.user).filter(**self.target_filters()),
            evaluations=awaiting_evaluations(self.request.user).filter(
                **{{"year": "round__year", "department_id": "project__department_id"}[name]: value for name, value in self.target_filters().items()}
            ),
            opinions=Opinion.choices,
            grades=Grade.choices,
            bulk_actions=[
                (ReviewAction.PASS.value, "通过（报财政审核）")
                if permissions.reviews_at_department(self.request.user)
                else (ReviewAction.APPROVE.value, "批复"),
                (ReviewAction.RETURN.value, "退回"),
            ],
        )
        return context


@login_required
def review_bulk(request):
    """批量通过、批复或退回所选的表，退回时所有表用同一个理由。每张表单独处理，被拒绝的逐条说明原因。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not permissions.can_review(request.user):
        raise PermissionDenied("只有审核人可以批量审核。")
    action = request.POST.get("action", "")
    ids = _ids(request.POST.getlist("selected"))
    back = _back_to(request)
    if action not in {choice.value for choice in DECISIONS}:
        messages.error(request, "请选择要执行的操作。")
        return redirect(back)
    if not ids:
        messages.error(request, "请先勾选要处理的表。")
        return redirect(back)
    projects = list(ProjectTable.objects.visible_to(request.user).filter(pk__in=ids).select_related("unit"))
    results = workflow.projects_bulk(
        action=action,
        projects=projects,
        by=request.user,
        reason=request.POST.get("reason", ""),
        comment=request.POST.get("comment", ""),
        grade=request.POST.get("grade", ""),
    )
    done = [project for project, record, error in results if record is not None]
    refused = [(project, error) for project, record, error in results if record is None]
    if done:
        messages.success(request, f"已{ReviewAction(action).label} {len(done)} 张表。")
    for project, error in refused:
        messages.error(request, f"“{project.name or '未命名项目'}”未处理：{error}")
    return redirect(back)


def _ids(values):
    """The table ids among the posted values; anything else (not a number, or too large for an id) is left out."""
    ids = []
    for value in values:
        try:
            number = int(value)
        except ValueError:
            continue
        if 0 < number < 2**63:
            ids.append(number)
    return ids


def _back_to(request):
    """The page the bulk form was sent from (the queue with its filters), if it is a page of this site."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("projects:review_queue")


# The review page


def _review_context(request, table, *, posted=None):
    """Everything the review page shows; ``posted`` refills the reviewer's input after a refusal."""
    posted = posted or {}
    table_findings, row_findings = findings_by_row(project_findings(project=table))
    rows = presentation.indicator_rows(table.indicators.all())
    last_year = last_year_of(table)
    for row in rows:
        indicator = row.indicator
        row.findings = row_findings.get(indicator.pk, [])
        row.last_result = last_year.for_indicator(indicator) if last_year else None
        row.comment_reason = posted.get(f"reason-{indicator.pk}", "")
        row.comment_text = posted.get(f"comment-{indicator.pk}", "")
    actions = [action for action in workflow.available_actions(request.user, table) if action in DECISIONS]
    return {
        "table": table,
        "rows": rows,
        "plan": list(table.spending_plan.all())[:6],
        "annual_goals": [goal.text for goal in table.goals.all() if goal.kind == GoalKind.ANNUAL],
        "long_term_goals": [goal.text for goal in table.goals.all() if goal.kind == GoalKind.LONG_TERM],
        "table_findings": table_findings,
        "last_year": last_year,
        "diff": submission_diff(table),
        "actions": actions,
        "opinions": Opinion.choices,
        "grades": Grade.choices,
        "posted": posted,
        "history": ReviewRecord.objects.filter(project=table).select_related("actor").order_by("-at")[:10],
    }


@login_required
def project_review(request, pk):
    """审核页：按官方表样查看，逐行写审核意见，选择等级，然后通过、批复或退回。"""
    table = project_for_display(request, pk)
    if not permissions.can_review(request.user):
        raise PermissionDenied("只有主管部门审核人和财政审核人可以审核。")
    if request.method == "POST":
        return _decide(request, table)
    return render(request, "projects/review.html", _review_context(request, table))


def _row_comments(request, table):
    comments = []
    for indicator in table.indicators.all():
        reason = request.POST.get(f"reason-{indicator.pk}", "")
        text = request.POST.get(f"comment-{indicator.pk}", "").strip()
        if reason or text:
            comments.append({"indicator": indicator, "reason": reason or Opinion.OTHER, "text": text})
    return comments


def _decide(request, table):
    action = request.POST.get("action", "")
    arguments = {
        "project": table,
        "by": request.user,
        "comment": request.POST.get("comment", "").strip(),
        "grade": request.POST.get("grade", ""),
        "comments": _row_comments(request, table),
    }
    try:
        if action == ReviewAction.PASS:
            workflow.project_pass(**arguments)
        elif action == ReviewAction.APPROVE:
            workflow.project_approve(approval=approval_from(request.POST), **arguments)
        elif action == ReviewAction.RETURN:
            workflow.project_return(reason=request.POST.get("reason", ""), **arguments)
        else:
            raise workflow.WorkflowError("请选择审核结论：通过、批复或退回。")
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        context = _review_context(request, table, posted=request.POST)
        return render(request, "projects/review.html", context, status=400)
    except DatabaseError:
        messages.error(request, database_failed("recording a review decision") + "您填写的意见都还在页面上。")
        table.refresh_from_db(fields=["status"])
        return render(request, "projects/review.html", _review_context(request, table, posted=request.POST), status=503)
    messages.success(request, f"已{ReviewAction(action).label}“{table.name or '未命名项目'}”。")
    return redirect("projects:review_queue")


# The unit's buttons


def unit_action(request, document, *, name, detail, edit):
    """The unit's submit, withdraw and 发起调整 (with its reason) on ``document``, through the workflow:
    a refusal says why (a refused submission lists every 错误), then back to ``detail``; a new version
    opens in ``edit``. ``name`` is how the messages name the document."""
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "").strip()
    try:
        if action == ReviewAction.ADJUST:
            new_version = workflow.document_start_adjustment(document=document, by=request.user, reason=comment)
            messages.success(request, f"已发起调整：第 {new_version.version} 版为草稿，第 {document.version} 版在新版本批复前仍然有效。")
            return redirect(edit, pk=new_version.pk)
        if action not in (ReviewAction.SUBMIT, ReviewAction.WITHDRAW):
            raise workflow.WorkflowError("不支持的操作。")
        workflow.document_action(action, document, by=request.user, comment=comment)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        for problem in error.problems:
            messages.warning(request, problem)
        return redirect(detail, pk=document.pk)
    except DatabaseError:
        messages.error(request, database_failed(f"taking the action {action!r} on {type(document).__name__}"))
        return redirect(detail, pk=document.pk)
    messages.success(request, f"已{ReviewAction(action).label}“{name}”。")
    return redirect(detail, pk=document.pk)


@login_required
def project_action(request, pk):
    """单位的提交、撤回和发起调整。提交时检查出错误会被拒绝，并列出全部错误。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    table = get_object_or_404(ProjectTable.objects.visible_to(request.user).select_related("unit"), pk=pk)
    return unit_action(
        request, table, name=table.name or "未命名项目", detail="projects:project_detail", edit="projects:project_edit"
    )


@login_required
def project_history(request, pk):
    """修改记录：所有版本的审核记录和每个字段、每行指标的修改（谁、何时、原值、新值）。"""
    table = get_object_or_404(ProjectTable.objects.visible_to(request.user).select_related("unit"), pk=pk)
    entries = table_history(table)
    return render(request, "projects/history.html", {"table": table, "entries": entries})
