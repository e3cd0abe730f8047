#!/usr/bin/env python3
"""Checks workbooks written by tracksheet in real clients.

    check_features.py DIR     (DIR holds features.xlsx, features-wrong-cache.xlsx and recalc-*.xlsx)

- openpyxl opens it and sees the sheets, validations, note, merge, panes, names and properties;
- LibreOffice, told to recalculate every formula on load, computes on the first sheet exactly the
  values the writer cached; and on the control file, whose cached E3 is deliberately 999, it shows
  10 — proof that it recalculated rather than echoed the cache.
- on every recalc-*.xlsx (workbooks made by `tracksheet new`), every formula on every sheet
  recalculated by LibreOffice equals the value tracksheet cached.
Prints a closing "features: N passed, N failed".
"""
import csv, datetime, os, shutil, subprocess, sys, tempfile, warnings

warnings.filterwarnings("ignore")
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def agrees(got, want):
    """Whether LibreOffice's text of a cell (`got`, as its CSV export shows it) is the value
    tracksheet cached (`want`, as openpyxl reads it): numbers to 1e-6 (a percent as its fraction),
    a date as the cell's format shows it, text exactly."""
    if want is None or want == "":
        # An empty text result (the Gantt's `IF(x="","",x)` under a merged phase) reads back as None.
        return got in (None, "")
    if isinstance(want, bool):
        return got == ("TRUE" if want else "FALSE")
    if isinstance(want, (int, float)):
        if isinstance(got, str) and got.endswith("%") and number(got[:-1]) is not None:
            return abs(number(got[:-1]) / 100 - want) <= 1e-6 * max(1, abs(want))
        return got is not None and number(got) is not None and abs(number(got) - want) <= 1e-6 * max(1, abs(want))
    if isinstance(want, datetime.datetime):
        return got in (want.strftime("%Y-%m-%d"), f"{want.year}/{want.month}/{want.day}", f"{want.month}/{want.day}")
    return got == want

def libreoffice_all_sheets(path, work):
    """{sheet name: rows} for every sheet, recalculated (LibreOffice 7.2+ exports all with -1)."""
    profile = os.path.join(work, "profile")
    os.makedirs(os.path.join(profile, "user"), exist_ok=True)
    with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w") as f:
        f.write(RECALC_ALWAYS)
    out = os.path.join(work, "csv-all")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", out, path],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, HOME=profile), timeout=300)
    stem = os.path.splitext(os.path.basename(path))[0]
    sheets = {}
    for name in os.listdir(out):
        if name.startswith(stem + "-") and name.endswith(".csv"):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                sheets[name[len(stem) + 1:-4]] = list(csv.reader(f))
    return sheets

def recalculated_equals_cached(path, work, check):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    # openpyxl sees the drop-downs of every sheet that has an enumerated column.
    validated = sum(1 for ws in wb.worksheets if ws.data_validations.dataValidation)
    check(f"{os.path.basename(path)} validations seen by openpyxl", validated >= 1, validated)
    cached = openpyxl.load_workbook(path, data_only=True)
    grids = libreoffice_all_sheets(path, work)
    total = 0
    for ws in wb.worksheets:
        grid = grids.get(ws.title)
        check(f"{os.path.basename(path)} {ws.title} exported", grid is not None, sorted(grids))
        if grid is None:
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                total += 1
                got = grid[c.row - 1][c.column - 1] if c.row - 1 < len(grid) and c.column - 1 < len(grid[c.row - 1]) else None
                want = cached[ws.title][c.coordinate].value
                check(f"LibreOffice {ws.title}!{c.coordinate}", agrees(got, want), f"computed {got!r}, cached {want!r}")
    return total

def moved_rows(d, work, check):
    """rows-moved.xlsx: rows inserted and deleted by the editor (RowEditTests). LibreOffice
    recalculates every formula and must find the values the test expects — proof that every
    reference, on the sheet, on the other sheet and in the defined name, followed its rows —
    and openpyxl sees the merge, the drop-down and the highlight where they moved."""
    import json, openpyxl
    path = os.path.join(d, "rows-moved.xlsx")
    check("rows-moved.xlsx present", os.path.exists(path))
    if not os.path.exists(path):
        return
    with open(os.path.join(d, "rows-moved.json"), encoding="utf-8") as f:
        expected = json.load(f)
    wb = openpyxl.load_workbook(path)
    ws = wb["数据"]
    check("rows: merge moved", [str(r) for r in ws.merged_cells.ranges] == ["A13:D13"], ws.merged_cells.ranges)
    check("rows: validation grew", [str(v.sqref) for v in ws.data_validations.dataValidation] == ["C2:C10"])
    check("rows: highlight grew", [str(r.sqref) for r in ws.conditional_formatting] == ["D2:D10"],
          [str(r.sqref) for r in ws.conditional_formatting])
    check("rows: notes moved", sorted(c.coordinate for row in ws.iter_rows() for c in row if c.comment) == ["B4", "B8"])
    grids = libreoffice_all_sheets(path, work)
    for sheet, cells in expected.items():
        grid = grids.get(sheet)
        check(f"rows: {sheet} exported", grid is not None, sorted(grids))
        for coord, want in cells.items():
            c = openpyxl.utils.cell.coordinate_from_string(coord)
            r, col = c[1], openpyxl.utils.cell.column_index_from_string(c[0])
            got = grid[r - 1][col - 1] if grid and r - 1 < len(grid) and col - 1 < len(grid[r - 1]) else None
            check(f"rows: LibreOffice {sheet}!{coord}", got is not None and number(got) == want, f"computed {got!r}, expected {want!r}")

