"""The recheck started from the browser (issue 20): the finance bureau rechecks its region (a year, a
department) and an administrator any region, as a background task with progress and a result."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Department, ProjectTable, TaskProgress
from projects.tasks.recheck import recheck_task


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def started(response):
    assert response.status_code == 302, response.content.decode()[:3000]
    return TaskProgress.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def test_the_finance_bureau_rechecks_its_region_for_a_year_and_reads_what_changed(seeded, client, django_capture_on_commit_callbacks):
    finance = login(client, "pl_finance")
    tables = ProjectTable.objects.filter(region__code="640221", year=2023)
    tables.update(quality_score=None, quality_grade="")
    untouched = ProjectTable.objects.filter(region__code="130682").update(quality_score=None, quality_grade="")
    assert untouched
    form = finance.get(reverse("projects:task_recheck") + "?year=2023").content.decode()
    assert 'name="region"' not in form and ">平罗县纪律检查委员会</option>" in form and ">纪律检查委员会</option>" not in form  # 定州's department is not offered
    with django_capture_on_commit_callbacks(execute=True):
        progress = started(finance.post(reverse("projects:task_recheck"), {"year": "2023"}))
    assert progress.total == tables.count() == 5 and progress.title == "重新检查2023年平罗县的绩效目标表"
    recheck_task.call(progress.pk)
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.DONE and progress.done == 5
    assert not tables.filter(quality_score=None).exists()
    assert ProjectTable.objects.filter(region__code="130682", quality_score=None).count() == untouched
    lines = {line["label"]: line["count"] for line in progress.results}
    assert lines["已重新检查"] == 5 and lines["得分或等级有变化"] == 5
    assert sum(count for label, count in lines.items() if label.startswith("现为")) == 5
    page = finance.get(reverse("projects:task_progress", args=[progress.pk])).content.decode()
    assert "得分或等级有变化" in page and "已完成" in page


def test_a_finance_officer_cannot_recheck_another_regions_department(seeded, client):
    finance = login(client, "pl_finance")
    other = Department.objects.get(region__code="130682")
    response = finance.post(reverse("projects:task_recheck"), {"department": str(other.pk)})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not TaskProgress.objects.exists()


def test_an_administrator_rechecks_one_department_of_a_chosen_region(seeded, client, django_capture_on_commit_callbacks):
    admin = login(client, "admin")
    department = Department.objects.get(region__code="130682")
    region = department.region
    mismatch = admin.post(reverse("projects:task_recheck"), {"region": str(Department.objects.get(region__code="640221").region_id), "department": str(department.pk)})
    assert "不属于平罗县" in mismatch.content.decode() and not TaskProgress.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        progress = started(admin.post(reverse("projects:task_recheck"), {"region": str(region.pk), "department": str(department.pk)}))
    assert progress.total == ProjectTable.objects.filter(department=department).count() == 10
    assert progress.params["region"] == "130682" and progress.params["department"] == department.name


def test_an_empty_range_starts_nothing_and_says_so(seeded, client):
    empty = Department.objects.create(region=Department.objects.get(region__code="640221").region, name="平罗县审计局")
    response = login(client, "pl_finance").post(reverse("projects:task_recheck"), {"department": str(empty.pk)}, follow=True)
    assert "平罗县平罗县审计局没有绩效目标表，未发起重新检查。" in response.content.decode()
    assert not TaskProgress.objects.exists()


def test_the_list_offers_the_recheck_to_finance_and_not_to_units(seeded, client):
    page = login(client, "pl_finance").get(reverse("projects:project_list") + "?year=2023").content.decode()
    assert reverse("projects:task_recheck") + "?year=2023" in page
    unit_page = login(type(client)(), "pl_unit").get(reverse("projects:project_list")).content.decode()
    assert reverse("projects:task_recheck") not in unit_page
    assert login(type(client)(), "pl_dept").get(reverse("projects:task_recheck")).status_code == 403


def test_a_large_selection_says_on_the_list_that_its_export_runs_in_the_background(seeded, client, settings):
    settings.PERFGOALS_EXPORT_IMMEDIATE_MAX = 3
    page = login(client, "pl_finance").get(reverse("projects:project_list")).content.decode()
    assert "共 5 张，将在后台生成" in page
    settings.PERFGOALS_EXPORT_IMMEDIATE_MAX = 100
    assert "将在后台生成" not in client.get(reverse("projects:project_list")).content.decode()
