"""Pages for units and reviewers: home, the table editors, the detail pages and 复制上年.

Every row is found through ``visible_to(request.user)``: outside the user's scope a table is a 404.
What a user may do is asked of projects.permissions; templates receive the answers as booleans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Case, Count, IntegerField, Max, OuterRef, Prefetch, Subquery, Value, When
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from indicators.checks import Finding, check_table
from projects.findings import check_context_for, finding_explain, project_findings
from indicators.forms import IndicatorFormSet, framework_level2s, grouped_rows
from indicators.models import Criterion, Grade, Indicator, Opinion, Severity
from indicators.values import parse_value
from perfgoals.faults import database_failed
from projects import forms as project_forms
from projects import permissions, presentation, services, workflow
from projects.memory import evaluated, last_year_of
from projects.approvals import approval_of
from projects.overview import chosen_year
from projects.desk.deadlines import deadlines_for
from projects.targets.selectors import targets_with_actions
from projects.models import (
    BudgetYear,
    DepartmentTarget,
    GoalKind,
    ProjectGoal,
    ProjectTable,
    ReviewAction,
    ReviewComment,
    ReviewRecord,
    TableStatus,
    budget_year,
)

UNIT_BUTTONS = {ReviewAction.SUBMIT: "提交审核", ReviewAction.WITHDRAW: "撤回", ReviewAction.ADJUST: "发起调整"}


def latest_return(document):
    """The review record that returned this table or target, with its row comments, while it is 已退回."""
    if document is None or document.status != TableStatus.RETURNED:
        return None
    return (
        document.reviews.filter(action=ReviewAction.RETURN)
        .select_related("actor")
        .prefetch_related(Prefetch("comments", queryset=ReviewComment.objects.select_related("indicator")))
        .order_by("-at", "-id")
        .first()
    )


def indicator_queryset():
    return Indicator.objects.select_related("level2__level1", "copied_from").order_by("order", "id")


HOME_PAGE_SIZE = 50


def status_counts(tables):
    """(status, label, count) of every status the tables are in, in the workflow's order: one query."""
    counts = dict(tables.order_by().values_list("status").annotate(count=Count("id")))
    return [(status, label, counts[status]) for status, label in TableStatus.choices if counts.get(status)]


@login_required
def home(request):
    """Each role's landing page for a chosen budget year: unit staff see their unit's tables with
    新建 and 复制上年; reviewers see every table in their scope."""
    visible = ProjectTable.objects.visible_to(request.user)
    years = sorted(visible.order_by().values_list("year", flat=True).distinct(), reverse=True)
    year = chosen_year(request.GET.get("year"), years, request.user)
    # The year chosen and the one after the newest (to start next year's tables), newest first.
    years = sorted({*years, year, (years[0] if years else year) + 1}, reverse=True)
    last_return = ReviewRecord.objects.filter(project=OuterRef("pk"), action=ReviewAction.RETURN).order_by("-at", "-id")
    returned_first = Case(When(status=TableStatus.RETURNED, then=Value(0)), default=Value(1), output_field=IntegerField())
    order = ("returned_first", "department__name", "unit__name", "id")
    # The page's tables are chosen by their ids alone (sorted with the names of their departments and
    # units, nothing else), then only those 50 are read whole with their editors and last returns: the
    # region's thousands of tables are not joined to the province's users before 50 of them are kept.
    keys = visible.filter(year=year).annotate(returned_first=returned_first).order_by(*order)
    paginator = Paginator(keys.values_list("pk", flat=True), HOME_PAGE_SIZE)
    paginator.count = visible.filter(year=year).count()
    page = paginator.get_page(request.GET.get("page"))
    tables = (
        ProjectTable.objects.filter(pk__in=page.object_list)
        .select_related("unit", "department", "updated_by")
        .annotate(
            returned_first=returned_first,
            return_reason=Subquery(last_return.values("reason")[:1]),
            return_comment=Subquery(last_return.values("comment")[:1]),
        )
        .order_by(*order)
    )
    page.object_list = list(tables)
    rows = [(table, permissions.can_edit(request.user, table)) for table in page.object_list]
    for table, _ in rows:
        table.return_reason_label = Opinion(table.return_reason).label if table.return_reason else ""
    is_reviewer = permissions.oversees_units(request.user)
    targets = targets_with_actions(
        request.user, DepartmentTarget.objects.visible_to(request.user).filter(year=year).select_related("department")
    )
    unit = permissions.unit_of(request.user)
    return render(
        request,
        "projects/home.html",
        {
            "rows": rows,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "status_counts": status_counts(visible.filter(year=year)) if is_reviewer else (),
            "targets": targets,
            "year": year,
            "years": years,
            "unit": unit,
            "is_reviewer": is_reviewer,
            "can_create": permissions.can_create_tables(request.user),
            "can_create_target": unit is not None and unit.is_department_office,
            "has_last_year": unit is not None and visible.filter(year=year - 1).exists(),
            "deadlines": deadlines_for(request.user, year),
        },
    )


