from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from indicators.admin import IndicatorAdmin
from projects import admin_chinese
from indicators.models import Indicator, Level2
from perfgoals.formatting import decimal_text
from projects.permissions import EDITABLE_STATUSES
from projects.models import (
    Deadline,
    DeadlineNotice,
    Notification,
    AuditEvent,
    TaskProgress,
    BudgetYear,
    CodeItem,
    Department,
    DepartmentSubTarget,
    DepartmentTarget,
    EvaluationItem,
    EvaluationRound,
    MonitoringLine,
    MonitoringReport,
    MonitoringRound,
    ProjectGoal,
    ProjectTable,
    FindingTally,
    TableTally,
    TimelineTally,
    Publication,
    PublicationDeadline,
    PublicationReminder,
    Region,
    ReviewComment,
    ReviewRecord,
    SelfEvaluation,
    SpendingCheckpoint,
    Unit,
    UserScope,
)

admin.site.site_header = "perfgoals 预算绩效目标管理"
admin.site.site_title = "perfgoals 管理"
admin.site.index_title = "系统管理"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "working_year"]
    list_editable = ["working_year"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "region", "is_department_office"]
    list_filter = ["region", "is_department_office", "department"]
    search_fields = ["code", "name", "department__name"]
    list_select_related = ["department", "region"]


@admin.register(CodeItem)
class CodeItemAdmin(admin.ModelAdmin):
    list_display = ["list", "code", "name", "order", "active"]
    list_filter = ["list", "active"]
    search_fields = ["code", "name"]


class IndicatorInlineForm(forms.ModelForm):
    """The admin edits the 指标值 as text; its parsed parts follow from it."""

    class Meta:
        model = Indicator
        fields = ["order", "level2", "name", "description", "value_text", "basis", "basis_text", "weight", "note"]

    def save(self, commit=True):
        self.instance.set_value(self.cleaned_data.get("value_text", ""))
        return super().save(commit)


