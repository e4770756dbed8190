"""The Excel layouts, declared as data (STYLE §6): the writer prints these cells and the reader looks
for the same labels, so an exported file is always a valid import.

A form layout is a title block, a header block of label/value cells, optionally a spending-plan block
and a grid of 三级 indicator rows (the 部门整体 layout adds a grid of 分项目标). Cells name a *field*;
``FIELD_LABELS`` lists, for each field, every header spelling units use, so the reader accepts
files that were never exported from here. Fields a layout does not print travel in hidden cells
outside the print area (see writer.CARRIED_*), which is what makes every layout round-trip.
"""

from dataclasses import dataclass

from projects.excel.text import label_key

# Header labels, field → spellings (the first is the one printed by default).
FIELD_LABELS = {
    "name": ("项目名称",),
    "code": ("项目编码", "项目代码", "项目编号"),
    "department": ("主管部门及代码", "主管部门", "项目主管部门", "主管部门名称", "主管单位", "部门名称"),
    "unit": ("实施单位", "项目执行单位", "执行单位", "项目实施单位", "预算单位", "单位名称"),
    "attribute": ("项目属性", "项目类别"),
    "period": ("项目期", "项目周期", "项目期限", "实施期限"),
    "year": ("预算年度", "年度"),
    "funds.total": ("年度资金总额", "预算数", "资金总额", "项目资金总额", "年度预算数", "资金合计", "合计", "总额"),
    "funds.fiscal": ("财政拨款", "财政资金", "财政拨款小计", "财政拨款资金", "财政性资金"),
    "funds.fiscal_part": ("一般公共预算", "一般公共预算拨款", "一般公共预算资金", "政府性基金", "政府性基金预算",
                          "政府性基金预算拨款", "国有资本经营预算", "国有资本经营预算拨款", "上级补助", "上级专项资金",
                          "上级资金", "上级补助资金", "本级资金", "本级财政资金", "中央资金", "省级资金", "市级资金", "县级资金"),
    "funds.other": ("其他资金", "其他资金小计", "非财政拨款", "非财政拨款资金"),
    # 自有资金 is a subtotal of its own (事业收入 + 经营收入) inside 其他资金.
    "funds.own": ("自有资金", "单位自有资金", "自有资金小计", "单位资金"),
    "funds.own_part": ("事业收入", "经营收入", "事业收入资金", "经营收入资金"),
    "funds.other_part": ("其他收入", "上年结转", "上年结转资金", "其他"),
    # 中期资金总额 beside (or under) 年度资金总额: the 财政拨款 / 其他资金 labels nearest to it are its split
    # (projects.excel.midterm), never added to the year's funds.
    "midterm_funds.total": ("中期资金总额", "中期资金", "实施期资金总额", "中长期资金总额", "中期预算数", "中期资金合计"),
    # The lines of a table's funds breakdown printed under its funds (projects.breakdown), one a row,
    # indented by their depth: read back as lines, never added to the three amounts.
    "funds.breakdown": ("资金来源明细", "资金来源明细表", "资金来源构成"),
    "funds.section": ("项目资金", "资金情况", "项目资金情况", "预算资金"),
    "funds.section_with_use": ("预算规模及资金用途",),
    "fund_use": ("资金用途", "主要用途", "资金主要用途"),
    "manager": ("项目负责人", "负责人", "项目负责人姓名", "项目联系人", "联系人"),
    "phone": ("联系电话", "电话", "联系方式", "负责人电话", "手机"),
    "spending_plan": ("资金支出计划", "支出计划", "预算支出计划", "分月支出计划"),
    "goals.annual": ("年度总体目标", "绩效目标", "年度目标", "年度绩效目标", "总体目标", "项目年度目标"),
    "goals.long_term": ("中长期目标", "长期目标", "实施期目标", "总体目标（中长期）", "中期目标", "中期绩效目标", "实施期绩效目标"),
    "target.department": ("主管部门", "部门名称", "主管部门及代码", "部门", "部门（单位）名称", "部门（单位）"),
    "target.overall_goal": ("总体绩效目标", "部门总体绩效目标", "部门整体绩效目标", "整体绩效目标"),
    "target.funds.total": ("部门预算总额", "部门预算", "部门预算合计", "部门预算数"),
    "target.funds.basic": ("基本支出", "基本支出预算"),
    "target.funds.project": ("项目支出", "项目支出预算"),
}

