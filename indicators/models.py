"""Indicator frameworks (一级/二级 reference data) and the 三级 indicator rows units write."""

import uuid

from django.db import models
from django.db.models import Q

from indicators.values import Nature, parse_value


class Framework(models.Model):
    """指标体系：一级、二级指标由国家文件规定，作为参考数据由管理员维护，不写死在代码里。"""

    code = models.CharField("代码", max_length=20, unique=True, help_text="例如 2015、2021")
    name = models.CharField("名称", max_length=100)
    document = models.CharField("文件依据", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Level1(models.Model):
    """一级指标，属于一个指标体系。"""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="level1s", verbose_name="指标体系"
    )
    name = models.CharField("一级指标", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "一级指标"
        verbose_name_plural = "一级指标"
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="level1_unique_name_in_framework"),
        ]

    def __str__(self):
        return f"{self.name}（{self.framework.code}）"


class Requirement(models.TextChoices):
    OPTIONAL = "optional", "选填"
    REQUIRED = "required", "必填"
    REQUIRED_HARD = "required_hard", "必填硬性"


class Level2(models.Model):
    """二级指标，归在一个一级指标之下，因此也就确定了所属指标体系。"""

    level1 = models.ForeignKey(Level1, on_delete=models.CASCADE, related_name="level2s", verbose_name="一级指标")
    name = models.CharField("二级指标", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)
    requirement = models.CharField(
        "填报要求", max_length=20, choices=Requirement.choices, default=Requirement.OPTIONAL
    )

    class Meta:
        verbose_name = "二级指标"
        verbose_name_plural = "二级指标"
        ordering = ["level1__framework", "level1__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["level1", "name"], name="level2_unique_name_in_level1"),
        ]

    def __str__(self):
        return f"{self.level1.name} / {self.name}"

    @property
    def is_mandatory(self):
        return self.requirement != Requirement.OPTIONAL


class Basis(models.TextChoices):
    PLAN = "plan", "计划标准"
    INDUSTRY = "industry", "行业标准"
    HISTORY = "history", "历史标准"
    OTHER = "other", "其他标准"


class Indicator(models.Model):
    """三级指标：由单位填写，属于一张项目绩效目标表或一份部门整体绩效目标。

    指标值按用户输入原样保存（value_text），解析出的性质、数值、单位与定性文字另存，
    所以用户输入的任何字符都不会丢失。"""

    uid = models.UUIDField("标识", default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.ProjectTable",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="项目绩效目标表",
    )
    department_target = models.ForeignKey(
        "projects.DepartmentTarget",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="部门整体绩效目标",
    )
    level2 = models.ForeignKey(Level2, on_delete=models.PROTECT, related_name="+", verbose_name="二级指标")
    order = models.PositiveIntegerField("排序", default=0)
    name = models.CharField("三级指标", max_length=1000, blank=True)
    description = models.TextField("绩效指标描述", blank=True)
    value_text = models.CharField("指标值", max_length=500, blank=True)
    value_nature = models.CharField("指标性质", max_length=10, choices=Nature.choices, blank=True)
    value_number = models.DecimalField("数值", max_digits=24, decimal_places=6, null=True, blank=True)
    value_unit = models.CharField("计量单位", max_length=50, blank=True)
    value_prefix = models.CharField("指标值前置文字", max_length=500, blank=True)
    value_qualitative = models.CharField("定性描述", max_length=500, blank=True)
    basis = models.CharField("指标值确定依据", max_length=20, choices=Basis.choices, blank=True)
    basis_text = models.CharField("依据（原文）", max_length=500, blank=True)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.TextField("备注", blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="复制自"
    )

    class Meta:
        verbose_name = "三级指标"
        verbose_name_plural = "三级指标"
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(department_target__isnull=True))
                | (Q(project__isnull=True) & Q(department_target__isnull=False)),
                name="indicator_belongs_to_exactly_one_table",
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | (Q(weight__gte=0) & Q(weight__lte=100)),
                name="indicator_weight_0_to_100",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "order"]),
            models.Index(fields=["department_target", "order"]),
        ]

    def __str__(self):
        return f"{self.name} {self.value_text}".strip()

    @property
    def level1(self):
        return self.level2.level1

    def set_value(self, text):
        """Store the 指标值 exactly as typed and its parsed parts beside it."""
        parsed = parse_value(text)
        self.value_text = parsed.raw
        self.value_nature = parsed.nature
        self.value_number = parsed.number
        self.value_unit = parsed.unit
        self.value_prefix = parsed.prefix
        self.value_qualitative = parsed.qualitative
