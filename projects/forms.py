"""Forms of the table editors. A draft is always kept: every field is optional, and only input that
cannot be stored at all (letters in a money field, a negative amount, a percentage over 100) is refused,
with a message beside the cell."""

import re
from decimal import Decimal

from django import forms
from django.db.models import Q

from indicators.checks.data import funds_lines
from indicators.frameworks import framework_snapshot
from indicators.forms import FieldCheckedModelForm, PlainDecimalInput, StoredRowsMixin
from indicators.models import Framework
from projects.models import (
    MONEY,
    CodeItem,
    ProjectGoal,
    ProjectTable,
    SpendingCheckpoint,
    money_limit_message,
)
from projects.schema import PROJECT_TABLE_EDITED_FIELDS

TEXT = {"class": "form-control"}


class MoneyField(forms.DecimalField):
    """万元, exact to 6 decimal places, never negative. Accepts thousands separators and full-width digits."""

    def __init__(self, *, label, **kwargs):
        super().__init__(
            label=label,
            required=False,
            **MONEY,
            min_value=Decimal(0),
            error_messages={
                "invalid": f"“{label}”应为数字（单位：万元），例如 19.56。",
                "min_value": f"“{label}”不能为负数。",
                **dict.fromkeys(("max_decimal_places", "max_digits", "max_whole_digits"), money_limit_message(label)),
            },
            widget=PlainDecimalInput(attrs={"class": "form-control text-end money", "inputmode": "decimal"}),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(_FULL_WIDTH_DIGITS).replace(",", "").replace("，", "").strip()
            # Only digits with one decimal point: Python reads "1e3" as 1000 and "NaN" or "Infinity" as
            # numbers, which a finance officer never means (issue 17: "1e3" was saved as 1000 万元).
            if value and not _PLAIN_AMOUNT.fullmatch(value):
                raise forms.ValidationError(
                    f"“{self.label}”应为数字（单位：万元），例如 19.56；“{value[:20]}”不是金额。", code="invalid"
                )
        return super().to_python(value)


_PLAIN_AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")  # a minus sign is refused by min_value, naming it
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


class ProjectTableForm(FieldCheckedModelForm):
    attribute = forms.ChoiceField(
        label="项目属性", required=False, widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "请从列表中选择项目属性。"},
    )
    framework = forms.ChoiceField(
        label="指标体系", widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择指标体系。", "invalid_choice": "请选择指标体系。"},
    )
    funds_total = MoneyField(label="年度资金总额")
    funds_fiscal = MoneyField(label="财政拨款")
    funds_other = MoneyField(label="其他资金")
    midterm_funds_total = MoneyField(label="中期资金总额")
    midterm_funds_fiscal = MoneyField(label="其中：财政拨款")
    midterm_funds_other = MoneyField(label="其他资金")
    # The breakdown read from a form's tree of sources is shown, not typed: the box clears it (the three
    # amounts above are the table's money). Cleaned to the lines the table keeps.
    funds_breakdown = forms.BooleanField(
        label="清除资金来源明细", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    loaded_relations = ("attribute", "framework")

    class Meta:
        model = ProjectTable
        fields = list(PROJECT_TABLE_EDITED_FIELDS)  # declared in projects.schema
        widgets = {
            "year": forms.NumberInput(attrs={"class": "form-control", "min": 2000, "max": 2100}),
            "name": forms.TextInput(attrs=TEXT),
            "code": forms.TextInput(attrs=TEXT),
            "period": forms.TextInput(attrs={**TEXT, "placeholder": "例如 1 年"}),
            "fund_use": forms.Textarea(attrs={**TEXT, "rows": 2}),
            "attribute_text": forms.TextInput(attrs={**TEXT, "placeholder": "代码表中没有时按表中原文填写"}),
            "manager": forms.TextInput(attrs=TEXT),
            "phone": forms.TextInput(attrs={**TEXT, "inputmode": "tel"}),
            "no_direct_beneficiaries": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
        error_messages = {"year": {"invalid": "预算年度应为四位数年份。"}}

    def __init__(self, *args, attributes, frameworks, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["attribute"].choices = [("", "—")] + [(str(item.pk), str(item)) for item in attributes]
        self.fields["framework"].choices = [(str(fw.pk), fw.name) for fw in frameworks]
        self.attributes = {str(item.pk): item for item in attributes}
        self.frameworks = {str(fw.pk): fw for fw in frameworks}
        self.initial["attribute"] = str(self.instance.attribute_id or "")
        self.initial["funds_breakdown"] = False
        if self.instance.framework_id:
            self.initial["framework"] = str(self.instance.framework_id)
        if self.instance.pk:
            # The year and framework are fixed once a table exists: its indicators hang on the framework.
            self.fields["year"].disabled = True
            self.fields["framework"].disabled = True

    def clean_funds_breakdown(self):
        """The lines kept: none when 清除资金来源明细 is ticked, else those the table has."""
        return [] if self.cleaned_data.get("funds_breakdown") else list(self.instance.funds_breakdown or [])

    def clean_attribute(self):
        return self.attributes.get(self.cleaned_data.get("attribute") or "")

    def clean_framework(self):
        if self.fields["framework"].disabled:
            return self.instance.framework
        return self.frameworks[self.cleaned_data["framework"]]

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is None:
            raise forms.ValidationError("请填写预算年度。")
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("预算年度应在 2000 到 2100 之间。")
        return year

    def clean(self):
        """Names and codes identify tables: refuse a clash here, beside the cell, not as a database error."""
        cleaned = super().clean()
        year, name, code = cleaned.get("year"), cleaned.get("name"), cleaned.get("code")
        clashes = Q()
        if name:
            clashes |= Q(unit=self.unit, name=name)
        if code:
            clashes |= Q(region_id=self.unit.region_id, code=code)
        if not year or not clashes:
            return cleaned
        others = ProjectTable.objects.filter(clashes, year=year, version=self.instance.version).exclude(pk=self.instance.pk)
        # Both clashes in one query: the rows that clash say which.
        found = list(others.values_list("unit_id", "name", "region_id", "code"))
        if name and any(unit_id == self.unit.pk and other_name == name for unit_id, other_name, _, _ in found):
            self.add_error("name", f"本单位 {year} 年已有名为“{name}”的项目表。")
        if code and any(region_id == self.unit.region_id and other_code == code for _, _, region_id, other_code in found):
            self.add_error("code", f"项目编码“{code}”在本区划 {year} 年已被其他项目使用。")
        return cleaned


class GoalForm(FieldCheckedModelForm):
    class Meta:
        model = ProjectGoal
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"class": "form-control autosize", "rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False


class BaseOrderedInlineFormSet(StoredRowsMixin, forms.BaseInlineFormSet):
    """Inline rows that keep the order the user gave them, where an emptied row counts as deleted."""

    blank_fields = ()

    def is_blank(self, form):
        return all(form.cleaned_data.get(name) in (None, "") for name in self.blank_fields)

    def kept_forms(self):
        kept = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data") and not self._should_delete_form(form) and not self.is_blank(form)
        ]
        return sorted(kept, key=lambda form: form.cleaned_data.get("ORDER") or 0)

    def forms_to_delete(self):
        return [
            form.instance
            for form in self.forms
            if form.instance.pk
            and hasattr(form, "cleaned_data")
            and (self._should_delete_form(form) or self.is_blank(form))
        ]


class GoalFormSet(forms.inlineformset_factory(
    ProjectTable, ProjectGoal, form=GoalForm, formset=BaseOrderedInlineFormSet, extra=0, can_order=True, can_delete=True
)):
    blank_fields = ("text",)


class SpendingCheckpointForm(FieldCheckedModelForm):
    class Meta:
        model = SpendingCheckpoint
        fields = ["month", "cumulative_percent"]
        widgets = {
            "month": forms.Select(
                choices=[("", "—")] + [(month, f"{month}月底") for month in range(1, 13)],
                attrs={"class": "form-select form-select-sm"},
            ),
            "cumulative_percent": PlainDecimalInput(attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal"}),
        }
        error_messages = {
            "cumulative_percent": {
                "invalid": "累计支出比例应为数字，例如 25。",
                "max_value": "累计支出比例不能超过 100%%。",
                "min_value": "累计支出比例不能为负数。",
                "max_decimal_places": "累计支出比例最多保留 2 位小数。",
                "max_digits": "累计支出比例不能超过 100%%。",
                "max_whole_digits": "累计支出比例不能超过 100%%。",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].required = False
        self.fields["cumulative_percent"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cumulative_percent") is not None and not cleaned.get("month"):
            self.add_error("month", "请选择截至月份。")
        return cleaned


class BaseSpendingPlanFormSet(BaseOrderedInlineFormSet):
    blank_fields = ("cumulative_percent",)

    def clean(self):
        super().clean()
        seen = set()
        for form in self.kept_forms():
            month = form.cleaned_data.get("month")
            if month in seen:
                form.add_error("month", f"{month}月底重复填写。")
            seen.add(month)

    def kept_forms(self):
        return sorted(super().kept_forms(), key=lambda form: form.cleaned_data.get("month") or 0)


SpendingPlanFormSet = forms.inlineformset_factory(
    ProjectTable,
    SpendingCheckpoint,
    form=SpendingCheckpointForm,
    formset=BaseSpendingPlanFormSet,
    extra=0,
    can_delete=True,
)


def frameworks():
    return list(Framework.objects.order_by("order", "code"))


def project_attributes():
    return list(CodeItem.objects.filter(list=CodeItem.List.PROJECT_ATTRIBUTE, active=True).order_by("order", "code"))


# The checks that read a header cell, and so would misread one that could not be read as missing or
# as nothing (issue 17: "abc" typed as 年度资金总额 was reported as 未填写).
CHECKS_READING = {
    "funds_total": ("funds_missing", "funds_mismatch"),
    "funds_fiscal": ("funds_mismatch",),
    "funds_other": ("funds_mismatch",),
}


def unreadable_cells(form):
    """{field name: the form's message} of the header cells that hold something that is not a value of
    their kind ("abc" as an amount): the live check names each instead of calling it empty."""
    if not form.is_bound:
        return {}
    unreadable = {}
    for name, errors in form.errors.as_data().items():
        if name not in form.fields or not str(form.data.get(form.add_prefix(name), "")).strip():
            continue
        invalid = [error for error in errors if error.code == "invalid"]
        if invalid:
            unreadable[name] = " ".join(message for error in invalid for message in error.messages)
    return unreadable


def editor_table_data(*, form, goals, spending_plan, indicators, framework):
    """What the quality checks see of an editor page that has not been saved: the same TableData a
    saved table gives, so a unit sees as it types what the checks will say on save. Cells that do not
    validate count as empty. Returns the data and the row forms in checked order (row N is forms[N-1])."""
    from indicators.checks import IndicatorData, TableData

    cleaned = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    level2s = {level2.pk: level2 for level2 in indicators.level2s}
    # A row without a valid 二级 cannot be placed in the framework: the grid marks it, the checks skip it.
    rows = [row for row in indicators.rows_in_order() if row.cleaned_data.get("level2") in level2s]
    data = TableData(
        uid=str(form.instance.uid) if form.instance.pk else None,
        year=cleaned.get("year") or form.instance.year,
        name=cleaned.get("name", ""),
        framework=framework_snapshot().framework(framework.pk).check_data,
        funds_total=cleaned.get("funds_total"),
        funds_fiscal=cleaned.get("funds_fiscal"),
        funds_other=cleaned.get("funds_other"),
        midterm_funds_total=cleaned.get("midterm_funds_total"),
        funds_breakdown=funds_lines(cleaned.get("funds_breakdown", form.instance.funds_breakdown)),
        goals=[goal.cleaned_data.get("text") or "" for goal in goals.kept_forms()],
        spending_plan=[
            (point.cleaned_data["month"], point.cleaned_data.get("cumulative_percent"))
            for point in spending_plan.kept_forms()
            if point.cleaned_data.get("month")
        ],
        no_direct_beneficiaries=bool(cleaned.get("no_direct_beneficiaries")),
        indicators=[
            IndicatorData(
                index=index,
                uid=str(row.instance.uid) if row.instance.pk else None,
                level1=level2s[row.cleaned_data["level2"]].level1.name,
                level2=level2s[row.cleaned_data["level2"]].name,
                name=row.cleaned_data.get("name") or "",
                description=row.cleaned_data.get("description") or "",
                value_text=row.cleaned_data.get("value_text") or "",
                basis=row.cleaned_data.get("basis") or "",
                basis_text=row.cleaned_data.get("basis_text") or "",
                midterm_value_text=row.cleaned_data.get("midterm_value_text") or "",
            )
            for index, row in enumerate(rows, 1)
        ],
    )
    return data, rows
