#!/usr/bin/env python3
"""Renders the pictures of the guide and the README from the samples (`make pictures`).

    docs/images/render.py BIN

Each sample is recalculated by BIN (tracksheet) as of a fixed day, LibreOffice prints the
workbook to PDF, and the pages of its 数据看板 and 甘特图 are rendered by pdftoppm, cropped to
what is drawn: dashboard-FAMILY.png, gantt-FAMILY.png in this folder. Needs LibreOffice
(libreoffice-calc-nogui) and poppler-utils; nothing but the standard library.
"""
import os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))
from ppm import read_ppm  # noqa: E402
SAMPLES = [
    ("marketing-plan", "marketing-plan-seed.xlsx", "2025-06-09"),
    ("multi-platform", "multi-platform-618.xlsx", "2025-06-09"),
    ("process-card", "process-card-spring.xlsx", "2025-05-20"),
]
DPI = 110


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def ink_box(ppm):
    """The box (x, y, w, h) of the page's non-white pixels, from a binary PPM (P6)."""
    w, h, pixels = read_ppm(ppm)
    rows = [y for y in range(h) if any(b < 235 for b in pixels[y * w * 3:(y + 1) * w * 3])]
    if not rows:
        return 0, 0, w, h
    left, right = w, 0
    for y in rows:
        line = pixels[y * w * 3:(y + 1) * w * 3]
        xs = [x for x in range(w) if min(line[x * 3], line[x * 3 + 1], line[x * 3 + 2]) < 235]
        if xs:
            left, right = min(left, xs[0]), max(right, xs[-1])
    pad = 8
    x0, y0 = max(0, left - pad), max(0, rows[0] - pad)
    return x0, y0, min(w, right + pad) - x0, min(h, rows[-1] + pad) - y0


def main(binary):
    with tempfile.TemporaryDirectory() as work:
        for family, sample, as_of in SAMPLES:
            book = os.path.join(work, family + ".xlsx")
            run(binary, "recalc", os.path.join(ROOT, "samples", sample), "-o", book, "--as-of", as_of)
            run("soffice", "--headless", "--convert-to", "pdf", "--outdir", work, book, timeout=180)
            pdf = os.path.join(work, family + ".pdf")
            pages = int(next(l.split()[1] for l in run("pdfinfo", pdf).stdout.decode().splitlines() if l.startswith("Pages:")))
            done = set()
            for page in range(1, pages + 1):
                first = run("pdftotext", "-f", str(page), "-l", str(page), pdf, "-").stdout.decode().strip().splitlines()[:1]
                kind = "dashboard" if first and "数据看板" in first[0] else "gantt" if first and "甘特图" in first[0] else None
                if kind is None or kind in done:
                    continue
                done.add(kind)
                stem = os.path.join(work, f"{kind}-{family}")
                # A Gantt is a long strip printed one page wide: drawn larger, its first weeks shown.
                dpi = DPI if kind == "dashboard" else 2 * DPI
                run("pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", pdf, stem)
                x, y, w, h = ink_box(stem + ".ppm")
                if kind == "gantt":
                    w = min(w, 1600)
                out = os.path.join(HERE, f"{kind}-{family}")
                run("pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), pdf, out)
                print(f"{out}.png ({w}x{h})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/tracksheet"))
