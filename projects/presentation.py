"""How a table is laid out as the official form on screen and on paper: the two published layouts
and the merged 一级/二级 cells of the indicator grid."""

from dataclasses import dataclass

LAYOUTS = {
    "pingluo": "平罗式（一级/二级/三级/指标值）",
    "dingzhou": "定州式（含绩效指标描述、指标值确定依据、资金支出计划）",
}


def layout_for(requested, table):
    """The layout asked for, else the one the table's own data suggests: 定州式 when it has a code,
    a spending plan, fund use or indicator descriptions, which only that layout prints."""
    if requested in LAYOUTS:
        return requested
    uses_dingzhou = bool(table.code or table.fund_use) or any(row.description for row in table.indicators.all())
    return "dingzhou" if uses_dingzhou else "pingluo"


@dataclass
class IndicatorRow:
    indicator: object
    level1_span: int  # rows this 一级 cell covers, 0 where the cell above covers it
    level2_span: int


def indicator_rows(indicators):
    """Rows in framework order with the rowspans of the merged 一级 and 二级 cells."""
    rows = sorted(indicators, key=lambda row: (row.level2.level1.order, row.level2.order, row.order, row.pk or 0))
    result = []
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        level1_span = level2_span = 0
        if previous is None or previous.level2.level1_id != row.level2.level1_id:
            level1_span = sum(1 for other in rows[index:] if other.level2.level1_id == row.level2.level1_id)
        if previous is None or previous.level2_id != row.level2_id:
            level2_span = sum(1 for other in rows[index:] if other.level2_id == row.level2_id)
        result.append(IndicatorRow(row, level1_span, level2_span))
    return result


def has_midterm_values(rows):
    """Whether the grid needs its 中期指标值 column: a row states a mid-term value."""
    return any(row.indicator.midterm_value_text for row in rows)
