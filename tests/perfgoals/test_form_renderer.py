"""The Python form renderer writes exactly what Django's widget templates write."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.safestring import mark_safe

from indicators.forms import IndicatorFormSet, framework_level2s
from indicators.models import Indicator
from perfgoals.form_renderer import FormRenderer
from projects.forms import ProjectTableForm, frameworks, project_attributes
from tests import factories

TEMPLATES = DjangoTemplates()
PYTHON = FormRenderer()


class EveryPlainWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "a&b", "data-x": '"quoted"', "autofocus": True, "hidden": False}))
    empty_text = forms.CharField(required=False)
    number = forms.IntegerField()
    decimal = forms.DecimalField(localize=True)
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField()
    checked = forms.BooleanField(required=False)
    unchecked = forms.BooleanField(required=False)
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 1}))
    empty_area = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "甲 <b>"), (3, 3), ("safe", mark_safe("<i>安全</i>"))])
    grouped = forms.TypedChoiceField(coerce=int, choices=[("产出指标", [(1, "数量指标"), (2, "质量指标")]), ("效益指标", [(6, "社会效益指标")]), (9, "其他")])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect)


VALUES = {
    "text": '<script>"x"</script> & 文本',
    "number": 12,
    "decimal": Decimal("19.560000"),
    "email": "a@example.com",
    "url": "https://example.com/?a=1&b=2",
    "password": "p<w>",
    "hidden": mark_safe("<safe>"),
    "date": datetime.date(2024, 11, 30),
    "when": datetime.datetime(2024, 11, 30, 18, 5),
    "checked": True,
    "unchecked": False,
    "area": "第一行\n第二行 <b>",
    "choice": "a",
    "grouped": 6,
    "several": ["x", "y"],
    "radio": "r",
}


def rendered(form_class, renderer, **kwargs):
    form = form_class(renderer=renderer, **kwargs)
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("kwargs", [{}, {"initial": VALUES}, {"data": {**VALUES, "number": "not a number"}}], ids=["empty", "initial", "bound"])
def test_every_plain_widget_renders_as_its_template_does(kwargs):
    assert rendered(EveryPlainWidget, PYTHON, **kwargs) == rendered(EveryPlainWidget, TEMPLATES, **kwargs)


def test_the_settings_use_the_python_renderer(settings):
    assert settings.FORM_RENDERER == "perfgoals.form_renderer.FormRenderer"


def test_the_editor_forms_render_as_their_templates_do(reference_data):
    table = factories.stored_table()
    level2s = framework_level2s(table.framework)

    def page(renderer):
        header = ProjectTableForm(
            instance=table, attributes=project_attributes(), frameworks=frameworks(), unit=table.unit, renderer=renderer
        )
        rows = IndicatorFormSet(queryset=Indicator.objects.filter(project=table).order_by("order"), prefix="ind", level2s=level2s, form_kwargs={})
        rows.renderer = renderer
        html = [str(header[name]) for name in header.fields]
        for form in [*rows.forms, rows.empty_form]:
            form.renderer = renderer
            html += [str(form[name]) for name in form.fields]
        return html

    assert page(PYTHON) == page(TEMPLATES)


def test_the_editor_page_still_posts_back_unchanged(client, reference_data):
    from tests.html_forms import form_data

    table = factories.stored_table()
    client.force_login(factories.user("unit_staff", unit=table.unit))
    url = reverse("projects:project_edit", args=[table.pk])
    data = form_data(client.get(url).content.decode())
    assert client.post(url, data).status_code == 302
