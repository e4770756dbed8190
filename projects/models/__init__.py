"""Organisations, project target tables, whole-department targets and their review (DOMAIN §2–3).

One module per sub-domain; every model is importable from ``projects.models`` as before.
"""

from projects.models.audit import AuditEvent
from projects.models.common import MAX_MONEY, MONEY, MONEY_WHOLE_DIGITS, ScopedQuerySet, TableStatus, money_fits, money_limit_message
from projects.models.monitoring import (
    DeviationReason,
    Light,
    Likelihood,
    MonitoringLine,
    MonitoringReport,
    MonitoringReportQuerySet,
    MonitoringRound,
    MonitoringRoundQuerySet,
)
from projects.models.desk import Deadline, DeadlineNotice, DocumentKindChoice, Notification, NotificationKind
from projects.models.evaluation import Band, EvaluationItem, EvaluationRound, EvaluationRoundQuerySet, SelfEvaluation, SelfEvaluationQuerySet
from projects.models.organisations import CodeItem, Department, DepartmentQuerySet, Region, Unit, UserScope
from projects.models.publication import Publication, PublicationDeadline, PublicationReminder, WithheldReason
from projects.models.review import Grade, Opinion, ReviewAction, ReviewComment, ReviewRecord
from projects.models.tables import GoalKind, ProjectGoal, ProjectTable, ProjectTableQuerySet, SpendingCheckpoint
from projects.models.tallies import FindingTally, TableTally, TimelineTally
from projects.models.targets import DepartmentSubTarget, DepartmentTarget, DepartmentTargetQuerySet
from projects.models.years import BudgetYear, budget_year
from projects.tasks.models import TaskProgress  # background tasks' progress (projects/tasks/)

__all__ = [
    "MAX_MONEY",
    "MONEY",
    "MONEY_WHOLE_DIGITS",
    "AuditEvent",
    "Band",
    "BudgetYear",
    "CodeItem",
    "Department",
    "DepartmentQuerySet",
    "DepartmentSubTarget",
    "DepartmentTarget",
    "DepartmentTargetQuerySet",
    "EvaluationItem",
    "EvaluationRound",
    "EvaluationRoundQuerySet",
    "Deadline",
    "DeadlineNotice",
    "DeviationReason",
    "DocumentKindChoice",
    "Notification",
    "NotificationKind",
    "GoalKind",
    "Grade",
    "Light",
    "Likelihood",
    "MonitoringLine",
    "MonitoringReport",
    "MonitoringReportQuerySet",
    "MonitoringRound",
    "MonitoringRoundQuerySet",
    "Opinion",
    "ProjectGoal",
    "FindingTally",
    "TableTally",
    "TimelineTally",
    "ProjectTable",
    "ProjectTableQuerySet",
    "Publication",
    "PublicationDeadline",
    "PublicationReminder",
    "Region",
    "ReviewAction",
    "ReviewComment",
    "ReviewRecord",
    "ScopedQuerySet",
    "SelfEvaluation",
    "SelfEvaluationQuerySet",
    "SpendingCheckpoint",
    "TableStatus",
    "TaskProgress",
    "Unit",
    "UserScope",
    "WithheldReason",
    "budget_year",
    "money_fits",
    "money_limit_message",
]
