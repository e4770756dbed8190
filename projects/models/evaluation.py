"""绩效自评 (DOMAIN §4.2, 财预〔2020〕10号 annex): rounds opened by the finance bureau, one self-evaluation
per approved project table in force, and its scored indicator rows."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from perfgoals.roles import Role
from projects.models.common import MONEY, ScopedQuerySet, TableStatus
from projects.models.organisations import Region
from projects.models.tables import ProjectTable

POINTS = {"max_digits": 6, "decimal_places": 2}


class EvaluationRoundQuerySet(ScopedQuerySet):
    """A round is the finance bureau's: its region's finance officers see it; units and departments
    reach their self-evaluations in it through SelfEvaluation's scope."""

    scope_paths = {Role.FINANCE_OFFICER: "region"}


class EvaluationRound(models.Model):
    """自评轮次：财政局为本区划某一年度开启，截止日期之前各单位对每张已批复的项目表自评。

    The weights are the region's variant, kept as data (10号文: 预算执行 10 / 产出 50 / 效益 30 /
    满意度 10; 四川: 预算执行 10 + 绩效指标 90 with a weight per indicator); they always add up to 100.
    ``execution_reason_below``: an execution rate (%) below which the unit must say why (四川: 90)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划")
    year = models.PositiveSmallIntegerField("预算年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    due_date = models.DateField("截止日期")
    weight_execution = models.DecimalField("预算执行率分值", default=10, **POINTS)
    weight_output = models.DecimalField("产出指标分值", default=50, **POINTS)
    weight_benefit = models.DecimalField("效益指标分值", default=30, **POINTS)
    weight_satisfaction = models.DecimalField("满意度指标分值", default=10, **POINTS)
    execution_reason_below = models.DecimalField(
        "执行率低于此值须说明原因（%）", default=90, **POINTS, help_text="四川等地：执行率低于 90% 须说明原因"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="开启人"
    )
    opened_at = models.DateTimeField("开启时间", auto_now_add=True)

    objects = EvaluationRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "自评轮次"
        verbose_name_plural = "自评轮次"
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="evaluation_round_one_per_region_year"),
            models.CheckConstraint(
                condition=Q(weight_execution__gte=0)
                & Q(weight_output__gte=0)
                & Q(weight_benefit__gte=0)
                & Q(weight_satisfaction__gte=0),
                name="evaluation_round_weights_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.region.name} {self.year}年度绩效自评"

    @property
    def weights(self):
        """一级指标 (and 预算执行) → its points, the round's variant."""
        return {
            "预算执行": self.weight_execution,
            "产出指标": self.weight_output,
            "效益指标": self.weight_benefit,
            "满意度指标": self.weight_satisfaction,
        }


class SelfEvaluationQuerySet(ScopedQuerySet):
    scope_paths = {
        Role.UNIT_STAFF: "project__unit",
        Role.DEPARTMENT_REVIEWER: "project__department",
        Role.FINANCE_OFFICER: "project__region",
    }


