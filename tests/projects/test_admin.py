import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import ProjectTable

OUR_APPS = {"projects", "indicators"}
# Review records are written only by the workflow: the admin shows them but cannot add or change them.
READ_ONLY = {("projects", "reviewrecord"), ("projects", "reviewcomment"), ("projects", "auditevent"), ("projects", "publicationreminder"),
             ("projects", "taskprogress"), ("projects", "notification"), ("projects", "deadlinenotice"), ("django_tasks_db", "dbtaskresult"),
             ("projects", "tabletally"), ("projects", "findingtally"), ("projects", "timelinetally")}


def is_field_history(model):
    """simple-history's record tables: read on a table's history page, never edited by anyone."""
    return model._meta.model_name.startswith("historical") and hasattr(model, "history_type")


def our_models():
    return sorted(
        (model._meta.app_label, model._meta.model_name)
        for model in admin.site._registry
        if model._meta.app_label in OUR_APPS
    )


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    expected = sorted(
        (model._meta.app_label, model._meta.model_name)
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if not is_field_history(model)
    )
    assert our_models() == expected


@pytest.mark.parametrize(("app_label", "model_name"), our_models())
def test_admin_lists_search_and_add_pages_open_for_the_administrator(seeded, client, app_label, model_name):
    client.force_login(get_user_model().objects.get(username="admin"))
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].model._meta.verbose_name  # a Chinese label heads the list
    assert client.get(changelist, {"q": "纪律"}).status_code == 200
    expected = 403 if (app_label, model_name) in READ_ONLY else 200
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == expected


def test_admin_labels_are_chinese(seeded, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("admin:index")).content.decode()
    for label in ("项目绩效目标表", "三级指标", "指标体系", "主管部门", "预算单位", "代码表", "部门整体绩效目标"):
        assert label in page


def test_a_project_table_shows_its_indicators_inline(seeded, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    page = client.get(reverse("admin:projects_projecttable_change", args=[table.pk])).content.decode()
    for row in table.indicators.all():
        assert row.value_text in page
    assert "“清廉平罗” 微信平台数量" in page


def test_unit_staff_cannot_open_the_admin(seeded, client):
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    response = client.get(reverse("admin:projects_projecttable_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
