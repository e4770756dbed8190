from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Indicator, Level2
from projects.models import ProjectTable, TableStatus
from projects.services import edit_token
from tests import factories
from tests.html_forms import form_data


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def editor_post(table, **changes):
    """The editor page's POST data for a stored table, as the browser would send it unchanged."""
    data = {
        "token": edit_token(table),
        "year": table.year,
        "name": table.name,
        "code": table.code,
        "attribute": str(table.attribute_id or ""),
        "period": table.period,
        "funds_total": str(table.funds_total or ""),
        "funds_fiscal": str(table.funds_fiscal or ""),
        "funds_other": str(table.funds_other or ""),
        "fund_use": table.fund_use,
        "framework": str(table.framework_id),
    }
    goals = list(table.goals.filter(kind="annual").order_by("order"))
    data.update({"goals-TOTAL_FORMS": len(goals), "goals-INITIAL_FORMS": len(goals)})
    for i, goal in enumerate(goals):
        data.update({f"goals-{i}-id": goal.pk, f"goals-{i}-text": goal.text, f"goals-{i}-ORDER": i + 1})
    data.update({"long_goals-TOTAL_FORMS": 0, "long_goals-INITIAL_FORMS": 0})
    points = list(table.spending_plan.order_by("month"))
    data.update({"plan-TOTAL_FORMS": len(points), "plan-INITIAL_FORMS": len(points)})
    for i, point in enumerate(points):
        data.update(
            {f"plan-{i}-id": point.pk, f"plan-{i}-month": point.month, f"plan-{i}-cumulative_percent": point.cumulative_percent}
        )
    rows = list(table.indicators.order_by("order"))
    data.update({"ind-TOTAL_FORMS": len(rows), "ind-INITIAL_FORMS": len(rows)})
    for i, row in enumerate(rows):
        data.update(
            {
                f"ind-{i}-id": row.pk,
                f"ind-{i}-level2": row.level2_id,
                f"ind-{i}-name": row.name,
                f"ind-{i}-description": row.description,
                f"ind-{i}-value_text": row.value_text,
                f"ind-{i}-basis": row.basis,
                f"ind-{i}-basis_text": row.basis_text,
                f"ind-{i}-weight": "" if row.weight is None else row.weight,
                f"ind-{i}-note": row.note,
                f"ind-{i}-ORDER": i + 1,
            }
        )
    data.update(changes)
    return data


def new_table_post(level2s, rows, **fields):
    data = {
        "token": "",
        "year": 2024,
        "name": "新项目",
        "framework": str(level2s[0].level1.framework_id),
        "goals-TOTAL_FORMS": 1,
        "goals-INITIAL_FORMS": 0,
        "goals-0-text": "完成培训 3 期",
        "goals-0-ORDER": 1,
        "long_goals-TOTAL_FORMS": 0,
        "long_goals-INITIAL_FORMS": 0,
        "plan-TOTAL_FORMS": 0,
        "plan-INITIAL_FORMS": 0,
        "ind-TOTAL_FORMS": len(rows),
        "ind-INITIAL_FORMS": 0,
    }
    for i, (level2, name, value) in enumerate(rows):
        data.update({f"ind-{i}-level2": level2.pk, f"ind-{i}-name": name, f"ind-{i}-value_text": value, f"ind-{i}-ORDER": i + 1})
    data.update(fields)
    return data


@pytest.fixture
def pingluo_table(seeded):
    return ProjectTable.objects.get(name="纪检监察事务工作经费")


# The trio for every view


