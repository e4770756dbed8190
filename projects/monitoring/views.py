"""Pages of in-year monitoring: the finance bureau's rounds and their overview, the unit's report
editor, the report laid out like the 136号 annex, and its review actions through the one gate."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from indicators.models import Indicator, Opinion
from perfgoals.faults import database_failed
from projects import permissions
from projects.models import Light, MonitoringReport, MonitoringRound, ReviewAction, ReviewRecord, TableStatus
from perfgoals.xlsx import list_workbook, xlsx_response
from projects.monitoring import services
from projects.monitoring.excel import reports_workbook
from projects.monitoring.checks import report_findings, report_recheck
from projects.monitoring.tasks import OVERVIEW_ORDER, running_fill, start_reports_export, start_round_fill
from projects.monitoring.forms import LineFormSet, ReportForm, RoundForm, cell_errors
from perfgoals.scope import scope_of
from projects.workflow import WorkflowError, available_actions, document_action

SUBMITTED = (TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED)
# Reports per page of a round's overview.
PAGE_SIZE = 50
# The finance bureau's decisions on a red report (projects.monitoring.workflow).
DECISIONS = (ReviewAction.ORDER_ADJUST, ReviewAction.RECOVER)


@login_required
def round_list(request):
    """财政的监控批次列表，和发起新批次的表单。"""
    if not permissions.can_view_monitoring_rounds(request.user):
        raise PermissionDenied("监控批次由财政发起和查看。")
    can_open = permissions.can_open_monitoring_rounds(request.user)
    form = None
    if can_open:
        region = scope_of(request.user).region
        form = RoundForm(request.POST or None, region=region, initial={"year": timezone.localdate().year, "cutoff_month": 7})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                monitoring_round = services.round_create(
                    region=region,
                    year=data["year"],
                    name=data["name"],
                    cutoff_month=data["cutoff_month"],
                    due_date=data["due_date"],
                    margin=data["margin"],
                    by=request.user,
                )
                progress = start_round_fill(
                    request.user, monitoring_round, departments=list(data["departments"]), min_amount=data["min_amount"]
                )
            messages.success(
                request,
                f"已发起“{monitoring_round.name}”，正在后台为 {progress.total} 张已批复的表生成需要填报的监控表。",
            )
            return redirect("projects:monitoring_round", pk=monitoring_round.pk)
    elif request.method == "POST":
        raise PermissionDenied("只有财政审核人可以发起监控批次。")
    rounds = (
        MonitoringRound.objects.visible_to(request.user)
        .select_related("region")
        .annotate(
            total=Count("reports"),
            submitted=Count("reports", filter=Q(reports__status__in=SUBMITTED)),
            red=Count("reports", filter=Q(reports__light=Light.RED)),
        )
    )
    return render(request, "projects/monitoring/round_list.html", {"rounds": rounds, "form": form})


@login_required
def round_overview(request, pk):
    """一个批次的进度：各部门已报、退回、未报、逾期，红黄绿灯；红灯表及其原因。可按灯和部门筛选。"""
    if not permissions.can_view_monitoring_rounds(request.user):
        raise PermissionDenied("监控批次的总览是财政的视角。")
    monitoring_round = get_object_or_404(MonitoringRound.objects.visible_to(request.user), pk=pk)
    reports = monitoring_round.reports.all()
    overdue = monitoring_round.due_date < timezone.localdate()
    departments = (
        reports.values("table__department_id", "table__department__name")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=SUBMITTED)),
            returned=Count("pk", filter=Q(status=TableStatus.RETURNED)),
            missing=Count("pk", filter=Q(status__in=(TableStatus.DRAFT, TableStatus.RETURNED))),
            red=Count("pk", filter=Q(light=Light.RED)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            green=Count("pk", filter=Q(light=Light.GREEN)),
        )
        .order_by("table__department__name")
    )
    light = request.GET.get("light", Light.RED)
    department = request.GET.get("department", "")
    listed = reports.select_related("table__unit", "table__department").order_by(*OVERVIEW_ORDER)
    if light in Light.values:
        listed = listed.filter(light=light)
    if department.isdigit():
        listed = listed.filter(table__department_id=int(department))
    export = request.GET.get("export")
    if export == "xlsx":
        content = list_workbook(
            sheet_title="监控预警",
            title=f"{monitoring_round} 监控表清单（{dict(Light.choices).get(light, '全部')}）",
            headers=["项目名称", "主管部门", "实施单位", "状态", "预警", "原因"],
            rows=(
                [r.table.name, r.table.department.name, r.table.unit.name, r.get_status_display(), r.get_light_display(), r.light_reasons]
                for r in listed
            ),
        )
        return xlsx_response(content, f"{monitoring_round.name}监控表清单.xlsx")
    if export == "reports":
        return _export_reports(request, monitoring_round, listed)
    page = Paginator(listed.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    page_reports = _page_rows(reports, list(page.object_list))
    return render(
        request,
        "projects/monitoring/round_overview.html",
        {
            "round": monitoring_round,
            "departments": departments,
            "overdue": overdue,
            "reports": page_reports,
            "page": page,
            "listed_count": page.paginator.count,
            "filling": running_fill(monitoring_round),
            "decision_actions": DECISIONS,
            "light": light,
            "department": department,
            "lights": Light.choices,
        },
    )


def _page_rows(reports, ids):
    """The reports ``ids`` (one page of the overview, in its order) with their table, unit, department
    and the finance bureau's last decision. A page is found by sorting ids only, then its 50 rows are
    read whole: sorting a round's 20,000 full rows (and working out every row's decision) to keep 50
    took most of a second on the last page."""
    decisions = ReviewRecord.objects.filter(monitoring_report=OuterRef("pk"), action__in=DECISIONS).order_by("-at", "-id")
    rows = reports.filter(pk__in=ids).select_related("table__unit", "table__department")
    rows = {row.pk: row for row in rows.annotate(decision=Subquery(decisions.values("action")[:1]))}
    return [rows[pk] for pk in ids]


def _export_reports(request, monitoring_round, listed):
    """The annex export of every listed report (as filtered): built in the request for at most
    PERFGOALS_EXPORT_IMMEDIATE_MAX reports; otherwise a GET asks to start it in the background and a
    POST starts the task and sends the user to its progress page, where the file is downloaded."""
    filename = f"{monitoring_round.name}监控表.xlsx"
    count = listed.count()
    if count <= settings.PERFGOALS_EXPORT_IMMEDIATE_MAX:
        return xlsx_response(reports_workbook(listed.select_related("monitoring_round")), filename)
    if request.method != "POST":
        back = request.get_full_path().replace("export=reports", "export=")
        context = {
            "count": count, "what": "监控表", "counted": "份监控表", "layout_label": "136号附件格式", "action": request.get_full_path(),
            "back": back, "back_label": "返回监控进度",
        }
        return render(request, "tasks/export_start.html", context)
    progress = start_reports_export(request.user, monitoring_round, listed, filename)
    return redirect("projects:task_progress", progress.pk)


@login_required
def report_list(request):
    """我的监控表：单位看本单位的，主管部门看本部门各单位的，财政看本区划的。"""
    reports = (
        MonitoringReport.objects.visible_to(request.user)
        .select_related("monitoring_round", "table__unit", "table__department")
        .order_by("-monitoring_round__created_at", "table__unit__name", "table__name")
    )
    status = request.GET.get("status", "")
    if status in TableStatus.values:
        reports = reports.filter(status=status)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/monitoring/report_list.html",
        {
            "reports": page.object_list,
            "page": page,
            "statuses": TableStatus.choices,
            "status": status,
            "can_view_rounds": permissions.can_view_monitoring_rounds(request.user),
        },
    )


def _report_for(request, pk):
    return get_object_or_404(
        MonitoringReport.objects.visible_to(request.user).select_related(
            "monitoring_round", "table__unit", "table__department", "table__region", "updated_by"
        ),
        pk=pk,
    )


def _report_context(report, lines):
    result = report_findings(report, lines)
    plan = services.plan_at(list(report.table.spending_plan.all()), report.monitoring_round.cutoff_month)
    goals = [goal.text for goal in report.table.goals.all() if goal.kind == "annual"]
    return {
        "report": report,
        "round": report.monitoring_round,
        "funds": services.funds_rows(report),
        "plan": plan,
        "goals": goals,
        "lines": lines,
        "findings": result.findings,
        "errors": [finding for finding in result.findings if finding.blocks_submission],
        "warnings": [finding for finding in result.findings if not finding.blocks_submission],
    }


@login_required
def report_detail(request, pk):
    """监控表，按 136号 附件的格式：资金、总体目标、每行三级指标；预警及其说明；审核按钮和记录。"""
    report = _report_for(request, pk)
    lines = services.report_lines(report)
    context = _report_context(report, lines)
    context.update(
        {
            "can_edit": permissions.can_edit_monitoring_report(request.user, report),
            "actions": available_actions(request.user, report),
            "opinions": Opinion.choices,
            "records": report.reviews.select_related("actor").prefetch_related("comments__indicator").order_by("at", "id"),
            "adjustment": services.adjustment_under_way(report.table),
        }
    )
    return render(request, "projects/monitoring/report_detail.html", context)


@login_required
def report_export_xlsx(request, pk):
    """一份监控表，按 136号 附件的格式，A4 横向打印。"""
    report = _report_for(request, pk)
    return xlsx_response(reports_workbook([report]), f"{report.monitoring_round.year}年{report.table.name or '未命名项目'}绩效运行监控表.xlsx")


@login_required
def report_edit(request, pk):
    """单位填写监控表：金额、总体目标执行情况和每行指标一起校验、一起保存；输入有误时保留所填内容，
    并逐格说明问题。"""
    report = _report_for(request, pk)
    if not permissions.can_edit_monitoring_report(request.user, report):
        raise PermissionDenied(f"这份监控表当前为“{report.get_status_display()}”，您不能修改。")
    lines = services.report_lines(report)
    queryset = report.lines.select_related("indicator__level2__level1").order_by("indicator__order", "indicator__id")
    form = ReportForm(request.POST or None, instance=report, prefix="report")
    formset = LineFormSet(request.POST or None, queryset=queryset, prefix="lines")
    problems = []
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.updated_by = request.user
                saved.save()
                formset.save()
            report_recheck(saved)
            messages.success(request, "已保存监控表。")
            return redirect("projects:monitoring_report", pk=report.pk)
        problems = cell_errors(form, formset, lines)
    context = _report_context(report, lines)
    context.update({"form": form, "formset": formset, "rows": list(zip(formset.forms, lines)), "problems": problems})
    return render(request, "projects/monitoring/report_edit.html", context)


@login_required
def report_action(request, pk):
    """提交、撤回、通过、退回、批复监控表：都经过同一个审核流程（projects.workflow）。退回可附一条指标行意见。
    财政在批次总览的红灯行上直接要求调整或收回资金时（``next``），做完回到总览。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = _report_for(request, pk)
    action = request.POST.get("action", "")
    comments = []
    row = request.POST.get("row_indicator", "")
    if row.isdigit() and request.POST.get("row_text", "").strip():
        indicator = Indicator.objects.filter(pk=int(row), project_id=report.table_id).first()
        comments.append(
            {"indicator": indicator, "reason": request.POST.get("row_reason") or Opinion.OTHER, "text": request.POST["row_text"]}
        )
    try:
        if action not in (ReviewAction.SUBMIT, ReviewAction.WITHDRAW, ReviewAction.PASS, ReviewAction.RETURN, ReviewAction.APPROVE, *DECISIONS):
            raise WorkflowError("不支持的操作。")
        document_action(
            action,
            report,
            by=request.user,
            reason=request.POST.get("reason", ""),
            comment=request.POST.get("comment", "").strip(),
            comments=comments,
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        for problem in error.problems:
            messages.warning(request, problem)
        return redirect(_back_to(request, report))
    except DatabaseError:
        messages.error(request, database_failed(f"taking the action {action!r} on a monitoring report"))
        return redirect(_back_to(request, report))
    name = report.table.name or "未命名项目"
    if action == ReviewAction.ORDER_ADJUST:
        adjustment = services.adjustment_under_way(report.table)
        messages.success(
            request,
            f"已要求调整“{name}”的绩效目标：已为{report.table.unit.name}生成第 {adjustment.version} 版草稿，调整理由为您的意见；"
            "单位修改后按原流程提交审核，批复前原版本继续有效。",
        )
    else:
        messages.success(request, f"已{ReviewAction(action).label}“{name}”的监控表。")
    return redirect(_back_to(request, report))


def _back_to(request, report):
    """The page the action was sent from when it is a page of this site (the round's overview, with its
    filters), else the report."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("projects:monitoring_report", args=[report.pk])

