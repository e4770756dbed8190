import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.e2e.conftest import log_in
from tests.projects.excel_helpers import workbook_bytes

SHOTS = Path(os.environ.get("PERFGOALS_SHOTS", "/tmp/shots-funds"))


@pytest.mark.django_db(transaction=True)
def test_a_unit_imports_a_funds_tree_sees_it_under_the_funds_and_clears_it_in_the_editor(page, live_server, demo, tmp_path):
    from projects.models import ProjectTable

    unit = ProjectTable.objects.get(name="县委巡查专项经费").unit
    rows = [
        ["部门项目支出预算绩效目标表"], ["（2023 年度）"],
        ["项目名称", "廉政教育基地运行经费"],
        ["主管部门及代码", unit.department.name, "实施单位", unit.name],
        ["项目资金（万元）", "一、年度资金总额", 120],
        [None, "(一)财政拨款小计", 90],
        [None, "1、一般公共预算", 60],
        [None, "2、政府性基金", 30],
        [None, "(二)其他资金", 30],
        [None, "1、自有资金", 25],
        [None, "其中：事业收入", 20],
        [None, "其中：经营收入", 5],
        [None, "2、其他收入", 5],
        ["年度总体目标", "全年接待参观学习 200 批次"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "接待参观批次", "≥200批次"],
        ["满意度指标", "服务对象满意度指标", "参观人员满意度", "≥95%"],
    ]
    path = tmp_path / "tree.xlsx"
    path.write_bytes(workbook_bytes(rows))

    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("#confirm-import")
    assert "资金来源明细按表中 9 行保存" in page.content()
    page.click("#confirm-import")
    page.wait_for_selector("text=已导入")

    table = ProjectTable.objects.get(name="廉政教育基地运行经费")
    assert (table.funds_total, table.funds_fiscal, table.funds_other) == (120, 90, 30)
    page.goto(live_server.url + reverse("projects:project_detail", args=[table.pk]))
    lines = page.locator("tr.funds-breakdown")
    assert lines.count() == 9
    assert [text.split("\t") for text in lines.all_inner_texts()][2][-2:] == ["一般公共预算", "60.00"]
    # Indented by depth: 事业收入 (under 自有资金, under 其他资金) starts right of 其他资金.
    left = {name: page.locator(f"td.funds-line:text-is('{name}')").evaluate("cell => parseFloat(getComputedStyle(cell).paddingLeft)")
            for name in ("年度资金总额", "其他资金", "事业收入")}
    assert left["年度资金总额"] < left["其他资金"] < left["事业收入"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".official-form").screenshot(path=str(SHOTS / "detail-pingluo.png"))
    page.goto(live_server.url + reverse("projects:project_detail", args=[table.pk]) + "?layout=dingzhou")
    assert page.locator("tr.funds-breakdown").count() == 9
    page.locator(".official-form").screenshot(path=str(SHOTS / "detail-dingzhou.png"))

    page.goto(live_server.url + reverse("projects:project_edit", args=[table.pk]))
    assert page.locator("tr.funds-breakdown").get_by_text("国有资本经营预算").count() == 0
    assert page.locator("tr.funds-breakdown").get_by_text("经营收入").count() == 1
    page.locator("tr.funds-breakdown").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "editor.png"))
    page.check("#id_funds_breakdown")
    page.click("button:has-text('保存草稿') >> nth=0")
    page.wait_for_load_state("networkidle")
    table.refresh_from_db()
    assert table.funds_breakdown == []
    assert (table.funds_total, table.funds_fiscal, table.funds_other) == (120, 90, 30)
    page.goto(live_server.url + reverse("projects:project_detail", args=[table.pk]))
    assert page.locator("tr.funds-breakdown").count() == 0
