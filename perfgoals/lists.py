"""The one generic list screen (STYLE §5): a scoped queryset, a FilterSet, a Table, paging, a free-text
search and ``?export=xlsx`` on the same URL.

The export goes through the very FilterSet and Table that draw the page, unpaginated and in the
page's sort order, so the workbook holds exactly the rows the user has on screen (all pages of
them) in the columns they see, under a title naming the filters that made them."""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.rows import BoundRows

from perfgoals.signals import list_exported
from perfgoals.roles import has_role, is_unit_staff
from perfgoals.tables import MoneyColumn
from perfgoals.text import UNSTORABLE
from perfgoals.xlsx import list_workbook, xlsx_response

EXPORT_PARAMETER = "export"
TOTAL_LABEL = "合计"
# Query parameters that belong to the table, not to the filters: kept when the filters change.
TABLE_PARAMETERS = ("sort", "per_page")


def _choice_label(field, value):
    for key, label in field.choices:
        if isinstance(label, (list, tuple)):
            for sub_key, sub_label in label:
                if str(sub_key) == str(value):
                    return str(sub_label)
        elif str(key) == str(value):
            return str(label)
    return str(value)


def _bound_text(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def filter_value_text(field, value):
    """How a filter's cleaned value reads in Chinese, or "" when the filter is not in use."""
    if value is None or value == "" or value == [] or value == ():
        return ""
    if isinstance(value, slice):
        start, stop = value.start, value.stop
        if start is not None and stop is not None:
            return f"{_bound_text(start)} 至 {_bound_text(stop)}"
        if start is not None:
            return f"≥ {_bound_text(start)}" if not isinstance(start, datetime.date) else f"{_bound_text(start)} 起"
        if stop is not None:
            return f"≤ {_bound_text(stop)}" if not isinstance(stop, datetime.date) else f"至 {_bound_text(stop)}"
        return ""
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        if isinstance(value, (list, tuple)):
            return "、".join(_choice_label(field, item) for item in value)
        return _choice_label(field, value)
    return _bound_text(value)


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with the free-text box every list has and Bootstrap-styled widgets.

    ``search_fields`` are the (single-valued) fields the words of ``q`` are looked for in: every word
    must appear in one of them. ``primary`` names the filters shown in the first row; the others sit
    under 更多条件."""

    q = django_filters.CharFilter(label="搜索", method="search")

    search_fields = ()
    primary = ("q",)

    def __init__(self, *args, hidden=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in hidden:
            self.filters.pop(name, None)

    def search(self, queryset, name, value):
        for word in value.split():
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(match)
        return queryset

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                _style(field.widget)
            form.fields["q"].widget.attrs.setdefault("placeholder", "输入文字搜索")
            form._styled = True
        return form

    def describe(self):
        """(label, text) of each filter in use, in the form's order: shown above the list and written
        into the export's title row."""
        if not self.is_bound or not self.form.is_valid():
            return []
        described = []
        for name, field in self.form.fields.items():
            text = filter_value_text(field, self.form.cleaned_data.get(name))
            if text:
                described.append((str(field.label), text))
        return described

    def primary_fields(self):
        return [self.form[name] for name in self.primary if name in self.form.fields]

    def more_fields(self):
        return [self.form[name] for name in self.form.fields if name not in self.primary]

    def more_in_use(self):
        """Whether a filter under 更多条件 is set, so the page opens that section."""
        if not self.is_bound:
            return False
        return any(self.data.get(key) for field in self.more_fields() for key in _data_keys(field))


def _data_keys(bound_field):
    widget = bound_field.field.widget
    if isinstance(widget, forms.MultiWidget):
        suffixes = getattr(widget, "suffixes", None) or [str(index) for index in range(len(widget.widgets))]
        return [f"{bound_field.html_name}_{suffix}" if suffix else bound_field.html_name for suffix in suffixes]
    return [bound_field.html_name]


def _style(widget):
    if isinstance(widget, forms.MultiWidget):
        for part in widget.widgets:
            _style(part)
        return
    if isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = "%Y-%m-%d"
    css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


# The most rows one page may show: ?per_page= beyond it (or below one, or not a number) is brought
# back within range instead of a server error or a page of megabytes.
MAX_PER_PAGE = 200


def clamped_per_page(query):
    """``query`` (a QueryDict) with its per_page brought within 1..MAX_PER_PAGE, or dropped when it is no number."""
    raw = query.get("per_page")
    if raw is None:
        return query
    query = query.copy()
    try:
        query["per_page"] = str(min(max(int(raw), 1), MAX_PER_PAGE))
    except ValueError:
        del query["per_page"]
    return query


def page_by_ids(table):
    """Reads the rows of ``table``'s page in two steps inside one query: the ids of the page, sorted by
    the table's order with only the columns that order needs, then those rows whole (with their
    select_related joins and annotations) in the same order.

    The same rows in the same order as reading the page directly; but the database no longer joins
    every row of the region to its unit, department and the rest before keeping 25 of them (the joins
    a sort does not need were hashed over the whole province's units)."""
    page = getattr(table, "page", None)
    rows = page.object_list.data if page is not None else None
    whole = table.data.data  # the table's rows in its order, unsliced
    if not isinstance(rows, QuerySet) or not isinstance(whole, QuerySet) or not rows.query.is_sliced:
        return
    chosen = list(whole.filter(pk__in=rows.values("pk")))
    show_on_page(table, chosen)


def show_on_page(table, rows):
    """Puts ``rows``, the rows of ``table``'s page read some other way than slicing its sorted rows,
    on that page in place of the slice (which is then never read)."""
    page = table.page
    page.object_list = BoundRows(data=rows, table=table, pinned_data=page.object_list.pinned_data)


def page_bounds(page):
    """(offset, limit) of a page's rows within the whole list, as the paginator slices them."""
    paginator = page.paginator
    offset = (page.number - 1) * paginator.per_page
    top = offset + paginator.per_page
    if top + paginator.orphans >= paginator.count:
        top = paginator.count
    return offset, max(top - offset, 0)


class FilteredListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """A list screen: subclasses give ``title``, ``filterset_class``, ``table_class`` (a BaseTable) and
    ``scoped_queryset(user)``, which must start from the model's ``visible_to(user)``.

    Anonymous visitors go to the login page; a user for whom ``user_may_view`` is false gets 403.
    An invalid filter value (a region the user cannot see, a year that is no number) lists nothing."""

    template_name = "overview/list.html"
    title = ""
    table_pagination = {"per_page": 25}
    strict = True
    # Filters and columns naming a department or unit: unit staff only ever see their own, so these
    # are left out of their page and export.
    hidden_from_unit_staff = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.user_may_view(request.user):
            raise PermissionDenied(f"您的角色不能查看“{self.title}”。")
        request.GET = clamped_per_page(request.GET)
        return super().dispatch(request, *args, **kwargs)

    def user_may_view(self, user):
        """Anyone with a role; the rows are scoped by ``scoped_queryset``."""
        return has_role(user)

    def get_queryset(self):
        return self.scoped_queryset(self.request.user)

    # Whether the page's rows are chosen by their ids first (page_by_ids): for lists over many rows.
    pages_by_ids = False

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        page = getattr(table, "page", None)
        if page is not None and self.in_default_order(table):
            rows = self.default_order_page(table, *page_bounds(page))
            if rows is not None:
                show_on_page(table, rows)
                return table
        if self.pages_by_ids:
            page_by_ids(table)
        return table

    def in_default_order(self, table):
        """Whether ``table`` is sorted as the list first opens (its Meta.order_by, then the queryset's order)."""
        return tuple(str(name) for name in table.order_by or ()) == tuple(table._meta.order_by or ())

    def default_order_page(self, table, offset, limit):
        """The rows ``offset`` to ``offset + limit`` of the list in its default order, read some cheaper
        way than sorting the whole selection (perfgoals.paginators.rows_through_groups), or None to
        slice the sorted selection. A list over many rows overrides this."""
        return None

    def filters_in_use(self):
        """The names of the filters this request sets, or None when a filter value is invalid (nothing is listed)."""
        if not self.filterset.is_bound:
            return set()
        if not self.filterset.is_valid():
            return None
        form = self.filterset.form
        return {name for name, field in form.fields.items() if filter_value_text(field, form.cleaned_data.get(name))}

    def hidden(self):
        return self.hidden_from_unit_staff if is_unit_staff(self.request.user) else ()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "hidden": self.hidden()}

    def get_table_kwargs(self):
        return {"exclude": self.hidden()}

    def select_rows(self):
        """The FilterSet of this request and the rows it selects (none when a filter value is invalid)."""
        self.filterset = self.get_filterset(self.get_filterset_class())
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            self.object_list = self.filterset.qs
        else:
            self.object_list = self.filterset.queryset.none()

    def get(self, request, *args, **kwargs):
        self.select_rows()
        if request.GET.get(EXPORT_PARAMETER) == "xlsx":
            return self.export_xlsx()
        return self.render_to_response(self.get_context_data(filter=self.filterset, object_list=self.object_list))

    def export_title(self):
        described = self.filterset.describe()
        conditions = "；".join(f"{label}：{text}" for label, text in described) if described else "全部"
        # A search typed with control characters still exports: they cannot be written into a cell.
        return UNSTORABLE.sub("", f"{self.title}（筛选条件：{conditions}）")

    def export_xlsx(self):
        table = self.get_table_class()(data=self.object_list, **self.get_table_kwargs())
        RequestConfig(self.request, paginate=False).configure(table)
        values = table.as_values()
        headers = next(values)
        rows = list(values)
        title = self.export_title()
        exported = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
        money = [position for position, column in enumerate(exported) if isinstance(column.column, MoneyColumn)]
        totals = self.export_totals(exported, money, rows) if money else None
        content = list_workbook(
            sheet_title=self.title, title=title, headers=headers, rows=rows, money_columns=money, totals=totals
        )
        list_exported.send(type(self), request=self.request, detail={"list": self.title, "filters": title, "rows": len(rows)})
        return xlsx_response(content, f"{self.title}.xlsx")

    def export_totals(self, columns, money, rows):
        """The 合计 row below an exported list: each money column summed over the exported rows. A list
        whose rows may name one document twice (versions) overrides this to count each once."""
        totals = [None] * len(columns)
        totals[0] = TOTAL_LABEL
        for position in money:
            totals[position] = sum((row[position] for row in rows if row[position] is not None), Decimal(0))
        return totals

    def export_url(self):
        query = self.request.GET.copy()
        query.pop("page", None)
        query[EXPORT_PARAMETER] = "xlsx"
        return f"?{query.urlencode()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            active_filters=self.filterset.describe(),
            export_url=self.export_url(),
            kept_parameters=[(name, self.request.GET[name]) for name in TABLE_PARAMETERS if self.request.GET.get(name)],
        )
        return context