class SelfEvaluation(models.Model):
    """项目支出绩效自评表，每张在用的已批复项目表在一个自评轮次里一份。

    只有本单位在草稿或退回状态下可以填写；提交后经主管部门复核、财政抽查（可改分，须说明理由）。
    Amounts are 万元. Scores are worked out from the figures (projects.evaluation.scoring), never typed,
    except a unit's override or a reviewer's change of one indicator's score, each with its reason."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="evaluations", verbose_name="自评轮次")
    project = models.ForeignKey(
        ProjectTable, on_delete=models.PROTECT, related_name="self_evaluations", verbose_name="项目绩效目标表"
    )
    total_initial = models.DecimalField("年度资金总额·年初预算数", null=True, blank=True, **MONEY)
    total_full = models.DecimalField("年度资金总额·全年预算数", null=True, blank=True, **MONEY)
    total_executed = models.DecimalField("年度资金总额·全年执行数", null=True, blank=True, **MONEY)
    fiscal_initial = models.DecimalField("本年财政拨款·年初预算数", null=True, blank=True, **MONEY)
    fiscal_full = models.DecimalField("本年财政拨款·全年预算数", null=True, blank=True, **MONEY)
    fiscal_executed = models.DecimalField("本年财政拨款·全年执行数", null=True, blank=True, **MONEY)
    carryover_initial = models.DecimalField("上年结转资金·年初预算数", null=True, blank=True, **MONEY)
    carryover_full = models.DecimalField("上年结转资金·全年预算数", null=True, blank=True, **MONEY)
    carryover_executed = models.DecimalField("上年结转资金·全年执行数", null=True, blank=True, **MONEY)
    other_initial = models.DecimalField("其他资金·年初预算数", null=True, blank=True, **MONEY)
    other_full = models.DecimalField("其他资金·全年预算数", null=True, blank=True, **MONEY)
    other_executed = models.DecimalField("其他资金·全年执行数", null=True, blank=True, **MONEY)
    execution_reason = models.TextField("执行率偏低原因", blank=True)
    goal_expected = models.TextField("年度总体目标·预期目标", blank=True)
    goal_actual = models.TextField("年度总体目标·实际完成情况", blank=True)
    conclusion = models.TextField("评价结论", blank=True)
    problems = models.TextField("存在问题", blank=True)
    measures = models.TextField("改进措施", blank=True)
    project_leader = models.CharField("项目负责人", max_length=50, blank=True)
    finance_leader = models.CharField("财务负责人", max_length=50, blank=True)
    # What an imported file printed as its 总分 and 自评等级, kept beside the recomputed ones: the checks
    # report a printed total that is not the sum of its parts (projects.evaluation.checks).
    printed_total = models.DecimalField("填报总分", null=True, blank=True, **POINTS)
    printed_grade = models.CharField("填报等级", max_length=2, blank=True)
    # The 预算执行率得分 and the 执行率 printed beside it, kept likewise: the checks report a printed
    # score that does not follow from its printed rate. ``printed_cells`` names the cell each printed
    # figure was read from (execution, rate, total, grade → 工作表“…”单元格 H4), so findings point at it.
    printed_execution = models.DecimalField("填报预算执行率得分", null=True, blank=True, **POINTS)
    printed_rate = models.DecimalField("填报执行率（%）", null=True, blank=True, max_digits=8, decimal_places=2)
    printed_cells = models.JSONField("填报数所在单元格", default=dict, blank=True)
    status = models.CharField("状态", max_length=20, choices=TableStatus.choices, default=TableStatus.DRAFT)
    revision = models.PositiveIntegerField("修订号", default=1, editable=False)
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效自评"
        verbose_name_plural = "绩效自评"
        ordering = ["round", "project__unit__code", "project__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="self_evaluation_one_per_table_in_round"),
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self):
        return f"{self.project.year}年 {self.project.name or '（未命名项目）'} 绩效自评"


class Band(models.TextChoices):
    """定性指标的完成档次 (10号文): 达成 100–80%, 部分达成 80–60%, 未达成 60–0% of its points."""

    MET = "met", "达成"
    PARTLY = "partly", "部分达成"
    MISSED = "missed", "未达成"


class EvaluationItem(models.Model):
    """自评表的一行三级指标：年度指标值抄自已批复的表（只读），实际完成值由单位填写并解析。

    ``unit_score`` is the unit's own figure where the rules leave it a choice (a qualitative band) or
    where it overrides the computed score (then ``unit_reason`` says why); ``reviewed_score`` is the
    finance bureau's change in 抽查, with ``reviewed_reason``. Every figure is kept beside the computed one."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="items", verbose_name="绩效自评")
    # The approved row this one was copied from, by its uid: the row is a copy (names and 指标值 as
    # approved), so it needs no key that a later deletion of the approved row would have to clear.
    indicator_uid = models.UUIDField("三级指标标识", null=True, blank=True, editable=False)
    order = models.PositiveIntegerField("排序", default=0)
    level1 = models.CharField("一级指标", max_length=50)
    level2 = models.CharField("二级指标", max_length=50)
    name = models.CharField("三级指标", max_length=1000)
    target_text = models.CharField("年度指标值", max_length=500, blank=True)
    weight = models.DecimalField("分值", **POINTS)
    actual_text = models.CharField("实际完成值", max_length=500, blank=True)
    band = models.CharField("完成档次", max_length=10, choices=Band.choices, blank=True)
    unit_score = models.DecimalField("单位自评得分", null=True, blank=True, **POINTS)
    unit_reason = models.TextField("改分理由", blank=True)
    reviewed_score = models.DecimalField("复核得分", null=True, blank=True, **POINTS)
    reviewed_reason = models.TextField("复核改分理由", blank=True)
    deviation = models.TextField("偏差原因分析及改进措施", blank=True)

    class Meta:
        verbose_name = "自评指标"
        verbose_name_plural = "自评指标"
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=100), name="evaluation_item_weight_0_to_100"),
            models.CheckConstraint(
                condition=Q(unit_score__isnull=True) | Q(unit_score__gte=0), name="evaluation_item_unit_score_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_score__isnull=True) | ~Q(reviewed_reason=""),
                name="evaluation_item_review_change_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.actual_text}".strip()