@pytest.mark.parametrize(
    "url_name",
    ["projects:project_detail", "projects:project_edit", "projects:project_copy"],
)
def test_anonymous_visitors_are_sent_to_login(client, pingluo_table, url_name):
    response = client.get(reverse(url_name, args=[pingluo_table.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ["projects:project_create", "projects:project_copy_list", "projects:target_create"])
def test_anonymous_visitors_are_sent_to_login_from_pages_without_an_id(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ["projects:project_detail", "projects:project_edit"])
def test_another_units_table_is_not_found(client, pingluo_table, url_name):
    login(client, "dz_unit")
    assert client.get(reverse(url_name, args=[pingluo_table.pk])).status_code == 404


def test_another_regions_finance_officer_cannot_see_the_table(client, pingluo_table):
    login(client, "dz_finance")
    assert client.get(reverse("projects:project_detail", args=[pingluo_table.pk])).status_code == 404


@pytest.mark.parametrize("username", ["pl_dept", "pl_finance"])
def test_reviewers_see_but_cannot_edit_a_units_table(client, pingluo_table, username):
    login(client, username)
    assert client.get(reverse("projects:project_detail", args=[pingluo_table.pk])).status_code == 200
    assert client.get(reverse("projects:project_edit", args=[pingluo_table.pk])).status_code == 403
    assert client.get(reverse("projects:project_create")).status_code == 403


def test_unit_staff_open_their_tables_editor_and_detail(client, pingluo_table):
    login(client, "pl_unit")
    assert client.get(reverse("projects:project_edit", args=[pingluo_table.pk])).status_code == 200
    assert client.get(reverse("projects:project_detail", args=[pingluo_table.pk])).status_code == 200
    assert client.get(reverse("projects:project_create")).status_code == 200
    assert client.get(reverse("projects:project_copy_list")).status_code == 200


@pytest.mark.parametrize("status", [TableStatus.DEPARTMENT_REVIEW, TableStatus.FINANCE_REVIEW, TableStatus.APPROVED])
def test_a_submitted_or_approved_table_cannot_be_edited_even_by_its_unit(client, pingluo_table, status):
    ProjectTable.objects.filter(pk=pingluo_table.pk).update(status=status)
    login(client, "pl_unit")
    assert client.get(reverse("projects:project_edit", args=[pingluo_table.pk])).status_code == 403
    before = pingluo_table.indicators.count()
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), editor_post(pingluo_table, name="改名"))
    assert response.status_code == 403
    assert ProjectTable.objects.get(pk=pingluo_table.pk).name == "纪检监察事务工作经费"
    assert pingluo_table.indicators.count() == before


def test_a_returned_table_can_be_edited_by_its_unit(client, pingluo_table):
    ProjectTable.objects.filter(pk=pingluo_table.pk).update(status=TableStatus.RETURNED)
    login(client, "pl_unit")
    assert client.get(reverse("projects:project_edit", args=[pingluo_table.pk])).status_code == 200


# Saving


def test_saving_an_unchanged_page_keeps_every_value(client, pingluo_table):
    login(client, "pl_unit")
    before = [(r.level2_id, r.name, r.value_text, r.order) for r in pingluo_table.indicators.order_by("order")]
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), editor_post(pingluo_table))
    assert response.status_code == 302
    after = [(r.level2_id, r.name, r.value_text, r.order) for r in pingluo_table.indicators.order_by("order")]
    assert after == before
    table = ProjectTable.objects.get(pk=pingluo_table.pk)
    assert table.funds_total == Decimal("66") and table.updated_by.username == "pl_unit"


def test_a_new_table_with_indicators_in_every_level1_is_saved_in_framework_order(client, seeded):
    login(client, "pl_unit")
    level2s = list(Level2.objects.filter(level1__framework__code="2015").select_related("level1").order_by("level1__order", "order"))
    rows = [(level2s[-1], "服务对象满意度", "≥ 90%"), (level2s[0], "培训人数", "≥ 100 人"), (level2s[4], "", "")]
    response = client.post(reverse("projects:project_create"), new_table_post(level2s, rows, funds_total="12.5", funds_fiscal="12.5"))
    assert response.status_code == 302
    table = ProjectTable.objects.get(name="新项目", year=2024)
    assert table.unit.name == "中共平罗县纪律检查委员会本级" and table.status == TableStatus.DRAFT
    saved = [(r.level2.name, r.name, r.value_number, r.value_unit) for r in table.indicators.select_related("level2")]
    assert saved == [("数量指标", "培训人数", 100, "人"), ("服务对象满意度指标", "服务对象满意度", 90, "%")]
    assert [g.text for g in table.goals.all()] == ["完成培训 3 期"]


