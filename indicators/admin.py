from django.contrib import admin

from indicators.models import CheckFinding, FindingExplanation, Framework, Indicator, Level1, Level2


class Level1Inline(admin.TabularInline):
    model = Level1
    extra = 0


class Level2Inline(admin.TabularInline):
    model = Level2
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "document", "order"]
    search_fields = ["code", "name", "document"]
    inlines = [Level1Inline]


@admin.register(Level1)
class Level1Admin(admin.ModelAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework"]
    search_fields = ["name"]
    inlines = [Level2Inline]


@admin.register(Level2)
class Level2Admin(admin.ModelAdmin):
    list_display = ["name", "level1", "requirement", "order"]
    list_filter = ["level1__framework", "level1__name", "requirement"]
    search_fields = ["name", "level1__name"]
    list_select_related = ["level1__framework"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "value_text", "value_nature", "value_number", "value_unit", "level2", "project", "department_target"]
    list_filter = ["level2__level1__framework", "level2__level1__name", "level2__name", "value_nature", "basis"]
    search_fields = ["name", "value_text", "description", "project__name"]
    list_select_related = ["level2__level1__framework", "project", "department_target__department"]
    raw_id_fields = ["project", "department_target", "copied_from"]
    readonly_fields = ["value_nature", "value_number", "value_unit", "value_prefix", "value_qualitative"]

    def save_model(self, request, obj, form, change):
        obj.set_value(obj.value_text)
        super().save_model(request, obj, form, change)


@admin.register(CheckFinding)
class CheckFindingAdmin(admin.ModelAdmin):
    """Findings are written by the checks; an edit here lasts until the table's next recheck."""

    list_display = ["project", "row", "severity", "rule", "criterion", "opinion", "message"]
    list_filter = ["severity", "criterion", "opinion", "rule", "project__year", "project__region", "project__department"]
    search_fields = ["message", "rule", "project__name", "project__unit__name", "project__department__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "indicator"]


@admin.register(FindingExplanation)
class FindingExplanationAdmin(admin.ModelAdmin):
    list_display = ["project", "rule", "indicator_uid", "text", "created_by", "created_at"]
    list_filter = ["rule", "project__year", "project__region", "project__department"]
    search_fields = ["text", "rule", "project__name", "project__unit__name", "project__department__name"]
    list_select_related = ["project", "created_by"]
    raw_id_fields = ["project", "created_by"]
from indicators.library import admin as library_admin  # noqa: F401  (registers the library's models)
