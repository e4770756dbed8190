"""The indicator library: the common library, search and suggestions with the region's figures, picking
an entry in the editor, the checks that read the library, Excel import and export, proposals, history."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.checks import run_rule
from indicators.checks.data import CheckContext
from indicators.checks.library import EntryData, LibraryData
from indicators.library import excel
from indicators.library.models import EntryKind, EntryStatus, LibraryEntry
from indicators.library.reference import load_common_library
from indicators.library.search import suggestions
from indicators.library.services import entry_confirm, entry_promote, entry_retire, proposals_from_approved_tables
from indicators.library.usage import usage_refresh
from indicators.models import Framework, Indicator, Level2
from projects.models import TableStatus, Unit
from tests import factories
from tests.projects.test_editor import new_table_post


@pytest.fixture
def library(reference_data):
    load_common_library()


def entry(name, framework="2015"):
    return LibraryEntry.objects.get(name=name, region=None, level2__level1__framework__code=framework)


def approved_table(unit, rows, year=2024):
    """An approved table whose rows (entry name, value) link to the library."""
    table = factories.project_table(unit, year=year, status=TableStatus.APPROVED)
    for order, (entry_name, value) in enumerate(rows, 1):
        picked = entry(entry_name)
        row = Indicator(project=table, level2=picked.level2, name=picked.name, order=order, library_entry=picked)
        row.set_value(value)
        row.save()
    return table


def test_the_common_library_holds_entries_for_both_frameworks_and_loads_once(library):
    assert entry("培训合格率").level2.name == "质量指标"
    assert entry("人均培训成本", "2021").level2.name == "经济成本指标"
    assert entry("人均培训成本").kind == EntryKind.SECTOR and entry("完成及时率").kind == EntryKind.COMMON
    before = LibraryEntry.objects.count()
    assert before >= 80
    assert load_common_library() == 0 and LibraryEntry.objects.count() == before


def test_search_finds_entries_having_every_word_typed(library):
    unit = factories.unit()
    user = factories.user("unit_staff", unit=unit)
    names = [found["name"] for found in suggestions(user, framework="2015", words="培训 合格")]
    assert names == ["培训合格率"]
    level2 = Level2.objects.get(level1__framework__code="2015", name="服务对象满意度指标")
    names = [found["name"] for found in suggestions(user, level2=level2.pk, words="满意度")]
    assert "参训人员满意度" in names and "完成及时率" not in names


def test_suggestions_rank_the_core_entry_of_the_category_first_and_show_the_regions_figures(library):
    unit = factories.unit()
    neighbour = factories.unit(unit.department)
    for value in ["≥ 95%", "≥95%", "≥ 95%"]:
        approved_table(neighbour, [("参训人员满意度", value)])
    for value in ["≥90%", "≥ 90%"]:
        approved_table(neighbour, [("参训人员满意度", value)])
    approved_table(unit, [("参训人员满意度", "≥ 85%")], year=2023)
    # Another region's tables are not counted, and a draft is not approved.
    approved_table(factories.unit(), [("参训人员满意度", "≥ 80%")])
    draft = factories.project_table(neighbour)
    Indicator.objects.create(project=draft, level2=entry("参训人员满意度").level2, name="参训人员满意度", value_text="≥ 70%")
    usage_refresh()
    user = factories.user("unit_staff", unit=unit)
    level2 = entry("参训人员满意度").level2
    found = suggestions(user, level2=level2.pk, category="training", year=2024)
    assert found[0]["name"] == "参训人员满意度" and found[0]["is_core"]
    assert found[0]["tables"] == 6
    assert found[0]["figures"] == "≥95%: 3 张, ≥90%: 2 张, ≥85%: 1 张"
    assert found[0]["last_year"] == "≥ 85%"
    assert "服务对象满意度" in [item["name"] for item in found[1:]]


def test_the_suggestion_request_answers_json_for_the_tables_framework_and_category(client, library):
    unit = factories.unit()
    client.force_login(factories.user("unit_staff", unit=unit))
    response = client.get(reverse("indicators:library_suggest"), {"framework": "2021", "q": "成本", "name": "2024年业务培训", "year": 2024})
    assert response.status_code == 200
    data = response.json()
    assert data["category_label"] == "会议培训"
    assert data["entries"][0]["name"] == "人均培训成本" and data["entries"][0]["level2"] == "经济成本指标"


def test_picking_an_entry_keeps_the_link_when_the_editor_saves(client, seeded):
    load_common_library()
    client.force_login(_pl_unit())
    level2s = list(Level2.objects.filter(level1__framework__code="2015").select_related("level1").order_by("level1__order", "order"))
    picked = entry("培训合格率")
    data = new_table_post(level2s, [(picked.level2, picked.name, "≥ 95%"), (level2s[0], "自己写的指标", "≥ 3 期")])
    data.update({"ind-0-library_entry": picked.pk, "ind-1-library_entry": "99999999"})
    assert client.post(reverse("projects:project_create"), data).status_code == 302
    rows = Indicator.objects.filter(project__name="新项目").order_by("name")
    assert {row.name: row.library_entry_id for row in rows} == {"培训合格率": picked.pk, "自己写的指标": None}
    table = rows[0].project
    page = client.get(reverse("projects:project_edit", args=[table.pk])).content.decode()
    assert re.search(rf'name="ind-\d+-library_entry" value="{picked.pk}"', page)
    assert 'id="library-picker"' in page


def _pl_unit():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="pl_unit")


# The checks that read the library (pure: plain data, no database).


LIBRARY = LibraryData(
    entries=(
        EntryData("产出指标", "质量指标", "培训合格率", "%", "ge", "training", True, (("≥95%", 4), ("≥90%", 2))),
        EntryData("满意度指标", "服务对象满意度指标", "参训人员满意度", "%", "ge", "training", True, ()),
        EntryData("产出指标", "数量指标", "培训人次", "人次", "ge", "training", False, ()),
        EntryData("效益指标", "社会效益指标", "业务能力提升程度", "", "qual", "training", False, ()),
    )
)


def training_table(*rows, name="基层干部业务培训经费"):
    return factories.table_data(rows=rows, name=name)


def test_a_core_indicator_of_the_projects_category_left_out_is_reported():
    data = training_table(("产出指标", "质量指标", "培训合格率", "≥ 95%"))
    findings = run_rule("library_core_missing", data, CheckContext(library=LIBRARY))
    assert [f.message for f in findings] == [
        "本项目按名称属于项目类别“会议培训”，指标库中该类别的核心指标“参训人员满意度”（满意度指标 › 服务对象满意度指标）没有设置。"
    ]
    complete = training_table(("产出指标", "质量指标", "培训合格率", "≥ 95%"), ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥ 90%"))
    assert run_rule("library_core_missing", complete, CheckContext(library=LIBRARY)) == []
    (both,) = run_rule("library_core_missing", training_table(("产出指标", "数量指标", "培训人次", "≥ 200 人次")), CheckContext(library=LIBRARY))
    assert "“培训合格率”（产出指标 › 质量指标）、“参训人员满意度”" in both.message  # one finding for the table
    other_category = training_table(("产出指标", "质量指标", "培训合格率", "≥ 95%"), name="办公楼物业经费")
    assert run_rule("library_core_missing", other_category, CheckContext(library=LIBRARY)) == []


def test_a_row_named_like_an_entry_with_another_unit_or_nature_is_reported():
    data = training_table(
        ("产出指标", "数量指标", "培训人次", "≥ 200 人"),
        ("产出指标", "质量指标", "培训合格率", "≥ 95 百分比"),
        ("效益指标", "社会效益指标", "业务能力提升程度", "≥ 80%"),
    )
    findings = run_rule("library_unit_mismatch", data, CheckContext(library=LIBRARY))
    assert [f.row for f in findings] == [1, 3]
    assert "计量单位是“人”，指标库中同名指标的单位是“人次”" in findings[0].message
    assert "在指标库中是定性指标，本表却填了定量的指标值“≥ 80%”" in findings[1].message
    right = training_table(("产出指标", "数量指标", "培训人次", "≥ 200 人次"))
    assert run_rule("library_unit_mismatch", right, CheckContext(library=LIBRARY)) == []


def test_a_value_well_below_the_regions_approved_tables_is_a_hint_with_the_figures():
    low = training_table(("产出指标", "质量指标", "培训合格率", "≥ 60%"))
    (finding,) = run_rule("library_value_low", low, CheckContext(library=LIBRARY))
    assert finding.severity == "info"
    assert "6 张，中位数 95%" in finding.message and "≥95%：4 张，≥90%：2 张" in finding.message
    usual = training_table(("产出指标", "质量指标", "培训合格率", "≥ 90%"))
    assert run_rule("library_value_low", usual, CheckContext(library=LIBRARY)) == []


def test_a_saved_table_is_checked_against_the_library(library):
    table = factories.stored_table(name="基层干部业务培训经费")
    Indicator.objects.filter(project=table).delete()
    factories.indicator(table, "产出指标", "质量指标", name="培训合格率", value="≥ 95 人")
    from projects.findings import project_recheck

    project_recheck(project=table)
    rules = set(table.findings.values_list("rule", flat=True))
    assert {"library_core_missing", "library_unit_mismatch"} <= rules


# Excel


def test_an_exported_library_imports_back_into_a_regions_library(library):
    entries = LibraryEntry.objects.filter(region=None, level2__level1__framework__code="2015")
    content = excel.library_workbook(entries)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[2]] == [column[0] for column in excel.COLUMNS]
    region = factories.region()
    preview = excel.read_library(content, framework=Framework.objects.get(code="2015"))
    assert preview.problems == [] and len(preview.rows) == entries.count()
    assert excel.write_library(preview, region=region, by=None) == entries.count()
    imported = LibraryEntry.objects.get(region=region, name="培训合格率")
    assert (imported.unit, imported.nature, imported.is_core, imported.kind) == ("%", "ge", True, EntryKind.SECTOR)


def provincial_sheet(*rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "个性指标"
    sheet.append(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标性质", "计量单位", "评分标准", "指标值确定依据", "类别", "是否核心指标"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_import_with_one_bad_row_writes_nothing_and_names_sheet_row_and_column(client, library):
    region = factories.region()
    client.force_login(factories.user("finance_officer", region=region))
    content = provincial_sheet(
        ["产出指标", "数量指标", "巡察覆盖单位数", "年度内巡察覆盖的单位数", "≥", "个", "", "计划标准", "个性", "否"],
        ["产出指标", "数量指标", "巡察整改率", "", "大约", "%", "", "", "个性", "否"],
        ["产出指标", "产量指标", "巡察次数", "", "≥", "次", "", "", "个性", "否"],
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    framework = Framework.objects.get(code="2015")
    response = client.post(reverse("indicators:library_import"), {"framework": framework.pk, "file": SimpleUploadedFile("库.xlsx", content)})
    page = response.content.decode()
    assert "工作表“个性指标”第 3 行“指标性质”列：无法识别“大约”" in page
    assert "工作表“个性指标”第 4 行“二级指标”列：“产出指标 / 产量指标”不是" in page
    assert client.post(reverse("indicators:library_import"), {"confirm": "1"}).status_code == 302
    assert not LibraryEntry.objects.filter(region=region).exists()


def test_an_import_previews_then_writes_every_row_on_confirmation(client, library):
    region = factories.region()
    client.force_login(factories.user("finance_officer", region=region))
    content = provincial_sheet(["产出指标", "数量指标", "巡察覆盖单位数", "年度内巡察覆盖的单位数", "≥", "个", "", "计划标准", "个性指标", "是"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    framework = Framework.objects.get(code="2015")
    response = client.post(reverse("indicators:library_import"), {"framework": framework.pk, "file": SimpleUploadedFile("库.xlsx", content)})
    assert "共 1 条指标可以导入" in response.content.decode()
    assert not LibraryEntry.objects.filter(region=region).exists()
    assert client.post(reverse("indicators:library_import"), {"confirm": "1"}).status_code == 302
    created = LibraryEntry.objects.get(region=region)
    assert (created.name, created.kind, created.is_core, created.unit) == ("巡察覆盖单位数", EntryKind.SPECIFIC, True, "个")


# The finance bureau's page, proposals, history


def test_the_library_page_counts_usage_and_lists_entries_never_used(client, library):
    unit = factories.unit()
    approved_table(unit, [("培训合格率", "≥ 95%")])
    usage_refresh()
    client.force_login(factories.user("finance_officer", region=unit.region))
    page = client.get(reverse("indicators:library_entry_list"), {"q": "培训合格率", "framework": Framework.objects.get(code="2015").pk}).content.decode()
    assert "≥95%: 1 张" in page
    never = client.get(reverse("indicators:library_entry_list"), {"usage": "never", "q": "培训合格率"}).content.decode()
    assert "培训合格率" in never  # the 2021 framework's entry, never used
    assert never.count("≥95%: 1 张") == 0


def test_a_departments_proposal_is_confirmed_and_promoted_by_its_finance_bureau_with_history(library):
    unit = factories.unit()
    reviewer = factories.user("department_reviewer", department=unit.department)
    finance = factories.user("finance_officer", region=unit.region)
    level2 = Level2.objects.get(level1__framework__code="2015", name="数量指标")
    for _ in range(2):
        table = factories.project_table(unit, status=TableStatus.APPROVED)
        Indicator.objects.create(project=table, level2=level2, name="巡察覆盖单位数", value_text="≥ 10 个", value_unit="个", value_nature="ge")
    assert proposals_from_approved_tables(department=unit.department, by=reviewer) == 1
    proposed = LibraryEntry.objects.get(name="巡察覆盖单位数")
    assert (proposed.state, proposed.department, proposed.unit) == (EntryStatus.PROPOSED, unit.department, "个")
    user = factories.user("unit_staff", unit=unit)
    assert not suggestions(user, level2=level2.pk, words="巡察")  # not offered before confirmation
    entry_confirm(entry=proposed, by=finance)
    assert [found["name"] for found in suggestions(user, level2=level2.pk, words="巡察")] == ["巡察覆盖单位数"]
    promoted = entry_promote(entry=proposed, by=finance)
    assert (promoted.region, promoted.department, promoted.kind) == (unit.region, None, EntryKind.SECTOR)
    entry_retire(entry=promoted, by=finance)
    history = list(promoted.history.order_by("history_date").values_list("state", "history_user"))
    assert history[-1] == (EntryStatus.RETIRED, finance.pk)


def test_a_unit_sees_only_the_national_library_and_its_own_regions(library):
    unit = factories.unit()
    other = factories.region()
    level2 = Level2.objects.get(level1__framework__code="2015", name="数量指标")
    LibraryEntry.objects.create(level2=level2, name="外区划巡察指标", region=other)
    LibraryEntry.objects.create(level2=level2, name="本区划巡察指标", region=unit.region)
    user = factories.user("unit_staff", unit=unit)
    assert [found["name"] for found in suggestions(user, level2=level2.pk, words="巡察")] == ["本区划巡察指标"]


def test_a_saved_tables_low_value_is_compared_with_the_regions_approved_tables(library):
    unit = factories.unit()
    for value in ["≥ 95%"] * 4 + ["≥ 90%"] * 2:
        approved_table(unit, [("培训合格率", value)])
    approved_table(factories.unit(), [("培训合格率", "≥ 50%")])  # another region's table is not compared
    usage_refresh()
    from projects.findings import project_recheck

    table = factories.project_table(unit, name="基层干部业务培训经费")
    factories.indicator(table, "产出指标", "质量指标", name="培训合格率", value="≥ 60%")
    project_recheck(project=table)
    (finding,) = table.findings.filter(rule="library_value_low")
    assert "6 张，中位数 95%" in finding.message
    Indicator.objects.filter(project=table).update(value_text="≥ 92%", value_number=92)
    project_recheck(project=table)
    assert not table.findings.filter(rule="library_value_low").exists()


def test_words_only_another_categorys_entries_have_still_find_them(library):
    user = factories.user("unit_staff", unit=factories.unit())
    level2 = Level2.objects.get(level1__framework__code="2015", name="质量指标")
    assert [found["name"] for found in suggestions(user, level2=level2.pk, words="培训合格", category="subsidy")] == ["培训合格率"]
    assert "培训合格率" not in [found["name"] for found in suggestions(user, level2=level2.pk, category="subsidy")]


def test_a_stored_row_picked_from_the_library_keeps_the_link_when_the_editor_saves(client, seeded):
    from tests.projects.test_editor import editor_post

    load_common_library()
    client.force_login(_pl_unit())
    table = factories.stored_table(Unit.objects.get(name="中共平罗县纪律检查委员会本级"), name="链接测试培训经费")
    picked = entry("参训人员满意度")
    data = editor_post(table)
    index = next(i for i in range(len(table.indicators.all())) if data[f"ind-{i}-name"] == "参训人员满意度")
    data[f"ind-{index}-library_entry"] = picked.pk
    assert client.post(reverse("projects:project_edit", args=[table.pk]), data).status_code == 302
    assert Indicator.objects.get(project=table, name="参训人员满意度").library_entry == picked


def test_a_tampered_library_link_beyond_any_key_is_dropped_not_a_server_error():
    from indicators.forms import _storable_ids

    assert _storable_ids([5, 0, -1, 2**63, 10**30]) == {5}
