#!/usr/bin/env python3
"""Workbooks as teams make them (not in tracksheet's own layout), each with its planted problems.

Made with openpyxl and XlsxWriter, one re-saved through LibreOffice. `manifest.json` lists, per
workbook: the template and each mapped sheet's columns (what `inspect` must find), every planted
error and warning as (rule, sheet, cell) — `validate` must report exactly these — the infos it must
report, and values the store must hold after `sync` (in 元, whatever unit the header names).

    python3 make.py            # writes the .xlsx files and manifest.json here
"""
import datetime as dt, json, os, shutil, subprocess, sys, tempfile
import openpyxl, xlsxwriter
from openpyxl.styles import Font, Alignment

HERE = os.path.dirname(os.path.abspath(__file__))
manifest = {}
D = dt.date


def entry(name, template, sheets, problems=(), infos=(), store=None, as_of="2025-06-09", campaign=None, after_recalc=None, kept=None):
    manifest[name] = {"template": template, "sheets": sheets, "asOf": as_of, "campaign": campaign or name,
                      "afterRecalc": after_recalc or {}, "keptFormulas": kept or {},
                      "problems": sorted(map(list, problems)), "infos": sorted(map(list, infos)),
                      "store": store or {}}


def letters(headers, keys, first=1):
    out = {}
    for i, k in enumerate(keys):
        if k:
            n = first + i
            s = ""
            while n:
                n, r = divmod(n - 1, 26)
                s = chr(65 + r) + s
            out[k] = s
    return out


def openpyxl_sheet(ws, title, headers, rows, header_row=2):
    if title:
        ws.cell(1, 1, title).font = Font(bold=True, size=14)
    for j, h in enumerate(headers, 1):
        c = ws.cell(header_row, j, h)
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True)
    for i, r in enumerate(rows):
        for j, v in enumerate(r, 1):
            if v is not None:
                ws.cell(header_row + 1 + i, j, v)


# 1. A master plan typed on Sheet1 with the synonyms teams use (WPS-style), one overspend.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sheet1"
H = ["阶段", "任务", "责任人", "开始日期", "结束日期", "实际开始日期", "实际结束日期", "预算", "实际花费", "进度(%)", "KPI", "达成值", "备注"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "actualStart", "actualEnd", "budget", "spend", "progress", "kpi", "achieved", "notes"]
rows = [
    ["筹备期", "KOL名单筛选与签约", "张丽", D(2025, 5, 1), D(2025, 5, 7), D(2025, 5, 1), D(2025, 5, 6), 50000, 48000, 100, "签约KOL数量≥10人", "10人", "头部腰部都有"],
    ["筹备期", "推广素材制作", "王强", D(2025, 5, 3), D(2025, 5, 10), D(2025, 5, 3), D(2025, 5, 9), 30000, 31500, 100, "素材通过率100%", "100%", None],
    ["启动期", "小红书笔记发布", "张丽", D(2025, 5, 11), D(2025, 5, 15), D(2025, 5, 11), D(2025, 5, 14), 25000, 24500, 100, "笔记总阅读量≥20万", "22万", None],
    ["爆发期", "直播带货专场", "李娜", D(2025, 6, 10), D(2025, 6, 30), None, None, 80000, None, 0, "观看人数≥20万", None, "6月下旬"],
]
openpyxl_sheet(ws, "市场推广计划主跟踪表(推广周期:2025年5月1日-2025年7月20日)", H, rows)
for r in range(3, 7):
    for c in (4, 5, 6, 7):
        ws.cell(r, c).number_format = "yyyy-mm-dd"
wb.save(os.path.join(HERE, "01-sheet1-synonyms.xlsx"))
entry("01-sheet1-synonyms", "marketing-plan", {"Sheet1": {"templateSheet": "master", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("budget.overspend", "Sheet1", "I4")],
      store={"master_tasks": [{"task": "推广素材制作", "spend": 31500, "plannedStart": "2025-05-03"}]})

# 2. A WPS two-row header: 计划时间 over 开始 / 结束, 实际时间 over 开始 / 结束, the rest merged down.
path = os.path.join(HERE, "02-two-row-headers.xlsx")
x = xlsxwriter.Workbook(path); s = x.add_worksheet("主跟踪表")
b = x.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1}); d = x.add_format({"num_format": "yyyy/m/d"})
s.merge_range("A1:L1", "618大促主跟踪表(推广周期:2025/5/1-2025/7/20)", b)
single = [("A", "推广阶段"), ("B", "关键任务"), ("C", "负责人")]
for col, h in single:
    s.merge_range(f"{col}2:{col}3", h, b)
s.merge_range("D2:E2", "计划时间", b); s.write("D3", "开始", b); s.write("E3", "结束", b)
s.merge_range("F2:G2", "实际时间", b); s.write("F3", "开始", b); s.write("G3", "结束", b)
for col, h in [("H", "预算金额(元)"), ("I", "实际支出(元)"), ("J", "执行进度(%)"), ("K", "核心KPI指标"), ("L", "当前达成值")]:
    s.merge_range(f"{col}2:{col}3", h, b)