# The one label a layout prints inside the cell of its value: 定州's unit line, when the unit has no
# code. Everywhere else a printed label has a cell of its own.
UNIT_LINE_LABEL = "实施单位："

# Indicator grid columns, field → spellings.
GRID_LABELS = {
    "level1": ("一级指标", "一级", "一级指标名称"),
    "level2": ("二级指标", "二级", "二级指标名称"),
    "name": ("三级指标", "指标内容", "三级指标名称", "三级", "指标名称", "具体指标", "三级指标内容"),
    "description": ("绩效指标描述", "指标描述", "指标解释", "指标说明", "指标内容描述"),
    "midterm_value": ("中期指标值", "中期目标值", "实施期指标值", "中长期指标值", "长期指标值"),
    "value": ("指标值", "目标值", "年度指标值", "绩效指标值", "预期目标值", "指标值（包含数字及文字描述）", "年度目标值",
              "预期达到目标", "预期达到的目标", "预期达到值"),
    # 指标说明及公式 of the department form (projects.excel.deptform): the row's 备注, or its 描述 when
    # the form has no 指标解释.
    "formula": ("指标说明及公式", "指标说明及计算公式", "计算公式", "指标计算公式"),
    # The post-2021 form's 指标值 in three cells (≥ | 100 | 人): joined into one 指标值 (projects.excel.bands).
    "operator": ("指标性质", "指标方向", "指标方向性", "比较符"),
    "unit": ("度量单位", "计量单位", "指标单位"),
    "basis": ("指标值确定依据", "确定依据", "指标值设定依据", "依据", "指标值依据"),
    "weight": ("权重", "分值", "指标权重", "权重(%)"),
    "note": ("备注", "说明"),
    "outer": ("名称", "绩效指标", "指标", "序号", "长期绩效指标", "中期绩效指标", "中长期绩效指标", "实施期绩效指标", "年度绩效指标"),
}

# The titles over the two grids of a stacked form (长期绩效指标 above 年度绩效指标): the first grid's
# 指标值 are the 中期指标值 of the second's rows (projects.excel.midterm).
MIDTERM_GRID_TITLES = ("长期绩效指标", "中期绩效指标", "中长期绩效指标", "实施期绩效指标")
ANNUAL_GRID_TITLES = ("年度绩效指标",)

# 分项目标 grid of the 部门整体 layout.
SUB_TARGET_LABELS = {
    "number": ("序号",),
    "title": ("分项名称", "分项目标", "分项绩效目标", "名称", "工作任务"),
    "goal": ("绩效目标", "目标"),
    "indicator_text": ("绩效指标",),
    "safeguards": ("工作保障措施", "保障措施", "完成保障措施"),
}

# Flat list: table columns besides the grid ones.
FLAT_TABLE_LABELS = {
    "region": ("区划代码", "行政区划代码"),
    "department": FIELD_LABELS["department"],
    "unit": FIELD_LABELS["unit"],
    "year": ("预算年度", "年度"),
    "name": ("项目名称",),
    "code": FIELD_LABELS["code"],
    "funds.total": FIELD_LABELS["funds.total"],
    "funds.fiscal": FIELD_LABELS["funds.fiscal"],
    "funds.other": FIELD_LABELS["funds.other"],
}


def _keys(labels):
    return {field_name: {label_key(text) for text in spellings} for field_name, spellings in labels.items()}


FIELD_KEYS = _keys(FIELD_LABELS)
GRID_KEYS = _keys(GRID_LABELS)
SUB_TARGET_KEYS = _keys(SUB_TARGET_LABELS)
FLAT_TABLE_KEYS = _keys(FLAT_TABLE_LABELS)


@dataclass(frozen=True)
class Cell:
    """One printed cell: a fixed label (``text``) or a field's value (``field``), at column ``col``
    (1-based) spanning ``span`` columns and ``rows`` rows."""

    col: int
    text: str = ""
    field: str = ""
    span: int = 1
    rows: int = 1
    style: str = "value"  # label, value, money, title, subtitle, plain, plain_right


@dataclass(frozen=True)
class Row:
    cells: tuple
    when: str = ""  # printed only when this field has a value
    height: float | None = None


