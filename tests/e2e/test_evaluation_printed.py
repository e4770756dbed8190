"""A filled Sichuan self-evaluation imported in a browser: the preview names the row whose printed score
wants a reason, the page and the form show each printed figure beside the rules' (表上 … · 按规则 …),
the row stays flagged until the reason is typed. Screenshots of the preview, the page, the form and the
printed page are kept for a person to look at (PERFGOALS_SCREENSHOTS, else var/screenshots/)."""

import os
from pathlib import Path

import pytest

from projects.models import SelfEvaluation
from tests.e2e.conftest import log_in
from tests.evaluation.helpers import evaluation_world
from tests.evaluation.sichuan import sichuan_workbook

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("PERFGOALS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


def shoot(page, name, **options):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True, **options)


def test_printed_figures_stand_beside_the_rules_and_an_override_waits_for_its_reason(browser, live_server, demo, tmp_path):
    _table, evaluation_round, people = evaluation_world()
    evaluation = evaluation_round.evaluations.get()
    people["staff"].set_password("perfgoals-demo")
    people["staff"].save()
    data, _header = sichuan_workbook(evaluation.project.name, total_row=True, printed_execution=9.5, printed_total=97)
    upload = tmp_path / "四川自评表.xlsx"
    upload.write_bytes(data)

    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(40000)  # the slack CI needs beside two suites on two cores
    log_in(page, live_server, people["staff"].username)
    url = f"{live_server.url}/evaluation/{evaluation.pk}/"
    page.goto(url)
    page.set_input_files("[data-import] input[type=file]", str(upload))
    page.click("[data-import] button:has-text('导入')")
    page.wait_for_load_state("networkidle")
    needs = page.locator("[data-needs-reason]").inner_text()
    assert "第 2 行“培训基层干部人次”" in needs and "文件中没有说明理由" in needs
    assert "理由取自单元格" in page.locator("[data-reasons-read]").inner_text()
    shoot(page, "evaluation-import-preview.png")
    assert SelfEvaluation.objects.get(pk=evaluation.pk).printed_total is None  # the preview wrote nothing
    page.click("[data-preview] button:has-text('确认导入')")
    page.wait_for_load_state("networkidle")

    assert "表上 9.50 分 · 按规则 9.25 分" in page.locator("[data-execution-score]").inner_text()
    assert "表上 97.00 分 · 按规则 96.25 分" in page.locator("[data-total]").inner_text()
    assert "未说明改分理由，不能提交" in page.locator("tr[data-row='2'] [data-needs-reason]").inner_text()
    assert "预算执行率得分 9.5 分与旁边的执行率 92.5%（单元格 F6）不符" in page.locator("[data-findings]").inner_text()
    shoot(page, "evaluation-detail-printed.png")
    page.emulate_media(media="print")
    shoot(page, "evaluation-print-printed.png")
    page.emulate_media(media="screen")

    page.goto(f"{url}edit/")
    assert "表上 9.50 分 · 按规则 9.25 分" in page.locator("[data-execution-score]").inner_text()
    flagged = page.locator("tr[data-needs-reason]")
    assert flagged.count() == 1 and flagged.get_attribute("data-row") == "2"
    assert "自评 10.00 分 · 按规则 9.50 分：请写明改分理由" in flagged.inner_text()
    shoot(page, "evaluation-form-printed.png")
    page.fill("#id_form-1-unit_reason", "190 人次为实到人数，另有 12 人次线上补训")
    page.fill("#id_form-1-deviation", "部分学员改为线上参训")
    page.click("button:has-text('保存并计分')")
    page.wait_for_load_state("networkidle")
    assert "自评已保存" in page.content()
    assert page.locator("[data-needs-reason]").count() == 0
    assert "单位改分 10.00（计算 9.50）：190 人次为实到人数" in page.locator("tr[data-row='2']").inner_text()
    shoot(page, "evaluation-detail-after-reason.png")
