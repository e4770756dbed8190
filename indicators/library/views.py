"""The library's screens: the picker's suggestion request, the finance bureau's list, editing,
retiring, confirming and promoting entries, proposals from approved tables, Excel import and export."""

import base64

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from indicators.library import excel, permissions
from indicators.library.models import EntryKind, EntryStatus, EntryUsage, LibraryEntry, ProjectCategory
from indicators.library.search import infer_category, suggestions
from indicators.library.services import entry_confirm, entry_promote, entry_retire, proposals_from_approved_tables
from indicators.library.usage import figures_text
from indicators.models import Framework, Level2
from perfgoals.lists import FilteredListView, SearchFilterSet
from perfgoals.tables import BaseTable, NumberColumn
from perfgoals.scope import scope_of

WIDE_SPREAD = 4


@login_required
@require_GET
def library_suggest(request):
    """JSON for the editor's picker: ?framework=&level2=&q=&name=&year=, the table's name and budget year
    as the editor shows them (the category is inferred from the name unless &category= says it)."""
    if not permissions.can_pick_from_library(request.user):
        raise PermissionDenied("您的账号还没有角色，不能使用指标库。")
    name, year = request.GET.get("name", "")[:200], _int(request.GET.get("year"))
    category = request.GET.get("category")
    if category is None or category not in ProjectCategory.values:
        category = infer_category(name)
    found = suggestions(
        request.user,
        framework=request.GET.get("framework") or None,
        level2=_int(request.GET.get("level2")),
        words=request.GET.get("q", "")[:100],
        category=category,
        year=year,
    )
    return JsonResponse({"category": category, "category_label": ProjectCategory(category).label if category else "", "entries": found})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _usage_subquery(user, field):
    """The entry's table count (or spread) over the approved tables the user's scope counts: their
    region's, or every region's summed for the administrator."""
    scope = scope_of(user)
    usages = EntryUsage.objects.filter(entry=OuterRef("pk"))
    if not scope.sees_everything:
        usages = usages.filter(region_id=scope.region_id)
    total = usages.order_by().values("entry").annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


