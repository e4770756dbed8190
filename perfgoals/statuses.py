"""The statuses of the review loop that every kind of document goes through (project tables, department
targets, monitoring reports, self-evaluations).

They live in the base package because both apps read them: projects moves documents through them (only
projects/workflow assigns a status), and indicators counts the rows of approved tables (the library's
figures and proposals) without importing projects.
"""

from django.db import models


class TableStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    DEPARTMENT_REVIEW = "department_review", "待主管部门审核"
    FINANCE_REVIEW = "finance_review", "待财政审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"
    SUPERSEDED = "superseded", "已调整"
