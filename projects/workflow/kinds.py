"""The kinds of document the workflow serves, each with its table of transitions.

A kind names its model, the ReviewRecord key that points at it, what its checks, snapshot, copy and
comparison are, and its transitions: (action, from status) → to status and the one role that may take
it. The gate (projects.workflow.gate) runs every kind's actions the same way; a new kind of document
adds an entry here and a key on ReviewRecord, and nothing in the gate.
"""

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse

from perfgoals.roles import Role
from projects.desk.notify import Subject
from projects.models import DepartmentTarget, ProjectTable, ReviewAction, TableStatus


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    role: str


_S = TableStatus
_A = ReviewAction


def transitions_table(*rows):
    return {(action, source): Transition(action, source, target, role) for action, source, target, role in rows}


# The loop every target document goes round (DOMAIN §3.4): the unit submits to its department, the
# department passes it up or returns it, the finance bureau approves or returns it; a returned document
# is edited and resubmitted; an approved one is adjusted as a new version; an administrator may correct
# an approved one, with a reason.
REVIEW_LOOP = (
    (_A.SUBMIT, _S.DRAFT, _S.DEPARTMENT_REVIEW, Role.UNIT_STAFF),
    (_A.SUBMIT, _S.RETURNED, _S.DEPARTMENT_REVIEW, Role.UNIT_STAFF),
    (_A.WITHDRAW, _S.DEPARTMENT_REVIEW, _S.DRAFT, Role.UNIT_STAFF),
    (_A.PASS, _S.DEPARTMENT_REVIEW, _S.FINANCE_REVIEW, Role.DEPARTMENT_REVIEWER),
    (_A.RETURN, _S.DEPARTMENT_REVIEW, _S.RETURNED, Role.DEPARTMENT_REVIEWER),
    (_A.RETURN, _S.FINANCE_REVIEW, _S.RETURNED, Role.FINANCE_OFFICER),
    (_A.APPROVE, _S.FINANCE_REVIEW, _S.APPROVED, Role.FINANCE_OFFICER),
    # The approved version keeps its status; the record and the new draft belong to the new version.
    (_A.ADJUST, _S.APPROVED, _S.DRAFT, Role.UNIT_STAFF),
    (_A.CORRECT, _S.APPROVED, _S.APPROVED, Role.ADMINISTRATOR),
    # The finance bureau takes back an approval given in error, with a reason: the document waits in
    # its queue again (gate.revoke).
    (_A.REVOKE, _S.APPROVED, _S.FINANCE_REVIEW, Role.FINANCE_OFFICER),
)

# A project table's submission skips the department step for a unit that is its own department office
# (or has none); a withdrawal from 待财政审核 is only of such a skipped submission.
PROJECT_TRANSITIONS = transitions_table(
    *REVIEW_LOOP[:3],
    (_A.WITHDRAW, _S.FINANCE_REVIEW, _S.DRAFT, Role.UNIT_STAFF),
    *REVIEW_LOOP[3:],
)
# A department's whole-department targets are filled by its own office and always reviewed by the
# department's reviewers before the finance bureau.
DEPARTMENT_TARGET_TRANSITIONS = transitions_table(*REVIEW_LOOP)
# A unit's report on one of its tables (a monitoring report, a self-evaluation) goes round the table's
# loop, without an adjustment or an administrator's correction: it is returned and fixed instead.
UNIT_REPORT_TRANSITIONS = {
    key: transition for key, transition in PROJECT_TRANSITIONS.items() if transition.action not in (_A.ADJUST, _A.CORRECT, _A.REVOKE)
}


@dataclass(frozen=True)
class DocumentKind:
    model: type
    record_field: str  # the ReviewRecord key that points at a document of this kind
    indicator_field: str  # the Indicator key that points at it
    noun: str  # as a refusal names the document: 这张表, 这份目标
    short_noun: str
    transitions: dict
    scope_words: dict  # role → why a document outside the user's range is refused
    first_review: Callable  # document → the status a submission goes to
    recheck: Callable  # document → CheckResult (its findings afresh)
    snapshot: Callable  # document → the dict a submission record keeps
    # A kind adjusted as versions (调整) says how the next version is made and whether it changes
    # anything; a kind without (None) has no previous_version and no ADJUST transition.
    copy_next_version: Callable | None = None  # (approved document, by) → the next version, a draft
    differs_from_previous: Callable | None = None  # next version → whether it changes anything
    correctable: tuple = ()  # header fields an administrator's correction may change
    lock_related: tuple = ()
    refusal: Callable | None = None  # (action, document) → a kind's own refusal, or None
    # (document, indicators.Indicator) → whether a row comment on that indicator belongs to the
    # document; None: the indicator's ``indicator_field`` key points at the document.
    owns_indicator: Callable | None = None
    # document → projects.desk.notify.Subject: its name, its page and the units whose staff are told of
    # a return, an approval or a review comment on it; None: nobody is told.
    subject: Callable | None = None
    # document → the versioned document (in force) a reviewer's 要求调整 on it adjusts, started in the
    # same transaction (gate.decide); None: a 要求调整 is only recorded.
    ordered_adjustment_of: Callable | None = None

    @property
    def versioned(self):
        return self.copy_next_version is not None

    def previous_version_id(self, document):
        """The version ``document`` adjusts, or None (always None for a kind without versions)."""
        return document.previous_version_id if self.versioned else None


def skips_department_review(unit):
    """A unit that is itself the 主管部门 (部门本级), or has none, sends its tables straight to finance."""
    return unit.is_department_office or unit.department_id is None


