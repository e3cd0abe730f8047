#!/usr/bin/env python3
"""Lists every cell of IN's sheets that OUT changed outside the derived columns (value, formula or
number format), as `sheet!cell before → after`, one per line; nothing when none changed.

    unchanged.py IN OUT TEMPLATE.json '{"sheet": {"templateSheet": "effect", "columns": {"ctr": "E", …}}}'

Columns tracksheet may write: the template's derived ones, and the hidden `tracksheet-id` column;
and a formula of the team's that had no cached value (a file written by a script) may gain one.
"""
import json, sys
import openpyxl

src, out, template, sheets = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3])), json.loads(sys.argv[4])
derived = {s["id"]: {c["key"] for c in s.get("columns", []) if "derived" in c} for s in template["sheets"]}


def cells(path, data_only):
    wb = openpyxl.load_workbook(path, data_only=data_only)
    return {ws.title: {(c.row, c.column_letter): (c.value, c.number_format)
                       for row in ws.iter_rows() for c in row if c.value is not None or c.number_format != "General"}
            for ws in wb.worksheets}


formulas = cells(src, False)
for data_only in (False, True):
    a, b = cells(src, data_only), cells(out, data_only)
    for name, before in a.items():
        spec = sheets.get(name)
        free = set()
        if spec:
            free = {spec["columns"][k] for k in derived.get(spec["templateSheet"], ()) if k in spec["columns"]}
        after = b.get(name, {})
        ids = {col for (r, col), (v, _) in after.items() if v == "tracksheet-id"}
        for key in sorted(set(before) | set(after)):
            if key[1] in free or key[1] in ids:
                continue
            x, y = before.get(key, (None, "General")), after.get(key, (None, "General"))
            if data_only and x[0] is None and str(formulas[name].get(key, ("",))[0]).startswith("="):
                continue
            if x != y:
                print(f"{name}!{key[1]}{key[0]} {'value' if data_only else 'formula'} {x!r} → {y!r}")
