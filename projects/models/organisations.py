"""Regions, departments, units and code lists (DOMAIN §2), and each user's data range."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from perfgoals.roles import Role
from projects.models.common import ScopedQuerySet



class DepartmentQuerySet(ScopedQuerySet):
    """主管部门：单位填报人看到本单位所属的部门，主管部门审核人看到本部门，财政审核人看到本区划的所有部门。"""

    scope_paths = {Role.UNIT_STAFF: "units", Role.DEPARTMENT_REVIEWER: "pk", Role.FINANCE_OFFICER: "region"}

class Region(models.Model):
    """行政区划，以 6 位区划代码标识，例如 平罗县 640221。"""

    code = models.CharField(
        "区划代码",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "区划代码应为 6 位数字。")],
    )
    name = models.CharField("名称", max_length=50)
    working_year = models.PositiveSmallIntegerField(
        "当前预算年度",
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="本区划各页面默认打开的预算年度（首页、待审、总览、清单）；留空则打开有表的最近年度",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

class Department(models.Model):
    """主管部门：区划内的一级预算部门。代码可空（平罗的表上只印名称），填写时在区划内唯一。"""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name="行政区划")
    code = models.CharField("部门代码", max_length=20, blank=True)
    name = models.CharField("名称", max_length=100)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "主管部门"
        verbose_name_plural = "主管部门"
        ordering = ["region__code", "code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], condition=~Q(code=""), name="department_code_unique_in_region"
            ),
            models.UniqueConstraint(fields=["region", "name"], name="department_name_unique_in_region"),
        ]

    def __str__(self):
        return f"{self.code}{self.name}" if self.code else self.name

class Unit(models.Model):
    """预算单位（实施单位）。部门本级单位（is_department_office）本身就是主管部门，
    其表格跳过主管部门审核这一步。"""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name="行政区划")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name="主管部门",
    )
    code = models.CharField("单位代码", max_length=20, blank=True)
    name = models.CharField("名称", max_length=100)
    is_department_office = models.BooleanField("部门本级", default=False)

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["region__code", "code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], condition=~Q(code=""), name="unit_code_unique_in_region"),
            models.UniqueConstraint(fields=["region", "name"], name="unit_name_unique_in_region"),
        ]

    def __str__(self):
        return f"{self.code}{self.name}" if self.code else self.name

class CodeItem(models.Model):
    """管理员维护的代码表条目，例如项目属性 0101-一年期项目。"""

    class List(models.TextChoices):
        PROJECT_ATTRIBUTE = "project_attribute", "项目属性"

    list = models.CharField("代码表", max_length=40, choices=List.choices)
    code = models.CharField("代码", max_length=20)
    name = models.CharField("名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "代码表条目"
        verbose_name_plural = "代码表"
        ordering = ["list", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="codeitem_unique_code_in_list"),
        ]

    def __str__(self):
        return f"{self.code}-{self.name}"

class UserScope(models.Model):
    """用户的数据范围：单位填报人关联单位，主管部门审核人关联部门，财政审核人关联区划。
    角色本身是 Django 用户组（见 perfgoals.roles）。"""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope", verbose_name="用户"
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, verbose_name="行政区划")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, verbose_name="主管部门"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name="预算单位")

    class Meta:
        verbose_name = "用户数据范围"
        verbose_name_plural = "用户数据范围"

    def __str__(self):
        return str(self.unit or self.department or self.region or "—")
