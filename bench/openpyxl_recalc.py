#!/usr/bin/env python3
"""openpyxl's side of the recalc benchmark: load the effect sheet, write the four ratio columns
(点击率, 转化率, 获客成本, ROI) as formulas with their values computed here, save."""
import sys
import openpyxl

src, out = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(src)
ws = wb.worksheets[0]
num = lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
for r in range(2, ws.max_row + 1):
    e, c, v, cost, sales = (num(ws.cell(r, k).value) for k in (3, 4, 6, 8, 10))
    ws.cell(r, 5).value = f'=IF(AND(ISNUMBER(C{r}),ISNUMBER(D{r}),C{r}>0),ROUND(D{r}/C{r}*100,2),"-")'
    ws.cell(r, 7).value = f'=IF(AND(ISNUMBER(D{r}),ISNUMBER(F{r}),D{r}>0),ROUND(F{r}/D{r}*100,2),"-")'
    ws.cell(r, 9).value = f'=IF(AND(ISNUMBER(H{r}),ISNUMBER(F{r}),F{r}>0),ROUND(H{r}/F{r},2),"-")'
    ws.cell(r, 11).value = f'=IF(AND(ISNUMBER(J{r}),ISNUMBER(H{r}),H{r}>0),ROUND(J{r}/H{r},2),"-")'
    # openpyxl keeps no cached values; computing them is part of the work it would have to do.
    _ = (round(c / e * 100, 2) if e and c is not None else "-", round(v / c * 100, 2) if c and v is not None else "-",
         round(cost / v, 2) if v and cost is not None else "-", round(sales / cost, 2) if cost and sales is not None else "-")
wb.save(out)
