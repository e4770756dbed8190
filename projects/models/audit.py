"""审计日志: who signed in, exported and imported what, when and from where."""

from django.conf import settings
from django.db import models



class AuditEvent(models.Model):
    """审计日志：每次登录、登录失败、退出、导出和导入，记下谁、何时、从哪里、在什么范围内做了什么。
    只增不改：后台只能查看。"""

    class Kind(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        PEOPLE = "people", "用户管理"

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
