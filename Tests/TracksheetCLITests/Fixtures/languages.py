#!/usr/bin/env python3
"""Every command's text and JSON output, on Chinese and English workbooks, in one language only.

    languages.py TRACKSHEET WORKDIR

For each workbook (the samples, the real-world fixtures, and English copies of the Chinese samples
made here by translating their headers, sheet names and choice values through the template files),
runs new, inspect, validate (text, JSON, --annotate), recalc, sync (dry run, first sync, a conflict)
and export, each with LANG set to the *other* language (the workbook decides), and once more with
--lang naming the other language (the flag decides). What the workbook itself holds (cell text,
sheet names, the paths) is taken out of the output first; what is left must be in the one
language: English output has no Chinese character, Chinese output no English word but identifiers
(rule ids, options, commands, file names, cell references, JSON keys and the usual marketing
abbreviations). New sheets and notes tracksheet writes into a workbook (校验结果, 汇总) are
checked the same way. Prints every leak found and exits 1 if there is any.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

import openpyxl

BIN, WORK = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
# English words a Chinese message may carry: the abbreviations Chinese marketing teams write as
# they are (the seed documents do), product and file-format names, and the unit letters.
ALLOWED_IN_CHINESE = {
    "CTR", "CVR", "ROI", "KPI", "RACI", "R", "A", "C", "I", "UV", "PV", "GMV", "SKU", "KOL", "CPA",
    "Excel", "WPS", "LibreOffice", "SQLite", "PostgreSQL", "tracksheet", "xlsx", "JSON", "ID",
    "k", "K", "X", "x", "h", "mm", "yyyy", "dd", "AM", "PM", "UTC",
}
leaks = []
os.makedirs(WORK, exist_ok=True)


def templates():
    out = {}
    for f in os.listdir(os.path.join(REPO, "templates")):
        t = json.load(open(os.path.join(REPO, "templates", f), encoding="utf-8"))
        out[t["id"]] = t
    return out


TEMPLATES = templates()


def translate(src, dst):
    """An English copy of a Chinese workbook: headers, sheet names, choices and phases in English."""
    words = {}
    for t in TEMPLATES.values():
        for s in t["sheets"]:
            words[s["name"]["zh"]] = s["name"]["en"]
            for c in s["columns"]:
                words[c["zh"]] = c["en"]
                for a, b in zip(c.get("allowed", []), c.get("allowedEn", [])):
                    words[a] = b
            for f in s.get("fields") or []:
                words[f["zh"]] = f["en"]
        for p in t.get("phases") or []:
            words[p["zh"]] = p["en"]
            for task in p.get("tasks", []):
                words[task["zh"]] = task["en"]
        for p in t.get("stages") or []:
            words[p["zh"]] = p["en"]
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        ws.title = words.get(ws.title, ws.title)
        for dv in ws.data_validations.dataValidation:
            if dv.formula1 and dv.formula1.startswith('"'):
                dv.formula1 = '"' + ",".join(words.get(x, x) for x in dv.formula1.strip('"').split(",")) + '"'
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() in words:
                    cell.value = words[cell.value.strip()]
    wb.save(dst)


def run(args, lang_env, cwd):
    env = dict(os.environ, LANG=lang_env, LC_ALL="", LC_MESSAGES="", NO_COLOR="1")
    p = subprocess.run([BIN] + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return p.stdout + p.stderr, p.returncode


def texts_of(path, written=False):
    """Every text a workbook holds: cell strings, the text literals of its formulas, sheet names,
    defined names and data-validation lists. `written`: only what a reader sees in what tracksheet
    wrote (its hidden sync record and the id column are identifiers, not prose)."""
    found = set()
    try:
        wb = openpyxl.load_workbook(path)
    except Exception:
        return found
    if not written:
        found.update(wb.defined_names.keys())
        found.update(str(d.attr_text) for d in wb.defined_names.values())
    for ws in wb.worksheets:
        if written and (ws.title.startswith("_tracksheet") or ws.sheet_state != "visible"):
            continue
        found.add(ws.title)
        for dv in ws.data_validations.dataValidation:
            for f in (dv.formula1, dv.formula2):
                if f:
                    found.add(f)
                    found.update(x for x in f.strip('"').split(",") if x)
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if not isinstance(v, str) or (written and (v == "tracksheet-id" or re.fullmatch(r"[a-z0-9]{12,24}", v))):
                    continue
                if v.startswith("="):
                    # What a formula shows is its text literals: checked in what tracksheet wrote;
                    # of the workbook's own, the formula whole is its data.
                    found.update(re.findall(r'"([^"]+)"', v) if written else [v])
                    continue
                found.add(v)
                if written:
                    continue
                found.update(line for line in v.splitlines() if line.strip())
                # Headers are matched with their parts (计划时间/开始, 费用(元)).
                found.update(p for p in re.split(r"[\s/()()::]+", v) if len(p) > 1)
        for cell in ws._cells.values():
            if cell.comment and written:
                found.add(cell.comment.text)
    return found


def user_data(path):
    texts = {d for d in texts_of(path) if len(d) > 1 or CJK.search(d) or d.isalpha()}
    # The Chinese words of a text are the user's too where tracksheet quotes them in a text of its
    # own: the campaign a title names (`Process card (春季焕新季, launch …)` → `春季焕新季 dashboard`).
    return texts | {w for d in texts for w in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", d)}


def strip(text, data):
    for d in sorted((d for d in data if d), key=len, reverse=True):
        text = text.replace(d, " ")
    return text


def identifiers(text):
    text = re.sub(r"\[[a-zA-Z.]+\]|\b[a-z]+\.[a-zA-Z]+\b|(?m:^required$)", " ", text)  # rule ids
    text = re.sub(r"--[a-z][a-z-]*( (workbook\|store|workbook|store|text|json|zh|en|ratio|net))?", " ", text)  # options
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z?", " ", text)     # ISO times
    text = re.sub(r"\b[A-Z]{1,12}\b", " ", text)                # columns, formula functions, abbreviations
    text = re.sub(r"\btracksheet-id\b", " ", text)
    text = re.sub(r"\S*[/\\]\S*|\S+\.(xlsx|db|json)\b", " ", text)  # paths, file names
    text = re.sub(r"\b[A-Z]{1,3}\d+(:[A-Z]{1,3}\d+)?\b|\b\d+:\d+\b", " ", text)  # cells, rows
    text = re.sub(r"\b(sqlite|postgres|postgresql):\S*", " ", text)
    text = re.sub(r"\b_xlnm\.\w+", " ", text)                  # Excel's own defined names
    text = re.sub(r"\b(marketing-plan|multi-platform-promo|process-card|new|inspect|validate|recalc|sync|export)\b", " ", text)
    text = re.sub(r"\b[a-z]+[A-Z]\w*\b|\b[a-z]+_[a-z_]+\b", " ", text)  # column keys, store names
    text = re.sub(r"\\u\{[0-9A-F]+\}", " ", text)
    return text


def check(what, output, english, data):
    if output.lstrip().startswith(("{", "[")):
        try:
            doc = json.loads(output)
        except ValueError:
            doc = None
        if doc is not None:
            texts = []

            def walk(v, key=None):
                if isinstance(v, dict):
                    for k, x in v.items():
                        walk(x, k)
                elif isinstance(v, list):
                    for x in v:
                        walk(x, key)
                elif isinstance(v, str) and (english or key in ("message", "error")):
                    texts.append(v)
            walk(doc)
            output = "\n".join(texts)
    left = strip(identifiers(output) if not english else output, data)
    for line in left.splitlines():
        if english:
            if CJK.search(line):
                leaks.append(f"{what}: Chinese in English output: {line.strip()}")
        else:
            words = [w for w in WORD.findall(line) if w not in ALLOWED_IN_CHINESE]
            if words:
                leaks.append(f"{what}: English {words} in Chinese output: {line.strip()}")


def cell_texts(path):
    """(sheet, cell) → the cell's value and its note, as openpyxl reads them."""
    out = {}
    try:
        wb = openpyxl.load_workbook(path)
    except Exception:
        return out
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            out[(ws.title, cell.coordinate)] = (cell.value, cell.comment.text if cell.comment else None)
    return out


