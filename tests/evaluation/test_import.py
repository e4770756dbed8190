"""Import of filled self-evaluations: the 10号 annex layout (as exported: the round trip is identical),
the Sichuan layout, the printed total and grade kept beside the recomputed ones with every difference
reported, and a bad file writing nothing while naming each bad cell."""

import re
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from projects.evaluation.checks import evaluation_findings
from projects.evaluation.excel import evaluation_workbook
from projects.evaluation.importing import EvaluationImportError, evaluation_import
from projects.evaluation.sheet import sheet_of
from projects.models import SelfEvaluation
from projects.workflow import gate
from tests import factories
from tests.evaluation.helpers import evaluation_world, fill
from tests.evaluation.sichuan import sichuan_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(seeded):
    _table, evaluation_round, people = evaluation_world()
    return evaluation_round.evaluations.get(), people


def values_of(content):
    worksheet = load_workbook(BytesIO(content)).active
    return [[cell.value for cell in row] for row in worksheet.iter_rows()]


def stored(evaluation):
    evaluation = SelfEvaluation.objects.get(pk=evaluation.pk)
    fields = {name: getattr(evaluation, name) for name in ("total_executed", "fiscal_executed", "goal_actual", "conclusion", "problems", "measures", "project_leader", "finance_leader")}
    rows = list(evaluation.items.order_by("order").values_list("actual_text", "band", "unit_score", "deviation"))
    return fields, rows


def blank(evaluation):
    """The self-evaluation as the round prefilled it: nothing the unit reports."""
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(
        total_executed=None, fiscal_executed=None, goal_actual="", conclusion="", problems="", measures="", project_leader="", finance_leader=""
    )
    evaluation.items.update(actual_text="", band="", unit_score=None, deviation="")


def filled(evaluation):
    fill(evaluation)
    evaluation.conclusion, evaluation.problems, evaluation.measures = "按计划完成。", "课件更新偏慢。", "每季度更新课件。"
    evaluation.project_leader, evaluation.finance_leader = "张三", "李四"
    evaluation.save()
    second = evaluation.items.order_by("order")[1]
    second.actual_text, second.deviation = "180 人次", "部分干部因疫情未能参训；明年增开线上班"
    second.save()
    return SelfEvaluation.objects.get(pk=evaluation.pk)


def test_the_annex_layout_round_trip_is_identical(world):
    evaluation, _people = world
    evaluation = filled(evaluation)
    exported = evaluation_workbook(sheet_of(evaluation))
    before = stored(evaluation)
    blank(evaluation)
    plan = evaluation_import(evaluation=SelfEvaluation.objects.get(pk=evaluation.pk), data=exported)
    assert plan.layout.key == "annex"
    assert plan.differences == []  # the file's scores are the rules' scores
    assert stored(evaluation) == before
    again = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert values_of(evaluation_workbook(sheet_of(again))) == values_of(exported)
    assert again.printed_total == sheet_of(again).total == D("98.50")
    assert again.printed_grade == "优"
    assert "printed_total_not_sum" not in {finding.rule for finding in evaluation_findings(again).findings}


def test_a_printed_score_and_total_that_do_not_follow_are_kept_and_reported(world):
    evaluation, _people = world
    evaluation = filled(evaluation)
    workbook = load_workbook(BytesIO(evaluation_workbook(sheet_of(evaluation))))
    worksheet = workbook.active
    score_cell = next(row[6] for row in worksheet.iter_rows() if row[2].value == "培训基层干部人次")
    score_cell.value = 10  # full marks for 180 of 200
    worksheet.cell(score_cell.row, 8).value = None  # and no word of why
    total_cell = next(row[6] for row in worksheet.iter_rows() if row[0].value == "总分")
    total_cell.value = 100
    grade_cell = next(row[7] for row in worksheet.iter_rows() if row[0].value == "总分")
    grade_cell.value = "自评等级：良"
    buffer = BytesIO()
    workbook.save(buffer)
    plan = evaluation_import(evaluation=evaluation, data=buffer.getvalue())
    assert plan.differences == [
        f"工作表“项目支出绩效自评表”单元格 {score_cell.coordinate}：第 2 行“培训基层干部人次”表上得分 10 分，按完成值计算为 9.00 分（作为单位改分保存，须填写改分理由）。",
        "总分：表上 100 分，各项得分之和为 99.50 分。",
        "自评等级：表上为“良”，按总分应为“优”。",
    ]
    again = SelfEvaluation.objects.get(pk=evaluation.pk)
    row = sheet_of(again).items[1]
    assert (row.self_score, row.computed.points) == (D("10.00"), D("9.00"))  # both kept
    findings = {finding.rule: finding for finding in evaluation_findings(again).findings}
    assert findings["printed_total_not_sum"].message == (
        f"工作表“项目支出绩效自评表”单元格 {total_cell.coordinate}：填报的总分 100 分不等于表上的预算执行率得分与各指标得分之和（为 99.50 分）。"
    )
    assert findings["printed_total_not_sum"].blocks_submission
    assert "printed_grade_not_total" in findings  # 良 printed beside 100
    assert "override_without_reason" in findings and "full_marks_missed" in findings