def test_an_incomplete_draft_saves(client, seeded):
    login(client, "pl_unit")
    level2s = list(Level2.objects.filter(level1__framework__code="2015").order_by("level1__order", "order"))
    response = client.post(reverse("projects:project_create"), new_table_post(level2s, [], name="", **{"goals-0-text": ""}))
    assert response.status_code == 302
    assert ProjectTable.objects.filter(name="", year=2024).count() == 1


def test_letters_in_a_money_field_are_refused_beside_the_cell_and_everything_typed_stays(client, pingluo_table):
    login(client, "pl_unit")
    data = editor_post(pingluo_table, funds_total="六十六", name="改过的名称", **{"ind-0-value_text": "2 家"})
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "“年度资金总额”应为数字（单位：万元）" in page
    assert 'value="六十六"' in page and 'value="改过的名称"' in page and 'value="2 家"' in page
    assert ProjectTable.objects.get(pk=pingluo_table.pk).name == "纪检监察事务工作经费"
    assert pingluo_table.indicators.order_by("order").first().value_text == "1 家"


def test_negative_money_and_a_percentage_over_100_are_refused(client, pingluo_table):
    login(client, "pl_unit")
    data = editor_post(
        pingluo_table,
        funds_other="-1",
        **{"plan-TOTAL_FORMS": 1, "plan-0-month": 3, "plan-0-cumulative_percent": "120"},
    )
    page = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data).content.decode()
    assert "“其他资金”不能为负数。" in page
    assert "累计支出比例不能超过 100%" in page
    assert pingluo_table.spending_plan.count() == 0


def test_rows_are_deleted_moved_and_added_in_one_save(client, pingluo_table):
    login(client, "pl_unit")
    data = editor_post(pingluo_table)
    data.update({"ind-0-DELETE": "on", "ind-1-ORDER": 3, "ind-2-ORDER": 2})
    total = data["ind-TOTAL_FORMS"]
    quantity = Level2.objects.get(level1__framework__code="2015", name="数量指标")
    data.update({"ind-TOTAL_FORMS": total + 1, f"ind-{total}-level2": quantity.pk, f"ind-{total}-name": "新增宣传材料", f"ind-{total}-value_text": "≥ 500 份", f"ind-{total}-ORDER": 4})
    assert client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data).status_code == 302
    quantity_rows = list(pingluo_table.indicators.filter(level2=quantity).order_by("order").values_list("name", flat=True))
    assert quantity_rows == ["平罗县纪委监委网数量", "纪委监委档案及干部电子廉政档案系统", "新增宣传材料"]
    assert not pingluo_table.indicators.filter(name="“清廉平罗” 微信平台数量").exists()


def test_the_later_of_two_concurrent_saves_is_refused_naming_who_saved_and_keeping_the_input(client, pingluo_table):
    login(client, "pl_unit")
    stale = editor_post(pingluo_table, name="第二个人的名称")
    first = editor_post(pingluo_table, name="第一个人的名称")
    other = get_user_model().objects.get(username="pl_unit")
    other.first_name = "张三"
    other.save()
    assert client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), first).status_code == 302
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "保存被拒绝：张三 在" in page
    assert 'value="第二个人的名称"' in page
    assert ProjectTable.objects.get(pk=pingluo_table.pk).name == "第一个人的名称"


def test_a_name_already_used_by_the_unit_that_year_is_refused_beside_the_name(client, pingluo_table):
    login(client, "pl_unit")
    response = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), editor_post(pingluo_table, name="县委巡查专项经费"))
    assert response.status_code == 400
    assert "本单位 2023 年已有名为“县委巡查专项经费”的项目表。" in response.content.decode()



def test_a_code_used_in_the_region_that_year_is_refused_beside_the_code_along_with_the_name(client, pingluo_table):
    other = ProjectTable.objects.exclude(pk=pingluo_table.pk).filter(year=pingluo_table.year, unit=pingluo_table.unit).first()
    elsewhere = factories.unit(factories.department(pingluo_table.region))
    factories.project_table(elsewhere, year=pingluo_table.year, name="别的单位的项目", code="640221230001")
    login(client, "pl_unit")
    data = editor_post(pingluo_table, name=other.name, code="640221230001")
    page = client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data).content.decode()
    assert f"本单位 2023 年已有名为“{other.name}”的项目表。" in page
    assert "项目编码“640221230001”在本区划 2023 年已被其他项目使用。" in page
    data = editor_post(pingluo_table, code="640221230001-不同")
    assert client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data).status_code == 302

