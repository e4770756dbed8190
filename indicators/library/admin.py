from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.library.models import EntryUsage, LibraryEntry


@admin.register(LibraryEntry)
class LibraryEntryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level2", "unit", "nature", "kind", "category", "region", "department", "is_core", "state"]
    list_filter = ["level2__level1__framework", "kind", "category", "state", "is_core", "region"]
    search_fields = ["name", "description"]
    list_select_related = ["level2__level1", "region", "department"]
    raw_id_fields = ["department", "created_by"]


@admin.register(EntryUsage)
class EntryUsageAdmin(admin.ModelAdmin):
    """Computed by refresh_library_usage; shown for inspection."""

    list_display = ["entry", "region", "table_count", "spread", "refreshed_at"]
    list_filter = ["region"]
    readonly_fields = ["entry", "region", "table_count", "values", "spread", "refreshed_at"]