def injection(d, work, check):
    """injection-*.xlsx: texts beginning with =, +, - or @ that came from the store (SyncTests).
    openpyxl must see text cells; LibreOffice, recalculating everything on load, must show each
    text as itself — a formula would show its result (2, a link, an error) instead."""
    import json, openpyxl
    spec = os.path.join(d, "injection.json")
    check("injection.json present", os.path.exists(spec))
    if not os.path.exists(spec):
        return
    with open(spec, encoding="utf-8") as f:
        expected = json.load(f)
    check("injection: both files", sorted(expected) == ["exported", "pulled"], sorted(expected))
    for name, sheets in expected.items():
        path = os.path.join(d, f"injection-{name}.xlsx")
        wb = openpyxl.load_workbook(path)
        grids = libreoffice_all_sheets(path, os.path.join(work, name))
        for sheet, texts in sheets.items():
            ws = wb[sheet]
            cells = [c for row in ws.iter_rows() for c in row if c.value in texts]
            check(f"injection: {name} {sheet} openpyxl text cells", sorted(c.value for c in cells) == sorted(texts)
                  and all(c.data_type == "s" for c in cells), [(c.coordinate, c.value, c.data_type) for c in cells])
            shown = [v for row in grids.get(sheet, []) for v in row]
            for t in set(texts):
                check(f"injection: {name} {sheet} LibreOffice shows {t!r} as text", shown.count(t) == texts.count(t),
                      f"{shown.count(t)} of {texts.count(t)}")

def number(text):
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None

def main():
    d = sys.argv[1]
    import openpyxl
    results = []
    def check(name, ok, detail=""):
        results.append(ok)
        if not ok:
            print(f"FAIL {name} {detail}")

    path = os.path.join(d, "features.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["效果分析表"]
    check("sheets", wb.sheetnames == ["效果分析表", "选项"], wb.sheetnames)
    check("hidden sheet", wb["选项"].sheet_state == "hidden")
    check("validations", len(ws.data_validations.dataValidation) == 2)
    check("note", ws["E2"].comment is not None and "点击率" in ws["E2"].comment.text)
    check("merge", "A1:J1" in [str(r) for r in ws.merged_cells.ranges])
    check("panes", ws.freeze_panes == "B3", ws.freeze_panes)
    check("defined name", "渠道列表" in wb.defined_names)
    check("hyperlink", ws["B8"].hyperlink is not None and ws["B8"].hyperlink.target.startswith("https://example.com"))
    check("number format", ws["C3"].number_format == "#,##0", ws["C3"].number_format)
    check("text stays text", ws["L8"].value == "=这不是公式" and ws["L8"].data_type == "s", (ws["L8"].value, ws["L8"].data_type))
    custom = {p.name: p.value for p in wb.custom_doc_props.props} if hasattr(wb, "custom_doc_props") else {}
    check("custom properties", custom.get("tracksheet.template") == "marketing-plan", custom)

    cached = openpyxl.load_workbook(path, data_only=True)["效果分析表"]
    formulas = [(c.coordinate, c.row, c.column) for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f"]
    check("formulas found", len(formulas) >= 20, len(formulas))
    work = tempfile.mkdtemp(prefix="tracksheet-features-")
    try:
        grid = libreoffice_all_sheets(path, work)["效果分析表"]
        for coord, r, c in formulas:
            got = grid[r - 1][c - 1] if r - 1 < len(grid) and c - 1 < len(grid[r - 1]) else None
            want = cached[coord].value
            check(f"LibreOffice {coord}", agrees(got, want), f"computed {got!r}, cached {want!r}")
        control = libreoffice_all_sheets(os.path.join(d, "features-wrong-cache.xlsx"), os.path.join(work, "control"))["效果分析表"]
        check("LibreOffice recalculated (control E3)", number(control[2][4]) == 10, control[2][4])
        made = sorted(f for f in os.listdir(d) if f.startswith("recalc-") and f.endswith(".xlsx"))
        check("generated workbooks present", len(made) > 0, made)
        compared = sum(recalculated_equals_cached(os.path.join(d, f), os.path.join(work, f), check) for f in made)
        check("generated formulas compared", compared > 0, compared)
        moved_rows(d, os.path.join(work, "rows"), check)
        injection(d, os.path.join(work, "injection"), check)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"features: {sum(results)} passed, {len(results) - sum(results)} failed")
    sys.exit(0 if all(results) else 1)

if __name__ == "__main__":
    main()