# 复制上年


def test_copy_last_year_makes_a_draft_whose_rows_remember_their_source(client, pingluo_table):
    login(client, "pl_unit")
    response = client.post(reverse("projects:project_copy", args=[pingluo_table.pk]))
    copy = ProjectTable.objects.get(name=pingluo_table.name, year=2024)
    assert response.status_code == 302 and response.url == reverse("projects:project_edit", args=[copy.pk])
    assert copy.status == TableStatus.DRAFT and copy.code == "" and copy.copied_from == pingluo_table
    assert copy.indicators.count() == pingluo_table.indicators.count() == 15
    pairs = {(row.copied_from.value_text, row.value_text) for row in copy.indicators.select_related("copied_from")}
    assert ("≥90%", "≥90%") in pairs
    page = client.get(reverse("projects:project_edit", args=[copy.pk])).content.decode()
    assert "上年：≥95%" in page


def test_copying_twice_into_the_same_year_is_refused_with_a_message(client, pingluo_table):
    login(client, "pl_unit")
    client.post(reverse("projects:project_copy", args=[pingluo_table.pk]))
    response = client.post(reverse("projects:project_copy", args=[pingluo_table.pk]), follow=True)
    assert "2024 年已有同名项目表" in response.content.decode()
    assert ProjectTable.objects.filter(name=pingluo_table.name, year=2024).count() == 1


def test_another_unit_cannot_copy_a_table(client, pingluo_table):
    login(client, "dz_unit")
    assert client.post(reverse("projects:project_copy", args=[pingluo_table.pk])).status_code == 404
    login(client, "pl_finance")
    assert client.post(reverse("projects:project_copy", args=[pingluo_table.pk])).status_code == 403


# Detail page


@pytest.mark.parametrize(("layout", "expected"), [("pingluo", "绩效指标"), ("dingzhou", "指标值确定依据")])
def test_detail_page_renders_both_official_layouts(client, pingluo_table, layout, expected):
    login(client, "pl_unit")
    page = client.get(reverse("projects:project_detail", args=[pingluo_table.pk]), {"layout": layout}).content.decode()
    assert expected in page
    assert "目标 1：深化拓展纪检监察宣传辐射面和影响力" in page or layout == "dingzhou"
    assert "66.00" in page


def test_dingzhou_detail_shows_the_spending_plan_and_basis(client, seeded):
    login(client, "dz_unit")
    table = ProjectTable.objects.get(name="安保经费")
    page = client.get(reverse("projects:project_detail", args=[table.pk])).content.decode()
    for text in ("13068222P00675410002L", "3月底", "10月底", "75%", "是否合格", "监督检验完成数量", "19.56"):
        assert text in page


# Query budgets


def _grow(table, count):
    level2 = Level2.objects.get(level1__framework=table.framework, name="数量指标")
    Indicator.objects.bulk_create(
        [Indicator(project=table, level2=level2, name=f"指标{i}", value_text=f"{i} 个", order=i) for i in range(count)]
    )


@pytest.mark.parametrize("count", [5, 100])
def test_editor_and_detail_pages_run_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries, count):
    unit = factories.unit()
    table = factories.project_table(unit)
    _grow(table, count)
    user = factories.user("unit_staff", unit=unit)
    client.force_login(user)
    # (18: last year's self-evaluations and, without one, last year's monitoring reports, shown beside the
    # rows; the navigation's unread notifications)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("projects:project_edit", args=[table.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:project_detail", args=[table.pk])).status_code == 200
    data = editor_post(table)
    # The save itself (the page's forms, the lock, the table, its history and the rows renumbered) and
    # the quality recheck that follows it (the table, its rows, goals and plan, siblings, explanations,
    # last year's self-evaluations and stored findings, the indicator library of its framework and
    # region, then what changed of the findings and the score), and the unit-year's tallies (its
    # counts recomputed, its findings' change added: projects.tallies; on PostgreSQL one more, the
    # unit's row lock).
    with django_assert_max_num_queries(30):
        assert client.post(reverse("projects:project_edit", args=[table.pk]), data).status_code == 302


