#!/usr/bin/env python3
"""Writes docs/headers.md from the template files: the headers each template accepts.

    python3 docs/make_headers.py          # rewrite docs/headers.md
    python3 docs/make_headers.py --check  # exit 1 when docs/headers.md is not what the templates say
"""
import json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = ["marketing-plan", "multi-platform-promo", "process-card"]
TYPES = {"text": "text", "status": "one of the choices", "date": "date", "dateOrRange": "date or range (6.2-6.5)",
         "time": "time (17:00, 6.5 18:00)", "timePoint": "time of day (9:00, or an Excel time)", "money": "amount (元)",
         "count": "count", "percent": "percent points", "ratio": "ratio", "quantity": "number with unit (22万, 3套, 1:3.5)",
         "kpi": "KPI expression (点击率≥2%)", "checkboxes": "□未开始□进行中□已完成", "raci": "RACI (R:… A:… C:… I:…)",
         "raciRole": "names (one for A)", "deadlineRule": "rule (活动启动前15天)"}


def render():
    out = ["# Headers each template accepts", "",
           "Generated from `templates/*.json` by `docs/make_headers.py`; do not edit by hand.", "",
           "A header matches a column when, after full-width brackets become half-width, spaces, line breaks,",
           "`*` and `:` are dropped and letters are lower-cased, it equals one of the column's names below —",
           "or does so without its bracketed part (`预算金额(元)` → `预算金额`). Over two rows, a group header",
           "joins the one under it (`计划时间` over `开始` reads as `计划开始`). A unit in the header scales the",
           "values into the template's: money in `元`, `万元` / `万` (×10,000), `千元` / `k` (×1,000), `百万`, `亿`,",
           "and `10k CNY`, `k CNY` in English; counts in `万` or `千`. A header one or two characters away from",
           "a name is read as that column and reported (`column.nearMiss`, did you mean); one that fits two",
           "columns is not read and reported. Any other header is the team's own column: kept as it is,",
           "never changed, and reported once as `column.extra` (info) — it is not checked.", ""]
    for tid in TEMPLATES:
        t = json.load(open(os.path.join(ROOT, "templates", tid + ".json"), encoding="utf-8"))
        out += [f"## `{tid}` — {t['name']['zh']} ({t['name']['en']})", ""]
        for s in t["sheets"]:
            out += [f"### {s['name']['zh']} ({s['name']['en']})", ""]
            if s["rows"] == "fields":
                out += ["A key–value sheet: items by name in the first column, their values in the second.", ""]
            out += ["| column | type | also accepted | choices |", "|---|---|---|---|"]
            for c in s["columns"]:
                names = f"{c['zh']} / {c['en']}"
                flags = []
                if c.get("required") and not c.get("derived"): flags.append("required")
                if c.get("derived"): flags.append("derived")
                if c.get("alternative"): flags.append("alternative layout")
                kind = TYPES.get(c["type"], c["type"]) + (f" ({', '.join(flags)})" if flags else "")
                aliases = ", ".join(c.get("aliases", [])) or "—"
                choices = c.get("allowed")
                if choices and c.get("allowedEn"):
                    choices = [f"{a} ({e})" for a, e in zip(choices, c["allowedEn"])]
                ch = "/".join(choices) if choices else ("any; suggested " + "/".join(c["suggested"]) if c.get("suggested") else "—")
                out.append(f"| {names} | {kind} | {aliases} | {ch} |")
            out.append("")
    return "\n".join(out) + "\n"


path = os.path.join(ROOT, "docs", "headers.md")
text = render()
if "--check" in sys.argv:
    current = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if current != text:
        sys.exit("docs/headers.md is out of date with templates/: run python3 docs/make_headers.py")
else:
    open(path, "w", encoding="utf-8").write(text)
