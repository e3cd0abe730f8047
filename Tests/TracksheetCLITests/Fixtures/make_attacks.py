#!/usr/bin/env python3
"""Crafted attacks, one per class of issue 25 (AttackTests runs each through every command, bounded
in processor time and memory). Made at test time, small: none is stored in the repository.

  fill-colour-first.xlsx    a fill's colour before its pattern, and a colour outside any fill
  huge-year.xlsx            an ISO date cell (t="d") in the year 99999999999999
  many-attributes.xlsx      400,000 attributes on one row element (libxml2's check is quadratic)
  shared-formula-bomb.xlsx  a 7,000-character shared formula shared by 60,000 cells
  sheets-one-part.xlsx      2,000 sheets that are all one part
  many-sheets.xlsx          50,000 sheets, each with its relationship
  many-hyperlinks.xlsx      50,000 hyperlinks, each with its relationship
  many-formats.xlsx         300,000 cell formats
  repeated-header.xlsx      a master plan's header row repeated 30,000 times
  wide-headers.xlsx         300 sheets, each with a 2,000-cell header row
  alternating-phases.xlsx   20,000 tasks whose phases alternate, an effect sheet of 2,000 channels,
                            a 合计 row
  card-1900.xlsx            a process card launched on 1900-01-02 with working-day deadlines
  aliased-entries.xlsx      a zip directory that lists one 200 KB entry 400 times under other names
  lone-surrogate.xlsx       a UTF-16 shared-strings part holding a lone surrogate

usage: make_attacks.py OUTDIR
"""
import os, struct, sys, zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def book(name, sheets, styles=None, shared=None, sheet_rels=None, workbook_sheets=None):
    """sheets: [(name, xml)]; workbook_sheets: the <sheets> content, when not one per sheet."""
    types = [f'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    rels = []
    entries = []
    for i, (_, xml) in enumerate(sheets, 1):
        types.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_SHEET}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        entries.append((f"xl/worksheets/sheet{i}.xml", xml))
        if sheet_rels and i in sheet_rels:
            entries.append((f"xl/worksheets/_rels/sheet{i}.xml.rels", sheet_rels[i]))
    n = len(sheets)
    if styles is not None:
        types.append('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
        rels.append(f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>')
        entries.append(("xl/styles.xml", styles))
    if shared is not None:
        types.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        rels.append(f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        entries.append(("xl/sharedStrings.xml", shared))
    listed = workbook_sheets or "".join(f'<sheet name="{s}" sheetId="{i}" r:id="rId{i}"/>' for i, (s, _) in enumerate(sheets, 1))
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   + "".join(types) + "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{listed}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">' + "".join(rels) + "</Relationships>")
        for n_, data in entries:
            z.writestr(n_, data)


def col(n):
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(ref, v):
    if isinstance(v, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
    return f'<c r="{ref}"><v>{v}</v></c>'


def sheet(rows, extra=""):
    body = "".join(f'<row r="{r}">' + "".join(cell(f"{col(c)}{r}", v) for c, v in enumerate(vals, 1) if v is not None) + "</row>"
                   for r, vals in enumerate(rows, 1))
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{body}</sheetData>{extra}</worksheet>'


MASTER = ["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"]
task = ["筹备期", "KOL签约", "甲", "2025-05-01", "2025-05-08", 10000, 9000, 100]

styles = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts>'
          '<fills count="3"><fgColor rgb="FFFF0000"/><fill><fgColor rgb="FF00FF00"/><patternFill patternType="solid"/></fill><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border/></borders><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0"/><xf numFmtId="0" fontId="0" fillId="5" applyFill="1"/></cellXfs></styleSheet>')
book("fill-colour-first.xlsx", [("主跟踪表", sheet([MASTER, task]).replace('<c r="B2"', '<c r="B2" s="1"'))], styles=styles)

book("huge-year.xlsx", [("主跟踪表", sheet([MASTER, task]).replace('<c r="D2" t="inlineStr"><is><t>2025-05-01</t></is></c>',
                                                              '<c r="D2" t="d"><v>99999999999999-01-01T99999999999:00</v></c>'))])

attrs = " ".join(f'a{i}="1"' for i in range(400_000))
book("many-attributes.xlsx", [("S", sheet([MASTER]).replace('<row r="1">', f'<row r="1" {attrs}>'))])

long_formula = "+".join(f"A{i}" for i in range(1, 1300))
anchor = f' ref="B1:B60000">{long_formula}</f>'
cells = "".join(f'<row r="{r}"><c r="B{r}"><f t="shared" si="0"' + (anchor if r == 1 else "/>") + '<v>0</v></c></row>' for r in range(1, 60_001))
book("shared-formula-bomb.xlsx", [("S", f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{cells}</sheetData></worksheet>')])

book("sheets-one-part.xlsx", [("主跟踪表", sheet([MASTER, task] * 500))],
     workbook_sheets="".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, 2001)))

# 50,000 sheets: the workbook lists them all, each with its own relationship to one small part.
with zipfile.ZipFile(os.path.join(out, "many-sheets.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
               f'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT_SHEET}"/></Types>')
    z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
               + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, 50_001)) + "</sheets></workbook>")
    z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
               + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>' for i in range(1, 50_001)) + "</Relationships>")
    z.writestr("xl/worksheets/sheet1.xml", sheet([["x"]]))

links = "".join(f'<hyperlink ref="A{i}" r:id="rId{i}"/>' for i in range(1, 50_001))
link_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
             + "".join(f'<Relationship Id="rId{i}" Type="{REL}/hyperlink" Target="https://example.com/{i}" TargetMode="External"/>' for i in range(1, 50_001))
             + "</Relationships>")
book("many-hyperlinks.xlsx", [("主跟踪表", sheet([MASTER, task], extra=f"<hyperlinks>{links}</hyperlinks>"))], sheet_rels={1: link_rels})

import random
rnd = random.Random(25)
xfs = "".join(f'<xf numFmtId="{rnd.randrange(200)}" fontId="0" fillId="0" borderId="0" xfId="{rnd.randrange(10**6)}"/>' for _ in range(300_000))
book("many-formats.xlsx", [("主跟踪表", sheet([MASTER, task]))],
     styles=f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="300000">{xfs}</cellXfs></styleSheet>')

book("repeated-header.xlsx", [("主跟踪表", sheet([MASTER] * 30_000))])

wide = [f"列{i}" for i in range(2000)]
book("wide-headers.xlsx", [(f"S{i}", sheet([wide[:7] + MASTER + wide])) for i in range(300)])

phases = ["筹备期", "启动期", "爆发期", "收尾期"]
master = [MASTER] + [[phases[i % 4], f"任务{i}", f"人{i % 7}", "2025-05-01", "2025-06-30", 1000 + i, 900, 50] for i in range(20_000)]
master.append(["合计", None, None, None, None, 50_000_000, None, None])
EFFECT = ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)", "获客成本(元)", "增量销售额(元)", "ROI"]
effect = [EFFECT] + [[f"渠道{i}", "内容", 10000, 500, 5, 20, 4, 1000, 50, 3000, 3] for i in range(2000)]
book("alternating-phases.xlsx", [("主跟踪表", sheet(master)), ("效果分析表", sheet(effect))])

CARD = ["流程阶段", "核心任务", "负责部门", "负责人", "时间节点", "完成标准", "完成状态", "备注"]
card = [["活动标准流程卡(活动名称:春季,启动日期:1900年1月2日)"], CARD] + [["策划阶段", f"任务{i}", "市场部", "甲", "活动启动前3000个工作日", "完成", "□未开始□进行中□已完成", None] for i in range(2000)]
book("card-1900.xlsx", [("流程跟踪表", sheet(card))])

# One 200 KB entry, listed 400 times in the central directory under other names.
path = os.path.join(out, "aliased-entries.xlsx")
book("aliased-entries.xlsx", [("主跟踪表", sheet([MASTER, task] + [["筹备期", "x" * 100, "甲", "2025-05-01", "2025-05-08", 1, 1, 1]] * 1500))])
data = open(path, "rb").read()
eocd = data.rfind(b"PK\x05\x06")
cd_size, cd_offset = struct.unpack("<II", data[eocd + 12:eocd + 20])
cd = data[cd_offset:cd_offset + cd_size]
i = cd.find(b"xl/worksheets/sheet1.xml") - 46
header = cd[i:i + 46 + len(b"xl/worksheets/sheet1.xml")]
extra = b""
for k in range(400):
    name = f"xl/media/copy{k:03}.xml".encode()
    h = bytearray(header[:46]) + name
    h[28:30] = struct.pack("<H", len(name))
    extra += bytes(h)
count = struct.unpack("<H", data[eocd + 10:eocd + 12])[0] + 400
new_cd = cd + extra
tail = data[eocd:eocd + 22]
tail = tail[:8] + struct.pack("<HHII", count, count, len(new_cd), cd_offset) + tail[20:]
open(path, "wb").write(data[:cd_offset] + new_cd + tail)

# UTF-16 shared strings with a lone surrogate (0xD800 not followed by a low surrogate).
text = '<?xml version="1.0" encoding="UTF-16"?><sst xmlns="%s" count="1" uniqueCount="1"><si><t>A</t></si></sst>' % MAIN
raw = b"\xff\xfe" + text.encode("utf-16-le").replace("A".encode("utf-16-le"), b"\x00\xd8" + "B".encode("utf-16-le"))
book("lone-surrogate.xlsx", [("S", sheet([]).replace("<sheetData></sheetData>", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'))], shared=raw)
print(len(os.listdir(out)), "attacks")
