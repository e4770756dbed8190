"""The record of the review workflow: one ReviewRecord per action (projects.workflow), with its comments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from indicators.models import Grade, Opinion
from projects.models.common import MONEY, TableStatus
from projects.models.tables import ProjectTable



class ReviewAction(models.TextChoices):
    """The actions of the review workflow (projects.workflow), as the history page names them."""

    SUBMIT = "submit", "提交"
    WITHDRAW = "withdraw", "撤回"
    PASS = "pass", "通过"
    RETURN = "return", "退回"
    APPROVE = "approve", "批复"
    ADJUST = "adjust", "发起调整"
    CORRECT = "correct", "更正"
    # The finance bureau's decisions on a monitoring report that shows a target will miss (issue 15):
    # recorded on the report, its status unchanged.
    ORDER_ADJUST = "order_adjust", "要求调整"
    RECOVER = "recover", "收回资金"
    RESCORE = "rescore", "改分"
    REVOKE = "revoke", "撤销批复"

class ReviewRecord(models.Model):
    """审核记录：谁在什么时候对哪张表做了什么，状态从哪里到哪里，评级、理由和意见。

    Written only by projects.workflow, exactly one per action, in the same transaction as the status
    change. ``round`` is the submission round (1 for the first submit, +1 for each resubmission);
    records after a submit carry its round. ``snapshot`` is set on submits only: the table as the
    interchange export writes it, so a reviewer can compare this submission with the previous one."""

    # The one document this record is about: exactly one of these keys is set (each document kind the
    # workflow serves has its key here; projects.workflow.kinds names it).
    project = models.ForeignKey(
        ProjectTable, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews", verbose_name="项目绩效目标表"
    )
    department_target = models.ForeignKey(
        "DepartmentTarget",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name="部门整体绩效目标",
    )
    monitoring_report = models.ForeignKey(
        "MonitoringReport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name="绩效运行监控表",
    )
    self_evaluation = models.ForeignKey(
        "SelfEvaluation", on_delete=models.CASCADE, null=True, blank=True, related_name="reviews", verbose_name="绩效自评"
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
    # What the finance bureau's approval (批复) says, recorded with it and printed on the approved form.
    approval_number = models.CharField("批复文号", max_length=100, blank=True)
    approval_date = models.DateField("批复日期", null=True, blank=True)
    approved_amount = models.DecimalField("批复金额（万元）", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="return") | ~Q(reason=""), name="review_return_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=False, department_target__isnull=True, monitoring_report__isnull=True, self_evaluation__isnull=True)
                | Q(project__isnull=True, department_target__isnull=False, monitoring_report__isnull=True, self_evaluation__isnull=True)
                | Q(project__isnull=True, department_target__isnull=True, monitoring_report__isnull=False, self_evaluation__isnull=True)
                | Q(project__isnull=True, department_target__isnull=True, monitoring_report__isnull=True, self_evaluation__isnull=False),
                name="review_record_one_document",
            ),
            # An adjustment and an administrator's correction always say why.
            models.CheckConstraint(
                condition=~Q(action__in=["adjust", "correct"]) | ~Q(comment=""), name="review_adjust_has_reason"
            ),
        ]
        indexes = [
            # The queue's rounds and last submit per table, and the history page; with the round, the
            # dashboard's first submissions of a region's tables are read from the index alone.
            models.Index(fields=["project", "action", "at"], include=["round"], name="review_project_action_at"),
            models.Index(fields=["department_target", "action", "at"]),
            models.Index(fields=["monitoring_report", "action", "at"]),
            models.Index(fields=["self_evaluation", "action", "at"]),
            models.Index(fields=["at"]),
        ]

    @property
    def document(self):
        """The project table, department target, monitoring report or self-evaluation this record is about."""
        if self.project_id is not None:
            return self.project
        if self.department_target_id is not None:
            return self.department_target
        if self.monitoring_report_id is not None:
            return self.monitoring_report
        return self.self_evaluation

    def __str__(self):
        return f"{self.document} {self.get_action_display()}（{self.get_from_status_display()} → {self.get_to_status_display()}）"

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
