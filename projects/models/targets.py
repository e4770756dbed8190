"""部门整体绩效目标 (DOMAIN §3.3): a department's targets for a year and their sub-targets."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from perfgoals.history import TrackedHistory
from perfgoals.roles import Role
from projects.models.common import MONEY, TableStatus, VersionedQuerySet
from projects.models.organisations import Department



class DepartmentTargetQuerySet(VersionedQuerySet):
    """部门整体目标由部门本级单位填报，所以单位填报人只能看到本单位作为部门本级时所属部门的目标。"""

    scope_paths = {
        Role.UNIT_STAFF: ("department", "office_department_id"),  # only a 部门本级 unit's staff
        Role.DEPARTMENT_REVIEWER: "department",
        Role.FINANCE_OFFICER: "department__region",
    }


class DepartmentTarget(models.Model):
    """部门整体绩效目标，每个部门每个预算年度一份：总体目标、分项目标及保障措施，可附三级指标。"""

    uid = models.UUIDField("标识", default=uuid.uuid4, unique=True, editable=False)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="targets", verbose_name="主管部门"
    )
    year = models.PositiveSmallIntegerField(
        "预算年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    overall_goal = models.TextField("总体绩效目标", blank=True)
    # 部门预算 as other regions print it beside the targets: the year's total and its split into
    # 基本支出 (staff and running costs) and 项目支出 (projects), in 万元.
    funds_total = models.DecimalField("部门预算总额（万元）", null=True, blank=True, **MONEY)
    funds_basic = models.DecimalField("其中：基本支出（万元）", null=True, blank=True, **MONEY)
    funds_project = models.DecimalField("其中：项目支出（万元）", null=True, blank=True, **MONEY)
    framework = models.ForeignKey(
        "indicators.Framework", on_delete=models.PROTECT, related_name="+", verbose_name="指标体系"
    )
    status = models.CharField("状态", max_length=20, choices=TableStatus.choices, default=TableStatus.DRAFT)
    version = models.PositiveSmallIntegerField("版本", default=1)
    previous_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name="上一版本",
        help_text="调整时由审核流程填写：本版本是从哪一个已批复版本复制来的。",
    )
    revision = models.PositiveIntegerField(
        "修订号",
        default=1,
        editable=False,
        help_text="每次保存和每个审核动作都加一：编辑页据此发现打开页面之后别人保存或审核过这份目标。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后修改", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )

    objects = DepartmentTargetQuerySet.as_manager()
    history = TrackedHistory(excluded_fields=["revision"], verbose_name="部门整体绩效目标修改记录")

    class Meta:
        verbose_name = "部门整体绩效目标"
        verbose_name_plural = "部门整体绩效目标"
        ordering = ["-year", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "version"], name="department_target_unique_per_year"
            ),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="target_year_in_range"),
            models.CheckConstraint(condition=Q(version__gte=1), name="target_version_positive"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}), name=f"target_{name}_not_negative"
                )
                for name in ("funds_total", "funds_basic", "funds_project")
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.department.name} 部门整体绩效目标"

class DepartmentSubTarget(models.Model):
    """分项绩效目标：标题（如 办案问责）、绩效目标、绩效指标及工作保障措施。"""

    target = models.ForeignKey(
        DepartmentTarget, on_delete=models.CASCADE, related_name="sub_targets", verbose_name="部门整体绩效目标"
    )
    order = models.PositiveIntegerField("排序", default=0)
    title = models.CharField("分项名称", max_length=200)
    goal = models.TextField("绩效目标", blank=True)
    indicator_text = models.TextField("绩效指标", blank=True)
    safeguards = models.TextField("工作保障措施", blank=True)

    history = TrackedHistory(verbose_name="分项绩效目标修改记录")

    class Meta:
        verbose_name = "分项绩效目标"
        verbose_name_plural = "分项绩效目标"
        ordering = ["order", "id"]

    def __str__(self):
        return self.title
