"""The indicator grid of the editors: one form per 三级 row, grouped by the framework's 一级/二级."""

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.choices import BaseChoiceIterator

from indicators.frameworks import framework_snapshot
from indicators.models import Basis, Indicator, LibraryEntry
from perfgoals.formatting import decimal_text
from perfgoals.text import refuse_unstorable


class PlainDecimalInput(forms.TextInput):
    """A stored decimal shown as a person writes it: 66, not 66.000000."""

    def format_value(self, value):
        if hasattr(value, "normalize"):
            return decimal_text(value)
        return super().format_value(value)

ROW_FIELDS = ["name", "description", "value_text", "midterm_value_text", "basis", "basis_text", "weight", "note"]


class FixedChoices(BaseChoiceIterator):
    """Choices in Django's normalized form, built once and shared by every row of a grid: a plain list
    is normalized again for each form it is given to, which for the 二级 select of a hundred rows was
    a good part of building the grid."""

    def __init__(self, choices):
        self.choices = list(choices)

    def __iter__(self):
        return iter(self.choices)


BASIS_CHOICES = FixedChoices([("", "—"), *Basis.choices])


def level2_choices(level2s):
    """The 二级 select's choices: each 一级 a group of its 二级, in the framework's order."""
    return FixedChoices(
        (level1_name, [(l2.pk, l2.name) for l2 in level2s if l2.level1.name == level1_name])
        for level1_name in dict.fromkeys(l2.level1.name for l2 in level2s)
    )


def framework_level2s(framework):
    """The framework's 二级 in printed order, each with its 一级 (indicators.frameworks.Level2Entry), from
    the request's framework snapshot: shared by every row, and by the checks run on save."""
    entry = framework_snapshot().framework(framework.pk)
    return list(entry.level2s) if entry else []


class FieldCheckedModelForm(forms.ModelForm):
    """A model form whose fields already check what the model's constraints check (ranges, signs,
    clashes in clean()). Django would re-run each constraint as a query, per form: in a grid of a
    hundred rows that is hundreds of queries for nothing. The database still enforces them all.

    Text fields refuse characters that cannot be stored or exported (perfgoals.text), beside the cell;
    Django's own NUL check goes, as its Chinese message (不允许是用空字符串) misleads.

    ``loaded_relations`` names foreign keys the form picks from objects it loaded itself (its
    clean_<name> returns one of them): the model would look each up again, one query per field."""

    loaded_relations = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators = [
                    validator for validator in field.validators if not isinstance(validator, ProhibitNullCharactersValidator)
                ] + [refuse_unstorable]

    def _post_clean(self):
        exclude = self._get_validation_exclusions()
        # The parent of an inline row may not be saved yet (a new table): it is set on save.
        exclude.update(name for name, field in self.fields.items() if isinstance(field, forms.models.InlineForeignKeyField))
        exclude.update(self.loaded_relations)
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except forms.ValidationError as error:
            self._update_errors(error)


