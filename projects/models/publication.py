"""公开登记 (DOMAIN §4.3): for each approved document, whether and where it was published, or why not."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class WithheldReason(models.TextChoices):
    """Why a document is not published, with its legal basis (《政府信息公开条例》)."""

    SECRET = "secret", "涉及国家秘密（条例第十四条）"
    SENSITIVE = "sensitive", "涉及商业秘密、个人隐私（条例第十五条）"
    SECURITY = "security", "公开后可能危及国家安全、公共安全、经济安全、社会稳定（条例第十四条）"
    INTERNAL = "internal", "内部事务信息（条例第十六条）"
    OTHER = "other", "其他（须写明依据）"


class Publication(models.Model):
    """One document's entry in the publication register: published (date and address) or withheld
    (reason and basis). Exactly one document per entry; one entry per document."""

    project = models.OneToOneField(
        "projects.ProjectTable", on_delete=models.CASCADE, null=True, blank=True, related_name="publication", verbose_name="项目绩效目标表"
    )
    department_target = models.OneToOneField(
        "projects.DepartmentTarget",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="publication",
        verbose_name="部门整体绩效目标",
    )
    published = models.BooleanField("是否公开", default=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    url = models.URLField("公开地址", max_length=500, blank=True)
    withheld_reason = models.CharField("不公开原因", max_length=20, choices=WithheldReason.choices, blank=True)
    withheld_basis = models.TextField("不公开依据说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = "公开登记"
        verbose_name_plural = "公开登记"
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, department_target__isnull=True)
                | Q(project__isnull=True, department_target__isnull=False),
                name="publication_one_document",
            ),
            # Withheld means a reason; 其他 means the basis written out.
            models.CheckConstraint(condition=Q(published=True) | ~Q(withheld_reason=""), name="publication_withheld_has_reason"),
            models.CheckConstraint(
                condition=~Q(withheld_reason="other") | ~Q(withheld_basis=""), name="publication_other_has_basis"
            ),
        ]

    @property
    def document(self):
        return self.project if self.project_id is not None else self.department_target

    def __str__(self):
        state = f"已公开 {self.published_on or ''}".strip() if self.published else f"不公开：{self.get_withheld_reason_display()}"
        return f"{self.document} · {state}"


class PublicationDeadline(models.Model):
    """The date by which a region's departments publish a year's approved targets, set by its finance bureau."""

    region = models.ForeignKey("projects.Region", on_delete=models.CASCADE, related_name="+", verbose_name="行政区划")
    year = models.PositiveSmallIntegerField("预算年度")
    deadline = models.DateField("公开截止日期")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="设置人"
    )

    class Meta:
        verbose_name = "公开截止日期"
        verbose_name_plural = "公开截止日期"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="publication_deadline_per_region_year")]

    def __str__(self):
        return f"{self.region} {self.year} 年：{self.deadline:%Y-%m-%d} 前公开"


class PublicationReminder(models.Model):
    """催报: the finance bureau reminded a department to publish (or to register what it published)."""

    department = models.ForeignKey("projects.Department", on_delete=models.CASCADE, related_name="+", verbose_name="主管部门")
    year = models.PositiveSmallIntegerField("预算年度")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="催报人")
    sent_at = models.DateTimeField("催报时间", auto_now_add=True)
    missing = models.PositiveIntegerField("催报时未登记公开的份数")

    class Meta:
        verbose_name = "公开催报记录"
        verbose_name_plural = "公开催报记录"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.department} {self.year} 年 {self.sent_at:%Y-%m-%d %H:%M} 催报"