class LibraryEntryFilterSet(SearchFilterSet):
    search_fields = ("name", "description", "guidance")
    primary = ("q", "framework", "level2", "kind", "category", "state", "usage")

    framework = django_filters.ModelChoiceFilter(
        label="指标体系", field_name="level2__level1__framework", queryset=Framework.objects.all(), empty_label="全部"
    )
    level2 = django_filters.ChoiceFilter(label="二级指标", field_name="level2__name", empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类别", choices=EntryKind.choices, empty_label="全部")
    category = django_filters.ChoiceFilter(label="项目类别", choices=ProjectCategory.choices, empty_label="全部")
    state = django_filters.ChoiceFilter(label="状态", choices=EntryStatus.choices, empty_label="全部")
    usage = django_filters.ChoiceFilter(
        label="使用情况",
        choices=[("never", "从未使用"), ("spread", "取值分散")],
        method="by_usage",
        empty_label="不限",
    )

    class Meta:
        model = LibraryEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = Level2.objects.order_by("level1__order", "order").values_list("name", flat=True)
        self.filters["level2"].extra["choices"] = [(name, name) for name in dict.fromkeys(names)]

    def by_usage(self, queryset, name, value):
        if value == "never":
            return queryset.filter(table_count=0)
        return queryset.filter(spread__gte=WIDE_SPREAD)


class LibraryEntryTable(BaseTable):
    framework = tables.Column("指标体系", accessor="level2__level1__framework__code")
    level1 = tables.Column("一级指标", accessor="level2__level1__name")
    level2 = tables.Column("二级指标", accessor="level2__name")
    name = tables.Column("三级指标", linkify=("indicators:library_entry_edit", {"pk": tables.A("pk")}))
    nature = tables.Column("指标性质")
    unit = tables.Column("计量单位")
    kind = tables.Column("类别")
    category = tables.Column("项目类别")
    owner = tables.Column("归属", accessor="owner_label", orderable=False)
    is_core = tables.BooleanColumn("核心指标", yesno="是,")
    state = tables.Column("状态")
    table_count = NumberColumn("使用表数")
    figures = tables.Column("常见取值", accessor="pk", orderable=False)
    spread = NumberColumn("不同取值数")

    class Meta(BaseTable.Meta):
        order_by = ("framework",)

    def __init__(self, *args, figures=None, **kwargs):
        self.figures_by_entry = figures or {}
        super().__init__(*args, **kwargs)

    def render_figures(self, value):
        return self.figures_by_entry.get(value, "") or "—"

    def value_figures(self, value):
        return self.figures_by_entry.get(value, "")


class LibraryEntryListView(FilteredListView):
    """指标库：财政部门查看、筛选指标库条目，看每条被多少张已批复的表使用、从未使用的条目和取值分散的条目。"""

    title = "指标库"
    filterset_class = LibraryEntryFilterSet
    table_class = LibraryEntryTable
    template_name = "indicators/library/entry_list.html"

    def user_may_view(self, user):
        return permissions.can_manage_library(user)

    def scoped_queryset(self, user):
        return (
            permissions.entries_visible_to(user)
            .select_related("level2__level1__framework", "region", "department")
            .annotate(table_count=_usage_subquery(user, "table_count"), spread=_usage_subquery(user, "spread"))
        )

    def get_table_kwargs(self):
        scope = scope_of(self.request.user)
        usages = EntryUsage.objects.all() if scope.sees_everything else EntryUsage.objects.filter(region_id=scope.region_id)
        # Administrators see the largest region's figures per entry: values of different regions are not summed.
        figures = {}
        for usage in usages.order_by("table_count"):
            figures[usage.entry_id] = figures_text(usage)
        return {**super().get_table_kwargs(), "figures": figures}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_create"] = permissions.new_entry_owner(self.request.user) is not None
        context["proposals"] = (
            permissions.entries_visible_to(self.request.user).filter(state=EntryStatus.PROPOSED).select_related("department")
        )
        return context


class LibraryEntryForm(forms.ModelForm):
    class Meta:
        model = LibraryEntry
        fields = ["level2", "name", "description", "nature", "unit", "guidance", "basis", "kind", "category", "is_core"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "guidance": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level2"].queryset = Level2.objects.select_related("level1__framework").order_by(
            "level1__framework__order", "level1__order", "order"
        )
        self.fields["level2"].label_from_instance = lambda l2: f"{l2.level1.framework.code} {l2.level1.name} / {l2.name}"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control form-control-sm")


@login_required
def library_entry_edit(request, pk=None):
    """新增或修改一条指标库条目；修改记入历史。"""
    if not permissions.can_manage_library(request.user):
        raise PermissionDenied("您的角色不能维护指标库。")
    if pk is None:
        owner = permissions.new_entry_owner(request.user)
        if owner is None:
            raise PermissionDenied("您的角色不能新增指标库条目。")
        entry = LibraryEntry(region=owner[0], department=owner[1], created_by=request.user)
        if owner[1] is not None:
            entry.state = EntryStatus.PROPOSED
            entry.kind = EntryKind.SPECIFIC
    else:
        entry = get_object_or_404(permissions.entries_visible_to(request.user), pk=pk)
    may_edit = pk is None or permissions.can_edit_entry(request.user, entry)
    form = LibraryEntryForm(request.POST if request.method == "POST" else None, instance=entry)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("您不能修改这一条目。")
        if form.is_valid():
            form.save()
            messages.success(request, f"已保存指标“{entry.name}”。")
            return redirect("indicators:library_entry_list")
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "indicators/library/entry_edit.html",
        {
            "form": form,
            "entry": entry,
            "may_edit": may_edit,
            "may_confirm": entry.pk and entry.state == EntryStatus.PROPOSED and permissions.can_confirm_entry(request.user, entry),
            "may_promote": entry.pk and entry.department_id and permissions.can_confirm_entry(request.user, entry),
            "history": entry.history.select_related("history_user").order_by("-history_date")[:20] if entry.pk else [],
        },
    )


def _entry_for_action(request, pk, allowed):
    entry = get_object_or_404(permissions.entries_visible_to(request.user), pk=pk)
    if not allowed(request.user, entry):
        raise PermissionDenied("您不能对这一条目执行此操作。")
    return entry


