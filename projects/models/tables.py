"""项目支出绩效目标表 (DOMAIN §3.1): the table, its spending plan and its goals."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.dispatch import Signal

from indicators.models import Grade
from perfgoals.history import TrackedHistory
from perfgoals.roles import Role
from projects.models.common import MONEY, TableStatus, VersionedQuerySet
from projects.models.organisations import CodeItem, Department, Region, Unit



# Sent with ``unit_years`` (the (unit id, year) pairs of the tables written) and ``fields`` (those set, or
# None for new tables) by the writes that send no post_save: a queryset's update() and bulk_create().
# projects.tallies listens, so that every write of tables keeps the unit-year tallies, however it is made.
tables_written = Signal()

# Fields whose change the unit-year tallies count (projects.tallies): an update() of any other field
# (the check time, the revision) announces nothing.
TALLIED_FIELDS = frozenset(
    ("unit", "unit_id", "year", "status", "previous_version", "previous_version_id", "funds_total", "quality_score",
     "quality_grade", "updated_at", "region", "region_id", "department", "department_id")
)


class ProjectTableQuerySet(VersionedQuerySet):
    scope_paths = {Role.UNIT_STAFF: "unit", Role.DEPARTMENT_REVIEWER: "department", Role.FINANCE_OFFICER: "region"}

    def update(self, **fields):
        """UPDATE, announcing the unit-years of the rows it changes (before and after, when it moves them)
        through ``tables_written`` when it sets a counted field: one more query, to find them."""
        if not TALLIED_FIELDS & fields.keys() or not tables_written.has_listeners(self.model):
            return super().update(**fields)
        unit_years = set(self.order_by().values_list("unit_id", "year").distinct())
        return self.update_in(unit_years, **fields)

    def update_in(self, unit_years, **fields):
        """update() by a writer that knows the unit-years of its rows (the findings writer): no query to
        find them. With ``unit``/``year`` among the fields the new unit-years are announced too."""
        changed = super().update(**fields)
        moved = {
            (fields.get("unit_id", getattr(fields.get("unit"), "pk", unit)), fields.get("year", year))
            for unit, year in unit_years
        }
        tables_written.send(self.model, unit_years=set(unit_years) | moved, fields=set(fields))
        return changed

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        tables_written.send(self.model, unit_years={(table.unit_id, table.year) for table in created}, fields=None)
        return created


# The columns the overview pages (dashboard, department progress) read of each table of a year, and those
# in_force() needs to tell the version in force.
OVERVIEW_COLUMNS = ("id", "status", "previous_version", "funds_total", "quality_grade", "quality_score")


class ProjectTable(models.Model):
    """项目支出绩效目标表，每个项目每个预算年度一张（调整时产生新版本）。

    金额以万元为单位，精确到小数点后 6 位，用定点小数保存，从不使用浮点数。
    区划随实施单位而定，单独存放是为了让“项目编码在区划和年度内唯一”成为数据库约束。"""

    uid = models.UUIDField("标识", default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="project_tables", verbose_name="主管部门"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_tables", verbose_name="实施单位")
    year = models.PositiveSmallIntegerField(
        "预算年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField("项目名称", max_length=200, blank=True)
    code = models.CharField("项目编码", max_length=40, blank=True)
    attribute = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"list": CodeItem.List.PROJECT_ATTRIBUTE},
        verbose_name="项目属性",
    )
    attribute_text = models.CharField(
        "项目属性（表中原文）", max_length=100, blank=True,
        help_text="导入的表中所填项目属性不在代码表中（如“常年项目”）时按原文保存，供核对后选择代码",
    )
    period = models.CharField("项目期", max_length=50, blank=True, help_text="例如 1 年")
    funds_total = models.DecimalField("年度资金总额（万元）", null=True, blank=True, **MONEY)
    funds_fiscal = models.DecimalField("其中：财政拨款（万元）", null=True, blank=True, **MONEY)
    funds_other = models.DecimalField("其他资金（万元）", null=True, blank=True, **MONEY)
    # The tree of sources a form printed (财政拨款小计 → 一般公共预算 …; 自有资金 → 事业收入 …; 其他收入),
    # kept as read for display and export: [{"label", "parent" (the parent line's number from 1, or
    # None), "amount" (万元 as a decimal string, or None)}] in the form's order. The three amounts above
    # stay what the checks and totals read; projects.breakdown reads and shows these lines.
    funds_breakdown = models.JSONField(
        "资金来源明细", default=list, blank=True,
        help_text="导入的表中资金来源的各行（名称、所属上级、金额），仅供显示和导出；核查以上面三项金额为准",
    )
    fund_use = models.TextField("资金用途", blank=True)
    # The mid-term half of the 88号 form (中期资金总额 beside 年度资金总额): the money of the whole
    # implementation period, never added to the year's funds.
    midterm_funds_total = models.DecimalField("中期资金总额（万元）", null=True, blank=True, **MONEY)
    midterm_funds_fiscal = models.DecimalField("中期资金其中：财政拨款（万元）", null=True, blank=True, **MONEY)
    midterm_funds_other = models.DecimalField("中期资金其中：其他资金（万元）", null=True, blank=True, **MONEY)
    manager = models.CharField("项目负责人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    framework = models.ForeignKey(
        "indicators.Framework", on_delete=models.PROTECT, related_name="+", verbose_name="指标体系"
    )
    no_direct_beneficiaries = models.BooleanField(
        "无直接服务对象", default=False, help_text="勾选后不要求填写满意度指标"
    )
    status = models.CharField("状态", max_length=20, choices=TableStatus.choices, default=TableStatus.DRAFT)
    version = models.PositiveSmallIntegerField("版本", default=1)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="复制自",
    )
    previous_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name="调整前版本",
        help_text="调整产生的新版本指向被调整的已批复版本；复制上年记在“复制自”。",
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
    revision = models.PositiveIntegerField(
        "修订号",
        default=1,
        editable=False,
        help_text="每次保存和每个审核动作都加一：编辑页据此发现打开页面之后别人保存或审核过这张表。",
    )
    quality_score = models.PositiveSmallIntegerField("审核得分", null=True, blank=True)
    quality_grade = models.CharField("审核等级", max_length=10, choices=Grade.choices, blank=True)
    checked_at = models.DateTimeField("检查时间", null=True, blank=True)

    objects = ProjectTableQuerySet.as_manager()
    # Check results are recomputed, not edited: they stay out of the field history.
    history = TrackedHistory(
        excluded_fields=["quality_score", "quality_grade", "checked_at", "revision"], verbose_name="项目绩效目标表修改记录"
    )

    class Meta:
        verbose_name = "项目绩效目标表"
        verbose_name_plural = "项目绩效目标表"
        ordering = ["-year", "unit__code", "name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "code", "version"],
                condition=~Q(code=""),
                name="project_code_unique_in_region_year",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "name", "version"],
                condition=~Q(name=""),
                name="project_name_unique_in_unit_year",
            ),
            models.CheckConstraint(
                condition=Q(funds_total__isnull=True) | Q(funds_total__gte=0), name="project_funds_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(funds_fiscal__isnull=True) | Q(funds_fiscal__gte=0),
                name="project_funds_fiscal_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(funds_other__isnull=True) | Q(funds_other__gte=0), name="project_funds_other_not_negative"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"midterm_funds_{part}__isnull": True}) | Q(**{f"midterm_funds_{part}__gte": 0}),
                    name=f"project_midterm_funds_{part}_not_negative",
                )
                for part in ("total", "fiscal", "other")
            ),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="project_year_in_range"),
            models.CheckConstraint(condition=Q(version__gte=1), name="project_version_positive"),
        ]
        indexes = [
            models.Index(fields=["year", "status"]),
            models.Index(fields=["year", "quality_grade", "quality_score"]),
            models.Index(fields=["quality_score"]),
            # The reviewers' queues: tables at one step, in one department or one region.
            models.Index(fields=["status", "department"]),
            models.Index(fields=["status", "region"]),
            # The target-table list of a region sorted by score (its 审核得分 column): the page's 25 rows
            # read in score order from the region's own entries, not by walking the whole province's
            # scores and dropping the other regions' tables (43,000 of them at 100,000 tables).
            models.Index(fields=["region", "quality_score"], name="project_region_score"),
            # A region's or a department's tables of one year, with what the overview pages count and add
            # up beside them: those pages read the index alone (an index-only scan), never the tables
            # of other years or regions, so their cost follows the year's tables in scope, not the province.
            models.Index(
                fields=["region", "year"], include=[*OVERVIEW_COLUMNS, "department", "unit"], name="project_region_year_cover"
            ),
            models.Index(
                fields=["department", "year"], include=[*OVERVIEW_COLUMNS, "region", "unit"], name="project_department_year_cover"
            ),
            # A region's or a department's tables in the order the 三级指标查询 and 审核发现汇总 list their
            # rows (year, then project name, then table): a page walks them from its first table on and
            # reads only the rows of the few tables it shows, not every row of the year sorted (the walk
            # checks the version in force from the included columns, an index-only scan).
            models.Index(
                fields=["region", "-year", "name", "id"], include=["status", "previous_version"], name="project_region_list_walk"
            ),
            models.Index(
                fields=["department", "-year", "name", "id"], include=["status", "previous_version"],
                name="project_department_list_walk",
            ),
            # One unit's tables of a year: what a write's refresh of its tallies (projects.tallies) counts.
            models.Index(fields=["unit", "year"], name="project_unit_year"),
        ]

    def __str__(self):
        return f"{self.year}年 {self.name or '（未命名项目）'}"

class SpendingCheckpoint(models.Model):
    """资金支出计划：到某月底累计支出的百分比。"""

    project = models.ForeignKey(
        ProjectTable, on_delete=models.CASCADE, related_name="spending_plan", verbose_name="项目绩效目标表"
    )
    month = models.PositiveSmallIntegerField("截至月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    cumulative_percent = models.DecimalField(
        "累计支出（%）",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    history = TrackedHistory(verbose_name="资金支出计划修改记录")

    class Meta:
        verbose_name = "资金支出计划"
        verbose_name_plural = "资金支出计划"
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="spending_checkpoint_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="spending_month_1_to_12"),
            models.CheckConstraint(
                condition=Q(cumulative_percent__isnull=True)
                | (Q(cumulative_percent__gte=0) & Q(cumulative_percent__lte=100)),
                name="spending_percent_0_to_100",
            ),
        ]

    def __str__(self):
        return f"{self.month}月底 {self.cumulative_percent}%"

    @property
    def label(self):
        return f"{self.month}月底"

class GoalKind(models.TextChoices):
    ANNUAL = "annual", "年度目标"
    LONG_TERM = "long_term", "中长期目标"

class ProjectGoal(models.Model):
    """年度总体目标或中长期目标中的一条，按顺序排列。"""

    project = models.ForeignKey(ProjectTable, on_delete=models.CASCADE, related_name="goals", verbose_name="项目绩效目标表")
    kind = models.CharField("类别", max_length=20, choices=GoalKind.choices, default=GoalKind.ANNUAL)
    order = models.PositiveIntegerField("排序", default=0)
    text = models.TextField("目标")

    history = TrackedHistory(verbose_name="绩效目标修改记录")

    class Meta:
        verbose_name = "绩效目标"
        verbose_name_plural = "绩效目标"
        ordering = ["kind", "order", "id"]

    def __str__(self):
        return self.text[:40]
