"""The working year (issue 17, point 3): each region's 当前预算年度 is every page's default year, the year
drop-down is sorted, and an import lands in the year it imported."""

import re

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.models import Region, Unit
from tests import factories
from tests.projects.excel_helpers import workbook_bytes


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def selected_year(page):
    return int(re.search(r'<option value="(\d{4})" selected>', page).group(1))


def year_options(page):
    select = re.search(r'<select name="year" id="year".*?</select>', page, re.S).group(0)
    return [int(year) for year in re.findall(r'<option value="(\d{4})"', select)]


def test_one_copied_draft_of_a_newer_year_no_longer_moves_the_reviewer_away_from_the_working_year(seeded):
    factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2024, name="抄来的 2024 年草稿")
    client = signed_in("pl_finance")
    assert selected_year(client.get(reverse("projects:home")).content.decode()) == 2024
    Region.objects.filter(code="640221").update(working_year=2023)
    for name in ("projects:home", "projects:dashboard", "projects:department_progress"):
        page = client.get(reverse(name)).content.decode()
        assert selected_year(page) == 2023, name
    assert "纪检监察事务工作经费" in client.get(reverse("projects:home")).content.decode()
    assert selected_year(signed_in("pl_unit").get(reverse("projects:home")).content.decode()) == 2023


def test_another_regions_working_year_does_not_move_this_one(seeded):
    Region.objects.filter(code="640221").update(working_year=2025)
    assert selected_year(signed_in("dz_finance").get(reverse("projects:home")).content.decode()) == 2022


def test_the_year_choices_are_sorted_newest_first_with_the_next_year_on_top(seeded):
    unit = Unit.objects.get(name="中共平罗县纪律检查委员会本级")
    factories.stored_table(unit, year=2021, name="2021 年的表")
    page = signed_in("pl_unit").get(reverse("projects:home")).content.decode()
    options = year_options(page)
    assert options == sorted(options, reverse=True) and options[0] == 2024 and 2021 in options


def test_after_an_import_the_user_lands_in_the_imported_year(seeded):
    factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), year=2024, name="较新的表")
    client = signed_in("pl_unit")
    content = workbook_bytes(
        [["项目名称", "导入到 2023 年的项目"], ["预算年度", 2023], ["实施单位", "中共平罗县纪律检查委员会本级"],
         ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "100 人"]]
    )
    upload = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile("导入.xlsx", content)})
    token = upload["Location"].rstrip("/").rsplit("/", 1)[-1]
    done = client.post(reverse("projects:excel_import_confirm", args=[token]))
    assert done.status_code == 302 and done["Location"] == f"{reverse('projects:home')}?year=2023"
