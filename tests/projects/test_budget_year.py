"""Year settings (BudgetYear): the deadline and the framework in force, kept by administrators and used
by new tables and the dashboard."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.urls import reverse

from indicators.models import Framework
from projects.models import BudgetYear


def framework(code):
    return Framework.objects.get(code=code)


def test_a_year_has_one_setting(reference_data):
    BudgetYear.objects.create(year=2025, framework=framework("2021"))
    with pytest.raises(IntegrityError):
        BudgetYear.objects.create(year=2025, framework=framework("2015"))


def test_the_framework_in_force_falls_back_when_no_year_is_set(reference_data):
    BudgetYear.objects.create(year=2025, framework=framework("2021"))
    assert BudgetYear.framework_for(2025, framework("2015")).code == "2021"
    assert BudgetYear.framework_for(2026, framework("2015")).code == "2015"


def test_administrators_keep_year_settings_in_chinese(client, seeded):
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("admin:projects_budgetyear_add")).content.decode()
    assert "预算年度设置" in page and "报送截止日期" in page and "执行的指标体系" in page
    response = client.post(
        reverse("admin:projects_budgetyear_add"),
        {"year": "2025", "submission_deadline": "2025-03-20", "framework": framework("2021").pk},
    )
    assert response.status_code == 302
    setting = BudgetYear.objects.get(year=2025)
    assert (setting.submission_deadline, setting.framework.code) == (datetime.date(2025, 3, 20), "2021")
    assert "2025 年" in client.get(reverse("admin:projects_budgetyear_changelist")).content.decode()


@pytest.mark.parametrize("url_name", ["projects:project_create", "projects:target_create"])
def test_a_new_table_starts_in_the_framework_in_force_for_its_year(client, seeded, url_name):
    BudgetYear.objects.create(year=2025, framework=framework("2021"))
    client.force_login(get_user_model().objects.get(username="dz_unit"))
    form = client.get(reverse(url_name), {"year": 2025}).context["form"]
    assert form.initial["framework"] == str(framework("2021").pk)
    form = client.get(reverse(url_name), {"year": 2026}).context["form"]
    assert form.initial["framework"] == str(framework("2015").pk)
