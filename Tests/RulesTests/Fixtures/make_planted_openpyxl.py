#!/usr/bin/env python3
"""Writes a 主跟踪表 the way another tool would (openpyxl): a title row, a blank row, headers with
full-width brackets and a line break, merged phase cells, Excel dates, a user's own 权重 column —
and six planted problems. Prints the planted problems as JSON (sheet, cell, rule) on stdout.

    make_planted_openpyxl.py OUT.xlsx
"""
import datetime as dt
import json
import sys
from openpyxl import Workbook

D = dt.date
HEADERS = ["推广阶段", "核心目标", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "实际开始时间",
           "实际结束时间", "预算金额（元）", "实际支出（元）", "执行进度\n(%)", "核心KPI指标", "当前达成值",
           "问题记录", "解决方案", "备注", "权重"]
ROWS = [
    ["筹备期", "完成推广前期准备", "KOL名单筛选与签约", "内容专员", D(2025, 5, 1), D(2025, 5, 7), D(2025, 5, 1), D(2025, 5, 6),
     50000, 48000, 100, "签约KOL数量≥10人", "8人", "无", "无", "涵盖头部、腰部、尾部KOL", 2],
    [None, None, "推广素材制作(图文+视频)", "设计专员", D(2025, 5, 3), D(2025, 5, 10), D(2025, 5, 3), D(2025, 5, 9),
     30000, 28000, 120, "素材通过率100%", "100%", "无", "无", "含3版A/B测试素材", 1],
    ["启动期", "实现初步声量积累", "小红书KOL笔记发布(5篇)", "内容专员", D(2025, 5, 11), D(2025, 5, 15), D(2025, 5, 11), D(2025, 5, 14),
     "两万", 24500, 100, "笔记总阅读量≥20万", "22万", "1篇笔记互动率低", "增加“用户证言”内容,优化标题", "已重新发布优化版", 1],
    [None, None, "抖音信息流广告上线", "推广专员", D(2025, 5, 12), D(2025, 6, 20), D(2025, 5, 12), D(2025, 5, 10),
     150000, 80000, 100, "点击率≥2%", "2.1%", "无", "无", "日均消耗1.5万", 3],
    ["爆发期", "驱动转化量增长", "直播带货专场(6月10日)", "渠道经理", D(2025, 6, 1), D(2025, 6, 10), D(2025, 6, 1), D(2025, 6, 10),
     80000, 78000, 100, "提升品牌影响力", "25万", "销售额未达预期", "增加限时秒杀环节,引导用户下单", "实际销售额45万,目标50万", 2],
    ["收尾期", "沉淀推广经验", "用户反馈整理与分析", "数据专员", D(2025, 6, 15), D(2025, 7, 15), D(2025, 6, 15), D(2025, 6, 18),
     10000, 9500, 100, "有效反馈≥500条", "520条", "无", "无", "形成《用户反馈分析报告》", 1],
]
# Rows start at 4 (title, blank row, header).
PLANTED = [
    {"sheet": "主跟踪表", "cell": "M4", "rule": "kpi.notMet"},          # 8人 of ≥10人, task finished
    {"sheet": "主跟踪表", "cell": "K5", "rule": "progress.range"},      # 120
    {"sheet": "主跟踪表", "cell": "I6", "rule": "type.number"},         # 两万
    {"sheet": "主跟踪表", "cell": "H7", "rule": "date.order"},          # actual end before actual start
    {"sheet": "主跟踪表", "cell": "L8", "rule": "kpi.unreadable"},      # 提升品牌影响力
    {"sheet": "主跟踪表", "cell": "F9", "rule": "date.outsidePeriod"},  # 2025-07-15, after 6月20日
]

wb = Workbook()
ws = wb.active
ws.title = "主跟踪表"
ws["A1"] = "市场推广计划主跟踪表(推广周期:2025年5月1日-2025年6月20日)"
ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
ws.append([])
ws.append(HEADERS)
for row in ROWS:
    ws.append(row)
for r in range(4, 4 + len(ROWS)):
    for c in (5, 6, 7, 8):
        if isinstance(ws.cell(r, c).value, dt.date):
            ws.cell(r, c).number_format = "yyyy-mm-dd"
for first, last in ((4, 5), (6, 7)):
    ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    ws.merge_cells(start_row=first, start_column=2, end_row=last, end_column=2)
ws.freeze_panes = "C4"
wb.save(sys.argv[1])
print(json.dumps(PLANTED, ensure_ascii=False))
