from django import template
from django.utils.html import format_html_join

from perfgoals.formatting import decimal_text
from projects.breakdown import shown_lines

register = template.Library()


@register.filter
def plain(value):
    """A decimal without trailing zeros (66.000000 → 66); empty for None."""
    if value is None or value == "":
        return ""
    return decimal_text(value)


@register.filter
def money(value):
    """万元 with two decimals at least, more when the amount has them: 66 → 66.00, 10606.7522 → 10606.7522."""
    if value is None or value == "":
        return ""
    text = decimal_text(value)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


@register.filter
def funds_lines(value):
    """A table's funds breakdown (ProjectTable.funds_breakdown) as lines with their depth in the tree."""
    return shown_lines(value if isinstance(value, list) else [])


_DIGITS = "零一二三四五六七八九"


@register.filter
def chinese_number(value):
    """1 → 一, 12 → 十二, 25 → 二十五: the numbering of （一）（二） headings."""
    number = int(value)
    if number < 10:
        return _DIGITS[number]
    tens, ones = divmod(number, 10)
    return f"{_DIGITS[tens] if tens > 1 else ''}十{_DIGITS[ones] if ones else ''}"


@register.filter
def beside(value):
    """“表上 9.50 分 · 按规则 8.00 分” in a narrow cell: each figure on one line, the break between them."""
    parts = str(value or "").split(" · ")
    return format_html_join(" · ", '<span class="text-nowrap">{}</span>', ((part,) for part in parts if part))