@login_required
@require_POST
def library_entry_retire(request, pk):
    entry = _entry_for_action(request, pk, permissions.can_edit_entry)
    entry_retire(entry=entry, by=request.user)
    messages.success(request, f"已停用指标“{entry.name}”，已选用它的表保留原有内容。")
    return redirect("indicators:library_entry_list")


@login_required
@require_POST
def library_entry_confirm(request, pk):
    entry = _entry_for_action(request, pk, permissions.can_confirm_entry)
    entry_confirm(entry=entry, by=request.user)
    messages.success(request, f"已确认指标“{entry.name}”，本部门填报时可以选用。")
    return redirect("indicators:library_entry_list")


@login_required
@require_POST
def library_entry_promote(request, pk):
    entry = _entry_for_action(request, pk, permissions.can_confirm_entry)
    promoted = entry_promote(entry=entry, by=request.user)
    messages.success(request, f"已将“{entry.name}”提升为本地区的行业指标，全区单位都可以选用。")
    return redirect("indicators:library_entry_edit", pk=promoted.pk)


@login_required
@require_POST
def library_propose(request):
    """A department reviewer proposes their department's library from its approved tables."""
    scope = scope_of(request.user)
    owner = permissions.new_entry_owner(request.user)
    if owner is None or owner[1] is None:
        raise PermissionDenied("只有主管部门审核人可以从本部门已批复的表提出本部门指标库。")
    created = proposals_from_approved_tables(department=scope.department, by=request.user)
    messages.success(request, f"已从本部门已批复的表中提出 {created} 条指标，待财政部门确认。")
    return redirect("indicators:library_entry_list")


@login_required
def library_export(request):
    """The visible entries in the provincial systems' 共性/个性指标 layout."""
    if not permissions.can_manage_library(request.user):
        raise PermissionDenied("您的角色不能导出指标库。")
    entries = permissions.entries_visible_to(request.user).select_related("level2__level1__framework")
    framework = request.GET.get("framework")
    if framework:
        entries = entries.filter(level2__level1__framework__code=framework)
    response = HttpResponse(excel.library_workbook(entries), content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%8C%87%E6%A0%87%E5%BA%93.xlsx"
    return response


class LibraryImportForm(forms.Form):
    framework = forms.ModelChoiceField(label="指标体系", queryset=Framework.objects.all(), empty_label=None)
    file = forms.FileField(label="Excel 文件（.xlsx）")


IMPORT_SESSION_KEY = "library_import"


@login_required
def library_import(request):
    """Upload → preview (nothing written) → 确认导入 writes every row or, on any problem, none. The
    previewed file waits in the session, so the confirmation writes exactly what was previewed."""
    owner = permissions.new_entry_owner(request.user)
    if not permissions.can_manage_library(request.user) or owner is None or owner[1] is not None:
        raise PermissionDenied("只有财政部门和管理员可以导入指标库。")
    if request.method == "POST" and request.POST.get("confirm"):
        pending = request.session.pop(IMPORT_SESSION_KEY, None)
        if pending is None:
            messages.error(request, "没有待导入的文件，请重新上传。")
            return redirect("indicators:library_import")
        framework = get_object_or_404(Framework, pk=pending["framework"])
        preview = excel.read_library(base64.b64decode(pending["content"]), framework=framework)
        if preview.problems:
            messages.error(request, "文件有问题，没有导入任何指标，请重新上传。")
            return redirect("indicators:library_import")
        with transaction.atomic():
            created = excel.write_library(preview, region=owner[0], by=request.user)
        messages.success(request, f"已导入 {created} 条指标（已有的同名指标按文件更新）。")
        return redirect("indicators:library_entry_list")
    form = LibraryImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        preview = excel.read_library(content, framework=form.cleaned_data["framework"])
        if not preview.problems:
            request.session[IMPORT_SESSION_KEY] = {
                "framework": form.cleaned_data["framework"].pk,
                "content": base64.b64encode(content).decode("ascii"),
            }
    return render(request, "indicators/library/import.html", {"form": form, "preview": preview})