def project_for_display(request, pk):
    return get_object_or_404(
        ProjectTable.objects.visible_to(request.user)
        .select_related("region", "department", "unit", "attribute", "framework", "updated_by")
        .prefetch_related(
            Prefetch("indicators", queryset=indicator_queryset()),
            Prefetch("goals", queryset=ProjectGoal.objects.order_by("kind", "order", "id")),
            "spending_plan",
        ),
        pk=pk,
    )


@login_required
def project_detail(request, pk):
    """The table as the official form, in the 平罗 or the 定州 layout (``?layout=``), ready to print."""
    table = project_for_display(request, pk)
    layout = presentation.layout_for(request.GET.get("layout"), table)
    plan = list(table.spending_plan.all())
    actions = workflow.available_actions(request.user, table)
    rows = presentation.indicator_rows(table.indicators.all())
    return render(
        request,
        "projects/project_detail.html",
        {
            "table": table,
            "layout": layout,
            "layouts": presentation.LAYOUTS,
            "rows": rows,
            "midterm_values": presentation.has_midterm_values(rows),
            "plan": plan[:6],
            "plan_filler": max(6 - len(plan), 0),
            "annual_goals": [goal.text for goal in table.goals.all() if goal.kind == GoalKind.ANNUAL],
            "long_term_goals": [goal.text for goal in table.goals.all() if goal.kind == GoalKind.LONG_TERM],
            "can_edit": permissions.can_edit(request.user, table),
            "findings": project_findings(project=table),
            "unit_buttons": [(action, UNIT_BUTTONS[action]) for action in actions if action in UNIT_BUTTONS],
            "can_review": any(action in {"pass", "approve", "return"} for action in actions),
            "returned": latest_return(table),
            "adjustment": adjustment_of(table),
            "can_correct": ReviewAction.CORRECT in actions,
            "can_revoke": ReviewAction.REVOKE in actions,
            "approval": approval_of(table) if table.status in (TableStatus.APPROVED, TableStatus.SUPERSEDED) else None,
        },
    )


def adjustment_of(document):
    """The record that started this version as an adjustment (调整), with its reason, or None."""
    if document.previous_version_id is None:
        return None
    return document.reviews.filter(action=ReviewAction.ADJUST).select_related("actor").first()


def findings_by_row(findings):
    """Stored findings split into the table's own and those of each indicator row (by row id)."""
    table_level, by_indicator = [], {}
    for finding in findings:
        if finding.indicator_id:
            by_indicator.setdefault(finding.indicator_id, []).append(finding)
        else:
            table_level.append(finding)
    return table_level, by_indicator


