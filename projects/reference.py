"""The reference data every installation needs (both indicator frameworks, the code lists, the four role
groups, the common indicator library) and the demo accounts only a demonstration may have. ``setup_production`` loads the first,
``setup_demo`` both; the deploy check warns while a demo account still opens with its published password."""

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from indicators.library.reference import load_common_library
from perfgoals.roles import Role

FIXTURES = settings.BASE_DIR / "fixtures"
DEMO_USERS = FIXTURES / "demo_users.json"
# Units under a department that are not its own office (本级): their tables go to the department's
# reviewers first, so the demo shows all three steps (unit → department → finance).
DEMO_UNITS = FIXTURES / "demo_units.json"


def load_reference_data():
    """Frameworks and code lists from fixtures/reference.json, one group per role, and the common
    indicator library of both frameworks. Idempotent."""
    call_command("loaddata", str(FIXTURES / "reference.json"), verbosity=0)
    for role in Role:
        Group.objects.get_or_create(name=role.label)
    load_common_library()


def demo_accounts():
    """The demo accounts as published in the repository: username, password, role, name, scope."""
    return json.loads(DEMO_USERS.read_text(encoding="utf-8"))


def demo_units():
    """The demo's subordinate units: region code, department name, unit code and name."""
    return json.loads(DEMO_UNITS.read_text(encoding="utf-8"))


def demo_accounts_with_published_passwords():
    """Usernames of existing accounts that still open with the password the repository publishes."""
    published = {entry["username"]: entry["password"] for entry in demo_accounts()}
    users = get_user_model().objects.filter(username__in=published, is_active=True)
    return sorted(user.username for user in users if user.check_password(published[user.username]))
