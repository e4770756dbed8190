"""The self-evaluation pages: who may open what, the editor keeping bad input, finance's change of a
score beside the unit's, the round's summary and the Excel in the annex layout."""

import datetime
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import EvaluationRound, ReviewAction, SelfEvaluation, TableStatus, TaskProgress
from projects.tasks.evaluation import round_fill_task
from projects.workflow import gate
from tests import factories
from tests.evaluation.helpers import MET, approved_table, evaluation_world, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(seeded):
    table, evaluation_round, people = evaluation_world()
    return evaluation_round.evaluations.get(), people


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def editor_data(evaluation, **changes):
    items = list(evaluation.items.order_by("order", "id"))
    data = {
        "revision": str(evaluation.revision),
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "total_initial": "20", "total_full": "20", "total_executed": "19",
        "fiscal_initial": "20", "fiscal_full": "20", "fiscal_executed": "19",
        "goal_actual": "全年举办培训 4 期。",
    }
    for index, (item, actual) in enumerate(zip(items, MET)):
        data[f"form-{index}-id"] = str(item.pk)
        data[f"form-{index}-actual_text"] = actual or "按时完成"
        data[f"form-{index}-band"] = "" if actual else "met"
    data.update(changes)
    return data


def test_anonymous_visitors_are_sent_to_log_in(world):
    evaluation, _people = world
    response = Client().get(reverse("projects:evaluation_detail", args=[evaluation.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_units_staff_get_404_and_the_own_unit_fills_the_form(world):
    evaluation, people = world
    stranger = factories.user("unit_staff", unit=factories.unit())
    assert client_of(stranger).get(reverse("projects:evaluation_detail", args=[evaluation.pk])).status_code == 404
    assert client_of(people["reviewer"]).get(reverse("projects:evaluation_edit", args=[evaluation.pk])).status_code == 403
    page = client_of(people["staff"]).get(reverse("projects:evaluation_edit", args=[evaluation.pk]))
    assert page.status_code == 200
    assert "≥ 200 人次" in page.content.decode()


def test_saving_scores_the_figures_and_the_page_shows_the_working(world):
    evaluation, people = world
    client = client_of(people["staff"])
    data = editor_data(evaluation, **{"form-1-actual_text": "150 人次", "form-1-deviation": "疫情停训一期"})
    response = client.post(reverse("projects:evaluation_edit", args=[evaluation.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("projects:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "完成 150 ÷ 目标 200 × 10.00 分 = 7.50 分" in page
    assert "执行率 95.00% × 10.00 分 = 9.50 分" in page
    assert "自评等级：优" in page


def test_bad_input_keeps_everything_typed_and_names_the_cell(world):
    evaluation, people = world
    data = editor_data(evaluation, total_executed="十九", **{"form-0-unit_score": "12", "form-2-actual_text": "九十六"})
    response = client_of(people["staff"]).post(reverse("projects:evaluation_edit", args=[evaluation.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "年度资金总额·全年执行数：输入一个数字。" in page
    assert "第 1 行“举办业务培训期数”单位自评得分：不能超过本行分值 10.00 分。" in page
    assert 'value="十九"' in page and 'value="九十六"' in page
    assert "实际完成值“九十六”不是数值，不能按目标值 ≥ 95% 计分。" in page  # the working follows what was typed
    assert SelfEvaluation.objects.get(pk=evaluation.pk).total_executed is None


def test_finance_changes_one_score_with_a_reason_and_both_scores_are_shown(world):
    evaluation, people = world
    fill(evaluation)
    gate.submit(evaluation, by=people["staff"])
    gate.review(ReviewAction.PASS, evaluation, by=people["reviewer"])
    finance = client_of(people["finance"])
    item = evaluation.items.order_by("order").first()
    url = reverse("projects:evaluation_rescore", args=[evaluation.pk])
    refused = finance.post(url, {"item": item.pk, "score": "8", "reason": ""}, follow=True).content.decode()
    assert "改分·改分理由：" in refused
    finance.post(url, {"item": item.pk, "score": "8", "reason": "培训签到表只有 3 期"})
    page = finance.get(reverse("projects:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "复核 8.00（自评 10.00）：培训签到表只有 3 期" in page
    assert "（自评 99.50）" in page
    assert client_of(people["staff"]).post(url, {"item": item.pk, "score": "1", "reason": "x"}).status_code == 403


def test_finance_opens_a_round_and_sees_who_submitted_and_the_grades(seeded, django_capture_on_commit_callbacks):
    department = factories.department()
    unit = factories.unit(department)
    approved_table(unit)
    finance = factories.user("finance_officer", region=department.region)
    client = client_of(finance)
    bad = client.post(
        reverse("projects:round_create"),
        {"year": 2024, "due_date": "2025-03-31", "weight_execution": 10, "weight_output": 50, "weight_benefit": 30,
         "weight_satisfaction": 20, "execution_reason_below": 90},
    )
    assert "合计应为 100 分，现为 110 分" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:round_create"),
            {"year": 2024, "due_date": "2025-03-31", "weight_execution": 10, "weight_output": 50, "weight_benefit": 30,
             "weight_satisfaction": 10, "execution_reason_below": 90},
        )
    evaluation_round = EvaluationRound.objects.get(region=department.region, year=2024)
    progress = TaskProgress.objects.get(kind="evaluation_round")
    assert response["Location"] == reverse("projects:task_progress", args=[progress.pk])  # made in the background
    assert (progress.total, progress.params, evaluation_round.evaluations.count()) == (1, {"round": evaluation_round.pk}, 0)
    round_page = reverse("projects:round_detail", args=[evaluation_round.pk])
    assert "后台仍在生成本轮次的自评：已完成 0 / 共 1 张" in client.get(round_page).content.decode()
    round_fill_task.call(progress.pk)  # as the worker runs it
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.DONE and progress.done == 1
    page = client.get(reverse("projects:task_progress", args=[progress.pk])).content.decode()
    assert "本次生成自评" in page and f'href="{round_page}"' in page
    round_fill_task.call(progress.pk)  # a second run of the same record is skipped
    assert evaluation_round.evaluations.count() == 1
    fill(evaluation_round.evaluations.get())
    page = client.get(round_page).content.decode()
    assert "后台仍在生成" not in page
    assert "0 / 1" in page
    assert "全部 8 个三级指标都自评满分" in page
    assert client_of(factories.user("unit_staff", unit=unit)).get(round_page).status_code == 403


def test_the_excel_export_is_the_annex_layout_with_the_figures_of_the_page(world):
    evaluation, people = world
    fill(evaluation)
    response = client_of(people["reviewer"]).get(reverse("projects:evaluation_export_xlsx", args=[evaluation.pk]))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active
    values = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["项目支出绩效自评表"]
    assert values[4][:7] == ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert values[5][:7] == ["年度资金总额", 20, 20, 19, 10, "95.00%", 9.5]
    assert ["产出指标", "数量指标", "培训基层干部人次", "≥ 200 人次", "210 人次", 10, 10] in [row[:7] for row in values]
    assert [row for row in values if row and row[0] == "总分"][0][:4] == ["总分", 100, 99.5, "自评等级：优"]
    assert sheet.page_setup.orientation == "landscape"


def test_the_rounds_list_is_exported_exactly_as_shown(world):
    evaluation, people = world
    fill(evaluation)
    response = client_of(people["finance"]).get(reverse("projects:round_detail", args=[evaluation.round_id]) + "?export=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:8] == ("项目名称", "主管部门", "实施单位", "状态", "执行率（%）", "自评总分", "复核后总分", "等级")
    assert rows[2][3:8] == ("草稿", 95, 99.5, 99.5, "优")
    assert "全部 8 个三级指标都自评满分" in rows[2][8]
    page = client_of(people["finance"]).get(reverse("projects:round_detail", args=[evaluation.round_id])).content.decode()
    department = evaluation.project.department.name
    summary = page.split("data-departments", 1)[1].split("</table>", 1)[0]
    cells = [cell.rsplit(">", 1)[1] for cell in summary.split("<tbody>", 1)[1].split("</td>")[:-1]]
    assert cells == [department, "1", "1", "0", "0", "0", "95.00", "99.50", "1"]  # 优 1, all doubted (全部满分)
    response = client_of(people["finance"]).get(reverse("projects:round_detail", args=[evaluation.round_id]) + "?export=departments")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("主管部门", "自评份数", "优", "良", "中", "差", "平均执行率（%）", "平均总分", "检查存疑")
    assert rows[2] == (department, 1, 1, 0, 0, 0, 95, 99.5, 1)  # the figures of the page


def test_submitted_self_evaluations_wait_in_the_reviewers_queue_with_a_link(world):
    evaluation, people = world
    fill(evaluation)
    queue = reverse("projects:review_queue")
    detail = reverse("projects:evaluation_detail", args=[evaluation.pk])
    reviewer, finance = client_of(people["reviewer"]), client_of(people["finance"])
    assert "待审核的绩效自评" not in reviewer.get(queue).content.decode()
    gate.submit(evaluation, by=people["staff"])
    page = reviewer.get(queue).content.decode()
    assert "待审核的绩效自评（1 份）" in page and f'href="{detail}">复核</a>' in page
    assert "待审核的绩效自评" not in finance.get(queue).content.decode()  # not yet at finance's step
    gate.review(ReviewAction.PASS, evaluation, by=people["reviewer"])
    assert "待审核的绩效自评" not in reviewer.get(queue).content.decode()
    page = finance.get(queue).content.decode()
    assert "待审核的绩效自评（1 份）" in page and f'href="{detail}">抽查</a>' in page
    assert "待审核的绩效自评" not in finance.get(queue + f"?year={evaluation.round.year + 1}").content.decode()  # the year filter
    other = factories.user("finance_officer", region=factories.region())
    assert "待审核的绩效自评" not in client_of(other).get(queue).content.decode()
