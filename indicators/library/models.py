"""The indicator library's entries and the value figures precomputed from approved tables.

Imported by indicators.models so that Django registers the models in the indicators app; this module
names the other models by string and imports nothing of indicators.models (no import cycle)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.values import Nature
from perfgoals.history import TrackedHistory


class EntryKind(models.TextChoices):
    COMMON = "common", "共性"
    SECTOR = "sector", "行业"
    SPECIFIC = "specific", "个性"


class EntryStatus(models.TextChoices):
    """A department's entry is 待确认 until the finance bureau confirms it; 停用 entries stay for the
    rows that link to them but are no longer offered."""

    PROPOSED = "proposed", "待确认"
    ACTIVE = "active", "在用"
    RETIRED = "retired", "停用"


class ProjectCategory(models.TextChoices):
    OPERATION = "operation", "运转类"
    INFRASTRUCTURE = "infrastructure", "基础设施建设类"
    INFORMATION = "information", "信息化建设"
    TRAINING = "training", "会议培训"
    SUBSIDY = "subsidy", "补助补贴"


class LibraryEntryQuerySet(models.QuerySet):
    def offered(self):
        """Entries a unit may pick: in use."""
        return self.filter(state=EntryStatus.ACTIVE)


class LibraryEntry(models.Model):
    """指标库中的一条三级指标。

    归属：国家/通用库（不设行政区划和部门，只有管理员可以修改）、某地财政局的行业库（设行政区划）、
    某部门的个性库（设部门，由部门提出、财政确认）。类别为空表示适用于所有项目类别。"""

    level2 = models.ForeignKey("indicators.Level2", on_delete=models.PROTECT, related_name="+", verbose_name="二级指标")
    name = models.CharField("三级指标", max_length=200)
    description = models.TextField("绩效指标描述", blank=True)
    nature = models.CharField("指标性质", max_length=10, choices=Nature.choices, blank=True)
    unit = models.CharField("计量单位", max_length=50, blank=True)
    guidance = models.TextField("指标值说明/评分标准", blank=True)
    basis = models.CharField("指标值确定依据", max_length=200, blank=True)
    kind = models.CharField("类别", max_length=20, choices=EntryKind.choices, default=EntryKind.COMMON)
    category = models.CharField("项目类别", max_length=20, choices=ProjectCategory.choices, blank=True)
    region = models.ForeignKey(
        "projects.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所属行政区划"
    )
    department = models.ForeignKey(
        "projects.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所属部门"
    )
    is_core = models.BooleanField("核心指标", default=False)
    state = models.CharField("状态", max_length=20, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="创建人"
    )

    objects = LibraryEntryQuerySet.as_manager()
    history = TrackedHistory(verbose_name="指标库修改记录")

    class Meta:
        verbose_name = "指标库条目"
        verbose_name_plural = "指标库条目"
        ordering = ["level2__level1__framework__order", "level2__level1__order", "level2__order", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(region__isnull=False), name="library_entry_department_has_region"
            ),
        ]
        indexes = [models.Index(fields=["level2", "state"])]

    def __str__(self):
        return self.name

    @property
    def owner_label(self):
        if self.department_id:
            return self.department.name
        if self.region_id:
            return f"{self.region.name}财政"
        return "通用"


class EntryUsage(models.Model):
    """How the approved tables of one region set one entry: recomputed by indicators.library.usage
    (after approvals, or with ``manage.py refresh_library_usage``), so the picker reads one row per
    entry instead of scanning indicators per request. ``values`` is [[指标值, 表数], …], most used first."""

    entry = models.ForeignKey(LibraryEntry, on_delete=models.CASCADE, related_name="usages", verbose_name="指标库条目")
    region = models.ForeignKey("projects.Region", on_delete=models.CASCADE, related_name="+", verbose_name="行政区划")
    table_count = models.PositiveIntegerField("使用表数", default=0)
    values = models.JSONField("常见指标值", default=list)
    spread = models.PositiveSmallIntegerField("不同取值数", default=0)
    refreshed_at = models.DateTimeField("统计时间", auto_now=True)

    class Meta:
        verbose_name = "指标库使用统计"
        verbose_name_plural = "指标库使用统计"
        constraints = [models.UniqueConstraint(fields=["entry", "region"], name="entry_usage_unique_per_region")]
