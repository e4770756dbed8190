"""Precomputed figures of each unit's target tables of a year (tracker issue 20): what the overview
(总览), the departments' progress and 催报 add up, kept per unit and year so that those pages add up a
few hundred tally rows of a region instead of every table of it.

Written only by projects.tallies, in the transaction that changed the tables, their findings or their
review records; never edited by hand (the admin shows them read-only). ``tallies.drift()`` tells the
unit-years whose tallies differ from the tables."""

from django.db import models

from perfgoals.roles import Role
from projects.models.common import MONEY, ScopedQuerySet
from projects.models.organisations import Department, Region, Unit

# The overview's score bands (projects.dashboard): 差 split at 50, then one band per ten.
SCORE_BANDS = ((0, 49), (50, 59), (60, 69), (70, 79), (80, 89), (90, 100))


class TallyQuerySet(ScopedQuerySet):
    """Tallies a user may see: those of the units, department or region whose tables they see."""

    scope_paths = {Role.UNIT_STAFF: "unit", Role.DEPARTMENT_REVIEWER: "department", Role.FINANCE_OFFICER: "region"}


class UnitYearTally(models.Model):
    """The unit a tally is of, with the department and region its tables carry copied so that a scope
    is one filter, the same as the tables' own (a unit an administrator moved to another department keeps
    its earlier tables in the old one, in the lists and here alike)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name="行政区划")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="主管部门"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name="实施单位")
    year = models.PositiveSmallIntegerField("预算年度")

    objects = TallyQuerySet.as_manager()

    class Meta:
        abstract = True


def _money(label):
    """A sum of table amounts: exact like them, with room for the sum of a unit's tables."""
    return models.DecimalField(label, null=True, blank=True, max_digits=MONEY["max_digits"] + 9, decimal_places=MONEY["decimal_places"])


class TableTally(UnitYearTally):
    """一个单位一个预算年度的表数和金额：按状态、审核等级、得分段计的现行版本（in_force），
    平均得分的和与个数，已提交（含已调整）的表数，最后修改和最后审核时间。

    One row per unit and year that has or had tables. Money columns are NULL where no table of theirs
    has an amount, as the sums over the tables were."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="table_tallies", verbose_name="主管部门"
    )
    tables = models.PositiveIntegerField("现行表数", default=0)
    money = _money("现行表金额")
    tables_draft = models.PositiveIntegerField("草稿表数", default=0)
    money_draft = _money("草稿金额")
    tables_department_review = models.PositiveIntegerField("主管部门审核中表数", default=0)
    money_department_review = _money("主管部门审核中金额")
    tables_finance_review = models.PositiveIntegerField("财政审核中表数", default=0)
    money_finance_review = _money("财政审核中金额")
    tables_returned = models.PositiveIntegerField("已退回表数", default=0)
    money_returned = _money("已退回金额")
    tables_approved = models.PositiveIntegerField("已批复表数", default=0)
    money_approved = _money("已批复金额")
    graded_excellent = models.PositiveIntegerField("等级优表数", default=0)
    graded_money_excellent = _money("等级优金额")
    graded_good = models.PositiveIntegerField("等级良表数", default=0)
    graded_money_good = _money("等级良金额")
    graded_fair = models.PositiveIntegerField("等级中表数", default=0)
    graded_money_fair = _money("等级中金额")
    graded_poor = models.PositiveIntegerField("等级差表数", default=0)
    graded_money_poor = _money("等级差金额")
    graded_unchecked = models.PositiveIntegerField("等级未检查表数", default=0)
    graded_money_unchecked = _money("等级未检查金额")
    band_0 = models.PositiveIntegerField("得分 0–49 表数", default=0)
    band_50 = models.PositiveIntegerField("得分 50–59 表数", default=0)
    band_60 = models.PositiveIntegerField("得分 60–69 表数", default=0)
    band_70 = models.PositiveIntegerField("得分 70–79 表数", default=0)
    band_80 = models.PositiveIntegerField("得分 80–89 表数", default=0)
    band_90 = models.PositiveIntegerField("得分 90–100 表数", default=0)
    score_sum = models.PositiveIntegerField("得分之和", default=0)
    score_count = models.PositiveIntegerField("有得分的表数", default=0)
    submitted = models.PositiveIntegerField("已提交表数（各版本）", default=0)
    last_edit = models.DateTimeField("最后修改", null=True, blank=True)
    last_review = models.DateTimeField("最后审核动作", null=True, blank=True)

    class Meta:
        verbose_name = "单位年度表数统计"
        verbose_name_plural = "单位年度表数统计"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="table_tally_unit_year")]
        indexes = [
            models.Index(fields=["region", "year"], name="table_tally_region_year"),
            models.Index(fields=["department", "year"], name="table_tally_department_year"),
        ]

    def __str__(self):
        return f"{self.year}年 单位 {self.unit_id}：{self.tables} 张"


class FindingTally(UnitYearTally):
    """一个单位一个预算年度现行版本的表中，某条审核规则的发现条数和涉及的表数（审核发现排行）。"""

    rule = models.CharField("规则代码", max_length=40)
    # Plain integers: the findings writer adds its changes (negative ones too) in one upsert, and a
    # CHECK >= 0 would be tested on the proposed row before it meets the stored one.
    findings = models.IntegerField("发现条数", default=0)
    tables = models.IntegerField("涉及表数", default=0)

    class Meta:
        verbose_name = "单位年度审核发现统计"
        verbose_name_plural = "单位年度审核发现统计"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "rule"], name="finding_tally_unit_year_rule")]
        indexes = [
            models.Index(fields=["region", "year"], name="finding_tally_region_year"),
            models.Index(fields=["department", "year"], name="finding_tally_department_year"),
        ]

    def __str__(self):
        return f"{self.year}年 单位 {self.unit_id} {self.rule}：{self.findings} 条"


class TimelineTally(UnitYearTally):
    """一个单位一个预算年度现行版本的表中，某天首次提交（第 1 轮）或批复的表数（报送进度曲线）。"""

    action = models.CharField("动作", max_length=20)
    day = models.DateField("日期")
    tables = models.PositiveIntegerField("表数", default=0)

    class Meta:
        verbose_name = "单位年度报送进度统计"
        verbose_name_plural = "单位年度报送进度统计"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "action", "day"], name="timeline_tally_unit_year_day")]
        indexes = [
            models.Index(fields=["region", "year"], name="timeline_tally_region_year"),
            models.Index(fields=["department", "year"], name="timeline_tally_department_year"),
        ]

    def __str__(self):
        return f"{self.year}年 单位 {self.unit_id} {self.action} {self.day}：{self.tables} 张"
