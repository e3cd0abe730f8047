#!/usr/bin/env python3
"""An effect-analysis workbook of N rows × 13 columns, made by XlsxWriter (not by tracksheet).

usage: make_effect.py ROWS OUT.xlsx [shared|inline]
  shared  text in the shared-string table (XlsxWriter's default, as Excel saves)
  inline  text in the cells as inline strings (XlsxWriter's constant_memory mode)
"""
import random, sys
import xlsxwriter

n, out = int(sys.argv[1]), sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "inline"
if mode not in ("shared", "inline"):
    sys.exit(f"unknown string mode {mode!r}: use shared or inline")
wb = xlsxwriter.Workbook(out, {"constant_memory": mode == "inline"})
ws = wb.add_worksheet("效果分析表")
ws.write_row(0, 0, ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)",
                    "获客成本(元/人)", "增量销售额(元)", "ROI", "达标情况", "优化建议"])
random.seed(1)
channels = ["小红书KOL", "抖音信息流", "线下体验", "微信社群", "B站UP主"]
for r in range(1, n + 1):
    e = random.randint(1000, 2_000_000); c = random.randint(10, e // 10); v = random.randint(1, max(1, c // 10))
    cost = random.randint(1000, 200_000); s = cost * random.uniform(1, 5)
    ws.write_row(r, 0, [random.choice(channels), f"素材{r % 977}", e, c, round(c / e * 100, 2), v, round(v / c * 100, 2),
                        cost, round(cost / v, 2), round(s, 2), round(s / cost, 2), random.choice(["达标", "预警", "未达标"]),
                        f"建议{r % 313}"])
wb.close()
