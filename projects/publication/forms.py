from django import forms

from projects.models import Publication, WithheldReason


class PublicationForm(forms.ModelForm):
    """One document's register entry: 已公开 (date, address) or 不公开 (reason and its basis)."""

    url = forms.URLField(
        label="公开地址",
        required=False,
        max_length=500,
        assume_scheme="http",  # intranet and county portals are often plain http
        error_messages={"invalid": "公开地址应是完整的网址，例如 http://www.pingluo.gov.cn/xxgk/…"},
    )
    published = forms.TypedChoiceField(
        label="是否公开", choices=[("1", "已公开"), ("0", "不公开")], coerce=lambda value: value == "1", widget=forms.RadioSelect
    )

    class Meta:
        model = Publication
        fields = ["published", "published_on", "url", "withheld_reason", "withheld_basis"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "withheld_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["published"] = "1" if self.instance.published else "0"
        self.fields["published"].widget.attrs["class"] = "form-check-input"
        for name, field in self.fields.items():
            if name != "published":
                field.widget.attrs.setdefault("class", "form-select" if name == "withheld_reason" else "form-control")
        self.fields["withheld_reason"].choices = [("", "（请选择）"), *WithheldReason.choices]

    def clean(self):
        data = super().clean()
        if data.get("published"):
            if not data.get("published_on"):
                self.add_error("published_on", "已公开的请填写公开日期。")
            if not data.get("url"):
                self.add_error("url", "已公开的请填写公开地址（网址），便于财政部门核实。")
        else:
            if not data.get("withheld_reason"):
                self.add_error("withheld_reason", "不公开的请选择原因及依据。")
            elif data["withheld_reason"] == WithheldReason.OTHER and not (data.get("withheld_basis") or "").strip():
                self.add_error("withheld_basis", "原因为“其他”时请写明不公开的依据。")
        return data


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label="公开截止日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
