#!/usr/bin/env python3
"""LibreOffice, recalculating every formula on load, must compute what tracksheet cached.

    check_cached.py FILE.xlsx...

For each workbook (the real-world fixtures after recalc and sync): every formula cell that holds a
cached value is recalculated by LibreOffice and compared with it (numbers to 1e-6; text exactly).
Formulas without a cached value (a team's own, written by a script that computes nothing) are the
team's and are left out. Prints a closing "cached: N passed, N failed"; exits 1 on a failure.
"""
import os, sys, tempfile, warnings
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_features import agrees, libreoffice_all_sheets

warnings.filterwarnings("ignore")
import openpyxl

passed = failed = 0
with tempfile.TemporaryDirectory() as work:
    for path in sys.argv[1:]:
        formulas = openpyxl.load_workbook(path)
        cached = openpyxl.load_workbook(path, data_only=True)
        grids = libreoffice_all_sheets(path, work)
        for ws in formulas.worksheets:
            grid = grids.get(ws.title) or []
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type != "f":
                        continue
                    want = cached[ws.title][c.coordinate].value
                    if want is None:
                        continue
                    got = grid[c.row - 1][c.column - 1] if c.row - 1 < len(grid) and c.column - 1 < len(grid[c.row - 1]) else None
                    ok = agrees(got, want)
                    if ok:
                        passed += 1
                    else:
                        failed += 1
                        print(f"FAIL {os.path.basename(path)} {ws.title}!{c.coordinate} {c.value}: LibreOffice {got!r}, cached {want!r}")
print(f"cached: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
