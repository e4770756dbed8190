"""The overview dashboard (projects/dashboard.py): what each chart shows, that each of its elements
links to a list holding exactly that, the year's deadline, and each role's view."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Framework
from perfgoals.roles import Role
from projects.models import BudgetYear, ProjectTable
from tests import factories
from tests.overview_helpers import all_pages, five_tables



@pytest.fixture
def data(reference_data):
    data = five_tables()
    BudgetYear.objects.create(
        year=2024, submission_deadline=datetime.date(2024, 3, 31), framework=Framework.objects.get(code="2015")
    )
    return data


def charts(client, year=2024):
    response = client.get(reverse("projects:dashboard"), {"year": year})
    assert response.status_code == 200
    return response, response.context["charts"]


def values(chart):
    return {item["name"]: item["value"] for item in chart["data"]}


def test_the_dashboard_counts_tables_by_status_and_money_by_grade(client, data):
    client.force_login(data.finance)
    response, shown = charts(client)
    assert values(shown["status"]) == {"草稿": 1, "待主管部门审核": 1, "待财政审核": 0, "已退回": 1, "已批复": 1}
    assert values(shown["grades"]) == {"优": 100, "良": 0, "中": 20, "差": 8, "未检查": 5}
    assert values(shown["scores"]) == {"0–49": 1, "50–59": 0, "60–69": 1, "70–79": 0, "80–89": 0, "90–100": 1}
    figures = response.context["figures"]
    assert (figures["tables"], figures["money"], figures["approved"], figures["approved_money"]) == (4, 133, 1, 100)
    assert figures["awaiting"] == 0  # nothing waits at the finance step


def test_money_by_department_is_stacked_by_stage(client, data):
    client.force_login(data.finance)
    _, shown = charts(client)
    groups = shown["groups"]
    assert groups["categories"] == ["甲局", "乙局"]
    stages = {series["name"]: [item["value"] for item in series["data"]] for series in groups["series"]}
    assert stages == {"草稿": [5, 0], "审核中": [0, 8], "已退回": [0, 20], "已批复": [100, 0]}


def test_the_ten_most_frequent_findings_are_ranked(client, data):
    for _ in range(3):
        factories.finding(data.t1, rule="vague_wording")
    factories.finding(data.t2, rule="vague_wording")
    factories.finding(data.t2, rule="unit_missing")
    factories.finding(data.t4, rule="unit_missing")  # another year
    client.force_login(data.finance)
    _, shown = charts(client)
    ranking = shown["findings"]["data"]
    assert [(item["name"], item["value"], item["tables"]) for item in ranking] == [
        ("指标值是模糊表述", 4, 2),
        ("定量指标值缺少计量单位", 1, 1),
    ]


def test_submissions_and_approvals_accumulate_by_day_against_the_deadline(client, data):
    client.force_login(data.finance)
    response, shown = charts(client)
    timeline = shown["timeline"]
    assert timeline["deadline"] == "2024-03-31"
    submitted, approved = timeline["series"]
    assert [point["value"] for point in submitted["data"]] == [["2024-03-01", 1], ["2024-03-05", 2], ["2024-04-02", 3]]
    assert [point["value"] for point in approved["data"]] == [["2024-03-10", 1]]
    assert response.context["figures"]["submitted_on_time"] == 2
    assert "3月31日" in response.content.decode()


def test_a_year_without_settings_shows_no_deadline(client, data):
    client.force_login(data.finance)
    response, shown = charts(client, year=2023)
    assert shown["timeline"]["deadline"] is None
    assert "未设置" in response.content.decode()


def _listed_for(client, url):
    path, _, query = url.partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    return path, params


@pytest.mark.parametrize("chart", ["status", "scores"])
def test_each_count_bar_links_to_a_list_of_exactly_that_many_tables(client, data, chart):
    client.force_login(data.finance)
    _, shown = charts(client)
    for item in shown[chart]["data"]:
        path, params = _listed_for(client, item["url"])
        assert len(all_pages(client, path, params)) == item["value"], item


def test_each_money_bar_links_to_tables_holding_exactly_that_money(client, data):
    client.force_login(data.finance)
    _, shown = charts(client)
    bars = list(shown["grades"]["data"])
    bars += [item for series in shown["groups"]["series"] for item in series["data"]]
    for item in bars:
        path, params = _listed_for(client, item["url"])
        names = all_pages(client, path, params)
        money = sum((table.funds_total for table in ProjectTable.objects.filter(name__in=names, year=2024)), Decimal(0))
        assert money == Decimal(str(item["value"])), item


def test_each_timeline_point_links_to_the_tables_counted_up_to_that_day(client, data):
    client.force_login(data.finance)
    _, shown = charts(client)
    for series in shown["timeline"]["series"]:
        for point in series["data"]:
            path, params = _listed_for(client, point["url"])
            assert len(all_pages(client, path, params)) == point["value"][1], point


def test_each_finding_bar_links_to_exactly_those_findings(client, data):
    factories.finding(data.t1, rule="vague_wording")
    factories.finding(data.t2, rule="vague_wording")
    factories.finding(data.t4, rule="vague_wording")
    client.force_login(data.finance)
    _, shown = charts(client)
    [item] = shown["findings"]["data"]
    path, params = _listed_for(client, item["url"])
    assert len(all_pages(client, path, params, accessor="pk")) == item["value"] == 2


def test_a_department_reviewer_sees_money_by_unit_and_what_awaits_them(client, data):
    client.force_login(factories.user(Role.DEPARTMENT_REVIEWER, department=data.d2))
    response, shown = charts(client)
    assert shown["groups"]["categories"] == ["乙局下属中心"]
    assert f"unit={data.u2.pk}" in shown["groups"]["series"][1]["data"][0]["url"]
    assert response.context["figures"]["awaiting"] == 1
    page = response.content.decode()
    assert "各单位资金" in page and '总览 <small class="text-muted">乙局</small>' in page


def test_unit_staff_get_their_own_units_summary_without_departments(client, data):
    client.force_login(data.staff2)
    response, shown = charts(client)
    assert "groups" not in shown
    assert values(shown["status"]) == {"草稿": 0, "待主管部门审核": 1, "待财政审核": 0, "已退回": 1, "已批复": 0}
    page = response.content.decode()
    assert "本单位概况" in page and "乙局下属中心" in page
    assert reverse("projects:department_progress") not in page.split("</nav>", 1)[1]


def test_the_chart_data_is_embedded_as_json_and_no_script_is_inline(client, data):
    client.force_login(data.finance)
    page = client.get(reverse("projects:dashboard"), {"year": 2024}).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:
            json.loads(body)
        else:
            assert "src=" in attributes and body.strip() == "", attributes
    assert 'data-chart="chart-data-status"' in page
    assert "vendor/echarts-5.6.0/echarts.min.js" in page and "js/dashboard.js" in page


def test_the_dashboard_defaults_to_the_latest_year_the_user_has(client, data):
    client.force_login(data.finance)
    response = client.get(reverse("projects:dashboard"))
    assert response.context["year"] == 2024
