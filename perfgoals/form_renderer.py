"""The form renderer: Django's own, with its plain widgets (text inputs, text areas, selects, check
boxes, hidden inputs) written out in Python instead of through their templates.

An editor page holds a dozen widgets per 三级 row, and each select includes a template per option: a
table of thirty rows renders close to a thousand small templates, which was most of the editor's server
time. The Python below produces exactly what Django's templates produce (the tests compare the two,
widget by widget and form by form); any other widget, or an option with a template of its own, still
goes through the templates.

Fenced to Django 5.2 (pyproject.toml keeps Django below 5.3): the Python copies Django 5.2's
django/forms/widgets/ templates input.html (and the input types that include it), attrs.html,
textarea.html, select.html and select_option.html, reads the widget context that Widget.get_context
builds (name, type, value, attrs, optgroups of (name, options, index)) and overrides
DjangoTemplates.render(template_name, context, request=None). tests/test_library_fences.py holds those
templates' text and fails when the ones Django renders differ.
"""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in ("text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime", "time", "search", "tel")
)
_TEXTAREA = f"{_WIDGETS}textarea.html"
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"
# What a template variable is rendered in: autoescaping on, localisation and time zone as configured.
_CONTEXT = Context(autoescape=True)


def _variable(value):
    """``{{ value }}``."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value):
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe, anything else is escaped."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value
    except (ValueError, TypeError):
        text = ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_variable(name)}")
        if value is not True:
            parts.append(f'="{_formatted(value)}"')
    return "".join(parts)


def _input(widget):
    value = f' value="{_formatted(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_variable(widget["type"])}" name="{_variable(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _textarea(widget):
    value = _variable(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_variable(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


def _option(option):
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_variable(option["label"])}</option>\n'


def _select(widget):
    parts = [f'<select name="{_variable(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_variable(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _python_renderer(template_name, widget):
    if template_name in _INPUTS:
        return _input
    if template_name == _TEXTAREA:
        return _textarea
    if template_name == _SELECT and all(
        option.get("template_name") == _OPTION for _, choices, _ in widget.get("optgroups", ()) for option in choices
    ):
        return _select
    return None


class FormRenderer(DjangoTemplates):
    """Django's template form renderer, with the plain widgets rendered in Python (see the module)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        render = _python_renderer(template_name, widget) if isinstance(widget, dict) else None
        if render is None:
            return super().render(template_name, context, request=request)
        return render(widget).strip()