@dataclass(frozen=True)
class Column:
    """A grid column: its printed header, the field it holds, its width in characters."""

    header: str
    field: str
    width: float
    span: int = 1
    merge_runs: bool = False  # merge equal consecutive cells (一级/二级), as the printed forms do
    read: bool = True  # derived columns (指标性质, 数值) are printed for analysis and not read back


@dataclass(frozen=True)
class SpendingBlock:
    """资金支出计划: a label cell, then month labels (3月底 …) over a row of cumulative percents."""

    label: str
    label_span: int
    cells: tuple  # (col, span) of each checkpoint cell
    default_months: tuple = (3, 6, 10, 12)


@dataclass(frozen=True)
class FormLayout:
    name: str
    label: str
    kind: str  # "project" or "department"
    widths: tuple  # column widths in characters; their count is the print width
    title: tuple  # rows repeated at the top of every printed page
    header: tuple
    grid: tuple = ()  # indicator columns
    midterm_grid: tuple = ()  # the columns printed instead when a row has a 中期指标值 (same print width)
    spending: SpendingBlock | None = None
    after_spending: tuple = ()  # header rows printed below the spending plan (定州: 绩效目标)
    sub_targets: tuple = ()  # 分项目标 columns (部门整体 only)
    goal_style: str = "pingluo"  # how goal items are numbered when printed
    level2_notes: bool = False  # print （必填）/（必填硬性指标） after 二级 names, as 平罗 does
    landscape: bool = False
    description: str = ""

    @property
    def print_columns(self):
        return len(self.widths)

    def printed_fields(self):
        rows = self.title + self.header + self.after_spending
        fields = {cell.field for row in rows for cell in row.cells if cell.field}
        if self.spending:
            fields.add("spending_plan")
        return fields


@dataclass(frozen=True)
class FlatLayout:
    name: str
    label: str
    columns: tuple
    kind: str = "flat"
    description: str = ""

    @property
    def print_columns(self):
        return sum(column.span for column in self.columns)

    @property
    def widths(self):
        return tuple(column.width for column in self.columns)


# The mid-term money under the year's, printed only when the table has some: each label in the column
# of 中期资金总额, so the reader gives its 财政拨款 / 其他资金 to the mid-term and not to the year.
MIDTERM_FUNDS_ROWS = (
    Row(
        (Cell(1, text="中期资金总额（万元）", span=3, style="label"), Cell(4, field="midterm_funds.total", span=2, style="money")),
        when="midterm_funds",
    ),
    Row(
        (Cell(1, text="其中：财政拨款", span=3, style="label"), Cell(4, field="midterm_funds.fiscal", span=2, style="money")),
        when="midterm_funds",
    ),
    Row(
        (Cell(1, text="其他资金", span=3, style="label"), Cell(4, field="midterm_funds.other", span=2, style="money")),
        when="midterm_funds",
    ),
)

# The funds breakdown under the year's funds, printed only when the table has one: the label cell spans
# the lines; each line's label (indented one full-width space a level) and amount fill a row
# (projects.excel.writer expands the row; projects.excel.header reads the block back as lines).
BREAKDOWN_LINE = "funds.breakdown"

