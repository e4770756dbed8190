"""One place decides what a role may do: projects/permissions.py (with the scope and the role names
themselves). Views, lists, templates' context and services ask its predicates; they never compare a
user's role. This test reads the source and fails when a module outside the places below names a Role
or asks role_of, so the rule holds as the code grows. Each allowed place says why."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("projects", "indicators", "perfgoals")

ALLOWED = {
    "perfgoals/roles.py": "the roles themselves, and the two questions the base package's lists ask",
    "projects/permissions.py": "every can_* predicate",
    "perfgoals/scope.py": "the scope: which key of a user's data range each role's rows are compared with",
    "projects/workflow/kinds.py": "each document kind's transitions table names the one role that takes each action",
    "projects/workflow/gate.py": "a refusal names the roles that may take the action (只有财政审核人可以批复…)",
    "projects/models/organisations.py": "scope_paths: the lookup from a department to each role's unit, department or region",
    "projects/models/tables.py": "scope_paths of project tables",
    "projects/models/targets.py": "scope_paths of department targets",
    "projects/models/monitoring.py": "scope_paths of monitoring rounds and reports",
    "projects/monitoring/workflow.py": "the monitoring report's document kind: its transitions and refusal words per role",
    "projects/models/evaluation.py": "scope_paths of self-evaluation rounds and self-evaluations",
    "projects/models/tallies.py": "scope_paths of the unit-year tallies behind the overview",
    "projects/evaluation/workflow.py": "the self-evaluation's transitions table names the one role that takes each action",
    "indicators/library/permissions.py": "the library's predicates live beside it: indicators may not import projects",
    "projects/audit.py": "the audit log writes the user's role label beside each event",
    "projects/management/commands/setup_demo.py": "creates the role groups",
    "projects/management/commands/setup_production.py": "creates the role groups",
}


def _names_a_role(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
            return node.lineno
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "role_of":
            return node.lineno
        if isinstance(node, ast.Compare) and any(
            isinstance(part, ast.Attribute) and part.attr == "role" for part in [node.left, *node.comparators]
        ):
            return node.lineno
    return None


def test_only_the_permission_modules_branch_on_roles():
    offenders, seen = [], set()
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            line = _names_a_role(path)
            if line is None:
                continue
            if relative in ALLOWED:
                seen.add(relative)
            else:
                offenders.append(f"{relative}:{line}")
    assert offenders == [], "ask a predicate of projects/permissions.py instead of the role: " + ", ".join(offenders)
    assert seen == set(ALLOWED), f"no longer names a role, take it off ALLOWED: {sorted(set(ALLOWED) - seen)}"


def test_the_scan_finds_a_role_comparison(tmp_path):
    for source in ("x = Role.FINANCE_OFFICER\n", "role_of(user)\n", "if scope.role == 'x':\n    pass\n"):
        sample = tmp_path / "sample.py"
        sample.write_text(source, encoding="utf-8")
        assert _names_a_role(sample) == 1
    sample.write_text("permissions.can_review(user)\n", encoding="utf-8")
    assert _names_a_role(sample) is None
