"""A department's name is typed by people: on the dashboard its tooltip shows it as text, never as HTML."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

MARKUP_NAME = '<img src="x" class="injected">定州标记局'


def test_a_department_name_written_as_markup_shows_as_text_in_the_chart_tooltip(page, live_server, demo):
    from projects.models import Region
    from tests import factories

    department = factories.department(Region.objects.get(code="130682"), name=MARKUP_NAME)
    unit = factories.unit(department, name="标记局本级", is_department_office=True)
    factories.project_table(unit, year=2022, name="标记局项目", funds_total=Decimal("999999"))
    log_in(page, live_server, "dz_finance")
    page.goto(f"{live_server.url}/overview/?year=2022")
    page.wait_for_load_state("networkidle")
    page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector("#chart-groups"));
            const option = chart.getOption();
            const dataIndex = option.yAxis[0].data.findIndex((name) => name.includes("定州标记局"));
            const seriesIndex = option.series.findIndex((line) => Number(line.data[dataIndex].value) > 0);
            chart.dispatchAction({type: "showTip", seriesIndex, dataIndex});
        }"""
    )
    tooltip = page.locator("#chart-groups div").filter(has_text="定州标记局").last
    tooltip.wait_for(state="visible")
    assert MARKUP_NAME in tooltip.inner_text()
    assert page.locator("img.injected").count() == 0