PINGLUO = FormLayout(
    name="pingluo",
    label="平罗式",
    kind="project",
    description="部门项目支出预算绩效目标表：项目名称、主管部门及代码、实施单位、项目属性、项目期、项目资金、年度总体目标，"
    "下接一级/二级/三级指标与指标值。",
    widths=(9, 12, 21, 34, 15),
    title=(
        Row((Cell(1, text="部门项目支出预算绩效目标表", span=5, style="title"),), height=30),
        Row((Cell(1, field="year", span=5, style="subtitle"),), height=20),
    ),
    header=(
        Row((Cell(1, text="项目名称", span=2, style="label"), Cell(3, field="name", span=3))),
        Row(
            (
                Cell(1, text="主管部门及代码", span=2, style="label"),
                Cell(3, field="department"),
                Cell(4, text="实施单位", style="label"),
                Cell(5, field="unit"),
            )
        ),
        Row(
            (
                Cell(1, text="项目属性", span=2, style="label"),
                Cell(3, field="attribute"),
                Cell(4, text="项目期", style="label"),
                Cell(5, field="period"),
            )
        ),
        Row(
            (
                Cell(1, text="项目资金（万元）", rows=3, style="label"),
                Cell(2, text="年度资金总额：", span=2, style="label"),
                Cell(4, field="funds.total", span=2, style="money"),
            )
        ),
        Row((Cell(2, text="其中：财政拨款", span=2, style="label"), Cell(4, field="funds.fiscal", span=2, style="money"))),
        Row((Cell(2, text="其他资金", span=2, style="label"), Cell(4, field="funds.other", span=2, style="money"))),
        Row(
            (
                Cell(1, text="资金来源明细（万元）", style="label"),
                Cell(2, field=BREAKDOWN_LINE, span=2, style="plain"),
                Cell(4, span=2, style="money"),
            ),
            when="funds.breakdown",
        ),
        *MIDTERM_FUNDS_ROWS,
        Row(
            (
                Cell(1, text="项目负责人", span=2, style="label"),
                Cell(3, field="manager"),
                Cell(4, text="联系电话", style="label"),
                Cell(5, field="phone"),
            ),
            when="manager|phone",
        ),
        Row((Cell(1, text="年度总体目标", style="label"), Cell(2, field="goals.annual", span=4, style="plain"))),
        Row(
            (Cell(1, text="中长期目标", style="label"), Cell(2, field="goals.long_term", span=4, style="plain")),
            when="goals.long_term",
        ),
    ),
    grid=(
        Column("名称", "outer", 9),
        Column("一级指标", "level1", 12, merge_runs=True),
        Column("二级指标", "level2", 21, merge_runs=True),
        Column("三级指标", "name", 34),
        Column("指标值", "value", 15),
    ),
    midterm_grid=(
        Column("一级指标", "level1", 9, merge_runs=True),
        Column("二级指标", "level2", 12, merge_runs=True),
        Column("三级指标", "name", 21),
        Column("中期指标值", "midterm_value", 34),
        Column("年度指标值", "value", 15),
    ),
    goal_style="pingluo",
    level2_notes=True,
)

