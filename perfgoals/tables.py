"""The base django-tables2 table of every list screen, and the columns lists share.

A column's ``render`` is what the page shows; its ``value`` is what the Excel export writes (through
``Table.as_values``): the plain datum, so money stays a number and a badge becomes its text. A
table's own ``render_<name>`` that returns HTML needs a ``value_<name>`` beside it for the same reason."""

import django_tables2 as tables
from django.urls import reverse
from django_tables2.data import TableData, TableQuerysetData
from django.utils.html import format_html

from perfgoals.formatting import decimal_text

_KNOWN_SIGNATURES_LIMIT = 2048

# Fenced to django-tables2 3.x (written against 3.0.1; pyproject.toml keeps it below 4). The patch
# below replaces django_tables2.utils.signature, a private helper, and works only while
# utils.call_with_appropriate looks that name up in its module at each call (no other module holding
# its own reference) and the helper returns (argument names, name of the ** catch-all) for a function,
# bound or not. StableQuerysetData relies on TableQuerysetData(data), its order_by(aliases) and its
# ``data`` queryset. tests/test_library_fences.py fails when any of these changes.


def _remember_signatures():
    """django-tables2 works out the signature of a column's render or value function (inspect.signature)
    for every cell it draws: 325 times for a page of 25 rows, an eighth of a list page's CPU time. A
    function's signature never changes, so it is worked out once per function, bound or not; the
    memory is bounded in case functions are made afresh per request."""
    from django_tables2 import utils

    if getattr(utils.signature, "remembers", False):
        return
    work_out = utils.signature
    known = {}

    def signature(fn):
        key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
        found = known.get(key)
        if found is None:
            if len(known) >= _KNOWN_SIGNATURES_LIMIT:
                known.clear()
            found = known[key] = work_out(fn)
        return found

    signature.remembers = True
    utils.signature = signature


_remember_signatures()


def money_text(value):
    """万元 with two decimals at least, more when the amount has them: 66 → 66.00, 10606.7522 → 10606.7522."""
    if value is None:
        return ""
    whole, _, fraction = decimal_text(value).partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


class StableQuerysetData(TableQuerysetData):
    """Rows in a total order: the columns the user sorts by, then the queryset's own order, then the
    primary key. Without the last two, rows that tie on the sorted column could come back in a
    different order for page 2 than for page 1, or for the export than for the screen."""

    def __init__(self, data):
        super().__init__(data)
        self.natural_order = tuple(data.query.order_by or data.model._meta.ordering)

    def order_by(self, aliases):
        super().order_by(aliases)
        self.data = self.data.order_by(*self.data.query.order_by, *self.natural_order, "pk")


class BaseTable(tables.Table):
    """Small Bootstrap tables with a Chinese empty text; subclasses declare columns. ``Meta.order_by``
    names the column sorted by at first; the queryset's order breaks ties (see StableQuerysetData)."""

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle list-table"}
        empty_text = "没有符合条件的记录。"
        template_name = "django_tables2/bootstrap5.html"

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not isinstance(data, TableData) and TableQuerysetData.validate(data):
            data = StableQuerysetData(data)
        super().__init__(data, *args, **kwargs)


class MoneyColumn(tables.Column):
    """万元, right-aligned on screen, a number in the export."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money_text(value)

    def value(self, value):
        return value


class NumberColumn(tables.Column):
    """A count or score, right-aligned."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "text-end"}, "td": {"class": "text-end"}})
        super().__init__(*args, **kwargs)


class BadgeColumn(tables.Column):
    """A choice shown as a coloured badge (CSS class ``<prefix>-<stored value>``), exported as its label."""

    def __init__(self, *args, css_prefix, **kwargs):
        self.css_prefix = css_prefix
        super().__init__(*args, **kwargs)

    def render(self, value, record, bound_column):
        # ``value`` is the label (django-tables2 calls get_FOO_display); the class needs the stored value.
        stored = tables.A(bound_column.accessor).resolve(record)
        return format_html('<span class="badge {}-{}">{}</span>', self.css_prefix, stored, value)

    def value(self, value):
        return value


class DetailLinkColumn(tables.Column):
    """Text linking to a detail page named by ``url_name`` with the primary key at ``pk_accessor``."""

    def __init__(self, *args, url_name, pk_accessor="pk", empty_label="（未命名）", **kwargs):
        self.url_name = url_name
        self.pk_accessor = pk_accessor
        self.empty_label = empty_label
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        pk = tables.A(self.pk_accessor).resolve(record)
        return format_html('<a href="{}">{}</a>', reverse(self.url_name, args=[pk]), value or self.empty_label)

    def value(self, value):
        return value or self.empty_label
