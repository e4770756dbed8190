"""check_tables prints findings, scores and grades; recheck_tables stores them."""

import json
from io import StringIO

from django.core.management import call_command

from projects.models import ProjectTable


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_check_tables_prints_each_tables_score_grade_and_findings_with_their_fix(seeded):
    text = run("check_tables", "--region", "640221")
    assert text.count("【2023年 ") == 5
    assert "【2023年 纪检监察事务工作经费】平罗县纪律检查委员会 / 中共平罗县纪律检查委员会本级\n  得分 85，等级 良；错误 0 条，警告 7 条，提示 0 条" in text
    assert "  [警告] 第 10 行（全县纪检监察宣传覆盖面）的指标值“显著提高”是模糊表述" in text
    assert "      建议：改为可衡量的目标" in text
    assert "安保经费" not in text


def test_check_tables_filters_by_department_name_or_code_and_year(seeded):
    by_name = run("check_tables", "--department", "纪律检查委员会", "--year", "2022")
    by_code = run("check_tables", "--department", "222")
    assert by_name == by_code
    assert by_name.count("【2022年 ") == 10 and "2023年" not in by_name
    assert "[错误] 9 条指标中有 9 条（第 1–9 行）的指标值都是 100%" in by_name
    assert run("check_tables", "--year", "2030") == "范围内没有项目绩效目标表。\n"


def test_check_tables_writes_json_and_stores_nothing(seeded):
    ProjectTable.objects.update(quality_score=None, quality_grade="", checked_at=None)  # as if never checked
    tables = json.loads(run("check_tables", "--format", "json", "--year", "2022"))
    assert len(tables) == 10
    security = next(table for table in tables if table["name"] == "安保经费")
    assert security["grade"] == "差" and security["blocks_submission"] is True
    assert security["score"] < 60
    assert {"rule": "cost_not_amount", "severity": "错误", "row": 4} == {
        key: value for key, value in next(f for f in security["findings"] if f["rule"] == "cost_not_amount").items()
        if key in {"rule", "severity", "row"}
    }
    assert all(f["message"] and f["suggestion"] and f["criterion"] and f["opinion"] for f in security["findings"])
    assert not ProjectTable.objects.filter(quality_score__isnull=False).exists()


def test_recheck_tables_stores_results_for_the_tables_in_scope_only(seeded):
    ProjectTable.objects.update(quality_score=None, quality_grade="", checked_at=None)  # as if never checked
    assert run("recheck_tables", "--region", "130682") == "已重新检查 10 张项目绩效目标表。\n"
    assert ProjectTable.objects.filter(region__code="130682", quality_score__isnull=True).count() == 0
    assert ProjectTable.objects.filter(region__code="640221", checked_at__isnull=False).count() == 0
    assert ProjectTable.objects.get(name="安保经费").findings.filter(rule="uniform_values").exists()