def new_texts(before, after):
    """Text tracksheet wrote into a workbook: what a reader sees in the cells and notes it changed
    or added (a formula's text literals; a formula it left as it was is the workbook's), and new
    sheet names and drop-downs."""
    old, new = cell_texts(before), cell_texts(after)
    wrote = set()
    try:
        wb = openpyxl.load_workbook(after)
    except Exception:
        return ""
    for ws in wb.worksheets:
        if ws.title.startswith("_tracksheet") or ws.sheet_state != "visible":
            continue
        for (sheet, ref), (value, note) in new.items():
            if sheet != ws.title or old.get((sheet, ref)) == (value, note):
                continue
            if note and (old.get((sheet, ref)) or (None, None))[1] != note:
                wrote.add(note)
            if not isinstance(value, str) or value == "tracksheet-id" or re.fullmatch(r"[a-z0-9]{12,24}", value):
                continue
            wrote.update(re.findall(r'"([^"]+)"', value) if value.startswith("=") else [value])
    # Sheet names and drop-down items that were not there.
    wrote |= {t for t in texts_of(after, written=True) - texts_of(before) if not t.startswith("=")} & (sheet_names(after) | dropdowns(after))
    return "\n".join(sorted(wrote))


def sheet_names(path):
    try:
        return {ws.title for ws in openpyxl.load_workbook(path).worksheets if not ws.title.startswith("_tracksheet")}
    except Exception:
        return set()


