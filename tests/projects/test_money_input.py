"""Money typed in the editor (issue 17): "abc", "1e3", "NaN" and "Infinity" are refused with a message
beside the field naming what was typed; "1e3" was saved as 1000 万元 while the live check called it
invalid. Thousands separators and full-width digits still read."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.forms import MoneyField
from projects.models import ProjectTable
from tests.projects.test_editor import editor_post


@pytest.mark.parametrize("typed", ["abc", "1e3", "1E3", "NaN", "Infinity", "-", "1.2.3", "12万"])
def test_the_money_field_refuses_what_is_no_plain_amount(typed):
    field = MoneyField(label="年度资金总额")
    with pytest.raises(Exception) as refused:
        field.clean(typed)
    assert "“年度资金总额”应为数字" in " ".join(refused.value.messages)


@pytest.mark.parametrize(("typed", "read"), [("1,000.5", "1000.5"), ("１２．５", "12.5"), ("20", "20"), (".5", "0.5"), ("3.", "3")])
def test_plain_amounts_still_read(typed, read):
    assert MoneyField(label="年度资金总额").clean(typed) == Decimal(read)


@pytest.mark.parametrize("typed", ["1e3", "abc"])
def test_the_editor_refuses_it_beside_the_field_and_keeps_the_stored_amount(client, seeded, typed):
    table = ProjectTable.objects.get(name="纪检监察事务工作经费")
    before = table.funds_total
    client.force_login(get_user_model().objects.get(username="pl_unit"))
    response = client.post(reverse("projects:project_edit", args=[table.pk]), editor_post(table, funds_total=typed))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"“{typed}”不是金额" in page and f'value="{typed}"' in page
    table.refresh_from_db()
    assert table.funds_total == before
