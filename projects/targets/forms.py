"""The forms of the whole-department target editor: the header with its funds block, and the sub-targets."""

from django import forms

from indicators.forms import FieldCheckedModelForm
from projects.forms import TEXT, BaseOrderedInlineFormSet, MoneyField, ProjectTableForm
from projects.models import DepartmentSubTarget, DepartmentTarget


class DepartmentTargetForm(FieldCheckedModelForm):
    framework = forms.ChoiceField(
        label="指标体系", widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择指标体系。", "invalid_choice": "请选择指标体系。"},
    )
    funds_total = MoneyField(label="部门预算总额")
    funds_basic = MoneyField(label="基本支出")
    funds_project = MoneyField(label="项目支出")
    loaded_relations = ("framework",)

    class Meta:
        model = DepartmentTarget
        fields = ["year", "overall_goal", "funds_total", "funds_basic", "funds_project", "framework"]
        widgets = {
            "year": forms.NumberInput(attrs={"class": "form-control", "min": 2000, "max": 2100}),
            "overall_goal": forms.Textarea(attrs={**TEXT, "rows": 5}),
        }

    def __init__(self, *args, frameworks, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["framework"].choices = [(str(fw.pk), fw.name) for fw in frameworks]
        self.frameworks = {str(fw.pk): fw for fw in frameworks}
        if self.instance.framework_id:
            self.initial["framework"] = str(self.instance.framework_id)
        self.fields["overall_goal"].required = False
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.fields["framework"].disabled = True

    clean_framework = ProjectTableForm.clean_framework
    clean_year = ProjectTableForm.clean_year

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        others = DepartmentTarget.objects.filter(department=self.department, year=year, version=self.instance.version)
        if year and others.exclude(pk=self.instance.pk).exists():
            self.add_error("year", f"本部门 {year} 年已有部门整体绩效目标。")
        return cleaned


class SubTargetForm(FieldCheckedModelForm):
    class Meta:
        model = DepartmentSubTarget
        fields = ["title", "goal", "indicator_text", "safeguards"]
        widgets = {
            "title": forms.TextInput(attrs=TEXT),
            "goal": forms.Textarea(attrs={**TEXT, "rows": 2, "class": "form-control autosize"}),
            "indicator_text": forms.Textarea(attrs={**TEXT, "rows": 2, "class": "form-control autosize"}),
            "safeguards": forms.Textarea(attrs={**TEXT, "rows": 3, "class": "form-control autosize"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class SubTargetFormSet(forms.inlineformset_factory(
    DepartmentTarget,
    DepartmentSubTarget,
    form=SubTargetForm,
    formset=BaseOrderedInlineFormSet,
    extra=0,
    can_order=True,
    can_delete=True,
)):
    blank_fields = ("title", "goal", "indicator_text", "safeguards")
