#!/usr/bin/env python3
"""Every chart's cached points equal the cells it points at.

    check_charts.py FILE.xlsx...

For each chart part tracksheet wrote (xl/charts/*.xml), each reference (`c:f`) with its cache
(`c:strCache`, `c:numCache`) is compared with the cached values of the cells it names, as openpyxl
reads them (numbers to 1e-6, texts exactly; an empty cell is a missing point). Also: openpyxl
loads every chart. Prints "charts: N references passed, N failed"; exits 1 on a failure.
"""
import re, sys, warnings, zipfile
import xml.etree.ElementTree as ET

warnings.filterwarnings("ignore")
import openpyxl
from openpyxl.utils import range_boundaries

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
passed = failed = 0


def cells(book, ref):
    m = re.fullmatch(r"'?(.*?)'?!(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)", ref)
    if not m:
        return None
    sheet, rng = m.group(1).replace("''", "'"), m.group(2).replace("$", "")
    if sheet not in book.sheetnames:
        return None
    ws = book[sheet]
    c1, r1, c2, r2 = range_boundaries(rng if ":" in rng else rng + ":" + rng)
    return [ws.cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


for path in sys.argv[1:]:
    book = openpyxl.load_workbook(path, data_only=True)
    seen = sum(len(ws._charts) for ws in book.worksheets)
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        if seen != len(parts):
            print(f"FAIL {path}: openpyxl sees {seen} charts, the package has {len(parts)}")
            failed += 1
        for part in parts:
            root = ET.fromstring(z.read(part))
            for ref in root.iter():
                if ref.tag not in (C + "strRef", C + "numRef"):
                    continue
                f = ref.find(C + "f").text
                cache = ref.find(C + ("strCache" if ref.tag == C + "strRef" else "numCache"))
                points = {int(p.get("idx")): p.find(C + "v").text for p in cache.findall(C + "pt")} if cache is not None else {}
                count = int(cache.find(C + "ptCount").get("val")) if cache is not None and cache.find(C + "ptCount") is not None else 0
                values = cells(book, f)
                if values is None:
                    print(f"FAIL {path} {part}: {f} names no cells"); failed += 1; continue
                ok = count == len(values)
                for i, v in enumerate(values):
                    got = points.get(i)
                    if v is None or v == "" or (ref.tag == C + "numRef" and not isinstance(v, (int, float))):
                        # An empty cell, or text in a numeric series (`-`): no point, as Excel caches it.
                        ok &= got is None or got == ""
                    elif ref.tag == C + "numRef":
                        ok &= got is not None and isinstance(v, (int, float)) and abs(float(got) - float(v)) < 1e-6
                    else:
                        ok &= got == str(v)
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL {path} {part}: {f} caches {[points.get(i) for i in range(count)]}, the cells hold {values}")
print(f"charts: {passed} references passed, {failed} failed")
sys.exit(1 if failed else 0)
