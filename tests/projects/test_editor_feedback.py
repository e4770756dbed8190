"""Editor feedback (issue 17): an empty new form does not claim 整表层面未发现问题 before anything was
checked; after a refused save the row findings stay and the panel says they are of the last save."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.findings import project_findings
from projects.models import ProjectTable
from tests.projects.test_editor import editor_post


def test_an_empty_new_form_says_it_is_not_checked_yet(client, seeded):
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    page = client.get(reverse("projects:project_create")).content.decode()
    assert "整表层面未发现问题" not in page and "尚未检查" in page


def test_after_a_refused_save_the_row_findings_stay_and_say_they_are_of_the_last_save(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    row_findings = sum(1 for finding in project_findings(project=table) if finding.indicator_id)
    assert row_findings
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    response = client.post(reverse("projects:project_edit", args=[table.pk]), editor_post(table, funds_total="abc"))
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('<details class="finding finding-') == row_findings
    assert "本次保存未成功" in page and "上次保存时的检查结果" in page


def test_the_live_check_names_an_amount_that_is_not_a_number_instead_of_calling_it_empty(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    response = client.post(reverse("projects:project_check", args=[table.pk]), editor_post(table, funds_total="abc"))
    assert response.status_code == 200
    result = response.json()
    messages = [finding["message"] for finding in result["table"]]
    assert not any("未填写年度资金总额" in message for message in messages), messages
    assert any("年度资金总额" in message and "abc" in message and "不是金额" in message for message in messages), messages
    assert not any(finding["rule"] == "funds_mismatch" for finding in result["table"])
    assert result["blocks_submission"] is True


def test_the_live_check_still_says_an_empty_amount_is_not_filled_in(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    result = client.post(reverse("projects:project_check", args=[table.pk]), editor_post(table, funds_total="")).json()
    assert any("未填写年度资金总额" in finding["message"] for finding in result["table"])
    assert not any(finding["rule"] == "unreadable_value" for finding in result["table"])
