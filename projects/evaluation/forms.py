"""The self-evaluation editor's forms: the funds and texts, one row per 三级 indicator, a round, and a
reviewer's change of one score. Errors name their cell in Chinese."""

from decimal import Decimal

from django import forms

from perfgoals.formatting import decimal_text
from projects.evaluation.sheet import FUND_COLUMNS, FUND_ROWS
from projects.models import EvaluationItem, EvaluationRound, SelfEvaluation

FUND_FIELDS = [f"{row}_{column}" for row, _ in FUND_ROWS for column, _ in FUND_COLUMNS]
TEXT_FIELDS = ["execution_reason", "goal_actual", "conclusion", "problems", "measures", "project_leader", "finance_leader"]

class SelfEvaluationForm(forms.ModelForm):
    class Meta:
        model = SelfEvaluation
        fields = FUND_FIELDS + TEXT_FIELDS
        widgets = {
            **{name: forms.TextInput(attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal"}) for name in FUND_FIELDS},
            **{name: forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}) for name in TEXT_FIELDS[:5]},
            "project_leader": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "finance_leader": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FUND_FIELDS:
            # 1.200000 as stored reads 1.2, as the unit typed it.
            self.initial[name] = decimal_text(self.initial.get(name))

class EvaluationItemForm(forms.ModelForm):
    """One indicator row as the unit fills it; 年度指标值 and 分值 are the approved table's, read-only."""

    class Meta:
        model = EvaluationItem
        fields = ["actual_text", "band", "unit_score", "unit_reason", "deviation"]
        widgets = {
            "actual_text": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "band": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "unit_score": forms.TextInput(attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal"}),
            # Two lines: a reason of one sentence is read whole, not scrolled inside a one-line box.
            "unit_reason": forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2, "placeholder": "改分理由"}),
            "deviation": forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
        }

    def clean_unit_score(self):
        score = self.cleaned_data.get("unit_score")
        if score is not None and score > self.instance.weight:
            raise forms.ValidationError(f"不能超过本行分值 {self.instance.weight} 分。")
        return score

EvaluationItemFormSet = forms.modelformset_factory(EvaluationItem, form=EvaluationItemForm, extra=0, can_delete=False)

def cell_errors(form, formset, items):
    """Every error, naming its cell: 资金情况·年度资金总额·全年执行数：请输入一个数字。"""
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else "自评表"
        messages += [f"{label}：{error}" for error in errors]
    for number, (row_form, item) in enumerate(zip(formset.forms, items), 1):
        for name, errors in row_form.errors.items():
            label = row_form.fields[name].label if name in row_form.fields else ""
            messages += [f"第 {number} 行“{item.name}”{label}：{error}" for error in errors]
    messages += [str(error) for error in formset.non_form_errors()]
    return messages

class EvaluationRoundForm(forms.ModelForm):
    class Meta:
        model = EvaluationRound
        fields = ["year", "due_date", "weight_execution", "weight_output", "weight_benefit", "weight_satisfaction", "execution_reason_below"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def clean(self):
        data = super().clean()
        parts = [data.get(name) for name in ("weight_execution", "weight_output", "weight_benefit", "weight_satisfaction")]
        if all(part is not None for part in parts) and sum(parts, Decimal(0)) != 100:
            raise forms.ValidationError(f"预算执行率与产出、效益、满意度指标的分值合计应为 100 分，现为 {sum(parts, Decimal(0))} 分。")
        return data

    def weights(self):
        data = self.cleaned_data
        return {
            "预算执行": data["weight_execution"],
            "产出指标": data["weight_output"],
            "效益指标": data["weight_benefit"],
            "满意度指标": data["weight_satisfaction"],
        }

class RescoreForm(forms.Form):
    """财政抽查改分：一行三级指标的复核得分和理由。"""

    item = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label="复核得分", max_digits=6, decimal_places=2, min_value=0)
    reason = forms.CharField(label="改分理由", widget=forms.Textarea(attrs={"rows": 2}))
