#!/usr/bin/env python3
"""Builds the header-variant workbooks (with openpyxl, not tracksheet's writer) and expected.json:
for each file, the template sheet it must map to, the header row, the column of every mapped
key, and the missing required keys and extra headers it must report.

    python3 Tests/TemplatesTests/Fixtures/header-variants/make.py
"""
import json, os
from openpyxl import Workbook

HERE = os.path.dirname(os.path.abspath(__file__))
MASTER = [("phase", "推广阶段"), ("objective", "核心目标"), ("task", "关键任务"), ("owner", "任务负责人"),
          ("plannedStart", "计划开始时间"), ("plannedEnd", "计划结束时间"), ("actualStart", "实际开始时间"),
          ("actualEnd", "实际结束时间"), ("budget", "预算金额(元)"), ("spend", "实际支出(元)"), ("progress", "执行进度(%)"),
          ("kpi", "核心KPI指标"), ("achieved", "当前达成值"), ("issues", "问题记录"), ("solution", "解决方案"), ("notes", "备注")]
ENGLISH = {"phase": "Phase", "objective": "Phase objective", "task": "Key task", "owner": "Owner", "plannedStart": "Planned start",
           "plannedEnd": "Planned end", "actualStart": "Actual start", "actualEnd": "Actual end", "budget": "Budget (CNY)",
           "spend": "Actual spend (CNY)", "progress": "Progress %", "kpi": "KPI target", "achieved": "Achieved value",
           "issues": "Issue log", "solution": "Solution", "notes": "Notes"}
EFFECT = [("channel", "渠道"), ("content", "推广内容"), ("impressions", "曝光量"), ("clicks", "点击量"), ("ctr", "点击率(%)"),
          ("conversions", "转化量"), ("cvr", "转化率(%)"), ("cost", "成本(元)"), ("cpa", "获客成本(元/人)"),
          ("sales", "增量销售额(元)"), ("roi", "ROI"), ("status", "达标情况"), ("advice", "优化建议")]
DETAIL = [("date", "日期"), ("task", "任务内容"), ("steps", "具体执行步骤"), ("owner", "负责人"), ("plannedDone", "计划完成时间"),
          ("actualDone", "实际完成时间"), ("state", "完成状态(未开始/进行中/已完成/延期)"), ("resources", "需协调资源"), ("feedback", "问题与反馈")]
expected = {}

def make(name, sheet, headers, header_row=1, above=None, merge_down=(), extra_missing=(), sheet_name="Sheet1"):
    """headers: [(key or None for an extra column, text)]"""
    wb = Workbook(); ws = wb.active; ws.title = sheet_name
    for r, text in (above or {}).items():
        ws.cell(r, 1, text)
    for c, (key, text) in enumerate(headers, start=1):
        ws.cell(header_row, c, text)
        ws.cell(header_row + 1 + (1 if merge_down else 0), c, "x" if key else "user")
    for c in merge_down:
        ws.merge_cells(start_row=header_row, start_column=c, end_row=header_row + 1, end_column=c)
    wb.save(os.path.join(HERE, name + ".xlsx"))
    expected[name] = {"sheet": sheet, "headerRow": header_row,
                      "columns": {key: c for c, (key, _) in enumerate(headers, start=1) if key},
                      "extra": [text for key, text in headers if not key],
                      "missingRequired": list(extra_missing)}

make("01-exact", "master", MASTER)
make("02-title-row", "master", MASTER, header_row=2, above={1: "市场推广计划主跟踪表(推广周期:2025年5月1日-2025年6月20日)"})
make("03-blank-rows-and-title", "master", MASTER, header_row=5, above={3: "618大促 主跟踪表"})
make("04-full-width-brackets", "master", [(k, t.replace("(", "（").replace(")", "）")) for k, t in MASTER])
make("05-spaces-and-line-breaks", "master", [(k, t.replace("(", "\n(").replace("任务负责人", "任务 负责人").replace("关键任务", " 关键任务 ")) for k, t in MASTER])
make("06-english", "master", [(k, ENGLISH[k]) for k, _ in MASTER])
make("07-shuffled", "master", MASTER[8:] + MASTER[:8])
make("08-extra-columns", "master", MASTER[:4] + [(None, "权重"), (None, "审批人")] + MASTER[4:])
make("09-missing-optional", "master", [m for m in MASTER if m[0] not in ("notes", "solution", "issues", "objective")])
make("10-missing-required", "master", [m for m in MASTER if m[0] != "owner"], extra_missing=["owner"])
make("11-merged-header-cells", "master", MASTER, header_row=2, above={1: "主跟踪表"}, merge_down=(1, 2, 3))
make("12-aliases", "master", [(k, {"phase": "阶段", "owner": "负责人", "task": "任务"}.get(k, t)) for k, t in MASTER])
make("13-required-markers", "master", [(k, t + ("*" if k in ("task", "owner") else "")) for k, t in MASTER])
make("14-effect-exact", "effect", EFFECT, sheet_name="效果分析表")
make("15-effect-mixed", "effect", [(k, {"ctr": "点击率（%）", "cpa": "获客成本 (元/人)", "roi": "roi", "impressions": "Impressions"}.get(k, t)) for k, t in EFFECT],
     header_row=3, above={1: "推广效果分析表(周期:2025年5月11日-6月20日)"})
make("16-detail-with-status-note", "detail", DETAIL, header_row=2, above={1: "推广阶段执行明细表(阶段:爆发期,时间:2025年6月1日-6月14日)"})
make("17-english-mixed-case", "master", [(k, ENGLISH[k].upper() if i % 2 else ENGLISH[k].lower()) for i, (k, _) in enumerate(MASTER)])
with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
print(len(expected), "variants")
