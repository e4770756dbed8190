"""Organisations, project target tables and whole-department targets (DOMAIN §2–3)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from indicators.models import Grade, Opinion  # noqa: F401  (Opinion: the 监审意见 have one home, re-exported here)
from perfgoals.history import TrackedHistory
from perfgoals.roles import Role
from projects.scope import scope_of

# Amounts are 万元 with up to 6 decimals and at most 15 digits in all (9 before the point): SQLite, the
# database of `make run`, keeps a decimal as a REAL, exact to 15 significant digits, so a 16th digit
# would be rounded there while PostgreSQL kept it. Every way in (editor, JSON and Excel import) refuses
# more with money_limit_message, so an amount reads back exactly as typed on either database.
MONEY = {"max_digits": 15, "decimal_places": 6}
MONEY_WHOLE_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]
MAX_MONEY = Decimal(10) ** MONEY_WHOLE_DIGITS - Decimal(1).scaleb(-MONEY["decimal_places"])


def money_limit_message(label, text=None):
    """Why an amount of ``label`` cannot be stored, in Chinese (``text``: the amount as given)."""
    given = f"，“{text}”超出" if text is not None else ""
    return f"{label}最多 {MONEY_WHOLE_DIGITS} 位整数、{MONEY['decimal_places']} 位小数（万元）{given}。"


def money_fits(number):
    """Whether a Decimal amount is stored exactly: at most 9 whole digits and 6 decimals (trailing
    zeros after the point do not count)."""
    if not number.is_finite():
        return False
    if number == 0:
        return True
    normalized = number.normalize()
    decimals = max(0, -normalized.as_tuple().exponent)
    return abs(number) <= MAX_MONEY and decimals <= MONEY["decimal_places"]


class ScopedQuerySet(models.QuerySet):
    """Rows a user may see, as projects.scope.Scope decides. Subclasses declare ``scope_paths``: for
    each role, the lookup from their rows to the user's unit, department or region."""

    scope_paths = {}

    def visible_to(self, user):
        return scope_of(user).filter(self)


class ProjectTableQuerySet(ScopedQuerySet):
    scope_paths = {Role.UNIT_STAFF: "unit", Role.DEPARTMENT_REVIEWER: "department", Role.FINANCE_OFFICER: "region"}

    def in_force(self):
        """Each project once, as the version in force: totals, counts and charts read these rows.

        While an adjustment (调整) is under way, the approved version stays in force and the new version
        is left out; once the new version is approved, the one it replaced (已调整) is left out."""
        return self.exclude(status=TableStatus.SUPERSEDED).exclude(previous_version__status=TableStatus.APPROVED)


class DepartmentQuerySet(ScopedQuerySet):
    """主管部门：单位填报人看到本单位所属的部门，主管部门审核人看到本部门，财政审核人看到本区划的所有部门。"""

    scope_paths = {Role.UNIT_STAFF: "units", Role.DEPARTMENT_REVIEWER: "pk", Role.FINANCE_OFFICER: "region"}


class DepartmentTargetQuerySet(ScopedQuerySet):
    """部门整体目标由部门本级单位填报，所以单位填报人只能看到本单位作为部门本级时所属部门的目标。"""

    scope_paths = {
        Role.UNIT_STAFF: ("department", "office_department_id"),  # only a 部门本级 unit's staff
        Role.DEPARTMENT_REVIEWER: "department",
        Role.FINANCE_OFFICER: "department__region",
    }


class Region(models.Model):
    """行政区划，以 6 位区划代码标识，例如 平罗县 640221。"""

    code = models.CharField(
        "区划代码",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "区划代码应为 6 位数字。")],
    )
    name = models.CharField("名称", max_length=50)

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


class TableStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    DEPARTMENT_REVIEW = "department_review", "待主管部门审核"
    FINANCE_REVIEW = "finance_review", "待财政审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"
    SUPERSEDED = "superseded", "已调整"


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
    period = models.CharField("项目期", max_length=50, blank=True, help_text="例如 1 年")
    funds_total = models.DecimalField("年度资金总额（万元）", null=True, blank=True, **MONEY)
    funds_fiscal = models.DecimalField("其中：财政拨款（万元）", null=True, blank=True, **MONEY)
    funds_other = models.DecimalField("其他资金（万元）", null=True, blank=True, **MONEY)
    fund_use = models.TextField("资金用途", blank=True)
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


class ReviewAction(models.TextChoices):
    """The actions of the review workflow (projects.workflow), as the history page names them."""

    SUBMIT = "submit", "提交"
    WITHDRAW = "withdraw", "撤回"
    PASS = "pass", "通过"
    RETURN = "return", "退回"
    APPROVE = "approve", "批复"
    ADJUST = "adjust", "发起调整"


class ReviewRecord(models.Model):
    """审核记录：谁在什么时候对哪张表做了什么，状态从哪里到哪里，评级、理由和意见。

    Written only by projects.workflow, exactly one per action, in the same transaction as the status
    change. ``round`` is the submission round (1 for the first submit, +1 for each resubmission);
    records after a submit carry its round. ``snapshot`` is set on submits only: the table as the
    interchange export writes it, so a reviewer can compare this submission with the previous one."""

    project = models.ForeignKey(
        ProjectTable, on_delete=models.CASCADE, related_name="reviews", verbose_name="项目绩效目标表"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=20, choices=ReviewAction.choices)
    from_status = models.CharField("原状态", max_length=20, choices=TableStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=TableStatus.choices)
    grade = models.CharField("审核等级", max_length=10, choices=Grade.choices, blank=True)
    reason = models.CharField("退回理由", max_length=20, choices=Opinion.choices, blank=True)
    comment = models.TextField("意见", blank=True)
    round = models.PositiveSmallIntegerField("提交轮次", default=0)
    snapshot = models.JSONField("提交时的表", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="return") | ~Q(reason=""), name="review_return_has_reason"
            ),
        ]
        indexes = [
            # The queue's rounds and last submit per table, and the history page.
            models.Index(fields=["project", "action", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.project} {self.get_action_display()}（{self.get_from_status_display()} → {self.get_to_status_display()}）"


class ReviewComment(models.Model):
    """审核意见的一条：针对某一行三级指标（或整张表）的监审意见和说明。

    ``indicator_uid`` is kept beside the foreign key so the comment still finds its row when the row
    has been deleted (the key is then empty) and so it can be matched in later versions."""

    record = models.ForeignKey(ReviewRecord, on_delete=models.CASCADE, related_name="comments", verbose_name="审核记录")
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
        verbose_name="三级指标",
    )
    indicator_uid = models.UUIDField("三级指标标识", null=True, blank=True, help_text="整表意见留空")
    reason = models.CharField("监审意见", max_length=20, choices=Opinion.choices)
    text = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        ordering = ["record", "id"]
        indexes = [models.Index(fields=["indicator_uid"])]

    def __str__(self):
        return f"{self.get_reason_display()}：{self.text[:40]}"


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
    framework = models.ForeignKey(
        "indicators.Framework", on_delete=models.PROTECT, related_name="+", verbose_name="指标体系"
    )
    status = models.CharField("状态", max_length=20, choices=TableStatus.choices, default=TableStatus.DRAFT)
    version = models.PositiveSmallIntegerField("版本", default=1)
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


class AuditEvent(models.Model):
    """审计日志：每次登录、登录失败、退出、导出和导入，记下谁、何时、从哪里、在什么范围内做了什么。
    只增不改：后台只能查看。"""

    class Kind(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    kind = models.CharField("事件", max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="用户"
    )
    username = models.CharField("用户名", max_length=150, blank=True, help_text="登录失败时为输入的用户名")
    scope = models.CharField("数据范围", max_length=200, blank=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"
