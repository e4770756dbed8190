"""A table as large as the editor allows saves; one beyond it is refused with a Chinese message that
keeps what was typed (a 1,000-row table used to open but fail to save on the request's field count)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Indicator, Level2
from projects.models import ProjectTable
from tests.html_forms import form_data


def many_rows(table, count):
    level2 = Level2.objects.get(level1__framework=table.framework, level1__name="产出指标", name="数量指标")
    Indicator.objects.bulk_create(
        Indicator(project=table, level2=level2, order=order, name=f"培训人次{order}", value_text=f"≥ {order} 人次")
        for order in range(1, count + 1)
    )


def open_editor(client, table):
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    page = client.get(reverse("projects:project_edit", args=[table.pk]))
    assert page.status_code == 200
    return form_data(page.content.decode())


def test_a_table_with_the_most_rows_allowed_saves_from_the_editor(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    table.indicators.all().delete()
    many_rows(table, settings.PERFGOALS_MAX_INDICATOR_ROWS)
    data = open_editor(client, table)
    assert data["ind-TOTAL_FORMS"] == str(settings.PERFGOALS_MAX_INDICATOR_ROWS)
    assert len(data) > 10000  # beyond Django's old default field-count guard of this project
    data["ind-0-name"] = "改过的第一行"
    response = client.post(reverse("projects:project_edit", args=[table.pk]), data)
    assert response.status_code == 302
    assert table.indicators.count() == settings.PERFGOALS_MAX_INDICATOR_ROWS
    assert table.indicators.filter(name="改过的第一行").exists()


def test_one_row_beyond_the_limit_is_refused_with_the_page_kept(client, seeded):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    data = open_editor(client, table)
    rows = int(data["ind-TOTAL_FORMS"])
    extra = settings.PERFGOALS_MAX_INDICATOR_ROWS - rows + 1
    level2 = data["ind-0-level2"]
    for i in range(rows, rows + extra):
        data.update({f"ind-{i}-level2": level2, f"ind-{i}-name": f"新增指标{i}", f"ind-{i}-value_text": "≥ 1 次", f"ind-{i}-ORDER": i + 1})
    data["ind-TOTAL_FORMS"] = str(rows + extra)
    before = table.indicators.count()
    response = client.post(reverse("projects:project_edit", args=[table.pk]), data)
    assert response.status_code == 400  # the editor answers a refused save with the page and its messages
    assert f"一张表最多 {settings.PERFGOALS_MAX_INDICATOR_ROWS} 条三级指标" in response.content.decode()
    assert "新增指标" in response.content.decode()
    assert table.indicators.count() == before
