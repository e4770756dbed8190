"""Indicator frameworks (一级/二级 reference data) and the 三级 indicator rows units write."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.choices import Criterion, Grade, Opinion, Severity  # noqa: F401  (importable from here as before)
from indicators.library.models import EntryUsage, LibraryEntry  # noqa: F401  (registered in this app)
from indicators.values import Nature, ParsedValue, parse_value
from perfgoals.history import TrackedHistory


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
    # 中期指标值: the value at the end of the implementation period, kept as written beside the year's.
    midterm_value_text = models.CharField("中期指标值", max_length=500, blank=True)
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
    library_entry = models.ForeignKey(
        LibraryEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators", verbose_name="指标库条目"
    )

    history = TrackedHistory(verbose_name="三级指标修改记录")

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
            # The 三级指标查询's 计量单位 choices: the units of every visible table, read from this index
            # alone instead of every row of the region.
            models.Index(fields=["project", "value_unit"]),
        ]

    def __str__(self):
        return f"{self.name} {self.value_text}".strip()

    @property
    def level1(self):
        return self.level2.level1

    @property
    def parsed_value(self):
        """The stored parts as a ParsedValue, without parsing again."""
        return ParsedValue(
            raw=self.value_text,
            nature=self.value_nature,
            number=self.value_number.normalize() + 0 if self.value_number is not None else None,
            unit=self.value_unit,
            prefix=self.value_prefix,
            qualitative=self.value_qualitative,
        )

    def set_value(self, text):
        """Store the 指标值 exactly as typed and its parsed parts beside it."""
        parsed = parse_value(text)
        self.value_text = parsed.raw
        self.value_nature = parsed.nature
        self.value_number = parsed.number
        self.value_unit = parsed.unit
        self.value_prefix = parsed.prefix
        self.value_qualitative = parsed.qualitative


class CheckFinding(models.Model):
    """智能审核发现的一个问题，每次保存或重新检查时整体替换。

    Stored (not only computed) so that lists across all tables can count and group findings by rule,
    severity or department without re-running the checks."""

    project = models.ForeignKey(
        "projects.ProjectTable", on_delete=models.CASCADE, related_name="findings", verbose_name="项目绩效目标表"
    )
    rule = models.CharField("规则代码", max_length=40)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices)
    criterion = models.CharField("审核要点", max_length=20, choices=Criterion.choices)
    opinion = models.CharField("监审意见", max_length=20, choices=Opinion.choices)
    message = models.TextField("问题")
    suggestion = models.TextField("修改建议", blank=True)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="三级指标",
    )
    row = models.PositiveIntegerField("行号", null=True, blank=True, help_text="三级指标在表中的位置，从 1 开始")

    class Meta:
        verbose_name = "审核发现"
        verbose_name_plural = "审核发现"
        ordering = ["project", "id"]
        indexes = [
            models.Index(fields=["rule", "severity"]),
            models.Index(fields=["severity"]),
            # Findings of a set of tables (a region's year) counted by rule from the index alone.
            models.Index(fields=["project", "rule"], include=["id"], name="finding_project_rule"),
        ]

    def __str__(self):
        return f"[{self.get_severity_display()}] {self.message}"


class FindingExplanation(models.Model):
    """单位对一条警告的说明，供审核人查看。

    Keyed by rule and indicator uid (blank for a table-level finding) rather than by finding row, so
    an explanation survives every recheck for as long as the same finding comes back. Explanations
    of 错误 findings are refused by the service that records them (projects.findings)."""

    project = models.ForeignKey(
        "projects.ProjectTable",
        on_delete=models.CASCADE,
        related_name="finding_explanations",
        verbose_name="项目绩效目标表",
    )
    rule = models.CharField("规则代码", max_length=40)
    indicator_uid = models.CharField("三级指标标识", max_length=36, blank=True, help_text="表级问题留空")
    text = models.TextField("说明")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="说明人",
    )
    created_at = models.DateTimeField("说明时间", auto_now_add=True)

    class Meta:
        verbose_name = "问题说明"
        verbose_name_plural = "问题说明"
        ordering = ["project", "rule", "indicator_uid"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "rule", "indicator_uid"], name="finding_explanation_unique_per_finding"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="finding_explanation_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.rule}：{self.text[:40]}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from indicators.checks.registry import RULES

        rule = RULES.get(self.rule)
        if rule is None:
            raise ValidationError({"rule": f"没有代码为“{self.rule}”的审核规则。"})
        if rule.severity == Severity.ERROR:
            raise ValidationError({"rule": f"“{rule.title}”是错误，必须修改后才能提交，不能用说明代替修改。"})
