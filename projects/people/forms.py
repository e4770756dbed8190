"""The management page's forms: a department, a unit, and a user with role and data range in one form."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator

from perfgoals.roles import Role
from projects.models import Department, Unit
from projects.people import services
from projects.permissions import assignable_roles, managed_region_id, role_value, scope_field_of


def style_widgets(form):
    """Bootstrap's classes on each widget, small, as the other forms of the site."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"


class RegionLimitedForm(forms.ModelForm):
    """A form whose 行政区划 offers only the regions the manager manages (one region: chosen for them)."""

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.fields["region"].queryset = services.managed_regions(manager)
        self.fields["region"].empty_label = None
        style_widgets(self)


class DepartmentForm(RegionLimitedForm):
    class Meta:
        model = Department
        fields = ["region", "code", "name"]


class UnitForm(RegionLimitedForm):
    class Meta:
        model = Unit
        fields = ["region", "department", "code", "name", "is_department_office"]
        help_texts = {"is_department_office": "部门本级的表跳过主管部门审核，直接报财政；部门整体绩效目标由本级填报"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = services.managed_departments(self.manager)
        self.fields["department"].required = True

    def clean(self):
        data = super().clean()
        region, department = data.get("region"), data.get("department")
        if region and department and department.region_id != region.pk:
            self.add_error("department", f"主管部门“{department}”不属于{region}。")
        if data.get("is_department_office") and department:
            offices = Unit.objects.filter(department=department, is_department_office=True).exclude(pk=self.instance.pk)
            if offices.exists():
                self.add_error("is_department_office", f"“{department}”已有部门本级单位“{offices.first()}”。")
        return data


class UserForm(forms.Form):
    """用户、角色和数据范围一张表单：单位填报人选预算单位，主管部门审核人选主管部门，财政审核人选行政区划，
    管理员不需要数据范围。"""

    username = forms.CharField(label="用户名", max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text="登录时输入，可用字母、数字和 @ . + - _")
    name = forms.CharField(label="姓名或岗位", max_length=150)
    role = forms.ChoiceField(label="角色")
    region = forms.ModelChoiceField(label="行政区划", queryset=None, required=False, help_text="财政审核人必选")
    department = forms.ModelChoiceField(label="主管部门", queryset=None, required=False, help_text="主管部门审核人必选")
    unit = forms.ModelChoiceField(label="预算单位", queryset=None, required=False, help_text="单位填报人必选")
    is_active = forms.BooleanField(label="启用", required=False, initial=True, help_text="停用的用户不能登录，记录保留")

    def __init__(self, *args, manager, account=None, **kwargs):
        if account is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(account)
        super().__init__(*args, **kwargs)
        self.manager, self.account = manager, account
        self.fields["role"].choices = [("", "—— 请选择 ——")] + [(r.value, r.label) for r in assignable_roles(manager)]
        self.fields["region"].queryset = services.managed_regions(manager)
        self.fields["department"].queryset = services.managed_departments(manager)
        self.fields["unit"].queryset = services.managed_units(manager)
        for name in ("region", "department", "unit"):
            self.fields[name].empty_label = "（不选）"
        if managed_region_id(manager) is None:  # an administrator's lists span regions: name the region
            for name in ("department", "unit"):
                self.fields[name].label_from_instance = lambda row: f"{row.region.name} · {row}"
        style_widgets(self)

    @staticmethod
    def initial_of(account):
        scope = getattr(account, "scope", None)
        return {
            "username": account.username,
            "name": account.first_name,
            "role": role_value(account),
            "region": scope.region_id if scope else None,
            "department": scope.department_id if scope else None,
            "unit": scope.unit_id if scope else None,
            "is_active": account.is_active,
        }

    def clean_username(self):
        username = self.cleaned_data["username"]
        taken = get_user_model().objects.filter(username__iexact=username)
        if self.account is not None:
            taken = taken.exclude(pk=self.account.pk)
        if taken.exists():
            raise forms.ValidationError(f"用户名“{username}”已被使用。")
        return username

    def clean(self):
        data = super().clean()
        role = data.get("role")
        needed = scope_field_of(role) if role else None
        if needed and not data.get(needed):
            self.add_error(needed, f"{Role(role).label}必须选择{self.fields[needed].label}。")
        return data

    def save(self, *, by):
        data = self.cleaned_data
        return services.user_save(
            account=self.account, by=by, username=data["username"], name=data["name"], role=data["role"],
            region=data.get("region"), department=data.get("department"), unit=data.get("unit"),
            is_active=data["is_active"],
        )


class SheetUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