def test_a_bad_file_writes_nothing_and_names_each_cell(world):
    evaluation, _people = world
    evaluation = filled(evaluation)
    workbook = load_workbook(BytesIO(evaluation_workbook(sheet_of(evaluation))))
    worksheet = workbook.active
    rows = {row[2].value: row for row in worksheet.iter_rows() if row[2].value}
    rows["举办业务培训期数"][6].value = "十"
    rows["培训考核合格率"][6].value = 12
    rows["培训经费"][2].value = "培训经费（含场地）"
    executed = next(row[4] for row in worksheet.iter_rows() if row[0].value == "年度资金总额")
    executed.value = "一点二"
    buffer = BytesIO()
    workbook.save(buffer)
    before = stored(evaluation)
    with pytest.raises(EvaluationImportError) as refused:
        evaluation_import(evaluation=evaluation, data=buffer.getvalue())
    where = "工作表“项目支出绩效自评表”单元格"
    assert str(refused.value) == "文件有 5 处问题，未导入任何内容。"
    assert refused.value.problems == [
        f"{where} {executed.coordinate}（年度资金总额·全年执行数）：“一点二”不是数字。",
        f"{where} {rows['举办业务培训期数'][6].coordinate}（“举办业务培训期数”的得分）：“十”不是数字。",
        f"{where} {rows['培训考核合格率'][6].coordinate}（“培训考核合格率”的得分）：12 分不在 0 到本行分值 10.00 分之间。",
        f"{where} {rows['培训经费'][2].coordinate}：三级指标“培训经费（含场地）”不在这份自评上（自评的指标抄自已批复的项目表，请勿增改指标名称）。",
        "工作表“项目支出绩效自评表”：没有找到第 5 行三级指标“培训经费”，每个三级指标都须填写。",
    ]
    assert stored(evaluation) == before


def test_a_submitted_self_evaluation_is_not_changed_by_an_import(world):
    evaluation, people = world
    evaluation = filled(evaluation)
    exported = evaluation_workbook(sheet_of(evaluation))
    gate.submit(evaluation, by=people["staff"])
    with pytest.raises(EvaluationImportError, match="当前为“待主管部门审核”，只有草稿或退回状态下可以导入"):
        evaluation_import(evaluation=evaluation, data=exported)
    assert SelfEvaluation.objects.get(pk=evaluation.pk).printed_total is None


def test_a_file_that_is_no_self_evaluation_is_refused(world):
    evaluation, _people = world
    with pytest.raises(EvaluationImportError, match="不是 Excel 工作簿"):
        evaluation_import(evaluation=evaluation, data=b"name,value\n")
    workbook = Workbook()
    workbook.active.append(["项目名称", "培训"])
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(EvaluationImportError, match="没有找到自评表的指标表头"):
        evaluation_import(evaluation=evaluation, data=buffer.getvalue())


