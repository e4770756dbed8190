"""预算年度设置: each budget year's deadline and framework."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q



class BudgetYear(models.Model):
    """预算年度设置：报送截止日期和执行的指标体系，由管理员维护。

    新建的表默认采用当年执行的指标体系；总览以截止日期为界画报送进度。A year without a setting
    falls back to the first framework, and its overview shows no deadline."""

    year = models.PositiveSmallIntegerField(
        "预算年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    submission_deadline = models.DateField(
        "报送截止日期", null=True, blank=True, help_text="单位提交项目绩效目标表的截止日期；尚未确定可留空"
    )
    framework = models.ForeignKey(
        "indicators.Framework", on_delete=models.PROTECT, related_name="+", verbose_name="执行的指标体系"
    )

    class Meta:
        verbose_name = "预算年度设置"
        verbose_name_plural = "预算年度设置"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="budget_year_in_range"),
        ]

    def __str__(self):
        return f"{self.year} 年"

    @classmethod
    def framework_for(cls, year, default):
        """The framework in force in ``year``, or ``default`` when no administrator has set one."""
        setting = cls.objects.select_related("framework").filter(year=year).first()
        return setting.framework if setting else default

def budget_year(text, default=None):
    """``text`` (a query parameter, a form value) as a budget year, 2000–2100, or ``default`` when it is
    none: not a number, or a number no budget year can be (which would not fit the database's column)."""
    try:
        year = int(text)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default
