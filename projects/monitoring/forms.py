"""The forms of monitoring: opening a round, and a report's figures and lines (validated together)."""

from django import forms

from perfgoals.text import unstorable_message
from projects.models import MONEY, Department, DeviationReason, Likelihood, MonitoringLine, MonitoringReport, MonitoringRound
from projects.models.common import money_fits, money_limit_message


class RoundForm(forms.ModelForm):
    """发起监控批次；可只覆盖部分部门或年度资金总额达到某金额的表（重点监控）。"""

    departments = forms.ModelMultipleChoiceField(
        Department.objects.none(), required=False, label="只监控这些部门", widget=forms.CheckboxSelectMultiple
    )
    min_amount = forms.DecimalField(
        label="只监控年度资金总额不低于（万元）", required=False, min_value=0, **MONEY
    )

    class Meta:
        model = MonitoringRound
        fields = ["year", "name", "cutoff_month", "due_date", "margin"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["departments"].queryset = Department.objects.filter(region=region)

    def clean(self):
        cleaned = super().clean()
        name, year = cleaned.get("name"), cleaned.get("year")
        if name and year and MonitoringRound.objects.filter(region=self.region, year=year, name=name).exists():
            self.add_error("name", f"{year} 年已有名为“{name}”的监控批次。")
        return cleaned


def _money(form, name):
    value = form.cleaned_data.get(name)
    if value is not None and not money_fits(value):
        raise forms.ValidationError(money_limit_message(form.fields[name].label))
    if value is not None and value < 0:
        raise forms.ValidationError(f"{form.fields[name].label}不能为负数。")
    return value


class ReportForm(forms.ModelForm):
    class Meta:
        model = MonitoringReport
        fields = ["budget_total", "budget_fiscal", "budget_other", "spent_total", "spent_fiscal", "spent_other", "goal_progress"]
        widgets = {"goal_progress": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("budget_total", "budget_fiscal", "budget_other", "spent_total", "spent_fiscal", "spent_other"):
            field = self.fields[name]
            field.error_messages["invalid"] = f"{field.label}应为数字（万元），例如 12.5。"
            field.widget.attrs["inputmode"] = "decimal"

    def clean(self):
        cleaned = super().clean()
        for name in ("budget_total", "budget_fiscal", "budget_other", "spent_total", "spent_fiscal", "spent_other"):
            if name in cleaned:
                try:
                    _money(self, name)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        message = unstorable_message(cleaned.get("goal_progress") or "", "总体目标执行情况")
        if message:
            self.add_error("goal_progress", message)
        return cleaned


class LineForm(forms.ModelForm):
    reasons = forms.MultipleChoiceField(
        choices=DeviationReason.choices, required=False, label="偏差原因", widget=forms.CheckboxSelectMultiple
    )
    likelihood = forms.ChoiceField(choices=[("", "—")] + Likelihood.choices, required=False, label="完成目标可能性")

    class Meta:
        model = MonitoringLine
        fields = ["progress_text", "expected_text", "reasons", "likelihood", "explanation", "measures"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 2}), "measures": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        for name in ("progress_text", "expected_text", "explanation", "measures"):
            message = unstorable_message(cleaned.get(name) or "", self.fields[name].label)
            if message:
                self.add_error(name, message)
        return cleaned


LineFormSet = forms.modelformset_factory(MonitoringLine, form=LineForm, extra=0, can_delete=False)


def cell_errors(report_form, formset, lines):
    """Every problem of a refused save, naming its cell: 第 2 行（培训人数）“全年预计完成情况”：…"""
    problems = []
    for name, errors in report_form.errors.items():
        label = report_form.fields[name].label if name in report_form.fields else ""
        problems.extend(f"“{label}”：{error}" if label else error for error in errors)
    for number, (form, line) in enumerate(zip(formset.forms, lines), 1):
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            where = f"第 {number} 行（{line.indicator.name or '未命名指标'}）"
            problems.extend(f"{where}“{label}”：{error}" for error in errors)
    return problems
