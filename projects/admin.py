from django import forms
from django.contrib import admin

from indicators.models import Indicator, Level2
from perfgoals.formatting import decimal_text
from projects.models import (
    AuditEvent,
    BudgetYear,
    CodeItem,
    Department,
    DepartmentSubTarget,
    DepartmentTarget,
    ProjectGoal,
    ProjectTable,
    Region,
    ReviewComment,
    ReviewRecord,
    SpendingCheckpoint,
    Unit,
    UserScope,
)

admin.site.site_header = "perfgoals 预算绩效目标管理"
admin.site.site_title = "perfgoals 管理"
admin.site.index_title = "系统管理"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
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


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorInlineForm
    extra = 0
    fields = ["order", "level2", "name", "description", "value_text", "basis", "basis_text", "weight", "note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level2":
            kwargs["queryset"] = Level2.objects.select_related("level1__framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProjectIndicatorInline(IndicatorInline):
    fk_name = "project"


class TargetIndicatorInline(IndicatorInline):
    fk_name = "department_target"


class SpendingCheckpointInline(admin.TabularInline):
    model = SpendingCheckpoint
    extra = 0


class ProjectGoalInline(admin.TabularInline):
    model = ProjectGoal
    extra = 0


@admin.register(ProjectTable)
class ProjectTableAdmin(admin.ModelAdmin):
    @admin.display(description="年度资金总额（万元）", ordering="funds_total")
    def funds(self, table):
        return decimal_text(table.funds_total) or "—"

    list_display = ["name", "year", "unit", "department", "funds", "status", "version", "updated_at"]
    list_filter = ["year", "status", "region", "department", "framework"]
    search_fields = ["name", "code", "unit__name", "department__name"]
    list_select_related = ["unit", "department"]
    # The status changes only through the review workflow (projects.workflow), never by hand.
    readonly_fields = ["uid", "status", "created_at", "updated_at", "updated_by"]
    raw_id_fields = ["copied_from", "previous_version"]
    inlines = [ProjectGoalInline, SpendingCheckpointInline, ProjectIndicatorInline]


class DepartmentSubTargetInline(admin.StackedInline):
    model = DepartmentSubTarget
    extra = 0


@admin.register(DepartmentTarget)
class DepartmentTargetAdmin(admin.ModelAdmin):
    list_display = ["department", "year", "status", "version", "updated_at"]
    list_filter = ["year", "status", "department__region"]
    search_fields = ["department__name", "overall_goal"]
    list_select_related = ["department"]
    readonly_fields = ["uid", "created_at", "updated_at", "updated_by"]
    inlines = [DepartmentSubTargetInline, TargetIndicatorInline]


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "department", "unit"]
    list_filter = ["region"]
    search_fields = ["user__username", "user__first_name", "unit__name", "department__name"]
    list_select_related = ["user", "region", "department", "unit"]


@admin.register(ProjectGoal)
class ProjectGoalAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "order", "text"]
    list_filter = ["kind", "project__year"]
    search_fields = ["text", "project__name"]
    list_select_related = ["project"]


@admin.register(SpendingCheckpoint)
class SpendingCheckpointAdmin(admin.ModelAdmin):
    list_display = ["project", "month", "cumulative_percent"]
    list_filter = ["month", "project__year"]
    search_fields = ["project__name"]
    list_select_related = ["project"]


@admin.register(DepartmentSubTarget)
class DepartmentSubTargetAdmin(admin.ModelAdmin):
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
    list_display = ["at", "project", "action", "from_status", "to_status", "round", "grade", "reason", "actor"]
    list_filter = ["action", "to_status", "grade", "reason", "project__year", "project__region", "project__department"]
    search_fields = ["project__name", "project__code", "project__unit__name", "actor__username", "actor__first_name", "comment"]
    list_select_related = ["project", "actor"]
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