class EditorView(LoginRequiredMixin, View):
    """An editor page: one form and its formsets, validated together and saved in one transaction.
    A refused save re-renders the page with everything the user typed."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        try:
            self.check_permission()
        except PermissionDenied:
            if request.method == "POST" and self.object is not None and self.opened_before_it_moved_on():
                # Opened while it could be edited, then submitted or approved: refused like a racing
                # save, naming who moved it on, with what was typed still on the page, not a bare 403.
                conflict = services.EditConflict(self.object, reason=services.moved_on(self.object))
                return self.render_page(self.build(request.POST), status=409, conflict=str(conflict))
            raise
        return super().dispatch(request, *args, **kwargs)

    def opened_before_it_moved_on(self):
        """The owner's page was loaded at an earlier revision (a page of the current one could never
        have been opened: the editor refuses a table it may not edit)."""
        token = self.request.POST.get("token", "")
        return self.owned_by_user() and token.isdigit() and int(token) < self.object.revision

    def database_refused(self, forms, what):
        """The page again, everything typed kept, when the database failed mid-save (nothing was written)."""
        messages.error(self.request, database_failed(what) + "您填写的内容都还在页面上。")
        if self.object is not None:
            self.object.refresh_from_db()  # the save changed it in memory only: the page keeps its edit token
        return self.render_page(forms, status=503)


class ProjectEditView(EditorView):
    template_name = "projects/project_edit.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(
            ProjectTable.objects.visible_to(self.request.user).select_related(
                "unit__department", "region", "department", "framework", "attribute", "updated_by"
            ),
            pk=pk,
        )

    def check_permission(self):
        user = self.request.user
        if self.object is None:
            if not permissions.can_create_tables(user):
                raise PermissionDenied("只有单位填报人可以新建项目绩效目标表。")
        elif not permissions.can_edit(user, self.object):
            raise PermissionDenied(f"这张表当前为“{self.object.get_status_display()}”，您不能修改。")

    def owned_by_user(self):
        unit = permissions.unit_of(self.request.user)
        return unit is not None and unit.pk == self.object.unit_id

    def build(self, data=None):
        user = self.request.user
        table = self.object
        unit = table.unit if table else permissions.unit_of(user)
        frameworks = project_forms.frameworks()
        if table is None:
            year = data.get("year") if data else self.request.GET.get("year")
            year = budget_year(year, timezone.localdate().year)
            table = ProjectTable(
                unit=unit,
                department=unit.department,
                region=unit.region,
                year=year,
                framework=BudgetYear.framework_for(year, frameworks[0]),
            )
        form = project_forms.ProjectTableForm(
            data, instance=table, attributes=project_forms.project_attributes(), frameworks=frameworks, unit=unit
        )
        framework = table.framework
        if data and not table.pk and data.get("framework") in form.frameworks:
            framework = form.frameworks[data["framework"]]
        stored = table.pk is not None
        goal_queryset = ProjectGoal.objects.filter(project=table).order_by("order", "id") if stored else ProjectGoal.objects.none()
        goals = project_forms.GoalFormSet(
            data, instance=table, prefix="goals", queryset=goal_queryset.filter(kind=GoalKind.ANNUAL)
        )
        long_term_goals = project_forms.GoalFormSet(
            data, instance=table, prefix="long_goals", queryset=goal_queryset.filter(kind=GoalKind.LONG_TERM)
        )
        spending_plan = project_forms.SpendingPlanFormSet(
            data,
            instance=table,
            prefix="plan",
            queryset=table.spending_plan.order_by("month") if stored else None,
        )
        indicators = IndicatorFormSet(
            data,
            prefix="ind",
            queryset=indicator_queryset().filter(project=table) if stored else Indicator.objects.none(),
            level2s=framework_level2s(framework),
        )
        return form, goals, long_term_goals, spending_plan, indicators

    def render_page(self, forms, *, status=200, conflict=None):
        form, goals, long_term_goals, spending_plan, indicators = forms
        findings = project_findings(project=self.object) if self.object else []
        table_findings, by_indicator = findings_by_row(findings)
        returned = latest_return(self.object)
        comments = list(returned.comments.all()) if returned else []
        last_year = last_year_of(self.object) if self.object else None
        for row in indicators.forms:
            row.findings = by_indicator.get(row.instance.pk, [])
            row.last_result = last_year.for_indicator(row.instance) if last_year else None
            row.review_comments = [
                comment
                for comment in comments
                if row.instance.pk and (comment.indicator_id == row.instance.pk or str(comment.indicator_uid) == str(row.instance.uid))
            ]
        return render(
            self.request,
            self.template_name,
            {
                "table": self.object,
                "unit": self.object.unit if self.object else permissions.unit_of(self.request.user),
                "form": form,
                "goals": goals,
                "long_term_goals": long_term_goals,
                "spending_plan": spending_plan,
                "indicators": indicators,
                "groups": grouped_rows(indicators),
                "token": self.request.POST.get("token") if conflict else services.edit_token(self.object),
                "conflict": conflict,
                "has_errors": self.request.method == "POST" and status != 200,
                "table_findings": table_findings,
                "returned": returned,
                "last_year": last_year,
                "source_label": "原批复" if self.object and self.object.previous_version_id else "上年",
                "table_comments": [comment for comment in comments if comment.indicator_id is None and not comment.indicator_uid],
                "check_url": _url("projects:project_check", self.object.pk) if self.object else _url("projects:project_check_new"),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.build())

    def post(self, request, *args, **kwargs):
        forms = self.build(request.POST)
        form, goals, long_term_goals, spending_plan, indicators = forms
        if not all([form.is_valid(), goals.is_valid(), long_term_goals.is_valid(), spending_plan.is_valid(), indicators.is_valid()]):
            messages.error(request, "有些内容无法保存，请按提示修改标红的单元格。您填写的内容都还在页面上。")
            return self.render_page(forms, status=400)
        try:
            table = services.project_save(
                form=form,
                goals=goals,
                long_term_goals=long_term_goals,
                spending_plan=spending_plan,
                indicators=indicators,
                by=request.user,
                unit=self.object.unit if self.object else permissions.unit_of(request.user),
                token=request.POST.get("token", ""),
            )
        except services.EditConflict as conflict:
            return self.render_page(forms, status=409, conflict=str(conflict))
        except DatabaseError:
            return self.database_refused(forms, "saving a project table")
        messages.success(request, f"已保存“{table.name or '未命名项目'}”。")
        return redirect("projects:project_edit", pk=table.pk)


class ProjectCheckView(ProjectEditView):
    """智能审核 of the editor page as it is now, unsaved: the findings of the table and of every row,
    which the editor shows beside the rows while the unit types. Writes nothing."""

    http_method_names = ["post"]

    def opened_before_it_moved_on(self):
        return False  # a check saves nothing: a table moved on is a plain 403 for the page's script

    def post(self, request, *args, **kwargs):
        form, goals, long_term_goals, spending_plan, indicators = self.build(request.POST)
        for part in (form, goals, spending_plan, indicators):
            part.is_valid()
        framework = form.cleaned_data.get("framework") if hasattr(form, "cleaned_data") else None
        framework = framework or form.instance.framework
        table = form.instance
        data, rows = project_forms.editor_table_data(
            form=form, goals=goals, spending_plan=spending_plan, indicators=indicators, framework=framework
        )
        result = check_table(data, check_context_for(table))
        unreadable = project_forms.unreadable_cells(form)
        misread = {rule for name in unreadable for rule in project_forms.CHECKS_READING.get(name, ())}
        by_row = {}
        table_level = [
            Finding(
                "unreadable_value", Severity.ERROR, Criterion.COMPLETENESS, Opinion.OTHER, message,
                "改为数字后再保存；在此之前，检查不计这一格。",
            ).as_dict()
            for message in unreadable.values()
        ]
        for finding in result.findings:
            if finding.row:
                by_row.setdefault(rows[finding.row - 1].prefix, []).append(finding.as_dict())
            elif finding.rule not in misread:
                table_level.append(finding.as_dict())
        return JsonResponse(
            {
                "score": result.score,
                "grade": result.grade,
                "grade_label": Grade(result.grade).label,
                "blocks_submission": result.blocks_submission or bool(unreadable),
                "table": table_level,
                "rows": by_row,
            }
        )


@login_required
def finding_explain_view(request, pk):
    """单位对一条警告作出说明（错误不能用说明代替修改）。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    table = get_object_or_404(ProjectTable.objects.visible_to(request.user), pk=pk)
    if not permissions.can_edit(request.user, table):
        raise PermissionDenied("只有本单位在草稿或退回状态下可以说明检查结果。")
    try:
        finding_explain(
            project=table,
            rule_code=request.POST.get("rule", ""),
            indicator_uid=request.POST.get("indicator_uid", ""),
            text=request.POST.get("text", ""),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except DatabaseError:
        messages.error(request, database_failed("saving an explanation of a finding"))
    else:
        messages.success(request, "说明已保存，审核人会看到它。")
    return redirect("projects:project_edit", pk=table.pk)


@login_required
def project_copy_list(request):
    """复制上年：本单位上一年度的表，每张一键复制为今年的草稿。"""
    unit = permissions.unit_of(request.user)
    if unit is None:
        raise PermissionDenied("只有单位填报人可以复制上年的表。")
    visible = ProjectTable.objects.visible_to(request.user)
    latest = visible.aggregate(latest=Max("year"))["latest"] or timezone.localdate().year
    year = chosen_year(request.GET.get("year"), [latest])
    last_year = (
        visible.filter(year=year - 1)
        .exclude(status__in=[TableStatus.RETURNED, TableStatus.SUPERSEDED])
        .select_related("unit")
        .order_by("name", "-version")
    )
    # This year's table of each name: opened in the editor while the unit may edit it, else as printed.
    existing = {
        table.name: (table.pk, permissions.can_edit(request.user, table))
        for table in visible.filter(year=year).only("pk", "name", "unit_id", "status")
    }
    last_year = list(last_year)
    results = evaluated(last_year)
    return render(
        request,
        "projects/project_copy_list.html",
        {"year": year, "tables": [(table, existing.get(table.name), results.get(table.pk)) for table in last_year]},
    )


@login_required
def project_copy(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    source = get_object_or_404(
        ProjectTable.objects.visible_to(request.user).prefetch_related("indicators", "goals", "spending_plan"), pk=pk
    )
    if not permissions.can_create_tables(request.user) or permissions.unit_of(request.user).pk != source.unit_id:
        raise PermissionDenied("只有本单位的填报人可以复制这张表。")
    try:
        copy = services.project_copy_to_year(project=source, year=source.year + 1, by=request.user)
    except services.CopyRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"{_url('projects:project_copy_list')}?year={source.year + 1}")
    except DatabaseError:
        messages.error(request, database_failed("copying a table to the next year"))
        return redirect(f"{_url('projects:project_copy_list')}?year={source.year + 1}")
    messages.success(request, f"已把 {source.year} 年的“{source.name}”复制为 {copy.year} 年的草稿，上年的指标值及绩效自评的实际完成值、得分显示在每行旁边。")
    return redirect("projects:project_edit", pk=copy.pk)


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def value_preview(request):
    """指标值 as the editor shows it while typing: 性质 / 数值 / 单位 / 定性, from the one parser."""
    parsed = parse_value(request.GET.get("value", "")[:500])
    return render(request, "indicators/_parsed_value.html", {"parsed": parsed})
