"""The finance bureau's desk (issue 17): deadlines per region and document kind, and notifications."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class DocumentKindChoice(models.TextChoices):
    """The documents a unit reports on, each with deadlines of its own."""

    TARGETS = "targets", "项目绩效目标表"
    DEPARTMENT_TARGETS = "department_targets", "部门整体绩效目标"
    MONITORING = "monitoring", "绩效运行监控"
    EVALUATION = "evaluation", "绩效自评"


class Deadline(models.Model):
    """报送截止日期：一个行政区划、一个预算年度、一类文件各一个，由财政局设置，各单位首页显示剩余天数。"""

    region = models.ForeignKey("projects.Region", on_delete=models.CASCADE, related_name="deadlines", verbose_name="行政区划")
    year = models.PositiveSmallIntegerField("预算年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField("文件类别", max_length=24, choices=DocumentKindChoice.choices)
    due = models.DateField("截止日期")
    note = models.CharField("说明", max_length=200, blank=True, help_text="例如：以财政局收到纸质盖章件为准")

    class Meta:
        verbose_name = "报送截止日期"
        verbose_name_plural = "报送截止日期"
        ordering = ["region__code", "-year", "due"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "kind"],
                name="deadline_once_per_region_year_kind",
                violation_error_message="这个行政区划这一年度的这类文件已有截止日期，请修改那一条，不要重复添加。",
            )
        ]

    def __str__(self):
        return f"{self.region.name} {self.year} 年{self.get_kind_display()}：{self.due:%Y-%m-%d}"


class NotificationKind(models.TextChoices):
    RETURN = "return", "退回"
    APPROVE = "approve", "批复"
    REVOKE = "revoke", "撤销批复"
    COMMENT = "comment", "审核意见"
    REMINDER = "reminder", "催报"
    DEADLINE = "deadline", "截止提醒"


class Notification(models.Model):
    """站内通知：退回、批复、撤销批复、审核意见、催报和临近截止，发给一位用户，读过记下时间。"""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人")
    kind = models.CharField("类别", max_length=12, choices=NotificationKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发出人"
    )

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class DeadlineNotice(models.Model):
    """临近截止提醒的发送记录：一条截止日期、一个单位、一个提前天数只提醒一次（再运行也不重复）。"""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="notices", verbose_name="截止日期")
    unit = models.ForeignKey("projects.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="预算单位")
    days_ahead = models.PositiveSmallIntegerField("提前天数")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "临近截止提醒"
        verbose_name_plural = "临近截止提醒"
        constraints = [
            models.UniqueConstraint(fields=["deadline", "unit", "days_ahead"], name="deadline_notice_once"),
        ]

    def __str__(self):
        return f"{self.deadline}：提前 {self.days_ahead} 天提醒 {self.unit}"