data = [
    ["筹备期", "投放账户搭建", "赵敏", D(2025, 5, 1), D(2025, 5, 5), D(2025, 5, 1), D(2025, 5, 4), 10000, 9000, 100, "账户数≥3个", "3个"],
    ["启动期", "信息流广告上线", "孙浩", D(2025, 5, 12), D(2025, 5, 20), D(2025, 5, 12), D(2025, 5, 10), 60000, 50000, 100, "点击率≥2%", "2.3%"],
    ["爆发期", "头部KOL集中发声", "赵敏", D(2025, 6, 12), D(2025, 6, 25), None, None, 90000, None, 0, "笔记阅读量≥50万", None],
]
for i, r in enumerate(data):
    for j, v in enumerate(r):
        if v is None: continue
        if isinstance(v, D): s.write_datetime(3 + i, j, dt.datetime(v.year, v.month, v.day), d)
        else: s.write(3 + i, j, v)
x.close()
entry("02-two-row-headers", "marketing-plan",
      {"主跟踪表": {"templateSheet": "master", "headerRow": 3,
                 "columns": letters(None, ["phase", "task", "owner", "plannedStart", "plannedEnd", "actualStart", "actualEnd", "budget", "spend", "progress", "kpi", "achieved"])}},
      problems=[("date.order", "主跟踪表", "G5")], campaign="618大促",
      store={"master_tasks": [{"task": "投放账户搭建", "plannedStart": "2025-05-01", "plannedEnd": "2025-05-05", "actualEnd": "2025-05-04"}]})

# 3. Budgets in 万元: stored as 元; the overspend is told with both units.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "推广计划"
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算(万元)", "实际支出(万元)", "执行进度(%)"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress"]
rows = [["筹备期", "KOL签约", "陈晨", "2025-05-01", "2025-05-08", 5, 4.8, 100],
        ["启动期", "信息流投放", "周杰", "2025-05-10", "2025-05-31", 8, 8.6, 100],
        ["收尾期", "效果复盘", "陈晨", "2025-07-01", "2025-07-10", 1.5, None, 0]]