def test_value_preview_shows_the_parsed_parts(client, seeded):
    login(client, "pl_unit")
    page = client.get(reverse("projects:value_preview"), {"value": "下发通报 ≥ 1 期"}).content.decode()
    assert "下发通报" in page and "≥" in page and "期" in page
    assert "定性" in client.get(reverse("projects:value_preview"), {"value": "显著提高"}).content.decode()


def _snapshot(table):
    table.refresh_from_db()
    return (
        table.name,
        table.funds_total,
        table.period,
        [(g.kind, g.order, g.text) for g in table.goals.order_by("kind", "order")],
        [(p.month, p.cumulative_percent) for p in table.spending_plan.order_by("month")],
        [(r.pk, r.level2_id, r.order, r.name, r.description, r.value_text, r.basis_text) for r in table.indicators.order_by("order")],
    )


@pytest.mark.parametrize("name", ["特邀监察员经费", "纪检监察事务工作经费", "安保经费"])
def test_posting_the_rendered_editor_back_unchanged_saves_and_changes_nothing(client, seeded, name):
    table = ProjectTable.objects.get(name=name)
    login(client, table.unit.name == "纪律检查委员会本级" and "dz_unit" or "pl_unit")
    before = _snapshot(table)
    page = client.get(reverse("projects:project_edit", args=[table.pk])).content.decode()
    response = client.post(reverse("projects:project_edit", args=[table.pk]), form_data(page))
    assert response.status_code == 302
    assert _snapshot(table) == before


def test_posting_the_rendered_department_target_editor_back_unchanged_changes_nothing(client, seeded):
    from projects.models import DepartmentTarget

    target = DepartmentTarget.objects.get()
    login(client, "dz_unit")
    before = [(s.pk, s.order, s.title, s.goal, s.indicator_text, s.safeguards) for s in target.sub_targets.all()]
    page = client.get(reverse("projects:target_edit", args=[target.pk])).content.decode()
    response = client.post(reverse("projects:target_edit", args=[target.pk]), form_data(page))
    assert response.status_code == 302
    assert [(s.pk, s.order, s.title, s.goal, s.indicator_text, s.safeguards) for s in target.sub_targets.all()] == before
    target.refresh_from_db()
    assert target.overall_goal.startswith("认真贯彻落实党的十九大精神")


# Whole-department targets


@pytest.fixture
def dingzhou_target(seeded):
    from projects.models import DepartmentTarget

    return DepartmentTarget.objects.get(department__code="222", year=2022)


