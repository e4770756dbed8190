"""A filled self-evaluation as 四川 units publish it (DOMAIN §4.2, issue 16): 指标性质 | 指标值 | 度量单位 |
完成值 | 权重 | 得分 | 未完成原因分析; funds as 财政资金 / 财政专户管理资金 / 单位资金 / 其他资金 × 年初预算 /
调整后预算数 / 预算执行数; a printed 合计 and 自评等级; 评价结论 / 存在问题 / 改进措施 / 项目负责人 / 财务负责人.

Drawn the way such files come: title and labels merged across columns, 一级 and 二级 merged down their
rows, the execution 权重 and 得分 merged down the fund rows, header labels broken over two lines, spaced
or carrying their unit in brackets, a number typed as text, a rate and a satisfaction shown as
percentages of a fraction. ``total_row``: the funds open with a 合计 row carrying the rate (else the
sources alone, the score on 财政资金's row)."""

from decimal import Decimal as D
from io import BytesIO

from openpyxl import Workbook

# (一级, 二级, 三级, 指标性质, 指标值, 度量单位, 完成值, 权重, 得分, 未完成原因分析); None under a merged cell.
ROWS = (
    ("产出指标", "数量指标", "举办业务培训期数", "≥", 4, "期", 4, 10, 10, None),
    (None, None, "培训基层干部人次", "≥", 200, "人次", 190, 10, 10, None),
    (None, "质量指标", "培训考核合格率", "≥", 95, "%", 96, 10, 10, None),
    (None, "时效指标", "培训完成时间", "定性", "2024 年 11 月底前", None, "11 月 20 日完成", 10, 7, "一期延后；明年提前排期"),
    (None, "成本指标", "培训经费", "≤", 20, "万元", 18.5, 10, 10, None),
    ("效益指标", "社会效益指标", "参训人员业务考核平均分", "≥", 85, "分", 80, 15, 15, "考核题目较往年偏难，按难度折算已达目标"),
    (None, "可持续影响指标", "培训课件持续使用年限", "≥", 3, "年", "3", 15, 15, None),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", 90, "%", 0.93, 10, 10, None),
)
# Each source: 年初预算, 调整后预算数, 预算执行数 (万元).
FUNDS = (
    ("财政资金", 18, 18, 17),
    ("财政专户管理资金", 1, 1, 1),
    ("单位资金", 0.5, 0.5, 0.25),
    ("其他资金", 0.5, 0.5, 0.25),
)
# What the rules make of the file: 18.5 ÷ 20 = 92.5% of 10 points; each row's computed score.
RATE, EXECUTION = D("92.50"), D("9.25")
COMPUTED = (D("10.00"), D("9.50"), D("10.00"), D("7.00"), D("10.00"), D("14.12"), D("15.00"), D("10.00"))


def sichuan_workbook(project_name, *, total_row=False, printed_execution=9, printed_total=96, note_column=False):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "自评表"

    def put(cell, value, merge_to=None):
        sheet[cell] = value
        if merge_to:
            sheet.merge_cells(f"{cell}:{merge_to}")

    put("A1", "项目支出绩效自评表", "J1")
    put("A2", "（2024年度）", "J2")
    put("A3", "项目名称", "B3")
    put("C3", project_name, "J3")
    put("A4", "主管部门", "B4")
    put("C4", "平罗县纪律检查委员会", "E4")
    put("F4", "实施单位", "G4")
    put("H4", "（本单位）", "J4")
    put("A5", "资金情况\n（万元）", "B5")
    for cell, label in (("C5", "年初\n预算"), ("D5", "调整后\n预算数"), ("E5", "预算执行数"), ("F5", "执行率"), ("G5", "权 重"), ("H5", "得分")):
        put(cell, label)
    row = 6
    sources = FUNDS
    if total_row:
        put(f"A{row}", "合计", f"B{row}")
        sheet[f"C{row}"], sheet[f"D{row}"], sheet[f"E{row}"] = 20, 20, 18.5
        sheet[f"F{row}"] = 0.925
        sheet[f"F{row}"].number_format = "0.00%"
        row += 1
    first_fund = 6
    for label, initial, full, executed in sources:
        put(f"A{row}", label, f"B{row}")
        sheet[f"C{row}"], sheet[f"D{row}"], sheet[f"E{row}"] = initial, full, executed
        if label == "财政资金":
            sheet[f"F{row}"] = "94.44%"  # 财政资金's own rate: not what the score is reckoned from
        row += 1
    put(f"G{first_fund}", 10, f"G{row - 1}")
    put(f"H{first_fund}", printed_execution, f"H{row - 1}")
    put(f"A{row}", "年度总体目标", f"A{row + 1}")
    put(f"B{row}", "预期目标", f"D{row}")
    put(f"E{row}", "实际完成情况", f"J{row}")
    put(f"B{row + 1}", "培训基层干部", f"D{row + 1}")
    put(f"E{row + 1}", "全年培训 4 期 190 人次", f"J{row + 1}")
    row += 2
    headers = ["一级指标", "二级指标", "三级指标", "指标\n性质", "指标值", "度量\n单位", "完成值", "权重（%）", "得分", "未完成原因\n分析"]
    if note_column:
        headers.append("说明")
    for column, label in enumerate(headers, 1):
        sheet.cell(row, column, label)
    header_row = row
    for offset, values in enumerate(ROWS, 1):
        for column, value in enumerate(values, 1):
            if value is not None:
                sheet.cell(header_row + offset, column, value)
    sheet.cell(header_row + 8, 7).number_format = "0%"  # 满意度 0.93 shown as 93%
    if note_column:
        sheet.cell(header_row + 2, 11, "190 人次为实到人数，另有 12 人次线上补训")
    first = header_row + 1
    sheet.merge_cells(f"A{first}:A{first + 4}")
    sheet.merge_cells(f"B{first}:B{first + 1}")
    sheet.merge_cells(f"A{first + 5}:A{first + 6}")
    row = header_row + len(ROWS) + 1
    put(f"A{row}", "合计", f"G{row}")
    sheet[f"H{row}"], sheet[f"I{row}"] = 100, printed_total
    put(f"A{row + 1}", "自评等级", f"B{row + 1}")
    put(f"C{row + 1}", "优秀", f"J{row + 1}")
    for offset, (label, text) in enumerate((("评价结论", "项目完成较好"), ("存在问题", "一期培训延后"), ("改进措施", "提前排期")), 2):
        put(f"A{row + offset}", label, f"B{row + offset}")
        put(f"C{row + offset}", text, f"J{row + offset}")
    put(f"A{row + 5}", "项目负责人", f"B{row + 5}")
    put(f"C{row + 5}", "王五", f"D{row + 5}")
    put(f"E{row + 5}", "财务负责人", f"F{row + 5}")
    put(f"G{row + 5}", "赵六", f"J{row + 5}")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), header_row