def unit_scope_words(noun):
    """The scope_words of a document a unit fills: why ``noun`` (这张表, 这份自评) is refused to a user
    whose data range does not cover it, by role."""
    return {
        Role.UNIT_STAFF: f"{noun}不属于您的单位",
        Role.DEPARTMENT_REVIEWER: f"{noun}不属于您所在主管部门的单位",
        Role.FINANCE_OFFICER: f"{noun}不在您负责的行政区划内",
    }


def first_review_of_unit(unit_of):
    """The first_review of a document its unit submits: ``unit_of(document)`` names the unit, and one
    that is its own department office (or has none) goes straight to finance."""

    def first_review(document):
        return TableStatus.FINANCE_REVIEW if skips_department_review(unit_of(document)) else TableStatus.DEPARTMENT_REVIEW

    return first_review


def withdrawal_refusal_of_unit(unit_of, message="主管部门已审核通过，审核已经开始，不能撤回。"):
    """The refusal of such a document: a withdrawal from 待财政审核 is only of a skipped submission."""

    def refusal(action, document):
        if action == ReviewAction.WITHDRAW and document.status == TableStatus.FINANCE_REVIEW:
            if not skips_department_review(unit_of(document)):
                return message
        return None

    return refusal


def _project_recheck(table):
    from projects.findings import project_recheck

    return project_recheck(project=table)


def _target_recheck(target):
    from projects.targets.checks import target_findings

    return target_findings(target)


def _project_snapshot(table):
    from projects.interchange import export_document

    return export_document(ProjectTable.objects.filter(pk=table.pk), DepartmentTarget.objects.none())["project_tables"][0]


def _target_snapshot(target):
    from projects.interchange import export_document

    document = export_document(ProjectTable.objects.none(), DepartmentTarget.objects.filter(pk=target.pk))
    return document["department_targets"][0]


def _next_version(document, by):
    from projects.copying import copy_document

    reason = f"{ReviewAction.ADJUST.label}（第 {document.version + 1} 版）"
    return copy_document(
        document,
        by=by,
        reason=reason,
        changes={"version": document.version + 1, "previous_version": document},
        explanations=True,
    )


# What a comparison of two versions leaves out: what differs between any two versions by construction.
_NOT_COMPARED = {"uid", "version", "previous_version", "copied_from", "status", "quality_score", "quality_grade", "checked_at"}


def _same_content(version, kind):
    """Whether the next version ``version`` holds exactly what the approved one it adjusts holds, as
    the interchange export writes both (header, children and indicator rows, without keys)."""
    previous = kind.model.objects.get(pk=version.previous_version_id)
    return _comparable(kind.snapshot(version)) == _comparable(kind.snapshot(previous))


def _comparable(value):
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items() if key not in _NOT_COMPARED}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def _project_subject(table):
    return Subject(f"{table.year} 年“{table.name or '未命名项目'}”", reverse("projects:project_detail", args=[table.pk]), (table.unit_id,))


def _target_subject(target):
    """A department's whole-department targets are its own office's (部门本级) to fill and to hear of."""
    offices = target.department.units.filter(is_department_office=True).values_list("pk", flat=True)
    return Subject(
        f"{target.year} 年{target.department.name}部门整体绩效目标", reverse("projects:target_detail", args=[target.pk]), tuple(offices)
    )


PROJECT = DocumentKind(
    model=ProjectTable,
    record_field="project",
    indicator_field="project",
    noun="这张表",
    short_noun="表",
    transitions=PROJECT_TRANSITIONS,
    scope_words=unit_scope_words("这张表"),
    first_review=first_review_of_unit(lambda table: table.unit),
    recheck=_project_recheck,
    snapshot=_project_snapshot,
    copy_next_version=_next_version,
    differs_from_previous=lambda table: not _same_content(table, PROJECT),
    correctable=("name", "code", "period", "funds_total", "funds_fiscal", "funds_other", "fund_use"),
    lock_related=("unit", "region"),
    refusal=withdrawal_refusal_of_unit(lambda table: table.unit),
    subject=_project_subject,
)

DEPARTMENT_TARGET = DocumentKind(
    model=DepartmentTarget,
    record_field="department_target",
    indicator_field="department_target",
    noun="这份目标",
    short_noun="目标",
    transitions=DEPARTMENT_TARGET_TRANSITIONS,
    scope_words={
        Role.UNIT_STAFF: "这份目标不属于您所在的部门本级单位",
        Role.DEPARTMENT_REVIEWER: "这份目标不属于您所在的主管部门",
        Role.FINANCE_OFFICER: "这份目标不在您负责的行政区划内",
    },
    first_review=lambda target: TableStatus.DEPARTMENT_REVIEW,
    recheck=_target_recheck,
    snapshot=_target_snapshot,
    copy_next_version=_next_version,
    differs_from_previous=lambda target: not _same_content(target, DEPARTMENT_TARGET),
    correctable=("overall_goal", "funds_total", "funds_basic", "funds_project"),
    lock_related=("department__region", "framework"),
    subject=_target_subject,
)

KINDS = {}


def register(kind):
    """Serve documents of ``kind`` through the gate. A sub-package that brings a new kind of document
    (monitoring reports, self-evaluations) registers it when its models are loaded."""
    if kind.model in KINDS:
        raise ValueError(f"{kind.model.__name__} is already served by the workflow")
    KINDS[kind.model] = kind
    return kind


register(PROJECT)
register(DEPARTMENT_TARGET)


def kind_of(document):
    """The DocumentKind of a document (a model instance)."""
    try:
        return KINDS[type(document)]
    except KeyError:
        raise TypeError(f"the workflow serves no document of type {type(document).__name__}") from None
