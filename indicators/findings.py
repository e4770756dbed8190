"""The vocabulary of a check finding: its severity, the review criterion it falls under and the
reviewer's standard reason. Plain choices, no model: the check registry and the models both read them.
"""

from django.db import models


class Severity(models.TextChoices):
    """错误 blocks submission and cannot be explained away; 警告 may be answered with an explanation."""

    ERROR = "error", "错误"
    WARNING = "warning", "警告"
    INFO = "info", "提示"


class Criterion(models.TextChoices):
    """The four review criteria of 财预〔2015〕88号 (DOMAIN §3.4)."""

    COMPLETENESS = "completeness", "完整性"
    RELEVANCE = "relevance", "相关性"
    APPROPRIATENESS = "appropriateness", "适当性"
    FEASIBILITY = "feasibility", "可行性"


class Opinion(models.TextChoices):
    """Reviewers' standard reasons (监审意见), so a finding reads the way a reviewer would write it."""

    INCOMPLETE = "incomplete", "指标不够完整"
    NOT_QUANTIFIED = "not_quantified", "不够细化量化"
    NOT_RELEVANT = "not_relevant", "与项目相关性不够"
    VALUE_MISMATCH = "value_mismatch", "指标与指标值不匹配"
    SPLIT = "split", "建议拆分指标"
    WRONG_LEVEL1 = "wrong_level1", "一级指标类型错误"
    WRONG_LEVEL2 = "wrong_level2", "二级指标类型错误"
    ADD_BENEFIT = "add_benefit", "建议增加明确效益指标"
    ADD_OUTPUT = "add_output", "建议增加明确产出指标"
    ADD_SATISFACTION = "add_satisfaction", "建议增加满意度指标"
    OTHER = "other", "其他"
