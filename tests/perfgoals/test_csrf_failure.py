"""A save refused because the session changed (a re-login in another tab) answers with a Chinese page that
says what happened, keeps the way back, and marks the editor so it offers the kept draft."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects.models import ProjectTable


def test_an_editor_save_with_a_stale_token_gets_the_chinese_page_and_changes_nothing(seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    path = reverse("projects:project_edit", args=[table.pk])
    response = client.post(path, {"name": "改过的名称", "csrfmiddlewaretoken": "stale-token-from-the-old-session"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "请重新登录" in page and "已保存在本浏览器中" in page
    assert f'data-path="{path}"' in page and "js/csrf_failed.js" in page
    assert "CSRF verification failed" not in page
    table.refresh_from_db()
    assert table.name == "纪检监察事务工作经费"


def test_the_editor_script_keeps_a_draft_and_offers_it_only_after_a_refused_submission(settings):
    source = (settings.BASE_DIR / "static" / "js" / "editor.js").read_text(encoding="utf-8")
    marker = (settings.BASE_DIR / "static" / "js" / "csrf_failed.js").read_text(encoding="utf-8")
    assert "perfgoals-refused-submit" in source and "perfgoals-refused-submit" in marker
    assert "恢复并保存" in source and "sessionStorage" in source
