#!/usr/bin/env python3
"""Crafted workbooks beyond shared/corpus/hostile, each refused with its own message
(HostileFileTests). Made from the corpus's valid-minimal.xlsx:

  lying-size.xlsx     the sheet's zip headers declare 1,000 bytes; it inflates to ~1.3 MB
  zip-encrypted.xlsx  every entry encrypted with a zip password (zip -P)
  lzma-method.xlsx    the sheet compressed with LZMA, a method Office never writes
  empty-sheet.xlsx    the sheet part is 0 bytes
  latin1.xlsx         the shared strings declare encoding="ISO-8859-1"

usage: make_hostile.py CORPUS OUTDIR
"""
import os, re, shutil, struct, subprocess, sys, tempfile, zipfile

corpus, out = sys.argv[1], sys.argv[2]
src = zipfile.ZipFile(os.path.join(corpus, "hostile", "valid-minimal.xlsx"))
names = src.namelist()

def rewrite(name, change, compress=lambda n: zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(os.path.join(out, name), "w") as z:
        for n in names:
            z.writestr(zipfile.ZipInfo(n, (2025, 1, 1, 0, 0, 0)), change(n, src.read(n)), compress_type=compress(n))

rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 30000))
rewrite("lying-size.xlsx", lambda n, d: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows.encode() + b"</sheetData>", d, flags=re.S)
        if n.endswith("sheet1.xml") else d)
data = bytearray(open(os.path.join(out, "lying-size.xlsx"), "rb").read())
for m in re.finditer(re.escape(b"xl/worksheets/sheet1.xml"), bytes(data)):
    i = m.start()
    if data[i - 30:i - 26] == b"PK\x03\x04": data[i - 30 + 22:i - 30 + 26] = struct.pack("<I", 1000)
    if data[i - 46:i - 42] == b"PK\x01\x02": data[i - 46 + 24:i - 46 + 28] = struct.pack("<I", 1000)
open(os.path.join(out, "lying-size.xlsx"), "wb").write(bytes(data))

rewrite("lzma-method.xlsx", lambda n, d: d, lambda n: zipfile.ZIP_LZMA if n.endswith("sheet1.xml") else zipfile.ZIP_DEFLATED)
rewrite("empty-sheet.xlsx", lambda n, d: b"" if n.endswith("sheet1.xml") else d)
rewrite("latin1.xlsx", lambda n, d: d.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"') if n.endswith("sharedStrings.xml") else d)

tmp = tempfile.mkdtemp()
src.extractall(tmp)
target = os.path.abspath(os.path.join(out, "zip-encrypted.xlsx"))
if os.path.exists(target): os.remove(target)
subprocess.run(["zip", "-q", "-X", "-r", "-P", "secret", target] + names, cwd=tmp, check=True)
shutil.rmtree(tmp)
