"""A blank template per layout (issue 17 point 7): every project layout and the 部门整体 layout as an
empty, print-ready workbook with the header labels and the indicator grid (一级/二级 from the framework
in force), linked from the import page; uploaded unchanged it is refused with a Chinese message that
nothing was filled, and once filled it imports."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Framework
from projects.excel.layouts import LAYOUTS
from projects.models import BudgetYear, ProjectTable, Region
from tests.projects.excel_helpers import sheet_values
from tests.projects.test_excel_views import login, upload


def template(client, layout, **params):
    response = client.get(reverse("projects:excel_template"), {"layout": layout, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response


def form_sheet(content):
    workbook = load_workbook(io.BytesIO(content))
    assert [sheet.title for sheet in workbook.worksheets if sheet.sheet_state == "visible"] == [workbook.worksheets[0].title]
    return workbook.worksheets[0]


def test_the_import_page_links_a_template_of_every_layout_by_its_chinese_name(seeded, client):
    login(client, "pl_unit")
    page = client.get(reverse("projects:excel_import")).content.decode()
    links = re.findall(r'href="([^"]*excel[^"]*|[^"]*/template/[^"]*)"[^>]*class="template-link"[^>]*>([^<]+)<', page)
    assert [name for _, name in links] == [
        "项目支出绩效目标表（平罗式）空白模板", "项目支出绩效目标表（定州式）空白模板", "部门整体绩效目标空白模板",
        "项目支出绩效目标表（指标清单）空白模板",
    ]
    for href, _ in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize(
    "layout, labels",
    [
        ("pingluo", ["部门项目支出预算绩效目标表", "项目名称", "主管部门及代码", "实施单位", "年度资金总额：", "年度总体目标", "三级指标", "指标值"]),
        ("dingzhou", ["项目绩效目标表", "实施单位：", "项目编码", "预算规模及资金用途", "资金支出计划（%）", "3月底", "12月底", "绩效目标", "绩效指标描述", "指标值确定依据"]),
        ("department", ["部门整体绩效目标", "总体绩效目标", "部门预算总额（万元）", "分项名称", "工作保障措施", "三级指标"]),
        ("flat", ["区划代码", "项目名称", "年度资金总额", "一级指标", "二级指标", "三级指标", "指标值"]),
    ],
)
def test_each_template_prints_its_layouts_labels_and_the_frameworks_levels_and_nothing_else(seeded, client, layout, labels):
    login(client, "pl_unit")
    response = template(client, layout)
    assert "filename*=UTF-8''" in response["Content-Disposition"] and "%E7%A9%BA%E7%99%BD%E6%A8%A1%E6%9D%BF" in response["Content-Disposition"]
    sheet = form_sheet(response.content)
    printed = sheet_values(sheet)
    for label in labels:
        assert label in printed, label
    # 平罗 works in the 2015 framework unless a year says otherwise: its 二级, 成本指标 under 产出.
    for level2 in ("数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标"):
        assert level2 in printed
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows  # A4, title rows repeated
    assert "纪检监察" not in printed  # no table's content


def test_the_template_follows_the_framework_in_force_in_the_regions_working_year(seeded, client):
    Region.objects.filter(code="640221").update(working_year=2026)
    BudgetYear.objects.create(year=2026, framework=Framework.objects.get(code="2021"))
    login(client, "pl_unit")
    printed = sheet_values(form_sheet(template(client, "pingluo").content))
    assert "经济成本指标" in printed and "生态环境成本指标" in printed


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_template_uploaded_unchanged_is_refused_saying_nothing_was_filled(seeded, client, layout):
    login(client, "pl_unit")
    content = template(client, layout).content
    page = client.get(upload(client, content, name="模板.xlsx")["Location"]).content.decode()
    assert "没有可导入的内容" in page and "都没有填写" in page
    assert 'id="confirm-import"' not in page
    assert "没有三级指标。" in page  # the empty rows of the form are not listed as if they were rows


def test_a_filled_template_imports_and_leaves_out_the_rows_left_blank(seeded, client):
    login(client, "pl_unit")
    workbook = load_workbook(io.BytesIO(template(client, "pingluo").content))
    sheet = workbook.worksheets[0]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    sheet.cell(cells["项目名称"].row, 3, "档案数字化经费")
    sheet.cell(cells["年度资金总额："].row, 4, 12)
    sheet.cell(cells["其中：财政拨款"].row, 4, 12)
    sheet.cell(cells["年度总体目标"].row, 2, "完成 2 万卷档案数字化。")
    (quantity,) = [cell.row for cell in sheet["C"] if isinstance(cell.value, str) and cell.value.startswith("数量指标")]
    sheet.cell(quantity, 4, "档案数字化卷数")
    sheet.cell(quantity, 5, "≥2万卷")
    buffer = io.BytesIO()
    workbook.save(buffer)
    location = upload(client, buffer.getvalue())["Location"]
    client.post(location, {"year": 2024})
    page = client.get(location).content.decode()
    assert "行只有一级/二级指标，没有填写三级指标和指标值，未导入" in page
    client.post(location + "confirm/")
    table = ProjectTable.objects.get(name="档案数字化经费")
    assert table.year == 2024 and str(table.funds_total.normalize()) == "12"
    assert list(table.indicators.values_list("name", "value_text")) == [("档案数字化卷数", "≥2万卷")]


def test_an_unknown_layout_is_not_found(seeded, client):
    login(client, "pl_unit")
    assert client.get(reverse("projects:excel_template"), {"layout": "nope"}).status_code == 404
