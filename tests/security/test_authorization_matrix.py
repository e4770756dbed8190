"""Authorization as a matrix generated from the URL configuration (tracker issue 9, point 3).

Every named URL of ours (found by walking the resolver, the admin left out) is requested by every
role for a row of its own unit, of another unit in the same region and of another region, with the
method the view accepts; the answer must be the one EXPECTATIONS gives. A URL missing from
EXPECTATIONS, or with a parameter the matrix has no sample for, fails: a new view cannot reach CI
without someone deciding who may use it and on which rows.

The rules, in one place (STYLE §1):
- an anonymous visitor is sent to the login page (login, logout and the health check excepted);
- a row outside the user's scope is a 404, whatever the role: its existence is not confirmed;
- a row in scope, but a role that may not use the view, is a 403 (the import pages check the role
  before they look up the upload, so there a wrong role is a 403 whatever the upload);
- the unit's workflow buttons answer every role that sees the table with a redirect and a message:
  the workflow refuses, and says why (STYLE §2);
- everyone else gets the page (200) or, after a POST, a redirect (302).
A refused request changes nothing in the database, and no page shows a row its reader may not see.
"""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.library.models import LibraryEntry
from projects.models import Department, DepartmentTarget, EvaluationRound, MonitoringReport, MonitoringRound, SelfEvaluation, Unit
from tests import factories
from tests.projects.excel_helpers import workbook_bytes
from tests.security.state import database_state, differences

ANONYMOUS = "anonymous"
UNIT_STAFF = "unit_staff"  # 平罗纪委本级's staff: the 部门本级 unit of the department
OTHER_UNIT_STAFF = "other_unit_staff"  # another unit of the same department, with its own staff
DEPARTMENT_REVIEWER = "department_reviewer"
FINANCE_OFFICER = "finance_officer"
OTHER_REGION_FINANCE_OFFICER = "other_region_finance_officer"
ADMINISTRATOR = "administrator"
ROLES = (
    ANONYMOUS, UNIT_STAFF, OTHER_UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, OTHER_REGION_FINANCE_OFFICER,
    ADMINISTRATOR,
)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
UNITS = frozenset({UNIT_STAFF, OTHER_UNIT_STAFF})
REVIEWERS = frozenset({DEPARTMENT_REVIEWER, FINANCE_OFFICER, OTHER_REGION_FINANCE_OFFICER})
FINANCE = frozenset({FINANCE_OFFICER, OTHER_REGION_FINANCE_OFFICER})
MANAGERS = FINANCE | {ADMINISTRATOR}

# The rows a URL parameter can name: the unit staff's own, another unit's in the same region, another region's.
OWN, OTHER_UNIT, OTHER_REGION = "own", "other_unit", "other_region"
SCOPES = (OWN, OTHER_UNIT, OTHER_REGION)
NO_ROW = "-"

