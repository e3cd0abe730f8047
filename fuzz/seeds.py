#!/usr/bin/env python3
"""Seeds for the fuzz targets, from the workbook corpus, the samples and the templates.

reader/: each small workbook twice — as it is (a zip) and as its XML parts in the
         `--- part/name` text form the reader target packs into a zip (so mutations reach
         the XML rather than failing a zip checksum).
values/: cell texts, number formats and formulas found in those workbooks, and the
         templates' own words.

usage: seeds.py CORPUS OUT [--max-files N]
"""
import json, os, re, sys, zipfile, hashlib

def main():
    corpus, out = sys.argv[1], sys.argv[2]
    max_files = int(sys.argv[sys.argv.index("--max-files") + 1]) if "--max-files" in sys.argv else 400
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    reader, values = os.path.join(out, "reader"), os.path.join(out, "values")
    os.makedirs(reader, exist_ok=True); os.makedirs(values, exist_ok=True)

    files = []
    for folder in ["excel-made", "calamine", "excelize", "hostile"]:
        d = os.path.join(corpus, folder)
        if os.path.isdir(d):
            files += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".xlsx"))
    for d, _, names in os.walk(os.path.join(root, "samples")):
        files += sorted(os.path.join(d, f) for f in names if f.endswith(".xlsx"))
    # Small ones only: a fuzzer's input is best kept under 64 KB.
    files = [f for f in files if os.path.getsize(f) <= 64 << 10][:max_files]

    texts = set()
    def put(folder, data):
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(folder, name), "wb") as fh: fh.write(data)

    for path in files:
        raw = open(path, "rb").read()
        put(reader, raw)
        try:
            z = zipfile.ZipFile(path)
            parts = []
            for info in z.infolist():
                if info.file_size > 256 << 10 or not re.search(r"\.(xml|rels|vml)$", info.filename): continue
                data = z.read(info)
                parts.append(b"--- " + info.filename.encode() + b"\n" + data)
                if info.filename.endswith(("sharedStrings.xml", "styles.xml")) or "/worksheets/" in info.filename:
                    s = data.decode("utf-8", "replace")
                    texts.update(re.findall(r"<t[^>]*>([^<]{1,80})</t>", s)[:200])
                    texts.update(re.findall(r'formatCode="([^"]{1,80})"', s))
                    texts.update(re.findall(r"<f[^>]*>([^<]{1,120})</f>", s)[:100])
                    texts.update(re.findall(r'sqref="([^"]{1,80})"', s)[:20])
            if parts and sum(map(len, parts)) <= 256 << 10:
                put(reader, b"\n".join(parts))
        except Exception:
            pass  # the hostile ones: their raw bytes are the seed

    for t in os.listdir(os.path.join(root, "templates")):
        if t.endswith(".json"):
            def walk(v):
                if isinstance(v, str): texts.add(v)
                elif isinstance(v, dict): [walk(x) for x in v.values()]
                elif isinstance(v, list): [walk(x) for x in v]
            walk(json.load(open(os.path.join(root, "templates", t), encoding="utf-8")))
    texts.update(["2025年5月1日-6月20日", "5.1-5.7", "6月18日 20:00", "≥5%", "≥10万", "15,000元", "3.5%", "R/A",
                  "上线前3个工作日", "202X年X月X日", "A1:$B$2", "SUM(数据!C3:C7)/'Sheet 2'!$B$1", "$3:$5", "#REF!"])
    for t in sorted(texts):
        if t: put(values, t.encode("utf-8"))
    print(f"{len(os.listdir(reader))} reader seeds, {len(os.listdir(values))} value seeds in {out}")

main()
