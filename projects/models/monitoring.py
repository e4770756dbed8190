"""绩效运行监控 (DOMAIN §4.1, 财预〔2019〕136号): rounds opened by the finance bureau, and one report per
approved project table in a round, with a line per 三级指标 (双监控: execution and target progress)."""


from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from perfgoals.roles import Role
from projects.models.common import MONEY, ScopedQuerySet, TableStatus
from projects.models.organisations import Region
from projects.models.tables import ProjectTable


class MonitoringRoundQuerySet(ScopedQuerySet):
    """批次由财政管理：财政看本区划的批次；单位和主管部门从“我的监控表”看到各自的报告。"""

    scope_paths = {Role.FINANCE_OFFICER: "region"}


class MonitoringRound(models.Model):
    """监控批次：财政在一个区划、一个年度发起，截至某月底（数据，不写死“1–7月”），有报送截止日期。"""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划")
    year = models.PositiveSmallIntegerField("预算年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField("批次名称", max_length=100)
    cutoff_month = models.PositiveSmallIntegerField(
        "截至月份", validators=[MinValueValidator(1), MaxValueValidator(12)], help_text="例如 7 表示监控 1–7 月"
    )
    due_date = models.DateField("报送截止日期")
    margin = models.DecimalField(
        "执行进度预警幅度（百分点）",
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="执行率低于支出计划超过这个幅度时预警",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    objects = MonitoringRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "监控批次"
        verbose_name_plural = "监控批次"
        ordering = ["-year", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cutoff_month__gte=1) & Q(cutoff_month__lte=12), name="monitoring_cutoff_1_to_12"
            ),
            models.UniqueConstraint(fields=["region", "year", "name"], name="monitoring_round_name_unique"),
        ]

    def __str__(self):
        return f"{self.year}年 {self.name}"

    @property
    def period_label(self):
        """The columns' heading, from the cut-off: 1–7月."""
        return f"1–{self.cutoff_month}月"


class Light(models.TextChoices):
    """A report's light from its 双监控 warnings (projects.monitoring.checks)."""

    RED = "red", "红灯"
    YELLOW = "yellow", "黄灯"
    GREEN = "green", "绿灯"


class MonitoringReportQuerySet(ScopedQuerySet):
    scope_paths = {
        Role.UNIT_STAFF: "table__unit",
        Role.DEPARTMENT_REVIEWER: "table__department",
        Role.FINANCE_OFFICER: "table__region",
    }


class MonitoringReport(models.Model):
    """绩效运行监控表：一个批次里一张已批复（在用版本）的项目绩效目标表的监控情况。

    只有本单位在草稿或退回状态下可以填写；提交后走与目标表相同的审核流程（projects.workflow）。
    年初预算数、年度指标值读自批复的表，不在这里重复保存。"""

    monitoring_round = models.ForeignKey(
        MonitoringRound, on_delete=models.CASCADE, related_name="reports", verbose_name="监控批次"
    )
    table = models.ForeignKey(
        ProjectTable, on_delete=models.PROTECT, related_name="monitoring_reports", verbose_name="项目绩效目标表"
    )
    budget_total = models.DecimalField("全年预算数：年度资金总额（万元）", null=True, blank=True, **MONEY)
    budget_fiscal = models.DecimalField("全年预算数：财政拨款（万元）", null=True, blank=True, **MONEY)
    budget_other = models.DecimalField("全年预算数：其他资金（万元）", null=True, blank=True, **MONEY)
    spent_total = models.DecimalField("执行数：年度资金总额（万元）", null=True, blank=True, **MONEY)
    spent_fiscal = models.DecimalField("执行数：财政拨款（万元）", null=True, blank=True, **MONEY)
    spent_other = models.DecimalField("执行数：其他资金（万元）", null=True, blank=True, **MONEY)
    goal_progress = models.TextField("总体目标执行情况", blank=True)
    status = models.CharField("状态", max_length=20, choices=TableStatus.choices, default=TableStatus.DRAFT)
    # Worked out by projects.monitoring.checks on every save and submission, kept so the round's
    # overview of thousands of reports reads them without rechecking each.
    light = models.CharField("预警", max_length=10, choices=Light.choices, blank=True)
    light_reasons = models.TextField("预警原因", blank=True)
    revision = models.PositiveIntegerField("修订号", default=1, editable=False)
    updated_at = models.DateTimeField("最后修改", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="最后修改人"
    )

    objects = MonitoringReportQuerySet.as_manager()

    # A report has one version: it is not adjusted (a table that will miss is adjusted itself, and the
    # next round reports on the version then in force).
    version = 1

    class Meta:
        verbose_name = "绩效运行监控表"
        verbose_name_plural = "绩效运行监控表"
        ordering = ["monitoring_round", "table__department__name", "table__unit__name", "table__name"]
        constraints = [
            models.UniqueConstraint(fields=["monitoring_round", "table"], name="monitoring_report_once_per_round"),
            *[
                models.CheckConstraint(condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}), name=f"monitoring_{name}_not_negative")
                for name in ("budget_total", "budget_fiscal", "budget_other", "spent_total", "spent_fiscal", "spent_other")
            ],
        ]
        indexes = [models.Index(fields=["monitoring_round", "status"]), models.Index(fields=["monitoring_round", "light"])]

    def __str__(self):
        return f"{self.monitoring_round} {self.table.name or '（未命名项目）'}"


class DeviationReason(models.TextChoices):
    FUNDING = "funding", "经费保障"
    RULES = "rules", "制度保障"
    STAFF = "staff", "人员保障"
    EQUIPMENT = "equipment", "硬件条件保障"
    OTHER = "other", "其他"


class Likelihood(models.TextChoices):
    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "完全不可能"


class MonitoringLine(models.Model):
    """监控表中一行三级指标的执行情况；年度指标值读自批复表的那一行（indicator），不在这里改。"""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="lines", verbose_name="绩效运行监控表")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.PROTECT, related_name="monitoring_lines", verbose_name="三级指标"
    )
    progress_text = models.CharField("执行情况", max_length=500, blank=True)
    expected_text = models.CharField("全年预计完成情况", max_length=500, blank=True)
    reasons = models.JSONField("偏差原因", default=list, blank=True)
    likelihood = models.CharField("完成目标可能性", max_length=20, choices=Likelihood.choices, blank=True)
    explanation = models.TextField("原因说明", blank=True)
    measures = models.TextField("纠偏措施", blank=True)

    class Meta:
        verbose_name = "监控指标行"
        verbose_name_plural = "监控指标行"
        ordering = ["report", "indicator__order", "indicator__id"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="monitoring_line_once_per_indicator")]

    def __str__(self):
        return f"{self.indicator.name}：{self.progress_text}"

    @property
    def reason_labels(self):
        return [DeviationReason(value).label for value in self.reasons if value in DeviationReason.values]