def dropdowns(path):
    found = set()
    try:
        for ws in openpyxl.load_workbook(path).worksheets:
            for dv in ws.data_validations.dataValidation:
                if dv.formula1:
                    found.update(x for x in dv.formula1.strip('"').split(",") if x)
    except Exception:
        pass
    return found


def exercise(name, src, english, campaign):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    wb = os.path.join(d, "book.xlsx")
    shutil.copy(src, wb)
    data = user_data(wb) | {wb, d, "book.xlsx", "book", campaign or ""}
    other = "zh_CN.UTF-8" if english else "en_US.UTF-8"
    flag = ["--lang", "en" if english else "zh"]
    asof = ["--as-of", "2025-06-09"]
    for args in (["inspect", "book.xlsx"], ["inspect", "book.xlsx", "--format", "json"],
                 ["validate", "book.xlsx"] + asof, ["validate", "book.xlsx", "--format", "json"] + asof,
                 ["validate", "book.xlsx", "--annotate", "checked.xlsx"] + asof,
                 ["validate", "book.xlsx", "--as-of", "2026-12-31"],  # late: every open task overdue
                 ["recalc", "book.xlsx", "-o", "recalc.xlsx"] + asof):
        for extra, env in (([], other), (flag, other)):
            out, _ = run(args + extra, env, d)
            check(f"{name}: {' '.join(args + extra)} (LANG={env})", out, english, data)
    for made in ("checked.xlsx", "recalc.xlsx"):
        p = os.path.join(d, made)
        if os.path.exists(p):
            check(f"{name}: text written into {made}", new_texts(wb, p), english, data)
    # Sync: a dry run, the first sync, then a conflict on one cell when the template has one.
    store = os.path.join(d, "store.db")
    out, _ = run(["sync", "book.xlsx", "--store", store, "--format", "json", "--dry-run"] + asof, other, d)
    try:
        doc = json.loads(out)
        data |= {x["campaign"] for x in (doc if isinstance(doc, list) else [doc])}
    except ValueError:
        pass
    for args in (["sync", "book.xlsx", "--store", store, "--dry-run"] + asof,
                 ["sync", "book.xlsx", "--store", store, "--format", "json", "--dry-run"] + asof,
                 ["sync", "book.xlsx", "--store", store] + asof):
        out, _ = run(args, other, d)
        check(f"{name}: {' '.join(args)}", out, english, data)
    if os.path.exists(store):
        data |= {r[0] for r in sqlite3.connect(store).execute("select name from campaigns")}
    check(f"{name}: text written into the synced workbook", new_texts(src, wb), english, data | user_data(src))
    if "-plan-" in name and conflict(wb, store):
        for args in (["sync", "book.xlsx", "--store", store] + asof, ["sync", "book.xlsx", "--store", store, "--format", "json"] + asof):
            out, code = run(args, other, d)
            if code != 1:
                leaks.append(f"{name}: the planted conflict did not end sync with exit 1 ({code}): {out}")
            check(f"{name}: {' '.join(args)} (a conflict)", out, english, data | {"99999", "88888"})
    con = sqlite3.connect(store) if os.path.exists(store) else None
    names = [r[0] for r in con.execute("select name from campaigns")] if con else []
    for c in names[:1]:
        out, _ = run(["export", "export.xlsx", "--campaign", c, "--store", store, "--force"] + flag, other, d)
        check(f"{name}: export", out, english, data | {c})
    # Errors before any workbook is read: the language of --lang, else LANG.
    for args in (["validate", "nosuch.xlsx"], ["recalc", "nosuch.xlsx", "-o", "x.xlsx"], ["sync", "nosuch.xlsx"],
                 ["export", "x.xlsx", "--campaign", "A", "--store", "nosuch.db"]):
        out, code = run(args + flag, other, d)
        check(f"{name}: {' '.join(args + flag)}", out, english, data | {"nosuch.xlsx", "nosuch.db", "x.xlsx", "A"})