# Who sees which sample row (written out, not derived from visible_to, which is what is under test).
# Tables: own = 平罗纪委本级's, other_unit = a second unit of the same department, other_region = 定州's.
# Department targets: own = 平罗纪委's, other_unit = another 平罗 department's, other_region = 定州纪委's.
# Uploads: each is seen by its uploader only: own = the unit staff's, other_unit = the other unit
# staff's, other_region = 定州's unit staff's.
SEES = {
    "table": {
        OWN: {UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {OTHER_UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    "target": {
        # Only a 部门本级 unit's staff see (and write) their department's target.
        OWN: {UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    # Monitoring reports are seen like the tables they report on; rounds by the finance bureau of their region.
    "report": {
        OWN: {UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {OTHER_UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    "round": {
        OWN: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    "upload": {OWN: {UNIT_STAFF}, OTHER_UNIT: {OTHER_UNIT_STAFF}, OTHER_REGION: set()},
    # Departments (with a budget year), those of the department targets above: a unit's staff see the
    # department their unit belongs to.
    "department": {
        OWN: {UNIT_STAFF, OTHER_UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    # Background tasks, like uploads, are seen by the user who started them only (the same owners).
    "task": {OWN: {UNIT_STAFF}, OTHER_UNIT: {OTHER_UNIT_STAFF}, OTHER_REGION: set()},
    # Self-evaluations are their tables' (one per table above): who sees the table sees its self-evaluation.
    "evaluation": {
        OWN: {UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {OTHER_UNIT_STAFF, DEPARTMENT_REVIEWER, FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    # Self-evaluation rounds: own and other_unit are two of 平罗's (2024, 2023), other_region 定州's.
    "evaluation_round": {
        OWN: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    # The management page's rows (departments, units, user accounts): own and other_unit are 平罗's
    # (pl_unit's unit and department and pl_unit, the other unit's), other_region 定州's; the finance
    # bureau manages its region, the administrator every one.
    "people_department": {
        OWN: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    "people_unit": {
        OWN: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    "account": {
        OWN: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_UNIT: {FINANCE_OFFICER, ADMINISTRATOR},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
    # Library entries of a region's library: own and other_unit are two of 平罗's, other_region 定州's.
    "entry": {
        OWN: SIGNED_IN - {OTHER_REGION_FINANCE_OFFICER},
        OTHER_UNIT: SIGNED_IN - {OTHER_REGION_FINANCE_OFFICER},
        OTHER_REGION: {OTHER_REGION_FINANCE_OFFICER, ADMINISTRATOR},
    },
}


@dataclass(frozen=True)
class Rule:
    """How one view answers. ``may``: the roles that may use it (on the rows they see); ``kind``: what
    its URL parameter names; ``ok``: the answer for them; ``refused``: for a role that sees the row
    but may not use the view; ``role_first``: the role is checked before the row is looked up;
    ``public``: anonymous visitors are answered like everyone else; ``body``: the POST sent."""

    method: str = "GET"
    kind: str | None = None
    may: frozenset = SIGNED_IN
    ok: int = 200
    refused: int = 403
    role_first: bool = False
    public: bool = False
    body: dict = field(default_factory=dict)

    def expected(self, role, scope):
        if role == ANONYMOUS and not self.public:
            return "login"
        if self.kind is not None:
            if self.role_first and role not in self.may:
                return self.refused
            if role not in SEES[self.kind][scope]:
                return 404
        return self.ok if role in self.may else self.refused


GET, POST = "GET", "POST"
CJK = re.compile(r"[\u4e00-\u9fff]")
EVERYONE = frozenset(ROLES)

EXPECTATIONS = {
    "login": Rule(public=True, may=EVERYONE),
    "logout": Rule(POST, public=True, may=EVERYONE, ok=302),
    "health": Rule(public=True, may=EVERYONE),
    # Every signed-in user changes their own password; nobody else's.
    "password_change": Rule(),
    "password_change_done": Rule(),
    "projects:home": Rule(),
    "projects:project_create": Rule(may=UNITS),
    "projects:project_copy_list": Rule(may=UNITS),
    # 复制上年, several at once: a unit copies its own tables (others' ids are ignored, never copied).
    "projects:project_copy_bulk": Rule(POST, may=UNITS, ok=302),
    "projects:project_detail": Rule(kind="table"),
    "projects:project_edit": Rule(kind="table", may=UNITS),
    "projects:project_copy": Rule(POST, kind="table", may=UNITS, ok=302),
    "projects:project_check_new": Rule(POST, may=UNITS),
    "projects:project_check": Rule(POST, kind="table", may=UNITS),
    "projects:finding_explain": Rule(POST, kind="table", may=UNITS, ok=302),
    "projects:target_create": Rule(may={UNIT_STAFF}),  # a 部门本级 unit's staff only
    "projects:target_detail": Rule(kind="target"),
    "projects:target_edit": Rule(kind="target", may={UNIT_STAFF}),
    # The department office's buttons: the workflow refuses other roles with a message, changing nothing.
    "projects:target_action": Rule(POST, kind="target", may={UNIT_STAFF}, ok=302, refused=302, body={"action": "submit"}),
    "projects:target_review": Rule(kind="target", may=REVIEWERS),
    "projects:target_history": Rule(kind="target"),
    "projects:value_preview": Rule(),
    "projects:review_queue": Rule(may=REVIEWERS),
    "projects:review_bulk": Rule(POST, may=REVIEWERS, ok=302),
    "projects:project_review": Rule(kind="table", may=REVIEWERS),
    # The workflow refuses other roles with a message on the detail page, changing nothing.
    "projects:project_action": Rule(POST, kind="table", may=UNITS, ok=302, refused=302, body={"action": "submit"}),
    "projects:project_history": Rule(kind="table"),
    # 撤销批复 (issue 17): the workflow refuses every role but the finance bureau with a message on the
    # detail page, changing nothing.
    "projects:project_revoke": Rule(POST, kind="table", may=FINANCE, ok=302, refused=302, body={"reason": "误批"}),
    "projects:target_revoke": Rule(POST, kind="target", may=FINANCE, ok=302, refused=302, body={"reason": "误批"}),
    # Each user's own notifications; an id naming someone else's is sent back to the list.
    "projects:notification_list": Rule(),
    "projects:notification_open": Rule(POST, ok=302, body={"id": "1"}),
    "projects:deadlines": Rule(may=MANAGERS),
    "projects:chase": Rule(POST, may=REVIEWERS | {ADMINISTRATOR}, ok=302, body={"year": "2023"}),
    # Only an administrator corrects an approved document (the role is asked first). The sample rows are
    # drafts, so the administrator is sent back to the detail page with a message; the correction of an
    # approved one is tested in tests/projects/test_corrections.py.
    "projects:project_correct": Rule(kind="table", may={ADMINISTRATOR}, ok=302, role_first=True),
    "projects:target_correct": Rule(kind="target", may={ADMINISTRATOR}, ok=302, role_first=True),
    # Publication: the register is the reviewers' (a unit is taken to its department's package); the
    # deadline and 催报 are the finance bureau's; a department's package is seen by whoever sees the
    # department. The sample rows are drafts, so recording their publication is a 404 for everyone
    # (only approved documents are published); tests/projects/test_publication.py records approved ones.
    "projects:publication_register": Rule(may=REVIEWERS | {ADMINISTRATOR}, refused=302),
    "projects:publication_deadline": Rule(POST, may=FINANCE, ok=302, body={"year": "2024", "deadline": "2024-03-31"}),
    "projects:publication_package": Rule(kind="department"),
    "projects:publication_pdf": Rule(kind="department", ok=302),
    "projects:publication_xlsx": Rule(kind="department", ok=302),
    "projects:publication_remind": Rule(POST, kind="department", may=FINANCE, ok=302),
    "projects:publication_record_table": Rule(kind="table", may=frozenset(), refused=404),
    "projects:publication_record_target": Rule(kind="target", may=frozenset(), refused=404),
    "projects:project_export_xlsx": Rule(kind="table"),
    "projects:target_export_xlsx": Rule(kind="target"),
    "projects:excel_import": Rule(may=UNITS),
    # A blank template holds no one's data: every signed-in user may download one.
    "projects:excel_template": Rule(),
    "projects:task_list": Rule(),
    "projects:task_progress": Rule(kind="task"),
    "projects:task_status": Rule(kind="task"),
    "projects:task_download": Rule(kind="task"),
    # A batch import's confirm: on the sample (an export) there is nothing to import, a redirect with a message.
    "projects:task_import_apply": Rule(POST, kind="task", ok=302),
    "projects:task_recheck": Rule(may=MANAGERS),
    "projects:excel_import_batch": Rule(may=UNITS),
    "projects:excel_import_preview": Rule(kind="upload", may=UNITS, role_first=True),
    "projects:excel_import_confirm": Rule(POST, kind="upload", may=UNITS, ok=302, role_first=True),
    "projects:monitoring_rounds": Rule(may=FINANCE | {ADMINISTRATOR}),
    "projects:monitoring_round": Rule(kind="round", may=FINANCE | {ADMINISTRATOR}, role_first=True),
    "projects:monitoring_execution": Rule(kind="round", may=FINANCE, role_first=True),
    "projects:monitoring_report_import": Rule(kind="report", may=UNITS),
    "projects:monitoring_reports": Rule(),
    "projects:monitoring_report": Rule(kind="report"),
    "projects:monitoring_report_export_xlsx": Rule(kind="report"),
    "projects:monitoring_report_edit": Rule(kind="report", may=UNITS),
    "projects:monitoring_report_action": Rule(POST, kind="report", may=UNITS, ok=302, refused=302, body={"action": "submit"}),
    "projects:dashboard": Rule(),
    "projects:project_list": Rule(),
    "projects:department_progress": Rule(may=REVIEWERS | {ADMINISTRATOR}),
    # Last year's weak results beside this year's money: a reviewer's view, like the progress page.
    "projects:weak_result_list": Rule(may=REVIEWERS | {ADMINISTRATOR}),
    # The year-end self-evaluation (issue 16): finance opens a region's round and reads its summary;
    # the unit fills and submits; reviewers act through the workflow, which refuses others with a message.
    "projects:evaluation_list": Rule(),
    "projects:round_create": Rule(may=FINANCE),
    "projects:round_detail": Rule(kind="evaluation_round", may=FINANCE | {ADMINISTRATOR}, role_first=True),
    "projects:evaluation_detail": Rule(kind="evaluation"),
    "projects:evaluation_edit": Rule(kind="evaluation", may=UNITS),
    "projects:evaluation_action": Rule(POST, kind="evaluation", may=UNITS, ok=302, refused=302, body={"action": "submit"}),
    # Finance changes a score in 抽查 only: on the sample drafts it is refused with a message, changing nothing.
    "projects:evaluation_rescore": Rule(POST, kind="evaluation", may=FINANCE, ok=302, body={"item": "0", "score": "1", "reason": "矩阵"}),
    "projects:evaluation_export_xlsx": Rule(kind="evaluation"),
    # The unit imports a filled file onto its draft; an empty upload is refused with a message.
    "projects:evaluation_import_xlsx": Rule(POST, kind="evaluation", may=UNITS, ok=302),
    # The finance bureau's management page: administrators everywhere, finance officers in their region
    # (the role is asked first: nobody else learns whether a department, unit or account exists).
    "projects:people_home": Rule(may=MANAGERS),
    "projects:people_department_create": Rule(may=MANAGERS),
    "projects:people_department_edit": Rule(kind="people_department", may=MANAGERS, role_first=True),
    "projects:people_unit_create": Rule(may=MANAGERS),
    "projects:people_unit_edit": Rule(kind="people_unit", may=MANAGERS, role_first=True),
    "projects:people_user_create": Rule(may=MANAGERS),
    "projects:people_user_edit": Rule(kind="account", may=MANAGERS, role_first=True),
    "projects:people_user_unlock": Rule(POST, kind="account", may=MANAGERS, ok=302, role_first=True),
    # The new password is shown on the answer itself, once: a page, not a redirect.
    "projects:people_user_password": Rule(POST, kind="account", may=MANAGERS, role_first=True),
    "projects:people_import": Rule(may=MANAGERS),
    # Nothing waits in the session: the manager is sent back to the upload with a message.
    "projects:people_import_confirm": Rule(POST, may=MANAGERS, ok=302),
    "projects:people_import_template": Rule(may=MANAGERS),
    "projects:indicator_list": Rule(),
    "projects:finding_list": Rule(),
    # The indicator library: everyone picks from it; the finance bureau (and the department reviewers,
    # who propose their department's entries) keep it; a region's entries are changed by its finance.
    "indicators:library_suggest": Rule(),
    "indicators:library_entry_list": Rule(may=REVIEWERS | {ADMINISTRATOR}),
    "indicators:library_entry_new": Rule(may=REVIEWERS | {ADMINISTRATOR}),
    "indicators:library_entry_edit": Rule(kind="entry", may=REVIEWERS | {ADMINISTRATOR}, role_first=True),
    "indicators:library_entry_retire": Rule(POST, kind="entry", may=FINANCE | {ADMINISTRATOR}, ok=302),
    "indicators:library_entry_confirm": Rule(POST, kind="entry", may=FINANCE | {ADMINISTRATOR}, ok=302),
    "indicators:library_entry_promote": Rule(POST, kind="entry", may=FINANCE | {ADMINISTRATOR}, ok=302),
    "indicators:library_propose": Rule(POST, may={DEPARTMENT_REVIEWER}, ok=302),
    "indicators:library_export": Rule(may=REVIEWERS | {ADMINISTRATOR}),
    "indicators:library_import": Rule(may=FINANCE | {ADMINISTRATOR}),
}


# The URL configuration


@dataclass(frozen=True)
class Route:
    name: str
    parameters: tuple


def _parameters(pattern):
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None:
        return tuple(converters)
    return tuple(pattern.pattern.regex.groupindex)


def our_routes():
    """Every URL pattern but the admin's, as (namespaced name, parameter names). An unnamed pattern
    gets a name saying so, which no expectation has, so it fails like a new view."""
    routes = []

    def walk(patterns, namespace, inherited):
        for entry in patterns:
            parameters = inherited + _parameters(entry)
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, parameters)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else f"<unnamed pattern {entry.pattern}>"
                routes.append(Route(name, parameters))

    walk(get_resolver().url_patterns, "", ())
    return routes


ROUTES = {route.name: route for route in our_routes()}


def _cases():
    for route in ROUTES.values():
        for role in ROLES:
            for scope in (SCOPES if route.parameters else (NO_ROW,)):
                yield pytest.param(route.name, role, scope, id=f"{route.name}-{role}-{scope}")


def test_every_url_of_ours_has_an_expectation_in_the_matrix():
    missing = sorted(set(ROUTES) - set(EXPECTATIONS))
    stale = sorted(set(EXPECTATIONS) - set(ROUTES))
    assert not missing, (
        f"New URLs without an authorization rule: {missing}. Add each view to EXPECTATIONS in "
        "tests/security/test_authorization_matrix.py, saying who may use it and on which rows."
    )
    assert not stale, f"EXPECTATIONS names URLs that no longer exist: {stale}; remove them."


# The world the matrix runs in: built once for the module, each test in a savepoint rolled back after it.


@dataclass
class World:
    users: dict
    tables: dict
    targets: dict
    entries: dict
    reports: dict
    evaluations: dict
    evaluation_rounds: dict
    rounds: dict
    managed: dict  # kind → scope → a department, unit or user account of the management page
    sentinels: dict  # (kind, scope) → a text only that row's pages show


def _build_world():
    call_command("setup_demo", verbosity=0)
    User = get_user_model()
    pingluo_department = Department.objects.get(name="平罗县纪律检查委员会")
    pingluo_office = Unit.objects.get(name="中共平罗县纪律检查委员会本级")
    dingzhou_office = Unit.objects.get(name="纪律检查委员会本级")
    other_unit = factories.unit(pingluo_department, name="矩阵派驻纪检监察组")
    users = {
        UNIT_STAFF: User.objects.get(username="pl_unit"),
        OTHER_UNIT_STAFF: factories.user("unit_staff", unit=other_unit, username="matrix_other_unit"),
        DEPARTMENT_REVIEWER: User.objects.get(username="pl_dept"),
        FINANCE_OFFICER: User.objects.get(username="pl_finance"),
        OTHER_REGION_FINANCE_OFFICER: User.objects.get(username="dz_finance"),
        ADMINISTRATOR: User.objects.get(username="admin"),
        "dingzhou_unit_staff": User.objects.get(username="dz_unit"),
    }
    sentinels = {
        ("table", OWN): "矩阵甲本单位项目",
        ("table", OTHER_UNIT): "矩阵乙邻单位项目",
        ("table", OTHER_REGION): "矩阵丙外区划项目",
        ("target", OWN): "矩阵甲部门总体目标",
        ("target", OTHER_UNIT): "矩阵乙部门总体目标",
        ("target", OTHER_REGION): "矩阵丙部门总体目标",
        ("entry", OWN): "矩阵甲地区指标",
        ("entry", OTHER_UNIT): "矩阵乙地区指标",
        ("entry", OTHER_REGION): "矩阵丙外区划指标",
    }
    tables = {
        scope: factories.stored_table(unit, name=sentinels[("table", scope)], year=2024)
        for scope, unit in ((OWN, pingluo_office), (OTHER_UNIT, other_unit), (OTHER_REGION, dingzhou_office))
    }
    other_department = factories.department(pingluo_department.region, name="矩阵平罗另一部门")
    targets = {
        scope: DepartmentTarget.objects.create(
            department=department, year=2024, framework=factories.framework(), overall_goal=sentinels[("target", scope)]
        )
        for scope, department in (
            (OWN, pingluo_department),
            (OTHER_UNIT, other_department),
            (OTHER_REGION, dingzhou_office.department),
        )
    }
    entries = {
        scope: LibraryEntry.objects.create(
            level2=factories.level2("产出指标", "数量指标"), name=sentinels[("entry", scope)], region=region
        )
        for scope, region in (
            (OWN, pingluo_office.region),
            (OTHER_UNIT, pingluo_office.region),
            (OTHER_REGION, dingzhou_office.region),
        )
    }
    rounds = {
        scope: MonitoringRound.objects.create(
            region=region, year=2024, name=f"矩阵监控{scope}", cutoff_month=7, due_date=datetime.date(2024, 8, 15),
            created_by=users[ADMINISTRATOR],
        )
        for scope, region in ((OWN, pingluo_office.region), (OTHER_UNIT, pingluo_office.region), (OTHER_REGION, dingzhou_office.region))
    }
    reports = {
        scope: MonitoringReport.objects.create(monitoring_round=rounds[OTHER_REGION if scope == OTHER_REGION else OWN], table=tables[scope])
        for scope in SCOPES
    }
    evaluation_rounds = {
        scope: EvaluationRound.objects.create(region=region, year=year, due_date=datetime.date(year + 1, 3, 31), opened_by=users[opener])
        for scope, region, year, opener in (
            (OWN, pingluo_office.region, 2024, FINANCE_OFFICER),
            (OTHER_UNIT, pingluo_office.region, 2023, FINANCE_OFFICER),
            (OTHER_REGION, dingzhou_office.region, 2024, OTHER_REGION_FINANCE_OFFICER),
        )
    }
    evaluations = {
        scope: SelfEvaluation.objects.create(round=evaluation_rounds[OTHER_REGION if scope == OTHER_REGION else OWN], project=tables[scope])
        for scope in SCOPES
    }
    managed = {
        "people_department": {OWN: pingluo_department, OTHER_UNIT: other_department, OTHER_REGION: dingzhou_office.department},
        "people_unit": {OWN: pingluo_office, OTHER_UNIT: other_unit, OTHER_REGION: dingzhou_office},
        "account": {OWN: users[UNIT_STAFF], OTHER_UNIT: users[OTHER_UNIT_STAFF], OTHER_REGION: users["dingzhou_unit_staff"]},
    }
    return World(
        users=users, tables=tables, targets=targets, entries=entries, reports=reports, rounds=rounds,
        evaluations=evaluations, evaluation_rounds=evaluation_rounds, managed=managed, sentinels=sentinels
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


UPLOADERS = {OWN: UNIT_STAFF, OTHER_UNIT: OTHER_UNIT_STAFF, OTHER_REGION: "dingzhou_unit_staff"}


class Clients:
    """One logged-in test client per role (the anonymous one logged in as nobody)."""

    def __init__(self, world):
        self.world = world
        self.clients = {}

    def of(self, role):
        if role not in self.clients:
            client = Client()
            if role != ANONYMOUS:
                client.force_login(self.world.users[role])
            self.clients[role] = client
        return self.clients[role]

    def finished_task(self, scope):
        """A finished export of the owner of ``scope``, its file on disk."""
        from projects.models import TaskProgress
        from projects.tasks import runner

        name = f"matrix-{scope}.xlsx"
        runner.write_aside(name, lambda file: file.write(workbook_bytes([["矩阵导出"]])))
        return TaskProgress.objects.create(
            owner=self.world.users[UPLOADERS[scope]], kind="export", title="矩阵导出", total=1, done=1,
            state="done", result_file=name, result_name="矩阵.xlsx",
        ).pk

    def upload_token(self, scope):
        """A fresh pending import, uploaded by the owner of ``scope`` in their own session."""
        uploader = UPLOADERS[scope]
        unit = self.world.users[uploader].scope.unit
        content = workbook_bytes(
            [["项目名称", "矩阵导入项目"], ["预算年度", 2024], ["实施单位", unit.name],
             ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "100 人"]]
        )
        response = self.of(uploader).post(
            reverse("projects:excel_import"), {"file": SimpleUploadedFile("矩阵.xlsx", content)}
        )
        assert response.status_code == 302, "the upload for the matrix was refused"
        return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def sample(name, parameter, rule, scope, world, clients):
    if parameter == "pk" and rule.kind == "table":
        return world.tables[scope].pk
    if parameter == "pk" and rule.kind == "target":
        return world.targets[scope].pk
    if parameter == "pk" and rule.kind == "evaluation":
        return world.evaluations[scope].pk
    if parameter == "pk" and rule.kind == "evaluation_round":
        return world.evaluation_rounds[scope].pk
    if parameter == "pk" and rule.kind == "entry":
        return world.entries[scope].pk
    if parameter == "pk" and rule.kind == "department":
        return world.targets[scope].department_id
    if parameter == "year" and rule.kind == "department":
        return 2024
    if parameter == "pk" and rule.kind == "report":
        return world.reports[scope].pk
    if parameter == "pk" and rule.kind == "round":
        return world.rounds[scope].pk
    if parameter == "pk" and rule.kind in ("people_department", "people_unit", "account"):
        return world.managed[rule.kind][scope].pk
    if parameter == "token" and rule.kind == "upload":
        return clients.upload_token(scope)
    if parameter == "pk" and rule.kind == "task":
        return clients.finished_task(scope)
    pytest.fail(
        f"The URL parameter {parameter!r} of {name} (kind {rule.kind!r}) has no sample in the authorization "
        "matrix. Add sample rows for it in tests/security/test_authorization_matrix.py (sample() and SEES), "
        "so the new view is tested for every role and scope."
    )


def request(client, rule, url):
    if rule.method == POST:
        return client.post(url, rule.body)
    return client.get(url)


def _describe(response):
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


@pytest.mark.parametrize("name, role, scope", list(_cases()))
def test_each_url_answers_each_role_and_scope_as_the_matrix_says(world, db, name, role, scope):
    rule = EXPECTATIONS.get(name)
    if rule is None:
        pytest.fail(
            f"{name} is not in the authorization matrix. Add it to EXPECTATIONS in "
            "tests/security/test_authorization_matrix.py, saying who may use it and on which rows."
        )
    route = ROUTES[name]
    if bool(route.parameters) != (rule.kind is not None):
        pytest.fail(f"{name} takes {route.parameters or 'no parameters'}, but its rule says kind={rule.kind!r}.")
    clients = Clients(world)
    url = reverse(name, kwargs={p: sample(name, p, rule, scope, world, clients) for p in route.parameters})
    client = clients.of(role)
    before = database_state()
    response = request(client, rule, url)
    expected = rule.expected(role, scope)
    what = f"{rule.method} {url} as {role} ({scope})"
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (
            f"{what}: expected a redirect to the login page, got {_describe(response)}"
        )
    else:
        assert response.status_code == expected, f"{what}: expected {expected}, got {_describe(response)}"
    if response.status_code in (403, 404):
        assert CJK.search(response.content.decode()), f"{what}: the {response.status_code} page says nothing in Chinese"
    writes = rule.method == POST and role in rule.may and response.status_code == rule.ok and expected == rule.ok
    if not writes:
        assert differences(before, database_state()) == {}, f"{what} was refused but changed the database"
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        for (kind, row_scope), text in world.sentinels.items():
            if role not in SEES[kind][row_scope]:
                assert text not in page, f"{what} shows {text!r}, a {kind} of {row_scope} the {role} may not see"


POST_ONLY = [name for name, rule in EXPECTATIONS.items() if rule.method == POST]


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_views_answer_get_with_405_and_change_nothing(world, db, name):
    rule = EXPECTATIONS[name]
    route = ROUTES[name]
    role = next(role for role in ROLES if role in rule.may and (rule.kind is None or role in SEES[rule.kind][OWN]))
    clients = Clients(world)
    url = reverse(name, kwargs={p: sample(name, p, rule, OWN, world, clients) for p in route.parameters})
    before = database_state()
    assert clients.of(role).get(url).status_code == 405
    assert differences(before, database_state()) == {}


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_site_is_refused_to_everyone_but_administrators(world, db, role):
    response = Clients(world).of(role).get(reverse("admin:index"))
    if role == ADMINISTRATOR:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
