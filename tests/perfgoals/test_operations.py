"""What a careless request or an unwatched production server must not cost: a list asked for -1 or a
million rows per page, a signed-in page left in a cache, an error that leaves no trace."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.conf import settings
from django.urls import reverse

from perfgoals.lists import MAX_PER_PAGE
from tests.perfgoals.test_production import NOT_IN_PRODUCTION, PRODUCTION_ENV

LISTS = ["projects:project_list", "projects:indicator_list", "projects:finding_list", "projects:review_queue"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("per_page", ["-1", "0", "abc", "1000000", "1e9"])
def test_a_list_asked_for_an_unreasonable_page_size_answers_with_a_bounded_page(client, seeded, name, per_page):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    response = client.get(reverse(name), {"per_page": per_page})
    assert response.status_code == 200
    table = response.context["table"]
    assert 1 <= table.paginator.per_page <= MAX_PER_PAGE


def test_a_list_page_never_holds_more_than_the_largest_page(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    response = client.get(reverse("projects:indicator_list"), {"per_page": "1000000"})
    assert response.context["table"].paginator.per_page == MAX_PER_PAGE


def test_signed_in_pages_and_downloads_are_never_stored_by_a_cache(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_finance"))
    for response in (
        client.get(reverse("projects:home")),
        client.get(reverse("projects:project_list"), {"export": "xlsx"}),
    ):
        assert response.status_code == 200
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_with_debug_off_an_error_is_written_with_its_traceback_to_the_log_file(tmp_path):
    log_file = tmp_path / "log" / "perfgoals.log"
    environment = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    environment.update(PRODUCTION_ENV, PERFGOALS_LOG_FILE=str(log_file), DJANGO_SETTINGS_MODULE="perfgoals.settings")
    script = (
        "import django, logging; django.setup()\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('django.request').error('Internal Server Error: /probe/', exc_info=True)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    written = log_file.read_text(encoding="utf-8")
    assert "Internal Server Error: /probe/" in written and "ZeroDivisionError" in written and "Traceback" in written
    assert "ZeroDivisionError" in result.stderr
    assert oct(log_file.parent.stat().st_mode & 0o777) == "0o700"
