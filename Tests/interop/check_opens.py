#!/usr/bin/env python3
"""Opens workbooks in real clients — openpyxl and LibreOffice (soffice --convert-to csv) — and
fails when an edited workbook does not open where its original does.

    check_opens.py PAIRS.tsv [--sample N]

PAIRS.tsv: one "original<TAB>edited" per line (written by the Swift edit test when
TRACKSHEET_INTEROP_DIR is set). --sample N checks a fixed, evenly spread N of them.
Prints one line per failure and a closing "interop: N passed, N failed".
"""
import os, resource, shutil, subprocess, sys, tempfile, warnings

warnings.filterwarnings("ignore")

def openpyxl_opens(path):
    import openpyxl
    try:
        wb = openpyxl.load_workbook(path)
        # Only the cells that exist: iter_rows would create every cell of a sheet whose declared
        # dimension is the whole grid (one corpus file drove openpyxl to 24 GB that way).
        for ws in wb.worksheets:
            for cell in list(ws._cells.values()):
                _ = cell.value
        return True, ""
    except Exception as e:  # noqa: BLE001 — any failure to open is the finding
        return False, f"{type(e).__name__}: {e}"[:200]

def soffice_run(paths, outdir, profile, timeout):
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", "csv", "--outdir", outdir] + paths
    env = dict(os.environ, HOME=profile)
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        # A workbook declaring the whole grid (comment03.xlsx: A1:XFD1048576) keeps soffice busy
        # for many minutes; what it did not convert in time counts as not converted.
        subprocess.run(["pkill", "-f", profile], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def converted(path, outdir):
    return os.path.exists(os.path.join(outdir, os.path.splitext(os.path.basename(path))[0] + ".csv"))

def soffice_converts(staged, outdir, profile, chunk=40):
    """Converts originals and edited files in chunks (one soffice start per chunk). soffice stops a
    batch at a file it cannot take, so an original left over is tried alone, and an edited file is
    tried alone when its original converted. Returns the set of paths that produced a CSV."""
    paths = [p for _, a, b in staged for p in (a, b)]
    for i in range(0, len(paths), chunk):
        soffice_run(paths[i:i + chunk], outdir, profile, timeout=120)
    for _, a, b in staged:
        if not converted(a, outdir):
            soffice_run([a], outdir, profile, timeout=60)
        if converted(a, outdir) and not converted(b, outdir):
            soffice_run([b], outdir, profile, timeout=60)
    return {p for p in paths if converted(p, outdir)}

def main():
    pairs_file = sys.argv[1]
    sample = int(sys.argv[sys.argv.index("--sample") + 1]) if "--sample" in sys.argv else 0
    pairs = [l.rstrip("\n").split("\t") for l in open(pairs_file, encoding="utf-8") if l.strip()]
    if sample and len(pairs) > sample:
        step = len(pairs) / sample
        pairs = [pairs[int(i * step)] for i in range(sample)]
    if shutil.which("soffice") is None:
        print("interop: soffice (LibreOffice) is not installed; run make deps-interop")
        sys.exit(2)
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="tracksheet-interop-")
    try:
        # LibreOffice names its CSV after the input, so give every file a unique name first.
        staged = []
        for i, (orig, edited) in enumerate(pairs):
            a = os.path.join(work, f"o{i}.xlsx"); b = os.path.join(work, f"e{i}.xlsx")
            shutil.copy(orig, a); shutil.copy(edited, b)
            staged.append((orig, a, b))
        out = os.path.join(work, "csv"); os.mkdir(out)
        profile = os.path.join(work, "profile"); os.mkdir(profile)
        converted = soffice_converts(staged, out, profile)
        # From here on only openpyxl runs in this process: bound it, so a runaway file raises
        # MemoryError (counted against that file) instead of the kernel killing the whole check.
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        opened = 0
        for orig, a, b in staged:
            problems = []
            ok_a, _ = openpyxl_opens(a)
            ok_b, why = openpyxl_opens(b)
            opened += ok_b
            if ok_a and not ok_b:
                problems.append(f"openpyxl cannot open the edited file ({why})")
            if a in converted and b not in converted:
                problems.append("LibreOffice cannot convert the edited file")
            if problems:
                failed += 1
                print(f"FAIL {orig}: " + "; ".join(problems))
            else:
                passed += 1
        print(f"interop: LibreOffice converted {len([1 for _, a, _ in staged if a in converted])} of {len(staged)} originals and "
              f"{len([1 for _, _, b in staged if b in converted])} edited files; openpyxl opened {opened} edited files")
        if not converted:
            print("interop: LibreOffice converted nothing; it is not working here")
            failed += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"interop: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
