"""Uploaded workbooks wait for their confirm readable by the service only, within a quota per user, and
are swept away after a day even when nobody uploads again."""

import os
import stat
import time

from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import DepartmentTarget, ProjectTable
from projects.excel import export_tables
from tests.projects.test_excel_views import login, upload


def a_workbook():
    return export_tables(ProjectTable.objects.filter(name="纪检监察事务工作经费"), DepartmentTarget.objects.none(), "pingluo")


def waiting(settings):
    return sorted(settings.PERFGOALS_IMPORT_DIR.glob("*.xlsx"))


def test_an_upload_and_its_folder_are_readable_by_the_service_only(client, seeded, settings):
    login(client, "pl_unit")
    assert upload(client, a_workbook()).status_code == 302
    (path,) = waiting(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_default_folder_is_the_services_own_not_the_shared_temporary_directory():
    import tempfile

    from perfgoals import settings as configured

    assert configured.PERFGOALS_IMPORT_DIR == configured.BASE_DIR / "var" / "uploads"
    assert configured.PERFGOALS_IMPORT_DIR.parent.parent != __import__("pathlib").Path(tempfile.gettempdir())


def test_a_user_past_the_quota_of_waiting_uploads_is_told_how_many_wait(client, seeded, settings):
    settings.PERFGOALS_UPLOAD_QUOTA_FILES = 2
    login(client, "pl_unit")
    assert upload(client, a_workbook()).status_code == 302
    assert upload(client, a_workbook()).status_code == 302
    refused = upload(client, a_workbook())
    assert refused.status_code == 200
    assert "您已有 2 个上传的文件" in refused.content.decode() and "等待确认" in refused.content.decode()
    assert len(waiting(settings)) == 2
    # Another unit's user has a quota of their own.
    login(client, "dz_unit")
    assert upload(client, a_workbook()).status_code == 302


def test_uploads_older_than_a_day_are_swept_by_any_visit_to_the_import_page(client, seeded, settings):
    login(client, "pl_unit")
    upload(client, a_workbook())
    (path,) = waiting(settings)
    old = time.time() - 25 * 3600
    os.utime(path, (old, old))
    login(client, "dz_unit")
    assert client.get(reverse("projects:excel_import")).status_code == 200
    assert waiting(settings) == []


def test_a_user_at_the_quota_clears_their_waiting_uploads_from_the_import_page(client, seeded, settings):
    settings.PERFGOALS_UPLOAD_QUOTA_FILES = 2
    login(client, "dz_unit")
    other = upload(client, a_workbook())["Location"]
    login(client, "pl_unit")
    first = upload(client, a_workbook())["Location"]
    client.get(first)  # its preview is kept too
    upload(client, a_workbook())
    page = client.get(reverse("projects:excel_import")).content.decode()
    assert "您有 2 个上传的文件" in page and "删除等待确认的文件" in page
    assert "删除等待确认的文件" in upload(client, a_workbook()).content.decode()  # named in the refusal
    done = client.post(reverse("projects:excel_import"), {"discard": "1"}, follow=True)
    assert "已删除您等待确认的 2 个上传文件" in done.content.decode()
    assert client.get(first).status_code == 404
    assert upload(client, a_workbook()).status_code == 302
    # Another user's upload is untouched.
    other_user = get_user_model().objects.get(username="dz_unit")
    assert other.rstrip("/").rsplit("/", 1)[1] in "".join(p.name for p in settings.PERFGOALS_IMPORT_DIR.glob(f"u{other_user.pk}-*.xlsx"))
