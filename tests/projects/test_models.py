from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from indicators.models import Indicator
from projects.models import SpendingCheckpoint
from tests import factories


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_money_can_never_be_negative(reference_data):
    table = factories.project_table()
    for field in ("funds_total", "funds_fiscal", "funds_other"):
        setattr(table, field, Decimal("-0.000001"))
        refused(table.save)
        setattr(table, field, None)


def test_money_keeps_six_decimal_places_exactly(reference_data):
    table = factories.project_table(funds_total=Decimal("10606.752201"), funds_fiscal=Decimal("0.000001"))
    table.refresh_from_db()
    assert table.funds_total == Decimal("10606.752201")
    assert table.funds_fiscal == Decimal("0.000001")


def test_spending_plan_percentages_stay_between_0_and_100(reference_data):
    table = factories.project_table()
    refused(lambda: SpendingCheckpoint.objects.create(project=table, month=3, cumulative_percent=Decimal("100.01")))
    refused(lambda: SpendingCheckpoint.objects.create(project=table, month=3, cumulative_percent=Decimal("-1")))
    refused(lambda: SpendingCheckpoint.objects.create(project=table, month=13, cumulative_percent=Decimal("50")))
    SpendingCheckpoint.objects.create(project=table, month=12, cumulative_percent=Decimal("100"))
    refused(lambda: SpendingCheckpoint.objects.create(project=table, month=12, cumulative_percent=Decimal("90")))


def test_project_code_is_unique_within_region_and_year_only(reference_data):
    unit = factories.unit()
    factories.project_table(unit, year=2024, code="13068224P001")
    refused(lambda: factories.project_table(unit, year=2024, code="13068224P001"))
    factories.project_table(unit, year=2025, code="13068224P001")
    factories.project_table(factories.unit(), year=2024, code="13068224P001")


def test_tables_without_a_code_do_not_clash(reference_data):
    unit = factories.unit()
    factories.project_table(unit, code="")
    factories.project_table(unit, code="")


def test_a_unit_cannot_have_two_tables_of_the_same_name_and_year(reference_data):
    unit = factories.unit()
    factories.project_table(unit, name="安保经费")
    refused(lambda: factories.project_table(unit, name="安保经费"))
    factories.project_table(unit, name="安保经费", version=2)


def test_an_indicator_belongs_to_exactly_one_table(reference_data):
    level2 = factories.level2("产出指标", "数量指标")
    refused(lambda: Indicator.objects.create(level2=level2, name="无主指标"))


def test_indicator_weight_is_a_percentage(reference_data):
    table = factories.project_table()
    row = factories.indicator(table)
    row.weight = Decimal("120")
    refused(row.save)


def test_indicator_keeps_the_value_exactly_as_typed_beside_its_parts(reference_data):
    row = factories.indicator(factories.project_table(), value="下发通报 ≥ 1 期")
    row.refresh_from_db()
    assert row.value_text == "下发通报 ≥ 1 期"
    assert (row.value_prefix, row.value_nature, row.value_number, row.value_unit) == ("下发通报", "ge", 1, "期")


def test_a_level2_always_belongs_to_the_level1_and_framework_it_is_filed_under(reference_data):
    cost_2015 = factories.level2("产出指标", "成本指标", "2015")
    assert (cost_2015.level1.name, cost_2015.level1.framework.code) == ("产出指标", "2015")
    economic_cost_2021 = factories.level2("成本指标", "经济成本指标", "2021")
    assert economic_cost_2021.level1.framework.code == "2021"


def test_an_indicator_cannot_use_a_level2_from_another_framework(reference_data):
    table = factories.project_table(framework_code="2015")
    cost_2021 = factories.level2("成本指标", "经济成本指标", "2021")
    refused(lambda: Indicator.objects.create(project=table, level2=cost_2021, name="经济成本"))
    row = factories.indicator(table)
    row.level2 = cost_2021
    refused(row.save)


def test_a_table_cannot_switch_framework_under_its_indicators(reference_data):
    table = factories.project_table(framework_code="2015")
    factories.indicator(table)
    table.framework = factories.framework("2021")
    refused(table.save)
    empty = factories.project_table(framework_code="2015")
    empty.framework = factories.framework("2021")
    empty.save()
