"""The progress record of one background task, what its owner's progress page shows.

Kept in projects' tables (imported by projects.models), apart from the backend's own record of the
task (django_tasks_db's DBTaskResult, or Redis): it says who started what, how far it is, and where its
result is, and it survives a page reload, a restart of the web server and a change of backend.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class TaskProgress(models.Model):
    """后台任务：导出、复核等耗时工作的进度，谁发起、做什么、共多少、已完成多少、结果文件或错误。"""

    class Kind(models.TextChoices):
        EXPORT = "export", "导出绩效目标表"
        RECHECK = "recheck", "重新检查"
        IMPORT = "import", "批量导入"
        MONITORING_ROUND = "monitoring_round", "发起监控批次"
        EXECUTION = "execution", "导入预算执行数"
        EVALUATION_ROUND = "evaluation_round", "开启绩效自评"
        MONITORING_EXPORT = "monitoring_export", "导出监控表"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="发起人")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("内容", max_length=300)
    params = models.JSONField("参数", default=dict, blank=True)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    state = models.CharField("进度", max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    task_id = models.CharField("后台任务号", max_length=64, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近报告", null=True, blank=True)
    result_file = models.CharField("结果文件", max_length=300, blank=True, help_text="任务目录下的文件名")
    result_name = models.CharField("下载文件名", max_length=300, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    results = models.JSONField("逐项结果", default=list, blank=True, help_text="批量导入：每个文件的结果")

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}（{self.get_state_display()}）"

    @property
    def unit(self):
        """What ``total`` and ``done`` count, as the progress page says it."""
        return "个文件" if self.kind == self.Kind.IMPORT else "张"  # tables, also those a round evaluates

    @property
    def gives_file(self):
        """Whether the task's result is a file to download (an export)."""
        return self.kind in (self.Kind.EXPORT, self.Kind.MONITORING_EXPORT)

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    def is_stale(self, now=None):
        """A running task whose worker has not reported for PERFGOALS_TASK_STALE_SECONDS: killed."""
        if self.state != self.State.RUNNING:
            return False
        last = self.heartbeat_at or self.started_at
        limit = timedelta(seconds=settings.PERFGOALS_TASK_STALE_SECONDS)
        return last is not None and (now or timezone.now()) - last > limit

    def seconds_left(self, now=None):
        """The time left, from the pace so far; None before the first part is done."""
        if self.state != self.State.RUNNING or not self.started_at or not self.done or not self.total:
            return None
        spent = ((now or timezone.now()) - self.started_at).total_seconds()
        return max(0, round(spent / self.done * (self.total - self.done)))
