"""The department form and the banded post-2021 form (issue 21, point 6) through the browser's import
preview: the hints of every reading choice are shown before the unit confirms, then the tables are saved."""

import pytest

from tests.e2e.conftest import log_in
from tests.projects.excel_helpers import workbook_bytes

DEPARTMENT_FORM = [
    ["部门（单位）整体支出绩效目标申报表"], ["（2024年度）"],
    ["部门（单位）名称", "平罗县纪律检查委员会"],
    ["年度主要任务", "任务名称", "主要内容"],
    [None, "监督检查", "开展 4 轮专项监督检查"],
    [None, "审查调查", "依规依纪依法审查调查"],
    ["资金总额（万元）", 300, "其中：基本支出", 220, "项目支出", 80],
    ["年度总体目标", "做实日常监督，提高审查调查质量"],
    ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "指标说明及公式", "预期达到目标"],
    [None, "产出指标", "数量指标", "专项检查轮次", "全年开展专项检查的轮次", "完成的检查轮次", "≥4轮"],
    [None, "满意度指标", "服务对象满意度指标", "群众满意度", "群众对监督工作的满意程度", "满意人数/调查人数×100%", "≥90%"],
]
BANDED_FORM = [
    ["项目支出绩效目标表"], ["（2024年度）"],
    ["项目名称", "专项巡察经费"],
    ["主管部门及代码", "平罗县纪律检查委员会", "实施单位", "中共平罗县纪律检查委员会本级"],
    ["项目资金（万元）", "年度资金总额", 20],
    [None, "其中：财政拨款", 20],
    ["年度总体目标", "完成 3 轮巡察"],
    ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "指标值"],
    ["成本指标(0-20)分", "经济成本指标", "每轮巡察成本", 10, "每轮费用", "≤6万元"],
    ["产出指标(40-50)分", "数量指标", "巡察轮次", 50, "全年巡察轮次", "3轮"],
    ["效益指标(20-30)分", "社会效益指标", "问题整改率", 30, "整改完成比例", "≥95%"],
    ["满意度指标(0-10)分", "服务对象满意度指标", "群众满意度", 10, "问卷", "≥90%"],
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "form, name, shown",
    [
        (
            DEPARTMENT_FORM, "department",
            ["总额 300；基本支出 220；项目支出 80", "监督检查；审查调查", "年度主要任务读作分项目标（2 项", "“年度总体目标”读作“总体绩效目标”",
             "“指标说明及公式”列读作备注"],
        ),
        (BANDED_FORM, "banded", ["权重", "一级指标“产出指标(40-50)分”读作“产出指标”（分值区间 40–50 分），其三级指标的分值读作权重，合计 50 分"]),
    ],
)
def test_the_department_and_banded_forms_show_their_hints_in_the_preview_and_import(page, live_server, demo, tmp_path, form, name, shown):
    from projects.models import DepartmentTarget, ProjectTable

    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(workbook_bytes(form))
    log_in(page, live_server, "pl_unit")
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("#confirm-import")
    page.click("summary:has-text('读取提示')")
    for text in shown:
        assert page.get_by_text(text).first.is_visible(), text
    page.screenshot(path=str(tmp_path / f"preview-{name}.png"), full_page=True)
    page.click("#confirm-import")
    page.wait_for_selector("text=已导入")
    if name == "department":
        target = DepartmentTarget.objects.get(department__name="平罗县纪律检查委员会", year=2024)
        assert [row.name for row in target.indicators.order_by("order")] == ["专项检查轮次", "群众满意度"]
    else:
        table = ProjectTable.objects.get(name="专项巡察经费", year=2024)
        assert [(row.name, row.weight) for row in table.indicators.order_by("order")] == [
            ("每轮巡察成本", 10), ("巡察轮次", 50), ("问题整改率", 30), ("群众满意度", 10),
        ]