def conflict(wb_path, store):
    """Edits 实际支出 / Actual spend of the first task on both sides; False when there is none."""
    if not os.path.exists(store):
        return False
    con = sqlite3.connect(store)
    if not con.execute("select 1 from sqlite_master where name = 'master_tasks'").fetchone():
        return False
    row = con.execute("select id from master_tasks order by position limit 1").fetchone()
    if not row:
        return False
    wb = openpyxl.load_workbook(wb_path)
    for ws in wb.worksheets:
        for r in ws.iter_rows(min_row=1, max_row=6):
            for cell in r:
                if cell.value in ("实际支出", "实际支出(元)", "Actual spend", "Spend"):
                    for below in range(cell.row + 1, ws.max_row + 1):
                        task = ws.cell(below, 3).value
                        if task:
                            ws.cell(below, cell.column).value = 99999
                            wb.save(wb_path)
                            con.execute("update master_tasks set spend = 88888, version = version + 1 where id = ?", row)
                            con.commit()
                            return True
    return False


zh_books = [("plan-errors", "samples/with-errors/marketing-plan-errors.xlsx", "母婴新品奶粉上市推广"),
            ("multi-platform", "samples/multi-platform-618.xlsx", None),
            ("process-card", "samples/process-card-spring.xlsx", None)]
for name, path, campaign in zh_books:
    src = os.path.join(REPO, path)
    exercise("zh-" + name, src, False, campaign)
    en = os.path.join(WORK, "en-" + name + ".xlsx")
    translate(src, en)
    exercise("en-" + name, en, True, campaign)
manifest = json.load(open(os.path.join(HERE, "real-world", "manifest.json"), encoding="utf-8"))
for stem, entry in manifest.items():
    src = os.path.join(HERE, "real-world", stem + ".xlsx")
    english = "english" in os.path.basename(src)
    exercise(("en-" if english else "zh-") + os.path.basename(src)[:-5], src, english, entry.get("campaign"))
# new, in each language, for each template.
for t in TEMPLATES:
    for lang in ("zh", "en"):
        d = os.path.join(WORK, "new")
        os.makedirs(d, exist_ok=True)
        out, _ = run(["new", f"{t}-{lang}.xlsx", "--template", t, "--campaign", "Trial", "--start", "2025-05-01",
                      "--end", "2025-06-30", "--lang", lang, "--force"], "zh_CN.UTF-8" if lang == "en" else "en_US.UTF-8", d)
        check(f"new --template {t} --lang {lang}", out, lang == "en", {d, "Trial", f"{t}-{lang}.xlsx"})

for leak in leaks:
    print(leak)
print(f"{len(leaks)} leak(s)")
sys.exit(1 if leaks else 0)
