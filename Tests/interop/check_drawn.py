#!/usr/bin/env python3
"""LibreOffice draws every chart of the dashboards tracksheet wrote.

    check_drawn.py FILE.xlsx...

Each workbook is printed to PDF by LibreOffice (headless) and its pages rendered by pdftoppm. For
every chart part (xl/charts/chart*.xml): its title is on a printed page, and the page holds pixels
of at least one colour its series are filled with (`a:srgbClr`, ±12 per channel) — the chart's
area is drawn, not blank. Prints "drawn: N charts passed, N failed"; exits 1 on a failure.
"""
import os, re, subprocess, sys, tempfile, zipfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ppm import read_ppm

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
passed = failed = 0


def count(pixels, rgb, tolerance=12):
    r, g, b = rgb
    n = 0
    for k in range(0, len(pixels) - 2, 3):
        if abs(pixels[k] - r) <= tolerance and abs(pixels[k + 1] - g) <= tolerance and abs(pixels[k + 2] - b) <= tolerance:
            n += 1
    return n


with tempfile.TemporaryDirectory() as work:
    for path in sys.argv[1:]:
        name = os.path.basename(path)
        with zipfile.ZipFile(path) as z:
            charts = []
            for part in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
                root = ET.fromstring(z.read(part))
                title = "".join(t.text or "" for t in root.find(C + "chart").find(C + "title").iter(A + "t")) if root.find(C + "chart").find(C + "title") is not None else ""
                colours = {c.get("val") for s in root.iter(C + "ser") for c in s.iter(A + "srgbClr")}
                charts.append((part, title, colours))
        if not charts:
            continue
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", work, path], check=True, capture_output=True, timeout=300)
        pdf = os.path.join(work, os.path.splitext(name)[0] + ".pdf")
        text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True).stdout.decode()
        flat = re.sub(r"\s+", "", text)
        subprocess.run(["pdftoppm", "-r", "40", pdf, os.path.join(work, "page")], check=True)
        pages = sorted(f for f in os.listdir(work) if f.startswith("page") and f.endswith(".ppm"))
        seen = {}
        for p in pages:
            _, _, px = read_ppm(os.path.join(work, p))
            for _, _, colours in charts:
                for c in colours:
                    if c not in seen or seen[c] == 0:
                        seen[c] = seen.get(c, 0) + count(px, tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)))
            os.unlink(os.path.join(work, p))
        for part, title, colours in charts:
            printed = not title or re.sub(r"\s+", "", title) in flat
            ok = printed and any(seen.get(c, 0) >= 4 for c in colours)
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {name} {part} “{title}”: title printed {printed}, colours {[(c, seen.get(c, 0)) for c in colours]}")
        os.unlink(pdf)
print(f"drawn: {passed} charts passed, {failed} failed")
sys.exit(1 if failed else 0)