def test_the_unit_previews_an_import_on_the_page_then_confirms_it_and_others_cannot(world):
    evaluation, people = world
    url = reverse("projects:evaluation_import_xlsx", args=[evaluation.pk])
    data, header = sichuan_workbook(evaluation.project.name)
    upload = BytesIO(data)
    upload.name = "自评.xlsx"
    assert Client().post(url, {"file": upload}).status_code == 302  # to log in
    staff = Client()
    staff.force_login(people["staff"])
    before = stored(evaluation)
    upload.seek(0)
    preview = staff.post(url, {"file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "“自评.xlsx”可以按<strong>四川格式</strong>导入（工作表“自评表”，8 个三级指标）" in page
    # The preview names the row that will want a reason, and where the other's reason was read.
    assert "1 行表上得分与按规则计算的不同，文件中没有理由" in page
    assert f"第 2 行“培训基层干部人次”（工作表“自评表”单元格 I{header + 2}）：表上 10 分，按完成值计算为 9.50 分，文件中没有说明理由" in page
    assert f"第 6 行“参训人员业务考核平均分”（工作表“自评表”单元格 I{header + 6}）：表上 15 分，按完成值计算为 14.12 分，理由取自单元格 J{header + 6}：考核题目较往年偏难" in page
    assert "总分：表上 96 分，各项得分之和为 96.25 分。" in page
    assert stored(evaluation) == before  # nothing written before the confirm
    token = preview.context["token"]
    done = re.sub(r"<[^>]+>", "", staff.post(url, {"token": token, "name": "自评.xlsx", "confirm": "1"}, follow=True).content.decode())
    assert "已按四川格式导入“自评.xlsx”" in done
    assert "与规则不符：总分：表上 96 分，各项得分之和为 96.25 分。" in done
    assert "须补改分理由：第 2 行“培训基层干部人次”" in done
    assert "表上 96.00 分 · 按规则 96.25 分" in done
    assert "表上 9.00 分 · 按规则 9.25 分" in done
    again = SelfEvaluation.objects.get(pk=evaluation.pk)
    assert (again.printed_total, again.printed_execution) == (D("96"), D("9"))
    # The stashed file is gone with the confirm: the token cannot write twice.
    assert "上传的文件已过期" in staff.post(url, {"token": token, "confirm": "1"}, follow=True).content.decode()
    reviewer = Client()
    reviewer.force_login(people["reviewer"])
    upload.seek(0)
    assert reviewer.post(url, {"file": upload}).status_code == 403
    stranger = Client()
    stranger.force_login(factories.user("unit_staff", unit=factories.unit(evaluation.project.department, name="另一个单位")))
    upload.seek(0)
    assert stranger.post(url, {"file": upload}).status_code == 404
    assert stranger.post(url, {"token": token, "confirm": "1"}).status_code == 404


def test_a_cancelled_preview_writes_nothing(world):
    evaluation, people = world
    url = reverse("projects:evaluation_import_xlsx", args=[evaluation.pk])
    upload = BytesIO(sichuan_workbook(evaluation.project.name)[0])
    upload.name = "自评.xlsx"
    staff = Client()
    staff.force_login(people["staff"])
    before = stored(evaluation)
    token = staff.post(url, {"file": upload}).context["token"]
    page = staff.post(url, {"token": token, "name": "自评.xlsx"}, follow=True).content.decode()
    assert "已取消导入“自评.xlsx”，自评未改动。" in page
    assert stored(evaluation) == before
    assert SelfEvaluation.objects.get(pk=evaluation.pk).printed_total is None



def test_a_file_past_the_size_limit_or_none_at_all_is_refused_before_it_is_read(world, settings):
    evaluation, people = world
    url = reverse("projects:evaluation_import_xlsx", args=[evaluation.pk])
    staff = Client()
    staff.force_login(people["staff"])
    before = stored(evaluation)
    settings.PERFGOALS_MAX_UPLOAD_BYTES = 1024
    upload = BytesIO(sichuan_workbook(evaluation.project.name)[0])
    upload.name = "自评.xlsx"
    page = staff.post(url, {"file": upload}, follow=True).content.decode()
    assert "超过上限 0 MB" not in page and "超过上限" in page
    assert "请选择要上传的文件。" in staff.post(url, {}, follow=True).content.decode()
    assert stored(evaluation) == before

hostile = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["=SUM(A1:A3)", "达成预期指标", "十", "12.5%", "一点二", "总分", "三级指标", "\u0000", "—"]),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=9), hostile), min_size=1, max_size=6))
# Found on PostgreSQL: a printed 预算执行率得分 of 10000 overflowed its field instead of being refused.
@example(changes=[(6, 8, 10000.0)])
@example(changes=[(6, 8, "1e9")])
@example(changes=[(12, 8, 123456.0)])
@example(changes=[(6, 4, 1e15)])
def test_any_change_to_a_file_is_imported_whole_or_refused_in_chinese_writing_nothing(world, changes):
    evaluation, _people = world
    evaluation = SelfEvaluation.objects.get(pk=evaluation.pk)
    workbook = load_workbook(BytesIO(evaluation_workbook(sheet_of(evaluation))))
    worksheet = workbook.active
    for row, column, value in changes:
        try:
            worksheet.cell(row, column).value = value
        except (AttributeError, ValueError, TypeError, IllegalCharacterError):  # a merged cell, or text openpyxl will not store
            continue
    buffer = BytesIO()
    try:
        workbook.save(buffer)
    except (AttributeError, ValueError, TypeError):  # what openpyxl itself cannot write is no file to import
        assume(False)
    before = stored(evaluation)
    try:
        evaluation_import(evaluation=evaluation, data=buffer.getvalue())
    except EvaluationImportError as refused:
        assert stored(evaluation) == before
        assert any("\u4e00" <= character <= "\u9fff" for character in str(refused))
        assert all("单元格" in problem or "工作表" in problem for problem in refused.problems)