openpyxl_sheet(ws, "市场推广计划主跟踪表(推广周期:2025年5月1日-2025年7月15日)", H, rows)
wb.save(os.path.join(HERE, "03-units-wan.xlsx"))
entry("03-units-wan", "marketing-plan", {"推广计划": {"templateSheet": "master", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("budget.overspend", "推广计划", "G4")],
      store={"master_tasks": [{"task": "KOL签约", "budget": 50000, "spend": 48000}, {"task": "信息流投放", "budget": 80000, "spend": 86000}]})

# 4. A 合计 row summed by formulas, and a note under it: neither is a task; the note states the total budget.
path = os.path.join(HERE, "04-sum-total-and-note.xlsx")
x = xlsxwriter.Workbook(path); s = x.add_worksheet("主跟踪表"); bold = x.add_format({"bold": True})
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"]
s.write_row(0, 0, H, bold)
data = [["筹备期", "KOL名单筛选", "刘洋", "2025-05-01", "2025-05-07", 120000, 110000, 100],
        ["启动期", "信息流广告", "黄磊", "2025-05-10", "2025-05-30", 150000, 140000, 100],
        ["爆发期", "直播专场", "刘洋", "2025-06-01", "2025-06-08", 70000, 65000, 100]]
for i, r in enumerate(data): s.write_row(1 + i, 0, r)
s.write(4, 0, "合计", bold)
s.write_formula(4, 5, "=SUM(F2:F4)", bold, 340000); s.write_formula(4, 6, "=SUM(G2:G4)", bold, 315000)
s.write(5, 0, "说明:预留10%应急资金,总预算38.5万")
x.close()
entry("04-sum-total-and-note", "marketing-plan",
      {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress"])}},
      store={"master_tasks": [{"task": "直播专场", "budget": 70000}]})

# 5. Two campaigns in one workbook, each its own master plan and period.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "618主跟踪表"
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress"]
openpyxl_sheet(ws, "618大促主跟踪表(推广周期:2025年5月1日-2025年6月30日)", H,
               [["筹备期", "货品规划", "吴迪", "2025-05-01", "2025-05-10", 20000, 18000, 100],
                ["启动期", "预热投放", "吴迪", "2025-05-20", "2025-05-31", 50000, 47000, 100]])
ws2 = wb.create_sheet("双11主跟踪表")
openpyxl_sheet(ws2, "双11主跟踪表(推广周期:2025年10月1日-2025年11月30日)", H,
               [["筹备期", "货品规划", "郑爽", "2025-10-01", "2025-10-10", 30000, None, 0],
                ["启动期", "预热投放", None, "2025-10-20", "2025-10-15", 60000, None, 0]])
wb.save(os.path.join(HERE, "05-two-campaigns.xlsx"))
entry("05-two-campaigns", "marketing-plan",
      {"618主跟踪表": {"templateSheet": "master", "headerRow": 2, "columns": letters(H, K)},
       "双11主跟踪表": {"templateSheet": "master", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("required", "双11主跟踪表", "C4"), ("date.order", "双11主跟踪表", "E4")])

# 6. English workbook: English headers, phases and statuses (Met / Warning / Not met).
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Plan"
H = ["Phase", "Key task", "Owner", "Start date", "End date", "Budget (CNY)", "Spend", "Progress %", "KPI target", "Achieved", "Status"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress", "kpi", "achieved", "status"]
openpyxl_sheet(ws, "Marketing plan: Spring launch (2025-05-01 to 2025-07-20)", H,
               [["Preparation", "Shortlist KOLs", "Amy", "2025-05-01", "2025-05-07", 50000, 45000, 100, "KOLs signed≥10", "10", "Met"],
                ["Launch", "Feed ads", "Ben", "2025-05-10", "2025-05-30", 60000, 66000, 100, "CTR≥2%", "1.9%", "Warning"],
                ["Peak", "Live stream", "Amy", "2025-06-10", "2025-06-30", 80000, None, 0, "Viewers≥200000", None, None]])
wb.save(os.path.join(HERE, "06-english.xlsx"))
entry("06-english", "marketing-plan", {"Plan": {"templateSheet": "master", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("budget.overspend", "Plan", "G4"), ("kpi.notMet", "Plan", "J4")], campaign="Spring launch",
      store={"master_tasks": [{"task": "Feed ads", "spend": 66000, "plannedEnd": "2025-05-30"}]})

# 7. The effect sheet as a team keeps it: 点击率(%) as fractions under a 0.00% format, one wrong CVR.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "效果分析表"
H = ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)", "获客成本(元/人)", "增量销售额(元)", "ROI"]
K = ["channel", "content", "impressions", "clicks", "ctr", "conversions", "cvr", "cost", "cpa", "sales", "roi"]
openpyxl_sheet(ws, "推广效果分析表(周期:2025年5月11日-6月20日)", H,
               [["小红书KOL", "头部KOL(1篇)", 150000, 15000, 0.1, 225, 0.015, 30000, 133.33, 90000, 3.0],
                ["抖音信息流", "短视频素材A", 2000000, 60000, 0.03, 900, 0.02, 90000, 100.00, 360000, 4.0],
                ["线下体验", "5场活动", 500000, "-", "-", 300, "-", 50000, 166.67, 120000, 2.4]])
for r in range(3, 6):
    for c in (5, 7):
        ws.cell(r, c).number_format = "0.00%"
wb.save(os.path.join(HERE, "07-effect-percent-format.xlsx"))
entry("07-effect-percent-format", "marketing-plan", {"效果分析表": {"templateSheet": "effect", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("metric.mismatch", "效果分析表", "G4")])

# 8. Monitoring with Excel times in 时点 and a platform the template does not list (京东).
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "数据监控"
H = ["日期", "时点", "平台", "曝光量", "点击量", "访问量(UV)", "加购量", "下单量", "支付金额", "新客数"]
K = ["date", "time", "platform", "impressions", "clicks", "uv", "carts", "orders", "paid", "newCustomers"]
openpyxl_sheet(ws, "618大促数据监控(活动周期:2025年6月1日-2025年6月18日)", H,
               [[D(2025, 6, 1), dt.time(9, 0), "天猫", 100000, 5000, 4000, 800, 300, 60000, 120],
                [D(2025, 6, 1), dt.time(12, 0), "京东", 80000, 3000, 2500, 500, 200, 40000, 90],
                [D(2025, 6, 1), dt.time(21, 0), "抖音", 200000, 9000, 7000, 1000, 350, 70000, 200]])
for r in range(3, 6):
    ws.cell(r, 1).number_format = "yyyy-mm-dd"; ws.cell(r, 2).number_format = "h:mm"
wb.save(os.path.join(HERE, "08-monitoring-excel-times.xlsx"))
entry("08-monitoring-excel-times", "multi-platform-promo", {"数据监控": {"templateSheet": "monitoring", "headerRow": 2, "columns": letters(H, K)}},
      store={"promo_monitoring": [{"platform": "京东", "time": "12:00", "orders": 200}]})

# 9. RACI in four columns; one task has no A.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "平台任务"
H = ["平台", "任务", "交付物", "执行者(R)", "负责人(A)", "咨询者(C)", "知会者(I)", "开始时间", "完成时间", "状态"]
openpyxl_sheet(ws, None, H,
               [["天猫", "店铺首页改版", "首页设计稿", "小王", "李经理", "设计部", "客服部", "2025-06-01", "2025-06-05", "已完成"],
                ["抖音", "直播脚本", "脚本文档", "小张", None, "运营部", "客服部", "2025-06-02", "2025-06-20", "进行中"]], header_row=1)
wb.save(os.path.join(HERE, "09-raci-four-columns.xlsx"))
entry("09-raci-four-columns", "multi-platform-promo",
      {"平台任务": {"templateSheet": "platformTasks", "headerRow": 1,
                "columns": {"platform": "A", "task": "B", "deliverable": "C", "raciR": "D", "raciA": "E", "raciC": "F", "raciI": "G", "start": "H", "finish": "I", "state": "J"}}},
      problems=[("raci.accountable", "平台任务", "E3")],
      store={"promo_platform_tasks": [{"task": "店铺首页改版", "raci": "R:小王 A:李经理 C:设计部 I:客服部", "start": "2025-06-01"}]})

# 10. A process card with the synonyms (阶段 names with 阶段, 截止时间, 状态, 内容说明).
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "流程卡"
H = ["阶段", "任务名称", "内容说明", "责任人", "时间节点", "截止时间", "状态", "备注"]
K = ["stage", "task", "detail", "owner", "deadlineRule", "deadline", "state", "notes"]
openpyxl_sheet(ws, "营销活动标准化流程卡(启动日期:2025年5月16日,活动周期:2025年5月16日-2025年5月31日)", H,
               [["策划阶段", "目标设定", "明确销售额、新增会员等量化目标", "小明", "活动启动前15天", "2025-05-01", "已完成", "需财务部确认预算"],
                ["策划阶段", "方案初稿撰写", "输出《活动策划方案》框架", "小红", "活动启动前12天", "2025-05-04", "□未开始□进行中■已完成", "含主题、流程、预算"],
                ["复盘优化", "效果数据汇总", "完成所有数据整理", "小明", "活动结束后3个工作日内", "2025-06-04", "□未开始□进行中□已完成", None]])
wb.save(os.path.join(HERE, "10-process-card-synonyms.xlsx"))
entry("10-process-card-synonyms", "process-card", {"流程卡": {"templateSheet": "process", "headerRow": 2, "columns": letters(H, K)}},
      as_of="2025-06-01")

# 11. A typo in a header: read as the column it almost names, and said so at its cell.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "关建任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress"]
openpyxl_sheet(ws, None, H, [["筹备期", "KOL签约", "陈晨", "2025-05-01", "2025-05-08", 50000, 40000, 100]], header_row=1)
wb.save(os.path.join(HERE, "11-header-typo.xlsx"))
entry("11-header-typo", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      problems=[("column.nearMiss", "主跟踪表", "B1")])

# 12. No owner column at all: one error at the header row, naming the headers found.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "关键任务", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)"]
K = ["phase", "task", "plannedStart", "plannedEnd", "budget", "spend"]
openpyxl_sheet(ws, None, H, [["筹备期", "KOL签约", "2025-06-01", "2025-06-20", 50000, 40000]], header_row=1)
wb.save(os.path.join(HERE, "12-missing-owner.xlsx"))
entry("12-missing-owner", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      problems=[("column.missing", "主跟踪表", "A1")])

# 14. KPIs as teams write them: ROI≥1:4 reached 1:3.5 (finished: not met), 主视觉≥3套 reached 3套.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "实际结束时间", "执行进度(%)", "核心KPI指标", "当前达成值"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "actualEnd", "progress", "kpi", "achieved"]
openpyxl_sheet(ws, "市场推广计划主跟踪表(推广周期:2025年5月1日-2025年6月30日)", H,
               [["筹备期", "主视觉设计", "林峰", "2025-05-01", "2025-05-07", "2025-05-07", 100, "主视觉≥3套", "主视觉3套"],
                ["启动期", "抖音信息流投放", "林峰", "2025-05-10", "2025-05-31", "2025-05-31", 100, "ROI≥1:4", "1:3.5"],
                ["启动期", "海报物料", "何静", "2025-05-10", "2025-05-20", "2025-05-20", 100, "海报≥10张", "12张"]])
wb.save(os.path.join(HERE, "14-kpi-ratio-and-units.xlsx"))
entry("14-kpi-ratio-and-units", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("kpi.notMet", "主跟踪表", "I4")])

# 15. A template's blank rows below the tasks (formatted, a phase carried): not tasks.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "核心目标", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "执行进度(%)"]
K = ["phase", "objective", "task", "owner", "plannedStart", "plannedEnd", "budget", "progress"]
openpyxl_sheet(ws, None, H, [["筹备期", "完成准备", "KOL签约", "陈晨", "2025-05-01", "2025-05-08", 50000, 100],
                             [None, None, "素材制作", "王五", "2025-05-02", "2025-05-09", 30000, 100],
                             ["启动期", "初步声量", None, None, None, None, None, None],
                             [None, None, None, None, None, None, None, None]], header_row=1)
for r in range(2, 12):
    for c in range(1, 9):
        ws.cell(r, c).number_format = "@" if c < 5 else "General"
wb.save(os.path.join(HERE, "15-blank-template-rows.xlsx"))
entry("15-blank-template-rows", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}})

# 16. English units in headers: Budget (10k CNY) and Spend (10k CNY).
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Master plan"
H = ["Phase", "Task", "Owner", "Planned start", "Planned end", "Budget (10k CNY)", "Spend (10k CNY)", "Progress (%)"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress"]
openpyxl_sheet(ws, None, H, [["Preparation", "Sign KOLs", "Amy", "2025-05-01", "2025-05-08", 5, 4.5, 100],
                             ["Launch", "Feed ads", "Ben", "2025-05-10", "2025-05-30", 6, 6.5, 100]], header_row=1)
wb.save(os.path.join(HERE, "16-english-units.xlsx"))
entry("16-english-units", "marketing-plan", {"Master plan": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      problems=[("budget.overspend", "Master plan", "G3")],
      store={"master_tasks": [{"task": "Sign KOLs", "budget": 50000, "spend": 45000}]})

# 17. Columns of the team's own (权重, 渠道分类): kept, reported as info, never skipped silently.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "关键任务", "任务负责人", "权重", "渠道分类", "计划开始时间", "计划结束时间", "执行进度(%)"]
K = ["phase", "task", "owner", None, None, "plannedStart", "plannedEnd", "progress"]
openpyxl_sheet(ws, None, H, [["筹备期", "KOL签约", "陈晨", 0.4, "内容", "2025-05-01", "2025-05-08", 100],
                             ["启动期", "信息流投放", "周杰", 0.6, "效果", "2025-06-10", "2025-06-30", 20]], header_row=1)
wb.save(os.path.join(HERE, "17-own-columns.xlsx"))
entry("17-own-columns", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      infos=[("column.extra", "主跟踪表", "D1"), ("column.extra", "主跟踪表", "E1")])

# 18. A sheet of the team's own beside the plan: listed once as not checked.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "执行进度(%)"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "progress"]
openpyxl_sheet(ws, None, H, [["筹备期", "KOL签约", "陈晨", "2025-05-01", "2025-05-08", 100]], header_row=1)
ws2 = wb.create_sheet("参数表"); ws2["A1"] = "汇率"; ws2["B1"] = 7.2; ws2["A2"] = "税率"; ws2["B2"] = 0.06
wb.save(os.path.join(HERE, "18-own-sheet.xlsx"))
entry("18-own-sheet", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      infos=[("sheet.unchecked", "参数表", None)])

# 19. The effect sheet with a typed 合计 row (not a channel).
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "效果"
H = ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)", "增量销售额(元)", "ROI"]
K = ["channel", "content", "impressions", "clicks", "ctr", "conversions", "cvr", "cost", "sales", "roi"]
openpyxl_sheet(ws, None, H, [["小红书", "笔记", 100000, 5000, 5.0, 100, 2.0, 10000, 30000, 3.0],
                             ["抖音", "短视频", 200000, 8000, 4.0, 200, 2.5, 20000, 80000, 4.0],
                             ["合计", None, 300000, 13000, 4.33, 300, 2.31, 30000, 110000, 3.67]], header_row=1)
wb.save(os.path.join(HERE, "19-effect-typed-total.xlsx"))
entry("19-effect-typed-total", "marketing-plan", {"效果": {"templateSheet": "effect", "headerRow": 1, "columns": letters(H, K)}})

# 20. The detail sheet with Excel times and ranges of days.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "阶段执行明细表"
H = ["日期", "任务内容", "具体执行步骤", "负责人", "计划完成时间", "实际完成时间", "完成状态"]
K = ["date", "task", "steps", "owner", "plannedDone", "actualDone", "state"]
openpyxl_sheet(ws, "推广阶段执行明细表(阶段:爆发期,时间:2025年6月1日-6月14日)", H,
               [["6.1", "直播选品", "筛选引流款", "渠道经理", dt.time(17, 0), dt.time(16, 30), "已完成"],
                ["6.2-6.5", "直播脚本", "设计开场", "内容专员", "6.5 18:00", "6.5 19:00", "已完成(延期1小时)"]])
for r in (3, 4):
    for c in (5, 6):
        if isinstance(ws.cell(r, c).value, dt.time): ws.cell(r, c).number_format = "h:mm"
wb.save(os.path.join(HERE, "20-detail-times.xlsx"))
entry("20-detail-times", "marketing-plan", {"阶段执行明细表": {"templateSheet": "detail", "headerRow": 2, "columns": letters(H, K)}})

# 21. A short list that fits two templates about equally: said so, not guessed (--template settles it).
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sheet1"
openpyxl_sheet(ws, None, ["日期", "任务", "负责人", "状态", "备注"], [], header_row=1)
wb.save(os.path.join(HERE, "21-ambiguous-template.xlsx"))
entry("21-ambiguous-template", "process-card", {}, problems=[("template.ambiguous", "Sheet1", None)])

# 22. WPS habits: a 序号 column with the 合计 in it (summed), phases merged down, headers broken over
# lines with units in full-width brackets (预算\n（万元）), progress as 0% formatted fractions, dates as
# 2025.5.1 and 5月3日, a note under the total.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "推广计划表"
ws.append(["2025年新品上市推广计划(推广周期:2025.5.1-2025.7.31)"])
ws.append(["序号", "推广阶段", "关键任务", "负责人", "计划开始\n时间", "计划结束\n时间", "预算\n（万元）", "实际支出\n（万元）", "执行进度", "备注"])
for r in [[1, "筹备期", "KOL筛选", "张三", "2025.5.1", "2025.5.7", 5, 4.5, 1.0, None],
          [2, None, "素材制作", "李四", "5月3日", "5月10日", 3, 3.2, 1.0, "多做一版"],
          [3, "启动期", "信息流上线", "王五", D(2025, 5, 12), D(2025, 6, 20), 15, 8, 0.5, None],
          [4, None, "社群裂变", "赵六", D(2025, 5, 15), D(2025, 6, 30), 5, 2, 0.3, None]]:
    ws.append(r)
ws.append(["合计", None, None, None, None, None, "=SUM(G3:G6)", "=SUM(H3:H6)", None, None])
ws.append(["注:预算单位为万元,预留10%应急资金"])
ws.merge_cells("B3:B4"); ws.merge_cells("B5:B6")
for r in range(3, 7):
    ws.cell(r, 9).number_format = "0%"
    for c in (5, 6):
        if isinstance(ws.cell(r, c).value, D): ws.cell(r, c).number_format = "yyyy/m/d"
wb.save(os.path.join(HERE, "22-wps-serial-numbers-and-wan.xlsx"))
entry("22-wps-serial-numbers-and-wan", "marketing-plan",
      {"推广计划表": {"templateSheet": "master", "headerRow": 2,
                  "columns": {"phase": "B", "task": "C", "owner": "D", "plannedStart": "E", "plannedEnd": "F", "budget": "G", "spend": "H", "progress": "I", "notes": "J"}}},
      problems=[("budget.overspend", "推广计划表", "H4")], infos=[("column.extra", "推广计划表", "A2")], campaign="2025年新品上市",
      store={"master_tasks": [{"task": "素材制作", "budget": 30000, "spend": 32000, "progress": 100, "phase": "筹备期", "plannedStart": "2025-05-03"}]})

# 23. Group headers over whole names (时间安排 over 计划开始 …) and over a unit (费用(元) over 预算 / 实际).
path = os.path.join(HERE, "23-group-over-names-and-costs.xlsx")
x = xlsxwriter.Workbook(path); s = x.add_worksheet("计划"); b = x.add_format({"bold": 1})
s.merge_range("A1:A2", "阶段", b); s.merge_range("B1:B2", "任务", b); s.merge_range("C1:C2", "责任人", b)
s.merge_range("D1:G1", "时间安排", b)
for i, h in enumerate(["计划开始", "计划结束", "实际开始", "实际结束"]): s.write(1, 3 + i, h, b)
s.merge_range("H1:I1", "费用(元)", b); s.write(1, 7, "预算", b); s.write(1, 8, "实际", b)
s.merge_range("J1:J2", "进度(%)", b)
s.write_row(2, 0, ["筹备期", "KOL签约", "小王", "2025-05-01", "2025-05-08", "2025-05-01", "2025-05-07", 50000, 52000, 100])
s.write_row(3, 0, ["启动期", "投放", "小李", "2025-05-10", "2025-06-30", None, None, 80000, None, 40])
x.close()
entry("23-group-over-names-and-costs", "marketing-plan",
      {"计划": {"templateSheet": "master", "headerRow": 2,
              "columns": letters(None, ["phase", "task", "owner", "plannedStart", "plannedEnd", "actualStart", "actualEnd", "budget", "spend", "progress"])}},
      problems=[("budget.overspend", "计划", "I3")],
      store={"master_tasks": [{"task": "KOL签约", "budget": 50000, "spend": 52000, "actualEnd": "2025-05-07"}]})

# 24. The overview as a team types it: items without their units (天猫占比), shares that sum to 110%.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "活动总览"
ws.append(["项目", "目标值", "说明"])
for r in [["活动名称", "618年中大促", None], ["活动周期", "2025年6月1日-2025年6月18日", None], ["总销售额目标", "500万", None],
          ["天猫占比", "60%", None], ["抖音占比", "30%", None], ["私域占比", "20%", None]]:
    ws.append(r)
wb.save(os.path.join(HERE, "24-overview-shares.xlsx"))
entry("24-overview-shares", "multi-platform-promo", {"活动总览": {"templateSheet": "overview", "headerRow": 1, "columns": {"item": "A", "value": "B", "remark": "C"}}},
      problems=[("share.total", "活动总览", "B7")])

# 25. 达成率 kept as a percent-formatted fraction (1.1 shows 110%), 达标情况 typed by the team.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["关键任务", "任务负责人", "计划开始时间", "计划结束时间", "执行进度(%)", "核心KPI指标", "当前达成值", "达成率(%)", "达标情况"]
K = ["task", "owner", "plannedStart", "plannedEnd", "progress", "kpi", "achieved", "achievementRate", "status"]
openpyxl_sheet(ws, None, H, [["小红书笔记发布", "张丽", "2025-05-11", "2025-05-15", 100, "笔记总阅读量≥20万", "22万", 1.1, "达标"],
                             ["抖音信息流", "王强", "2025-05-12", "2025-06-20", 50, "点击率≥2%", "1.9%", 0.95, "预警"]], header_row=1)
for r in (2, 3): ws.cell(r, 8).number_format = "0%"
wb.save(os.path.join(HERE, "25-achievement-percent-format.xlsx"))
entry("25-achievement-percent-format", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}})

# 26. The effect sheet in the team's units: 曝光量(万), 成本(万元), 增量销售额(万元); 获客成本 still 元/人.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "效果分析表"
H = ["渠道", "推广内容", "曝光量(万)", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(万元)", "获客成本(元/人)", "增量销售额(万元)", "ROI"]
K = ["channel", "content", "impressions", "clicks", "ctr", "conversions", "cvr", "cost", "cpa", "sales", "roi"]
openpyxl_sheet(ws, None, H, [["小红书KOL", "头部KOL(1篇)", 15, 15000, 10.0, 225, 1.5, 3, 133.33, 9, 3.0],
                             ["抖音信息流", "短视频素材A", 200, 60000, 3.0, 900, 1.5, 9, 100.00, 36, 4.0]], header_row=1)
wb.save(os.path.join(HERE, "26-effect-units.xlsx"))
entry("26-effect-units", "marketing-plan", {"效果分析表": {"templateSheet": "effect", "headerRow": 1, "columns": letters(H, K)}},
      store={"effect_rows": [{"channel": "小红书KOL", "impressions": 150000, "cost": 30000, "sales": 90000}]})

# 27. An English multi-platform tracker: platform tasks (Done / In progress, JD), monitoring with an Excel time.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Platform tasks"
H = ["Platform", "Task", "Deliverable", "RACI", "Start date", "Due date", "Progress", "Status"]
openpyxl_sheet(ws, None, H, [["Tmall", "Homepage revamp", "Design", "R:Wang A:Li C:Design I:CS", "2025-06-01", "2025-06-05", 100, "Done"],
                             ["JD", "Coupons", "Coupon plan", "R:Zhang A:Li", "2025-06-02", "2025-06-20", 100, "In progress"]], header_row=1)
ws = wb.create_sheet("Monitoring")
M = ["Date", "Time", "Platform", "Impressions", "Clicks", "UV", "Add to cart", "Orders", "GMV", "New customers"]
openpyxl_sheet(ws, None, M, [[D(2025, 6, 1), dt.time(9, 0), "Tmall", 100000, 5000, 4000, 800, 300, 60000, 120],
                             [D(2025, 6, 1), "21:00", "Douyin", 200000, 9000, 7000, 1000, 350, 70000, 200]], header_row=1)
for r in (2, 3): ws.cell(r, 1).number_format = "yyyy-mm-dd"
ws.cell(2, 2).number_format = "h:mm"
wb.save(os.path.join(HERE, "27-english-multi-platform.xlsx"))
entry("27-english-multi-platform", "multi-platform-promo",
      {"Platform tasks": {"templateSheet": "platformTasks", "headerRow": 1,
                          "columns": letters(H, ["platform", "task", "deliverable", "raci", "start", "finish", "progress", "state"])},
       "Monitoring": {"templateSheet": "monitoring", "headerRow": 1,
                      "columns": letters(M, ["date", "time", "platform", "impressions", "clicks", "uv", "carts", "orders", "paid", "newCustomers"])}},
      problems=[("progress.state", "Platform tasks", "H3")], as_of="2025-06-03",
      store={"promo_platform_tasks": [{"platform": "JD", "task": "Coupons", "finish": "2025-06-20"}],
             "promo_monitoring": [{"platform": "Tmall", "time": "09:00", "paid": 60000}]})

# 28. An English process card: English stages, rules and states; one deadline off its rule.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Process"
H = ["Stage", "Task", "Details", "Owner", "Deadline rule", "Deadline", "State", "Notes"]
K = ["stage", "task", "detail", "owner", "deadlineRule", "deadline", "state", "notes"]
openpyxl_sheet(ws, "Campaign process card: Spring (launch 2025-05-16)", H,
               [["Planning", "Set the goals", "Sales, members", "Ming", "15 days before launch", "2025-05-02", "Done", None],
                ["Review", "Collect the results", "All channels", "Ming", "within 3 working days after the end", "2025-06-04", "Not started", None]])
wb.save(os.path.join(HERE, "28-english-process-card.xlsx"))
entry("28-english-process-card", "process-card", {"Process": {"templateSheet": "process", "headerRow": 2, "columns": letters(H, K)}},
      problems=[("deadline.rule", "Process", "F3")], as_of="2025-06-03")

# 30. The unit said once above the table (单位:万元), a two-row header whose lower row holds only units.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
ws.append(["夏季新品推广计划(推广周期:2025年6月1日-2025年8月31日)", None, None, None, None, None, "单位:万元"])
ws.append(["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算", "实际支出", "曝光目标"])
for r in [["筹备期", "达人签约", "周敏", "2025-06-01", "2025-06-10", 5, 5.5, None],
          ["启动期", "信息流投放", "吴昊", "2025-06-11", "2025-07-10", 12, 3, None]]:
    ws.append(r)
wb.save(os.path.join(HERE, "30-unit-stated-above.xlsx"))
entry("30-unit-stated-above", "marketing-plan",
      {"主跟踪表": {"templateSheet": "master", "headerRow": 2,
                 "columns": letters(None, ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend"])}},
      problems=[("budget.overspend", "主跟踪表", "G3")], infos=[("column.extra", "主跟踪表", "H2")], campaign="夏季新品",
      store={"master_tasks": [{"task": "达人签约", "budget": 50000, "spend": 55000}]})

# 31. ROI kept as the team defines it, (收益−成本)/成本: recalc and sync keep that definition.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "效果分析表"
H = ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)", "增量销售额(元)", "ROI"]
K = ["channel", "content", "impressions", "clicks", "ctr", "conversions", "cvr", "cost", "sales", "roi"]
openpyxl_sheet(ws, None, H, [["小红书KOL", "头部KOL", 150000, 15000, 10.0, 225, 1.5, 30000, 90000, 2.0],
                             ["抖音信息流", "素材A", 2000000, 60000, 3.0, 900, 1.5, 90000, 360000, 3.0],
                             ["线下体验", "5场活动", 500000, "-", "-", 300, "-", 50000, 120000, 1.4]], header_row=1)
wb.save(os.path.join(HERE, "31-roi-net-kept.xlsx"))
entry("31-roi-net-kept", "marketing-plan", {"效果分析表": {"templateSheet": "effect", "headerRow": 1, "columns": letters(H, K)}},
      infos=[("metric.roiDefinition", "效果分析表", "J2")], store={"effect_rows": [{"channel": "抖音信息流", "cost": 90000, "sales": 360000}]},
      after_recalc={"效果分析表!J2": 2.0, "效果分析表!J3": 3.0, "效果分析表!J4": 1.4})

# 32. A 合计 row with the team's own formulas in derived columns: kept as they are.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "效果分析表"
openpyxl_sheet(ws, None, H, [["小红书KOL", "头部KOL", 150000, 15000, 10.0, 225, 1.5, 30000, 90000, 3.0],
                             ["抖音信息流", "素材A", 2000000, 60000, 3.0, 900, 1.5, 90000, 360000, 4.0]], header_row=1)
ws.append(["合计", None, "=SUM(C2:C3)", "=SUM(D2:D3)", "=ROUND(D4/C4*100,2)", "=SUM(F2:F3)", "=ROUND(F4/D4*100,2)", "=SUM(H2:H3)", "=SUM(I2:I3)", "=ROUND(I4/H4,2)"])
wb.save(os.path.join(HERE, "32-own-total-formulas.xlsx"))
entry("32-own-total-formulas", "marketing-plan", {"效果分析表": {"templateSheet": "effect", "headerRow": 1, "columns": letters(H, K)}},
      infos=[("formula.own", "效果分析表", "E4")], store={"effect_rows": [{"channel": "小红书KOL", "impressions": 150000}]},
      kept={"效果分析表!E4": "=ROUND(D4/C4*100,2)", "效果分析表!G4": "=ROUND(F4/D4*100,2)", "效果分析表!J4": "=ROUND(I4/H4,2)"})

# 33. Actual ends typed as text dates (2025.5.7): counted as done in 汇总, as validate reads them.
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "实际结束时间", "预算金额(元)", "执行进度(%)", "权重"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "actualEnd", "budget", "progress", None]
openpyxl_sheet(ws, None, H, [["筹备期", "KOL签约", "甲", "2025.5.1", "2025.5.8", "2025.5.7", 10000, 100, 40],
                             ["筹备期", "素材制作", "乙", "2025.5.2", "2025.5.9", "-", 20000, 40, 30],
                             ["启动期", "信息流", "丙", "2025.6.10", "2025.6.20", None, 30000, 10, 30]], header_row=1)
wb.save(os.path.join(HERE, "33-text-dates-done.xlsx"))
entry("33-text-dates-done", "marketing-plan", {"主跟踪表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      infos=[("column.extra", "主跟踪表", "I1")],
      after_recalc={"汇总!C3": 40, "汇总!D3": 57.1, "汇总!C5": 40, "汇总!D5": 40}, as_of="2025-05-08")

# 34. The plan kept as an Excel table (插入 → 表格): sync's row identities join the table, so sorting
# it carries them with their rows; rows new in the store grow it.
from openpyxl.worksheet.table import Table, TableStyleInfo
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "任务表"
H = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"]
K = ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress"]
openpyxl_sheet(ws, None, H, [["筹备期", "KOL签约", "甲", D(2025, 5, 1), D(2025, 5, 8), 10000, 9000, 100],
                             ["启动期", "信息流投放", "乙", D(2025, 5, 10), D(2025, 5, 20), 20000, 21000, 100],
                             ["爆发期", "直播带货", "丙", D(2025, 6, 1), D(2025, 6, 20), 30000, 1000, 10]], header_row=1)
for r in range(2, 5):
    for c in (4, 5):
        ws.cell(r, c).number_format = "yyyy-mm-dd"
table = Table(displayName="推广任务", ref="A1:H4")
table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
ws.add_table(table)
wb.save(os.path.join(HERE, "34-excel-table.xlsx"))
entry("34-excel-table", "marketing-plan", {"任务表": {"templateSheet": "master", "headerRow": 1, "columns": letters(H, K)}},
      problems=[("budget.overspend", "任务表", "G3")],
      store={"master_tasks": [{"task": "信息流投放", "budget": 20000, "spend": 21000, "progress": 100}]})

# 13. Workbook 1 re-saved by LibreOffice: the same reading.
soffice = shutil.which("soffice")
if soffice:
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "13-libreoffice-resaved.xlsx")
        shutil.copy(os.path.join(HERE, "01-sheet1-synonyms.xlsx"), src)
        out = os.path.join(tmp, "out")
        subprocess.run([soffice, "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, src],
                       check=True, capture_output=True)
        shutil.copy(os.path.join(out, "13-libreoffice-resaved.xlsx"), os.path.join(HERE, "13-libreoffice-resaved.xlsx"))
    # 29. Made in LibreOffice from a CSV a team exported: text dates, percentages typed as 100%,
    # amounts with thousands separators, a 合计 typed as the sum (states no total budget).
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "29-libreoffice-from-csv.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("推广阶段,关键任务,负责人,开始时间,结束时间,预算(元),实际花费(元),完成度,KPI,达成值,备注\n"
                    "筹备期,KOL名单筛选与签约,张丽,2025/5/1,2025/5/7,\"50,000\",\"48,000\",100%,签约KOL数量≥10人,10人,\n"
                    "筹备期,推广素材制作,王强,2025/5/3,2025/5/10,\"30,000\",\"31,000\",100%,素材通过率100%,100%,\n"
                    "启动期,信息流广告上线,孙浩,2025/5/12,2025/6/20,\"150,000\",\"80,000\",50%,点击率≥2%,2.1%,日均消耗1.5万\n"
                    "合计,,,,,\"230,000\",\"159,000\",,,,\n")
        subprocess.run([soffice, "--headless", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", tmp, csv], check=True, capture_output=True)
        shutil.copy(os.path.join(tmp, "29-libreoffice-from-csv.xlsx"), os.path.join(HERE, "29-libreoffice-from-csv.xlsx"))
    entry("29-libreoffice-from-csv", "marketing-plan",
          {"29-libreoffice-from-csv": {"templateSheet": "master", "headerRow": 1,
                                       "columns": letters(None, ["phase", "task", "owner", "plannedStart", "plannedEnd", "budget", "spend", "progress", "kpi", "achieved", "notes"])}},
          problems=[("budget.overspend", "29-libreoffice-from-csv", "G3")],
          store={"master_tasks": [{"task": "推广素材制作", "budget": 30000, "spend": 31000, "progress": 100, "plannedStart": "2025-05-03"}]})
    m = dict(manifest["01-sheet1-synonyms"])
    m["campaign"] = "13-libreoffice-resaved"
    manifest["13-libreoffice-resaved"] = m
else:
    sys.exit("LibreOffice (soffice) is needed for the re-saved workbook: apt-get install libreoffice-calc-nogui")

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump(dict(sorted(manifest.items())), f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(manifest)} workbooks")
