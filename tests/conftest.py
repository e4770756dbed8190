from pathlib import Path

import pytest
from django.core.management import call_command

E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e/ drives a browser: `make test` leaves them to `make test-e2e`.

    Tests marked ``postgresql`` (two connections racing for a row lock) run only against PostgreSQL:
    SQLite has no row locks and serialises writers. On SQLite they are deselected, and the summary
    says so; .ci/run runs the suite on PostgreSQL as well, where they run."""
    from django.db import connection

    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
    if connection.vendor == "postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
        config.hook.pytest_deselected(items=deselected)
        config._postgresql_only = (connection.vendor, len(deselected))


def pytest_terminal_summary(terminalreporter, config):
    vendor, count = getattr(config, "_postgresql_only", ("", 0))
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests not run: the database is {vendor}, which has no row locks "
            "across connections. Run with DATABASE_URL=postgres://… to run them."
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Demo accounts are created in many tests; a slow hasher there buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data(db):
    """Both indicator frameworks, the code lists and the role groups, as a fresh install has them."""
    call_command("loaddata", "fixtures/reference.json", verbosity=0)


@pytest.fixture
def seeded(db):
    """Reference data, both seed documents and the demo users."""
    call_command("setup_demo", verbosity=0)


@pytest.fixture(autouse=True)
def upload_folder(settings, tmp_path_factory):
    """Each test's uploads wait in a folder of their own, not in the checkout's var/uploads."""
    settings.PERFGOALS_IMPORT_DIR = tmp_path_factory.mktemp("uploads") / "waiting"
    settings.PERFGOALS_TASK_DIR = tmp_path_factory.mktemp("tasks") / "results"