@pytest.mark.parametrize("url_name", ["projects:target_detail", "projects:target_edit"])
def test_department_target_pages_need_login(client, dingzhou_target, url_name):
    response = client.get(reverse(url_name, args=[dingzhou_target.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("username", ["pl_unit", "pl_dept", "pl_finance"])
def test_another_regions_users_cannot_find_a_department_target(client, dingzhou_target, username):
    login(client, username)
    assert client.get(reverse("projects:target_detail", args=[dingzhou_target.pk])).status_code == 404


def test_reviewers_read_the_department_target_but_only_the_department_office_edits_it(client, dingzhou_target):
    login(client, "dz_finance")
    page = client.get(reverse("projects:target_detail", args=[dingzhou_target.pk])).content.decode()
    assert "（一）办案问责" in page and "（五）派驻纪检监察机构管理完成保障措施：" in page
    assert client.get(reverse("projects:target_edit", args=[dingzhou_target.pk])).status_code == 403
    assert client.get(reverse("projects:target_create")).status_code == 403
    login(client, "dz_unit")
    assert client.get(reverse("projects:target_edit", args=[dingzhou_target.pk])).status_code == 200


def test_a_department_office_writes_a_new_years_target_with_sub_targets(client, dingzhou_target):
    login(client, "dz_unit")
    data = {
        "token": "",
        "year": 2023,
        "framework": str(dingzhou_target.framework_id),
        "overall_goal": "坚持全面从严治党。",
        "subs-TOTAL_FORMS": 2,
        "subs-INITIAL_FORMS": 0,
        "subs-0-title": "监督检查",
        "subs-0-goal": "开展专项检查 4 次",
        "subs-0-ORDER": 2,
        "subs-1-title": "办案问责",
        "subs-1-goal": "依规依纪办案",
        "subs-1-ORDER": 1,
        "ind-TOTAL_FORMS": 0,
        "ind-INITIAL_FORMS": 0,
    }
    assert client.post(reverse("projects:target_create"), data).status_code == 302
    from projects.models import DepartmentTarget

    target = DepartmentTarget.objects.get(year=2023)
    assert [s.title for s in target.sub_targets.all()] == ["办案问责", "监督检查"]
    assert target.department == dingzhou_target.department
    data["year"] = 2022
    response = client.post(reverse("projects:target_create"), data)
    assert response.status_code == 400 and "本部门 2022 年已有部门整体绩效目标。" in response.content.decode()


def test_saving_stores_the_quality_score_and_findings_beside_their_rows(client, pingluo_table):
    login(client, "pl_unit")
    data = editor_post(pingluo_table, **{"ind-0-value_text": "显著提高"})
    assert client.post(reverse("projects:project_edit", args=[pingluo_table.pk]), data).status_code == 302
    pingluo_table.refresh_from_db()
    assert pingluo_table.quality_score is not None and pingluo_table.quality_grade
    row = pingluo_table.indicators.order_by("order").first()
    assert row.value_text == "显著提高"
    assert pingluo_table.findings.filter(indicator=row, rule="quantity_qualitative").exists()
    page = client.get(reverse("projects:project_edit", args=[pingluo_table.pk])).content.decode()
    assert "智能审核" in page and f"<b class=\"score-value\">{pingluo_table.quality_score}</b>" in page


def test_the_live_check_reads_the_unsaved_page_and_writes_nothing(client, pingluo_table):
    login(client, "pl_unit")
    before = (pingluo_table.indicators.order_by("order").first().value_text, ProjectTable.objects.get(pk=pingluo_table.pk).updated_at)
    data = editor_post(pingluo_table, funds_total="70", **{"ind-0-value_text": "有效提升"})
    response = client.post(reverse("projects:project_check", args=[pingluo_table.pk]), data)
    assert response.status_code == 200
    result = response.json()
    assert any(f["rule"] == "funds_mismatch" for f in result["table"])
    assert any(f["rule"] == "quantity_qualitative" for f in result["rows"]["ind-0"])
    assert (pingluo_table.indicators.order_by("order").first().value_text, ProjectTable.objects.get(pk=pingluo_table.pk).updated_at) == before


def test_another_unit_cannot_run_the_live_check_on_a_table(client, pingluo_table):
    login(client, "dz_unit")
    assert client.post(reverse("projects:project_check", args=[pingluo_table.pk]), editor_post(pingluo_table)).status_code == 404


def test_a_unit_explains_a_warning_but_not_an_error(client, seeded):
    from indicators.models import FindingExplanation

    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    login(client, "pl_unit")
    warning = table.findings.filter(severity="warning").select_related("indicator").first()
    response = client.post(
        reverse("projects:finding_explain", args=[table.pk]),
        {"rule": warning.rule, "indicator_uid": warning.indicator.uid if warning.indicator else "", "text": "宣传覆盖面难以量化，以年度考评为准。"},
        follow=True,
    )
    assert "说明已保存" in response.content.decode()
    assert FindingExplanation.objects.filter(project=table, rule=warning.rule).exists()
    dz_table = ProjectTable.objects.get(name="安保经费")
    error = dz_table.findings.filter(severity="error").first()
    login(client, "dz_unit")
    response = client.post(reverse("projects:finding_explain", args=[dz_table.pk]), {"rule": error.rule, "indicator_uid": "", "text": "说明"}, follow=True)
    assert "不能用说明代替修改" in response.content.decode()
    assert not FindingExplanation.objects.filter(project=dz_table).exists()


def test_home_lists_score_and_grade(client, seeded):
    login(client, "dz_finance")
    page = client.get(reverse("projects:home")).content.decode()
    table = ProjectTable.objects.get(name="纪委全会经费")
    assert table.get_quality_grade_display() == "差"
    assert f'grade-{table.quality_grade}">差</span>' in page
