"""The figures an imported self-evaluation printed, kept beside the ones the rules give: the 预算执行率得分
and the 执行率 beside it (checked against each other, naming the cell), the total and the grade, shown on
the page, the form and in the export; and an imported score differing from the rules, kept as the unit's
own score with the reason the file gives, or flagged until one is given."""

import re
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from projects.evaluation.checks import evaluation_findings
from projects.evaluation.excel import evaluation_workbook
from projects.evaluation.importing import evaluation_import, evaluation_import_preview
from projects.evaluation.sheet import sheet_of
from projects.models import SelfEvaluation, TableStatus
from projects.workflow import WorkflowError, gate
from tests.evaluation.helpers import evaluation_world, fill
from tests.evaluation.sichuan import sichuan_workbook
from tests.evaluation.test_views import editor_data

pytestmark = pytest.mark.django_db

SHEET = "工作表“项目支出绩效自评表”单元格"
# What a unit reports for factories.CLEAN_ROWS, every target met but 180 of 200 人次 (9.00 of 10 points).
SHORT_OF_200 = ("4 期", "180 人次", "96%", "", "19 万元", "88 分", "3 年", "93%")


@pytest.fixture
def world(seeded):
    _table, evaluation_round, people = evaluation_world()
    return evaluation_round.evaluations.get(), people


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def annex(evaluation, change):
    """The exported annex of ``evaluation``, changed by ``change(worksheet, cells)`` where ``cells`` maps
    each row's first label (年度资金总额, a 三级指标, 总分) to its row of cells."""
    workbook = load_workbook(BytesIO(evaluation_workbook(sheet_of(evaluation))))
    worksheet = workbook.active
    cells = {}
    for row in worksheet.iter_rows():
        for cell in row[:3]:
            if isinstance(cell.value, str):
                cells.setdefault(cell.value, row)
    change(worksheet, cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text_of(response):
    """A page's text as read, without its tags (a figure and its rule's may sit in spans of their own)."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


def values_of(content):
    return [[cell.value for cell in row] for row in load_workbook(BytesIO(content)).active.iter_rows()]


def spent_16_scored_as_95(worksheet, cells):
    """16 of 20 万元 spent, 执行率 80% printed, and still the 9.50 of a 95% year in 得分."""
    for label in ("年度资金总额", "其中：本年财政拨款"):
        cells[label][4].value = 16
    cells["年度资金总额"][6].value = "80%"


def test_a_printed_execution_score_is_kept_beside_the_rules_and_checked_against_its_rate(world):
    evaluation, people = world
    evaluation = fill(evaluation, actuals=SHORT_OF_200)  # 19 of 20 spent, every target met but the second: 9.50 + 89 = 98.50
    data = annex(evaluation, spent_16_scored_as_95)
    plan = evaluation_import(evaluation=evaluation, data=data)
    assert plan.differences[0] == "预算执行率得分：表上 9.5 分，按执行率计算为 8.00 分。"
    again = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert (again.printed_execution, again.printed_rate, again.printed_total) == (D("9.5"), D("80"), D("98.5"))
    assert again.printed_cells["execution"] == f"{SHEET} H6" and again.printed_cells["rate"] == f"{SHEET} G6"
    sheet = sheet_of(again)
    assert (sheet.execution.points, sheet.self_total) == (D("8.00"), D("97.00"))

    findings = {finding.rule: finding for finding in evaluation_findings(again).findings}
    rule = findings["printed_execution_not_rate"]
    assert rule.message == f"{SHEET} H6：预算执行率得分 9.5 分与旁边的执行率 80%（单元格 G6）不符，80% × 10 分 = 8.00 分。"
    assert rule.blocks_submission
    # The printed total is the printed parts' sum (9.5 + 89): the one wrong figure is the execution score.
    assert "printed_total_not_sum" not in findings

    # Both figures on the page, on the form and in the export.
    staff = client_of(people["staff"])
    page = text_of(staff.get(reverse("projects:evaluation_detail", args=[evaluation.pk])))
    assert "表上 9.50 分 · 按规则 8.00 分" in page and "表上 98.50 分 · 按规则 97.00 分" in page
    form = text_of(staff.get(reverse("projects:evaluation_edit", args=[evaluation.pk])))
    assert "（表上 9.50 分 · 按规则 8.00 分）" in form and "总分：表上 98.50 分 · 按规则 97.00 分" in form
    assert "在本页保存后以按规则计算的数为准" in form
    exported = evaluation_workbook(sheet_of(again))
    rows = {row[0]: row for row in values_of(exported) if row[0]}
    assert rows["年度资金总额"][6:8] == ["80.00%", "表上 9.50 分 · 按规则 8.00 分"]
    assert rows["总分"][6:8] == ["表上 98.50 分 · 按规则 97.00 分", "自评等级：优"]

    # The export imports as it was: the printed figures read back from the cells that show both.
    evaluation_import(evaluation=again, data=exported)
    back = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert (back.printed_execution, back.printed_rate, back.printed_total) == (D("9.5"), D("80"), D("98.5"))
    assert values_of(evaluation_workbook(sheet_of(back))) == values_of(exported)

    # Saving the form: the figures are the form's now, the file's no longer stand beside them.
    saved = staff.post(reverse("projects:evaluation_edit", args=[evaluation.pk]), editor_data(back, total_executed="16", fiscal_executed="16"))
    assert saved.status_code == 302
    cleared = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert (cleared.printed_execution, cleared.printed_rate, cleared.printed_cells) == (None, None, {})
    assert "printed_execution_not_rate" not in {finding.rule for finding in evaluation_findings(cleared).findings}


@pytest.mark.parametrize(
    "printed, rate, follows",
    [("9.3", "92.5", True), ("9", "92.5", True), ("9.25", "92.5", True), ("9.2", "92.5", False), ("9.5", "92.5", False), ("10", "105", True)],
)
def test_a_printed_execution_score_follows_from_its_rate_as_rounded_where_printed(world, printed, rate, follows):
    evaluation, _people = world
    evaluation = fill(evaluation)
    evaluation.printed_execution, evaluation.printed_rate = D(printed), D(rate)
    evaluation.printed_cells = {"execution": f"{SHEET} H6", "rate": f"{SHEET} G6"}
    evaluation.save()
    rules = {finding.rule for finding in evaluation_findings(SelfEvaluation.objects.get(pk=evaluation.pk)).findings}
    assert ("printed_execution_not_rate" not in rules) is follows


def test_without_a_printed_rate_the_score_is_checked_against_the_amounts(world):
    evaluation, _people = world
    evaluation = fill(evaluation, executed=D("16"))  # 80%
    evaluation.printed_execution = D("9.5")
    evaluation.save()
    findings = {finding.rule: finding.message for finding in evaluation_findings(SelfEvaluation.objects.get(pk=evaluation.pk)).findings}
    assert findings["printed_execution_not_rate"] == (
        "表上：预算执行率得分 9.5 分与执行率 80.00%（表上未印执行率，按全年执行数 ÷ 全年预算数）不符，80% × 10 分 = 8.00 分。"
    )


def full_marks_for_180(reason_cell=None):
    """Full marks for 180 of 200 人次 (9.00 by the rules), and in the deviation cell ``reason_cell``."""

    def change(worksheet, cells):
        row = cells["培训基层干部人次"]
        row[6].value = 10
        row[7].value = reason_cell

    return change


def test_an_imported_override_takes_its_reason_from_the_deviation_column(world):
    evaluation, _people = world
    evaluation = fill(evaluation, actuals=SHORT_OF_200)
    data = annex(evaluation, full_marks_for_180("另有 20 人次参加线上培训，按全员计已达目标"))
    preview = evaluation_import_preview(evaluation=evaluation, data=data)
    assert preview.needs_reason == []
    assert preview.reasons_read == [
        f"第 2 行“培训基层干部人次”（{SHEET} G14）：表上 10 分，按完成值计算为 9.00 分，理由取自单元格 H14：另有 20 人次参加线上培训，按全员计已达目标"
    ]
    assert SelfEvaluation.objects.get(pk=evaluation.pk).items.get(order=2).unit_score is None  # a preview writes nothing
    evaluation_import(evaluation=evaluation, data=data)
    item = SelfEvaluation.objects.get(pk=evaluation.pk).items.get(order=2)
    assert (item.unit_score, item.unit_reason) == (D("10"), "另有 20 人次参加线上培训，按全员计已达目标")
    rules = {finding.rule for finding in evaluation_findings(SelfEvaluation.objects.get(pk=evaluation.pk)).findings}
    assert "override_without_reason" not in rules


def test_an_imported_override_takes_its_reason_from_a_note_column_first(world):
    evaluation, _people = world
    data, header = sichuan_workbook(evaluation.project.name, note_column=True)
    plan = evaluation_import(evaluation=evaluation, data=data)
    assert plan.needs_reason == []
    item = SelfEvaluation.objects.get(pk=evaluation.pk).items.get(order=2)
    assert (item.unit_score, item.unit_reason) == (D("10"), "190 人次为实到人数，另有 12 人次线上补训")
    assert plan.differences[1].endswith(f"按完成值计算为 9.50 分（作为单位改分保存，理由取自单元格 K{header + 2}）。")


def test_an_override_without_a_reason_stays_flagged_on_the_form_and_refuses_submission_until_one_is_given(world):
    evaluation, people = world
    evaluation = fill(evaluation, actuals=SHORT_OF_200)
    evaluation.items.filter(order=2).update(deviation="")
    data = annex(evaluation, full_marks_for_180())
    plan = evaluation_import_preview(evaluation=evaluation, data=data)
    assert plan.needs_reason == [
        f"第 2 行“培训基层干部人次”（{SHEET} G14）：表上 10 分，按完成值计算为 9.00 分，文件中没有说明理由：导入后须在填写页写明改分理由，否则不能提交。"
    ]
    evaluation_import(evaluation=evaluation, data=data)
    staff = client_of(people["staff"])
    edit = reverse("projects:evaluation_edit", args=[evaluation.pk])
    form = staff.get(edit).content.decode()
    assert form.count("data-needs-reason") == 1
    assert '<tr data-row="2" class="needs-reason" data-needs-reason>' in form
    assert "自评 10.00 分 · 按规则 9.00 分：请写明改分理由，否则不能提交" in text_of(staff.get(edit))
    assert re.findall(r'<textarea name="([^"]+)"[^>]*is-invalid', form) == ["form-1-unit_reason"]  # the box it waits for
    detail = text_of(staff.get(reverse("projects:evaluation_detail", args=[evaluation.pk])))
    assert "自评 10.00 分 · 按规则 9.00 分：未说明改分理由，不能提交" in detail

    with pytest.raises(WorkflowError) as refused:
        gate.submit(SelfEvaluation.objects.get(pk=evaluation.pk), by=people["staff"])
    assert any("第 2 行“培训基层干部人次”：自评得分 10.00 分与按完成值计算的 9.00 分不同，未说明理由。" in problem for problem in refused.value.problems)

    # Saving without the reason keeps the row's own score and the flag; with it, the flag is gone.
    current = SelfEvaluation.objects.get(pk=evaluation.pk)
    kept = {"form-1-actual_text": "180 人次", "form-1-unit_score": "10", "form-1-deviation": "线上培训未计入"}
    response = staff.post(edit, editor_data(current, **kept))
    assert response.status_code == 302
    assert "data-needs-reason" in staff.get(edit).content.decode()
    current = SelfEvaluation.objects.get(pk=evaluation.pk)
    staff.post(edit, editor_data(current, **kept, **{"form-1-unit_reason": "线上培训的 20 人次也已考核合格"}))
    assert "data-needs-reason" not in staff.get(edit).content.decode()
    gate.submit(SelfEvaluation.objects.get(pk=evaluation.pk), by=people["staff"])
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == TableStatus.DEPARTMENT_REVIEW


def test_a_reason_typed_on_the_form_goes_out_in_the_export_and_comes_back(world):
    evaluation, _people = world
    evaluation = fill(evaluation, actuals=SHORT_OF_200)
    evaluation.items.filter(order=2).update(unit_score=D("10"), unit_reason="线上培训的 20 人次也已考核合格", deviation="线上培训未计入")
    exported = evaluation_workbook(sheet_of(SelfEvaluation.objects.get(pk=evaluation.pk)))
    row = next(row for row in values_of(exported) if row[2] == "培训基层干部人次")
    assert row[6:8] == [10, "线上培训未计入\n改分理由：线上培训的 20 人次也已考核合格"]
    evaluation.items.filter(order=2).update(unit_score=None, unit_reason="", deviation="")
    evaluation_import(evaluation=SelfEvaluation.objects.get(pk=evaluation.pk), data=exported)
    item = SelfEvaluation.objects.get(pk=evaluation.pk).items.get(order=2)
    assert (item.unit_score, item.unit_reason, item.deviation) == (D("10"), "线上培训的 20 人次也已考核合格", "线上培训未计入")


def test_a_printed_grade_that_is_not_the_rules_goes_out_beside_them_and_comes_back(world):
    evaluation, _people = world
    evaluation = fill(evaluation, actuals=SHORT_OF_200)

    def graded_good(worksheet, cells):
        cells["总分"][7].value = "自评等级：良好"

    evaluation_import(evaluation=evaluation, data=annex(evaluation, graded_good))
    again = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert again.printed_grade == "良" and sheet_of(again).self_grade == "优"
    exported = evaluation_workbook(sheet_of(again))
    assert next(row for row in values_of(exported) if row[0] == "总分")[7] == "自评等级：表上 良 · 按规则 优"
    evaluation_import(evaluation=again, data=exported)
    assert SelfEvaluation.objects.get(pk=evaluation.pk).printed_grade == "良"
