from pathlib import Path

import pytest
from django.core.management import call_command

E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items):
    """Every test under tests/e2e/ drives a browser: `make test` leaves them to `make test-e2e`."""
    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


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
