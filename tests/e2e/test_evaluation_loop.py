"""The year-end self-evaluation in a browser, on a seed table: finance opens the round, the unit types
the actual values and sees them scored, overrides one score with a reason and submits; the department
returns it, the unit fixes it in the exported Excel and imports it back, the department passes it; finance changes one score with a reason and
approves; both scores stay visible. The round's self-evaluations are made by a background task, run
here as the worker would run it. Screenshots of the form, the round and the printed page are kept
in var/screenshots/ for a person to look at."""

import os
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from indicators.values import parse_value
from projects.models import Department, ProjectTable, SelfEvaluation, TableStatus, TaskProgress
from projects.evaluation.excel import evaluation_workbook
from projects.evaluation.sheet import sheet_of
from projects.tasks.evaluation import round_fill_task
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("PERFGOALS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


@pytest.fixture
def approved_seed_table(demo):
    """特邀监察员经费, approved, moved to a unit under the department that is not its office."""
    department = Department.objects.get(name="平罗县纪律检查委员会")
    unit = factories.unit(department, name="平罗县纪委监委派驻第一纪检监察组")
    ProjectTable.objects.filter(name="特邀监察员经费").update(unit=unit, status=TableStatus.APPROVED)
    account = factories.user("unit_staff", unit=unit, username="pz_unit")
    account.set_password("perfgoals-demo")
    account.save()
    return ProjectTable.objects.get(name="特邀监察员经费")


def as_user(browser, live_server, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(40000)  # the slack CI needs beside two suites on two cores
    log_in(page, live_server, username)
    return page


def shoot(page, name, **options):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True, **options)


def type_actuals(page):
    """Type each row's 实际完成值 as the target reached (a number where the target is one, else 达成)."""
    rows = page.locator("table[data-items] tr[data-row]")
    for index in range(rows.count()):
        row = rows.nth(index)
        target = parse_value(row.locator("td").nth(3).inner_text())
        if target.number is not None and target.nature != "qual":
            row.locator(f"input[name='form-{index}-actual_text']").fill(f"{target.number}{target.unit}")
        else:
            row.locator(f"input[name='form-{index}-actual_text']").fill("全年开展专项检查，廉洁从业明显提升")
            row.locator(f"select[name='form-{index}-band']").select_option("met")
    page.fill("#id_total_executed", "1.2")
    page.fill("#id_fiscal_executed", "1.2")
    page.fill("#id_goal_actual", "聘请 10 名特邀监察员，全年参与督查 3 次。")


def act(page, action, **fields):
    for selector, value in fields.items():
        if selector == "#reason":
            page.select_option(selector, index=1)
        else:
            page.fill(selector, value)
    page.click(f"[data-actions] button[value='{action}']")
    page.wait_for_load_state("networkidle")


def test_a_self_evaluation_goes_round_the_whole_loop(browser, live_server, server_held, approved_seed_table, tmp_path):
    finance = as_user(browser, live_server, "pl_finance")
    finance.goto(f"{live_server.url}/evaluation/rounds/new/")
    finance.fill("#id_year", "2023")
    finance.fill("#id_due_date", "2024-03-31")
    finance.click("button:has-text('开启自评')")
    assert "正在后台为 1 张已批复的项目表生成自评" in finance.content()
    # As the background worker runs it, while the live server answers no request (a poll of the round's
    # page would meet the task's writes on SQLite's shared in-memory database).
    with server_held():
        round_fill_task.call(TaskProgress.objects.get(kind="evaluation_round").pk)
    finance.reload()
    finance.click("a:has-text('查看自评轮次')")
    finance.wait_for_load_state("networkidle")
    assert "0 / 1" in finance.locator("[data-submitted]").inner_text()
    evaluation = SelfEvaluation.objects.get(project=approved_seed_table)
    url = f"{live_server.url}/evaluation/{evaluation.pk}/"

    unit = as_user(browser, live_server, "pz_unit")
    unit.goto(f"{url}edit/")
    type_actuals(unit)
    unit.fill("#id_form-0-unit_score", "")  # nothing typed: the computed score stands
    unit.fill("#id_total_executed", "一点二")
    unit.click("button:has-text('保存并计分')")
    assert "年度资金总额·全年执行数：输入一个数字。" in unit.content()
    assert unit.input_value("#id_form-1-actual_text") == "10名"  # everything typed is kept
    unit.fill("#id_total_executed", "1.2")
    weight = Decimal(unit.locator("tr[data-row='1'] td").nth(5).inner_text())
    unit.fill("#id_form-0-unit_score", str(weight - 1))
    unit.fill("#id_form-0-unit_reason", "督查报告未及时归档，酌情扣 1 分")
    unit.fill("#id_form-0-deviation", "督查报告未及时归档；明年起按季度归档")
    shoot(unit, "evaluation-edit.png")
    unit.click("button:has-text('保存并计分')")
    assert "自评已保存" in unit.content()
    assert "执行率 100.00% × 10.00 分 = 10.00 分" in unit.content()
    assert f"单位改分 {weight - 1:.2f}（计算 {weight:.2f}）" in unit.content()
    act(unit, "submit")
    assert "已提交" in unit.content()

    department = as_user(browser, live_server, "pl_dept")
    department.goto(f"{live_server.url}/reviews/")
    shoot(department, "evaluation-queue.png")
    department.click("[data-awaiting-evaluations] a:has-text('复核')")  # the queue links to it
    department.wait_for_load_state("networkidle")
    assert department.url == url
    act(department, "return", **{"#reason": "", "#comment": "请写明评价结论"})
    assert "已退回" in department.content()

    # The unit fixes it offline: the exported annex, its 评价结论 written in Excel, imported back.
    workbook = load_workbook(BytesIO(evaluation_workbook(sheet_of(SelfEvaluation.objects.get(pk=evaluation.pk)))))
    next(row for row in workbook.active.iter_rows() if row[0].value == "评价结论")[2].value = "项目按计划完成，特邀监察员履职到位。"
    filled = tmp_path / "自评表.xlsx"
    workbook.save(filled)
    unit.goto(url)
    unit.set_input_files("[data-import] input[type=file]", str(filled))
    unit.click("[data-import] button:has-text('导入')")
    unit.wait_for_load_state("networkidle")
    assert "可以按财预〔2020〕10号附件格式导入" in unit.locator("[data-preview]").inner_text()  # nothing written yet
    unit.click("[data-preview] button:has-text('确认导入')")
    unit.wait_for_load_state("networkidle")
    assert "已按财预〔2020〕10号附件格式导入“自评表.xlsx”" in unit.content()
    assert "项目按计划完成，特邀监察员履职到位。" in unit.content()
    shoot(unit, "evaluation-imported.png")
    act(unit, "submit")
    department.goto(url)
    act(department, "pass")
    assert "已复核通过" in department.content() or "已通过" in department.content()

    finance.goto(f"{live_server.url}/reviews/")
    finance.click("[data-awaiting-evaluations] a:has-text('抽查')")
    finance.wait_for_load_state("networkidle")
    assert finance.url == url
    row = finance.locator("tr[data-row='2']")
    row.locator("input[name='score']").fill("5")
    row.locator("input[name='reason']").fill("特邀监察员聘书只有 8 份")
    row.locator("button:has-text('改分')").click()
    finance.wait_for_load_state("networkidle")
    assert "复核得分改为 5.00 分，自评得分保留" in finance.content()
    assert "改分" in finance.locator("[data-records]").inner_text()  # a record of the gate, with its reason
    assert "特邀监察员聘书只有 8 份" in finance.locator("[data-records]").inner_text()
    act(finance, "approve")
    assert "已批复" in finance.content()
    reviewed = finance.locator("tr[data-row='2'] [data-reviewed]").inner_text()
    assert reviewed.startswith("复核 5.00（自评 ") and "特邀监察员聘书只有 8 份" in reviewed
    assert "自评 " in finance.locator("[data-total]").inner_text()
    shoot(finance, "evaluation-detail.png")
    finance.emulate_media(media="print")
    shoot(finance, "evaluation-print.png")
    finance.emulate_media(media="screen")
    finance.goto(f"{live_server.url}/evaluation/rounds/{evaluation.round_id}/")
    assert "1 / 1" in finance.locator("[data-submitted]").inner_text()
    shoot(finance, "evaluation-round.png")
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == TableStatus.APPROVED