class _StoredRowField(forms.ModelChoiceField):
    """The hidden id of a stored row, looked up among the rows the formset already loaded
    (Django's own field runs one query per row)."""

    def __init__(self, rows, **kwargs):
        self.rows = rows
        super().__init__(queryset=None, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.rows[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError("这一行已被删除或不属于本表，请刷新页面。", code="invalid_choice") from None


def _stored_values(row):
    return tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)


class StoredRowsMixin:
    """For model formsets: validate row ids against the formset's one query, and tell which stored rows
    come back exactly as they were loaded (a save need not write those)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        if pk_name in form.fields and index is not None:
            if not hasattr(self, "_stored_rows"):
                self._stored_rows = {row.pk: row for row in self.get_queryset()}
                # Taken before any form is cleaned: cleaning writes the posted values into these rows.
                self._loaded_values = {pk: _stored_values(row) for pk, row in self._stored_rows.items()}
            old = form.fields[pk_name]
            form.fields[pk_name] = _StoredRowField(self._stored_rows, required=False, widget=old.widget, initial=old.initial)

    def is_unchanged(self, row):
        """Whether stored ``row``, about to be saved, holds in every column what was loaded."""
        loaded = getattr(self, "_loaded_values", {}).get(row.pk)
        return loaded is not None and loaded == _stored_values(row)


class IndicatorForm(FieldCheckedModelForm):
    """One 三级 row. The 二级 is chosen from the table's framework; the choices are handed in
    (``level2s``) so a grid of a hundred rows costs no query per row."""

    level2 = forms.TypedChoiceField(label="二级指标", coerce=int)
    # The library entry the row was picked from (the picker sets it); checked in the formset's clean.
    library_entry = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"class": "library-entry"}))

    class Meta:
        model = Indicator
        fields = ROW_FIELDS
        widgets = {
            "name": forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm autosize"}),
            "description": forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm autosize"}),
            "value_text": forms.TextInput(attrs={"class": "form-control form-control-sm value-input"}),
            "midterm_value_text": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "basis": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "basis_text": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "weight": PlainDecimalInput(attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal"}),
            "note": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        }
        error_messages = {
            "weight": {
                "invalid": "权重应为数字，例如 10。",
                "max_digits": "权重最多 4 位整数、2 位小数。",
                "max_decimal_places": "权重最多保留 2 位小数。",
                "max_whole_digits": "权重不能超过 100。",
            },
        }

    def __init__(self, *args, level2s, level2_lookup=None, level2_options=None, **kwargs):
        """``level2_lookup`` ({id: 二级}) and ``level2_options`` (level2_choices()) are derived from
        ``level2s``; a grid passes them in, computed once for all its rows."""
        super().__init__(*args, **kwargs)
        self.level2s = level2_lookup if level2_lookup is not None else {level2.pk: level2 for level2 in level2s}
        self.fields["level2"].choices = level2_options if level2_options is not None else level2_choices(level2s)
        self.fields["level2"].widget.attrs["class"] = "form-select form-select-sm level2-select"
        if self.instance.pk and self.instance.level2_id:
            self.initial.setdefault("level2", self.instance.level2_id)
        if self.instance.library_entry_id:
            self.initial.setdefault("library_entry", self.instance.library_entry_id)
        self.fields["basis"].choices = BASIS_CHOICES
        for name in ROW_FIELDS:
            self.fields[name].required = False

    def clean_weight(self):
        weight = self.cleaned_data.get("weight")
        if weight is not None and not 0 <= weight <= 100:
            raise forms.ValidationError("权重应在 0 到 100 之间。")
        return weight

    @property
    def level2_object(self):
        """The row's 二级 as chosen (on a bound form) or as stored."""
        if self.is_bound:
            try:
                return self.level2s.get(int(self.data.get(self.add_prefix("level2"), "")))
            except ValueError:
                return None
        return self.level2s.get(self.initial.get("level2") or self.instance.level2_id)

    def is_blank(self):
        """A row with nothing typed in it is dropped on save rather than kept as an empty indicator."""
        return all(not (self.cleaned_data.get(name) or "") for name in ("name", "description", "value_text", "basis_text", "note")) and (
            self.cleaned_data.get("weight") is None
        )

    def save(self, commit=True):
        self.instance.level2_id = self.level2s[self.cleaned_data["level2"]].pk
        self.instance.library_entry_id = self.cleaned_data.get("library_entry")
        self.instance.set_value(self.cleaned_data.get("value_text") or "")
        return super().save(commit)


def _storable_ids(values):
    """The ids among ``values`` a database key (BigAutoField) can hold."""
    return {value for value in values if 1 <= value < 2**63}


class BaseIndicatorFormSet(StoredRowsMixin, forms.BaseModelFormSet):
    """Rows carry their position in a hidden ORDER field and a DELETE flag, as the grid's buttons set them.

    A table holds at most settings.PERFGOALS_MAX_INDICATOR_ROWS rows (real tables have a few dozen); the
    request size limits in settings are derived from it, so a table at the limit always saves."""

    default_error_messages = {
        "too_many_forms": "一张表最多 %(num)d 条三级指标，请删去多余的行后再保存（您填写的内容都还在页面上）。",
    }

    def __init__(self, *args, level2s, **kwargs):
        self.level2s = level2s
        self.level2_lookup = {level2.pk: level2 for level2 in level2s}
        self.level2_options = level2_choices(level2s)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "level2s": self.level2s,
            "level2_lookup": self.level2_lookup,
            "level2_options": self.level2_options,
        }

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            level2s=self.level2s,
            level2_lookup=self.level2_lookup,
            level2_options=self.level2_options,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            if form.cleaned_data.get("level2") not in form.level2s and not form.is_blank():
                form.add_error("level2", "请选择本表指标体系中的二级指标。")
        self._clean_library_links()

    def _clean_library_links(self):
        """A row's library link must name an entry that exists: one query for the whole grid. A link to
        an entry since deleted is dropped rather than refusing the save."""
        linked = [form for form in self.forms if getattr(form, "cleaned_data", {}).get("library_entry")]
        if not linked:
            return
        # Only ids a database key can hold are looked up: a tampered hidden field is dropped, not a 500.
        asked = _storable_ids(form.cleaned_data["library_entry"] for form in linked)
        known = set(LibraryEntry.objects.filter(pk__in=asked).values_list("pk", flat=True)) if asked else set()
        for form in linked:
            if form.cleaned_data["library_entry"] not in known:
                form.cleaned_data["library_entry"] = None

    def rows_in_order(self):
        """The kept rows, in framework order (一级, 二级) and, within a 二级, in the order the user left them."""
        kept = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data") and not self._should_delete_form(form) and not form.is_blank()
        ]
        level2_rank = {level2.pk: rank for rank, level2 in enumerate(self.level2s)}
        return sorted(
            kept,
            key=lambda form: (
                level2_rank.get(form.cleaned_data.get("level2"), len(level2_rank)),
                form.cleaned_data.get("ORDER") or 0,
            ),
        )

    def rows_to_delete(self):
        """Stored rows the user deleted or emptied."""
        return [
            form.instance
            for form in self.forms
            if form.instance.pk
            and hasattr(form, "cleaned_data")
            and (self._should_delete_form(form) or form.is_blank())
        ]


IndicatorFormSet = forms.modelformset_factory(
    Indicator,
    form=IndicatorForm,
    formset=BaseIndicatorFormSet,
    extra=0,
    can_order=True,
    can_delete=True,
    max_num=settings.PERFGOALS_MAX_INDICATOR_ROWS,
    validate_max=True,
    absolute_max=settings.PERFGOALS_MAX_INDICATOR_ROWS + 100,
)


def grouped_rows(formset):
    """The grid as the official form prints it: every 二级 of the framework, in order, with its rows.

    Rows come in the order they were entered or stored; a bound form that failed validation keeps the
    二级 the user chose, so nothing moves under the user's hands."""
    by_level2 = {level2.pk: [] for level2 in formset.level2s}
    for form in formset.forms:
        level2 = form.level2_object
        by_level2.setdefault(level2.pk if level2 else None, []).append(form)
    groups = []
    for level2 in formset.level2s:
        forms_ = by_level2[level2.pk]
        if formset.is_bound:
            forms_.sort(key=lambda form: _order_of(form))
        groups.append({"level2": level2, "level1": level2.level1, "forms": forms_})
    return groups


def _order_of(form):
    try:
        return int(form.data.get(form.add_prefix("ORDER")) or 0)
    except ValueError:
        return 0