class IndicatorInline(admin.TabularInline):  # guarded below, through its subclasses
    model = Indicator
    form = IndicatorInlineForm
    extra = 0
    fields = ["order", "level2", "name", "description", "value_text", "basis", "basis_text", "weight", "note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level2":
            kwargs["queryset"] = Level2.objects.select_related("level1__framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# One gate (projects.workflow): the admin never changes what the workflow owns, and changes a document's
# content only while it is a draft or returned, as its unit could. A document in review, approved or
# superseded is shown read-only, with the way to a recorded correction (更正) for an approved one.
WORKFLOW_OWNED = ["uid", "status", "version", "previous_version", "revision", "created_at", "updated_at", "updated_by"]


def _document_of(obj):
    """The project table or department target ``obj`` (a document or one of its rows) belongs to."""
    if obj is None:
        return None
    for name in ("project", "department_target", "target"):
        parent = getattr(obj, name, None) if hasattr(type(obj), name) else None
        if parent is not None:
            return parent
    return obj


def editable_outside_review(obj):
    """Whether the admin may change ``obj`` (a document or a row of one): only a draft or returned one."""
    document = _document_of(obj)
    return document is None or getattr(document, "status", None) in EDITABLE_STATUSES


class DocumentGuard:
    """What every admin of a document or of its rows shares: no change or deletion once the document
    has left its unit's hands (submitted, approved, superseded), and no new row added to such a
    document (the parent picked on an add page must be a draft or returned one)."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and editable_outside_review(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and editable_outside_review(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("project", "department_target", "target"):
            kwargs.setdefault("queryset", db_field.related_model._default_manager.filter(status__in=EDITABLE_STATUSES))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class InlineGuard(DocumentGuard):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and editable_outside_review(obj)


class DocumentAdmin(DocumentGuard, admin.ModelAdmin):
    correction_url = None  # the URL name of the recorded correction page of this kind of document

    @admin.display(description="更正")
    def correction(self, obj):
        if obj is None or obj.pk is None or obj.status != "approved":
            return "只有已批复的内容需要更正；草稿和已退回的内容由填报单位修改，审核中的不能修改。"
        return format_html(
            '已批复的内容不能在这里修改。如需更正（例如金额与批复文件不一致），请使用<a href="{}">更正页面</a>：须说明理由，原值和新值都记入审核记录。',
            reverse(self.correction_url, args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj.revision += 1  # an editor page opened before this change can no longer save over it
        super().save_model(request, obj, form, change)


class ProjectIndicatorInline(InlineGuard, IndicatorInline):
    fk_name = "project"


class TargetIndicatorInline(InlineGuard, IndicatorInline):
    fk_name = "department_target"


class SpendingCheckpointInline(InlineGuard, admin.TabularInline):
    model = SpendingCheckpoint
    extra = 0


class ProjectGoalInline(InlineGuard, admin.TabularInline):
    model = ProjectGoal
    extra = 0


@admin.register(ProjectTable)
class ProjectTableAdmin(DocumentAdmin):
    correction_url = "projects:project_correct"

    @admin.display(description="年度资金总额（万元）", ordering="funds_total")
    def funds(self, table):
        return decimal_text(table.funds_total) or "—"

    list_display = ["name", "year", "unit", "department", "funds", "status", "version", "updated_at"]
    list_filter = ["year", "status", "region", "department", "framework"]
    search_fields = ["name", "code", "unit__name", "department__name"]
    list_select_related = ["unit", "department"]
    # The status changes only through the review workflow (projects.workflow), never by hand.
    readonly_fields = [*WORKFLOW_OWNED, "copied_from", "quality_score", "quality_grade", "checked_at", "correction"]
    inlines = [ProjectGoalInline, SpendingCheckpointInline, ProjectIndicatorInline]


class DepartmentSubTargetInline(InlineGuard, admin.StackedInline):
    model = DepartmentSubTarget
    extra = 0


@admin.register(DepartmentTarget)
class DepartmentTargetAdmin(DocumentAdmin):
    correction_url = "projects:target_correct"

    list_display = ["department", "year", "status", "version", "updated_at"]
    list_filter = ["year", "status", "department__region"]
    search_fields = ["department__name", "overall_goal"]
    list_select_related = ["department"]
    readonly_fields = [*WORKFLOW_OWNED, "correction"]
    inlines = [DepartmentSubTargetInline, TargetIndicatorInline]


admin.site.unregister(Indicator)


@admin.register(Indicator)
class GuardedIndicatorAdmin(DocumentGuard, IndicatorAdmin):
    """三级指标 rows change in the admin only while their table or target is a draft or returned."""


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "department", "unit"]
    list_filter = ["region"]
    search_fields = ["user__username", "user__first_name", "unit__name", "department__name"]
    list_select_related = ["user", "region", "department", "unit"]


@admin.register(ProjectGoal)
class ProjectGoalAdmin(DocumentGuard, admin.ModelAdmin):
    list_display = ["project", "kind", "order", "text"]
    list_filter = ["kind", "project__year"]
    search_fields = ["text", "project__name"]
    list_select_related = ["project"]


@admin.register(SpendingCheckpoint)
class SpendingCheckpointAdmin(DocumentGuard, admin.ModelAdmin):
    list_display = ["project", "month", "cumulative_percent"]
    list_filter = ["month", "project__year"]
    search_fields = ["project__name"]
    list_select_related = ["project"]


@admin.register(DepartmentSubTarget)
class DepartmentSubTargetAdmin(DocumentGuard, admin.ModelAdmin):
    list_display = ["title", "target", "order"]
    list_filter = ["target__year"]
    search_fields = ["title", "goal", "indicator_text", "safeguards"]
    list_select_related = ["target__department"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """审核记录只由审核流程写入：管理员可以查看、筛选和搜索，不能新增、修改或删除。"""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0
    fields = ["reason", "indicator", "indicator_uid", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewRecord)
class ReviewRecordAdmin(_ReadOnlyAdmin):
    @admin.display(description="表或目标")
    def document(self, record):
        return record.document

    list_display = ["at", "document", "action", "from_status", "to_status", "round", "grade", "reason", "actor"]
    list_filter = ["action", "to_status", "grade", "reason", "project__year", "project__region", "project__department"]
    search_fields = ["project__name", "project__code", "project__unit__name", "actor__username", "actor__first_name", "comment"]
    list_select_related = ["project", "department_target__department", "actor"]
    date_hierarchy = "at"
    exclude = ["snapshot"]
    inlines = [ReviewCommentInline]


@admin.register(ReviewComment)
class ReviewCommentAdmin(_ReadOnlyAdmin):
    list_display = ["record", "reason", "indicator", "text"]
    list_filter = ["reason", "record__action"]
    search_fields = ["text", "record__project__name", "indicator__name"]
    list_select_related = ["record__project", "indicator"]


@admin.register(BudgetYear)
class BudgetYearAdmin(admin.ModelAdmin):
    """预算年度设置：报送截止日期（总览以它为界）和执行的指标体系（新建的表默认采用）。"""

    list_display = ["year", "submission_deadline", "framework"]
    list_select_related = ["framework"]
    ordering = ["-year"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """审计日志只能查看：不能新增、修改或删除。"""

    list_display = ["at", "kind", "username", "scope", "address"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "scope", "address"]
    readonly_fields = ["at", "kind", "user", "username", "scope", "address", "detail"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """公开登记：由填报单位在“公开登记”页面登记；管理员可以查看和更正。"""

    list_display = ["__str__", "published", "published_on", "withheld_reason", "recorded_by", "recorded_at"]
    list_filter = ["published", "withheld_reason", "project__year"]
    search_fields = ["project__name", "department_target__department__name", "url"]
    list_select_related = ["project", "department_target__department", "recorded_by"]
    raw_id_fields = ["project", "department_target"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(PublicationDeadline)
class PublicationDeadlineAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "deadline", "set_by"]
    list_filter = ["year", "region"]
    search_fields = ["region__name"]
    readonly_fields = ["set_by"]


@admin.register(PublicationReminder)
class PublicationReminderAdmin(_ReadOnlyAdmin):
    list_display = ["sent_at", "department", "year", "missing", "sent_by"]
    list_filter = ["year"]
    search_fields = ["department__name"]
    list_select_related = ["department", "sent_by"]


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    """后台任务只能查看（由任务自己写进度）。"""

    list_display = ["created_at", "owner", "kind", "title", "state", "done", "total", "finished_at"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "owner__username"]
    exclude = ["params"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
@admin.register(MonitoringRound)
class MonitoringRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "region", "cutoff_month", "due_date", "margin", "created_by", "created_at"]
    list_filter = ["year", "region"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at"]


class MonitoringLineInline(admin.TabularInline):
    model = MonitoringLine
    extra = 0
    fields = ["indicator", "progress_text", "expected_text", "reasons", "likelihood", "explanation", "measures"]
    raw_id_fields = ["indicator"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(admin.ModelAdmin):
    list_display = ["table", "monitoring_round", "status", "light", "updated_at"]
    list_filter = ["status", "light", "monitoring_round"]
    search_fields = ["table__name", "table__unit__name"]
    list_select_related = ["table", "monitoring_round"]
    # The status changes only through the review workflow; the light is worked out by the checks.
    readonly_fields = ["status", "light", "light_reasons", "updated_at", "updated_by"]
    raw_id_fields = ["table"]
    inlines = [MonitoringLineInline]


@admin.register(MonitoringLine)
class MonitoringLineAdmin(admin.ModelAdmin):
    list_display = ["report", "indicator", "progress_text", "expected_text", "likelihood"]
    raw_id_fields = ["report", "indicator"]


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "due_date", "opened_by", "opened_at"]
    list_filter = ["year", "region"]
    readonly_fields = ["opened_by", "opened_at"]


class EvaluationItemInline(admin.TabularInline):
    model = EvaluationItem
    extra = 0
    fields = ["order", "level1", "level2", "name", "target_text", "weight", "actual_text", "band", "unit_score", "reviewed_score"]
    readonly_fields = ["level1", "level2", "name", "target_text"]


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(admin.ModelAdmin):
    """A self-evaluation's status moves only through the workflow gate."""

    list_display = ["project", "round", "status", "updated_at"]
    list_filter = ["status", "round"]
    search_fields = ["project__name", "project__code", "project__unit__name"]
    list_select_related = ["project", "round__region"]
    readonly_fields = ["round", "project", "status", "revision", "updated_at"]
    inlines = [EvaluationItemInline]


@admin.register(EvaluationItem)
class EvaluationItemAdmin(admin.ModelAdmin):
    list_display = ["evaluation", "name", "target_text", "actual_text", "weight", "unit_score", "reviewed_score"]
    search_fields = ["name", "evaluation__project__name"]
    readonly_fields = ["evaluation", "indicator_uid", "level1", "level2", "name", "target_text"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """报送截止日期 per region, year and kind (the finance bureau also sets them on its 截止日期 page)."""

    list_display = ("region", "year", "kind", "due", "note")
    list_filter = ("region", "year", "kind")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """站内通知, read-only: written by the workflow and 催报."""

    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(admin.ModelAdmin):
    """临近截止提醒的发送记录, read-only: written by manage.py notify_deadlines. Deleting one lets that
    reminder be sent again on the next run."""

    list_display = ("sent_at", "deadline", "unit", "days_ahead")
    list_filter = ("days_ahead", "deadline__kind", "deadline__region")
    search_fields = ("unit__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The user and group forms list permissions in Chinese (projects.admin_chinese).
admin_chinese.register()


class TallyAdmin(_ReadOnlyAdmin):
    """统计由 projects.tallies 随表的每次写入重算：管理员只能查看；不一致时运行 rebuild_tallies。"""

    list_filter = ["year", "region"]
    list_select_related = ["region", "department", "unit"]
    search_fields = ["unit__name", "department__name"]


@admin.register(TableTally)
class TableTallyAdmin(TallyAdmin):
    list_display = ["year", "region", "department", "unit", "tables", "money", "submitted", "last_edit", "last_review"]


@admin.register(FindingTally)
class FindingTallyAdmin(TallyAdmin):
    list_display = ["year", "region", "department", "unit", "rule", "findings", "tables"]


@admin.register(TimelineTally)
class TimelineTallyAdmin(TallyAdmin):
    list_display = ["year", "region", "department", "unit", "action", "day", "tables"]