DINGZHOU = FormLayout(
    name="dingzhou",
    label="定州式",
    kind="project",
    description="项目绩效目标表：项目编码、预算规模及资金用途、资金支出计划、绩效目标，"
    "下接一级/二级/三级指标、绩效指标描述、指标值、指标值确定依据。",
    widths=(13, 14, 19, 19, 12, 8, 8),
    title=(
        Row((Cell(1, field="title", span=7, style="title"),), height=30),
        Row(
            (
                Cell(1, field="unit_line", span=3, style="plain_left"),
                Cell(4, field="year", span=2, style="subtitle"),
                Cell(6, text="单位：万元", span=2, style="plain_right"),
            ),
            height=20,
        ),
    ),
    header=(
        Row(
            (
                Cell(1, text="项目编码", style="label"),
                Cell(2, field="code", span=2),
                Cell(4, text="项目名称", style="label"),
                Cell(5, field="name", span=3),
            )
        ),
        Row(
            (
                Cell(1, text="预算规模及资金用途", rows=2, style="label"),
                Cell(2, text="预算数", style="label"),
                Cell(3, field="funds.total", style="money"),
                Cell(4, text="其中：财政资金", style="label"),
                Cell(5, field="funds.fiscal", style="money"),
                Cell(6, text="其他资金", style="label"),
                Cell(7, field="funds.other", style="money"),
            )
        ),
        Row((Cell(2, field="fund_use", span=6, style="plain"),)),
        Row(
            (
                Cell(1, text="资金来源明细（万元）", style="label"),
                Cell(2, field=BREAKDOWN_LINE, span=4, style="plain"),
                Cell(6, span=2, style="money"),
            ),
            when="funds.breakdown",
        ),
        Row(
            (
                Cell(1, text="中期资金总额", style="label"),
                Cell(2, field="midterm_funds.total", style="money"),
                Cell(3, text="其中：财政资金", style="label"),
                Cell(4, field="midterm_funds.fiscal", style="money"),
                Cell(5, text="其他资金", style="label"),
                Cell(6, field="midterm_funds.other", span=2, style="money"),
            ),
            when="midterm_funds",
        ),
        Row(
            (
                Cell(1, text="项目负责人", style="label"),
                Cell(2, field="manager", span=2),
                Cell(4, text="联系电话", style="label"),
                Cell(5, field="phone", span=3),
            ),
            when="manager|phone",
        ),
    ),
    spending=SpendingBlock(label="资金支出计划（%）", label_span=1, cells=((2, 1), (3, 1), (4, 1), (5, 3))),
    after_spending=(
        Row((Cell(1, text="绩效目标", style="label"), Cell(2, field="goals.annual", span=6, style="plain"))),
        Row(
            (Cell(1, text="中长期目标", style="label"), Cell(2, field="goals.long_term", span=6, style="plain")),
            when="goals.long_term",
        ),
    ),
    grid=(
        Column("一级指标", "level1", 13, merge_runs=True),
        Column("二级指标", "level2", 14, merge_runs=True),
        Column("三级指标", "name", 19),
        Column("绩效指标描述", "description", 19),
        Column("指标值", "value", 12),
        Column("指标值确定依据", "basis", 16, span=2),
    ),
    midterm_grid=(
        Column("一级指标", "level1", 13, merge_runs=True),
        Column("二级指标", "level2", 14, merge_runs=True),
        Column("三级指标", "name", 19),
        Column("绩效指标描述", "description", 19),
        Column("中期指标值", "midterm_value", 12),
        Column("年度指标值", "value", 8),
        Column("指标值确定依据", "basis", 8),
    ),
    goal_style="dingzhou",
)
DEPARTMENT = FormLayout(
    name="department",
    label="部门整体",
    kind="department",
    description="部门整体绩效目标：总体绩效目标、分项绩效目标（绩效目标、绩效指标、工作保障措施）及三级指标。",
    widths=(6, 14, 26, 22, 20, 20),
    landscape=True,
    title=(
        Row((Cell(1, field="target.title", span=6, style="title"),), height=30),
        Row((Cell(1, field="year", span=6, style="subtitle"),), height=20),
    ),
    header=(
        Row((Cell(1, text="主管部门", span=2, style="label"), Cell(3, field="target.department", span=4))),
        Row((Cell(1, text="总体绩效目标", span=2, style="label"), Cell(3, field="target.overall_goal", span=4, style="plain"))),
        Row((Cell(1, text="部门预算总额（万元）", span=2, style="label"), Cell(3, field="target.funds.total", span=4))),
        Row(
            (
                Cell(1, text="其中：基本支出（万元）", span=2, style="label"),
                Cell(3, field="target.funds.basic"),
                Cell(4, text="其中：项目支出（万元）", style="label"),
                Cell(5, field="target.funds.project", span=2),
            )
        ),
    ),
    sub_targets=(
        Column("序号", "number", 6),
        Column("分项名称", "title", 14),
        Column("绩效目标", "goal", 26),
        Column("绩效指标", "indicator_text", 22),
        Column("工作保障措施", "safeguards", 40, span=2),
    ),
    grid=(
        Column("一级指标", "level1", 20, span=2, merge_runs=True),
        Column("二级指标", "level2", 26, merge_runs=True),
        Column("三级指标", "name", 22),
        Column("指标值", "value", 20),
        Column("指标值确定依据", "basis", 20),
    ),
)

FLAT = FlatLayout(
    name="flat",
    label="指标清单",
    description="每行一条三级指标，附所属项目表的主要字段，便于筛选和统计。",
    columns=(
        Column("区划代码", "region", 9),
        Column("主管部门", "department", 18),
        Column("实施单位", "unit", 20),
        Column("预算年度", "year", 8),
        Column("项目名称", "name", 22),
        Column("项目编码", "code", 22),
        Column("年度资金总额", "funds.total", 12),
        Column("财政拨款", "funds.fiscal", 12),
        Column("其他资金", "funds.other", 12),
        Column("一级指标", "ind.level1", 11),
        Column("二级指标", "ind.level2", 14),
        Column("三级指标", "ind.name", 28),
        Column("绩效指标描述", "ind.description", 22),
        Column("指标值", "ind.value", 14),
        Column("中期指标值", "ind.midterm_value", 14),
        Column("指标性质", "ind.nature", 8, read=False),
        Column("数值", "ind.number", 10, read=False),
        Column("计量单位", "ind.unit", 8, read=False),
        Column("指标值确定依据", "ind.basis", 14),
        Column("权重", "ind.weight", 7),
        Column("备注", "ind.note", 16),
    ),
)

LAYOUTS = {layout.name: layout for layout in (PINGLUO, DINGZHOU, DEPARTMENT, FLAT)}
PROJECT_LAYOUTS = ("pingluo", "dingzhou", "flat")
