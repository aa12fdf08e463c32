"""Writers for the campaign's inputs: ledgers, plan documents, geometry files.

Each writer builds a small, well-formed file from scratch (standard library only: zipfile,
sqlite3, struct, zlib), so that a case can then damage exactly one thing about it.
"""

from __future__ import annotations

import io
import random
import sqlite3
import struct
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Ledgers
# ---------------------------------------------------------------------------------------------

LEDGER_HEADER = ["地块编号", "坐落", "乡镇", "面积（公顷）", "用途", "土地来源", "供应方式", "计划供应时间", "备注"]
TOWNS = ["城关镇", "龙泉镇", "白沙乡", "南湖街道", "青山镇"]
USES = [
    ("工业用地", "挂牌出让"),
    ("城镇住宅用地", "拍卖出让"),
    ("商务金融用地", "挂牌出让"),
    ("教育用地", "划拨"),
    ("仓储用地", "挂牌出让"),
    ("公园与绿地", "划拨"),
]


def ledger_rows(n: int, seed: int = 1, prefix: str = "DK") -> list[list[str]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        use, method = USES[i % len(USES)]
        town = TOWNS[i % len(TOWNS)]
        area = Decimal(rnd.randint(1000, 300000)) / Decimal(10000)
        rows.append(
            [
                f"{prefix}{i:05d}",
                f"示例县{town}人民路东侧{i}号",
                town,
                f"{area:.4f}",
                use,
                "新增" if i % 3 else "存量",
                method,
                f"第{'一二三四'[i % 4]}季度",
                "备注说明",
            ]
        )
    return rows


def ledger_total(rows: list[list[str]]) -> Decimal:
    return sum((Decimal(r[3]) for r in rows), Decimal(0))


def ledger_csv(rows: list[list[str]], header=LEDGER_HEADER, sep: str = ",") -> str:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Zip-based documents: XLSX and DOCX
# ---------------------------------------------------------------------------------------------


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _col_name(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(sheets: list[dict], extra_cells: dict | None = None) -> bytes:
    """A minimal workbook. sheets: [{"name", "rows": [[str|number]], "state": "hidden"?,
    "dimension": "A1:XFD1048576"?, "far": [(ref, value)]?}]. Strings are inline strings."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        ct = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
            '<Default Extension="xml" ContentType="application/xml"/>',
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        ]
        for i, _ in enumerate(sheets, 1):
            ct.append(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            )
        ct.append("</Types>")
        z.writestr("[Content_Types].xml", "".join(ct))
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        wb = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>',
        ]
        rels = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
        ]
        for i, sh in enumerate(sheets, 1):
            state = f' state="{sh["state"]}"' if sh.get("state") else ""
            wb.append(f'<sheet name="{_xml_escape(sh["name"])}" sheetId="{i}"{state} r:id="rId{i}"/>')
            rels.append(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            )
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sh))
        wb.append("</sheets></workbook>")
        rels.append("</Relationships>")
        z.writestr("xl/workbook.xml", "".join(wb))
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
    return buf.getvalue()


def _cell(ref: str, v) -> str:
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{_xml_escape(str(v))}</t></is></c>'


def _sheet_xml(sh: dict) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
    out.append('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    if sh.get("dimension"):
        out.append(f'<dimension ref="{sh["dimension"]}"/>')
    out.append("<sheetData>")
    for r, row in enumerate(sh["rows"], 1):
        cells = "".join(_cell(f"{_col_name(c)}{r}", v) for c, v in enumerate(row) if v != "")
        out.append(f'<row r="{r}">{cells}</row>')
    for ref, v in sh.get("far", []):
        rownum = "".join(ch for ch in ref if ch.isdigit())
        out.append(f'<row r="{rownum}">{_cell(ref, v)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


def docx(paragraphs: list[str], tables: list[list[list[str]]] = ()) -> bytes:
    body = []
    for p in paragraphs:
        body.append(f"<w:p><w:r><w:t xml:space=\"preserve\">{_xml_escape(p)}</w:t></w:r></w:p>")
    for t in tables:
        body.append("<w:tbl>")
        for row in t:
            body.append("<w:tr>")
            for c in row:
                body.append(f"<w:tc><w:p><w:r><w:t>{_xml_escape(c)}</w:t></w:r></w:p></w:tc>")
            body.append("</w:tr>")
        body.append("</w:tbl>")
    doc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "".join(body)
        + "</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


def plain_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Plan documents
# ---------------------------------------------------------------------------------------------

PLAN_LINES = [
    "示例县2025年度国有建设用地供应计划",
    "",
    "一、计划期限",
    "计划期限为2025年1月1日至2025年12月31日。",
    "二、计划指标",
    "（一）供应总量",
    "2025年度示例县国有建设用地供应总量为120.00公顷（1800.00亩）。",
    "（二）供应结构",
    "2025年度示例县国有建设用地供应总量中，工矿仓储用地60.00公顷，占比50.00%；住宅用地30.00公顷，占比25.00%；"
    "商服用地12.00公顷，占比10.00%；公共管理与公共服务用地18.00公顷，占比15.00%。",
    "（三）供应布局",
    "城关镇70.00公顷，龙泉镇50.00公顷。",
]
# The same plan with one error: the structure adds up to 130.00, not 120.00.
PLAN_ERROR_LINE = (
    "2025年度示例县国有建设用地供应总量中，工矿仓储用地70.00公顷，占比50.00%；住宅用地30.00公顷，占比25.00%；"
    "商服用地12.00公顷，占比10.00%；公共管理与公共服务用地18.00公顷，占比15.00%。"
)


def plan_text(with_error: bool = False) -> str:
    lines = list(PLAN_LINES)
    if with_error:
        lines[8] = PLAN_ERROR_LINE
    return "\n".join(lines) + "\n"


def plan_docx(with_error: bool = False, pad_paragraphs: int = 0) -> bytes:
    lines = plan_text(with_error).splitlines()
    # Padding paragraphs (text without figures) make the file long enough to cut anywhere.
    pad = [f"第{i}条：本计划由示例县自然资源局负责解释，各乡镇人民政府应当按照职责分工做好土地供应工作。" for i in range(pad_paragraphs)]
    table = [["用途", "面积（公顷）"], ["工矿仓储用地", "60.00"], ["住宅用地", "30.00"], ["商服用地", "12.00"], ["公共管理与公共服务用地", "18.00"], ["合计", "120.00"]]
    return docx(lines + pad, [table])


def plan_html(with_error: bool = False) -> str:
    paras = "".join(f"<p>{_xml_escape(l)}</p>\n" for l in plan_text(with_error).splitlines() if l)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>示例县2025年度国有建设用地供应计划_示例县人民政府</title></head>\n"
        f"<body><div class=\"article\">\n{paras}</div></body></html>\n"
    )


def mht(html: str, boundary: str = "----=_NextPart_01D9") -> bytes:
    import base64

    b64 = base64.encodebytes(html.encode("utf-8")).decode("ascii")
    msg = (
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/related; boundary="{boundary}"\r\n\r\n'
        "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Location: file:///C:/plan.htm\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Type: text/html; charset="utf-8"\r\n\r\n'
        f"{b64}\r\n"
        f"--{boundary}--\r\n"
    )
    return msg.encode("utf-8")


def pdf(lines: list[str], compress: bool = True, lines_per_page: int = 60) -> bytes:
    """A PDF with a text layer in Helvetica (ASCII text; each line one Tj)."""
    pages = [lines[i : i + lines_per_page] for i in range(0, max(len(lines), 1), lines_per_page)] or [[]]
    contents = []
    for pg in pages:
        ops = ["BT /F1 9 Tf 12 TL 36 800 Td"]
        for l in pg:
            esc = l.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        contents.append("\n".join(ops).encode("latin-1"))
    return pdf_from_streams(contents, compress=compress)


def pdf_from_streams(contents: list[bytes], compress: bool = True, raw_filter: bytes | None = None) -> bytes:
    """Assemble a PDF: catalog, pages, one font, one page per content stream.
    raw_filter: the stream bytes are already encoded with this /Filter (e.g. b"/FlateDecode")."""
    objs: list[bytes] = []
    n = len(contents)
    # 1 catalog, 2 pages, 3 font, then (page, content) pairs
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, c in enumerate(contents):
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        if raw_filter is not None:
            data, filt = c, b" /Filter " + raw_filter
        elif compress:
            data, filt = zlib.compress(c, 6), b" /Filter /FlateDecode"
        else:
            data, filt = c, b""
        objs.append(b"<< /Length " + str(len(data)).encode() + filt + b" >>\nstream\n" + data + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def deflate_bomb(inflated_bytes: int, chunk: bytes = b"0 0 Td\n") -> bytes:
    """zlib data that inflates to `inflated_bytes` of harmless content-stream operators.

    One 1 MiB block is deflated once after a full flush (so its compressed form refers to
    nothing before it) and repeated; the Adler-32 of the whole is computed over the repeats."""
    prefix = b"BT /F1 9 Tf 36 800 Td (bomb) Tj ET\n"
    block = chunk * ((1 << 20) // len(chunk))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    body = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    n = max(1, inflated_bytes // len(block))
    adler = zlib.adler32(prefix)
    for _ in range(n):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + head + body * n + tail + struct.pack(">I", adler)


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------

E0 = 39_500_000.0  # EPSG:4527, CGCS2000 3-degree zone 39, prefixed eastings
N0 = 4_420_000.0


def rect(e1, n1, e2, n2):
    """A rectangle ring (clockwise in x=east, y=north) relative to (E0, N0), closed."""
    return [(E0 + e1, N0 + n1), (E0 + e1, N0 + n2), (E0 + e2, N0 + n2), (E0 + e2, N0 + n1), (E0 + e1, N0 + n1)]


def guotu_txt(parcels: list[dict], sep: str = ",") -> str:
    """国土TXT. parcels: [{"id", "area" (str), "ring": [(x_east, y_north)], "use"?}].
    Points are written J1..Jn with X = northing, Y = easting, as the format requires."""
    out = ["[属性描述]", "格式版本号=1.0", "数据产生单位=示例县自然资源局", "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格", "计量单位=米", "带号=39", "精度=0.01", "转换参数=,,,,,,", "[地块坐标]"]
    for p in parcels:
        ring = p["ring"]
        head = [str(len(ring)), p["area"], p["id"], p.get("name", p["id"]), "面", "", p.get("use", "工业用地"), p.get("code", "0601"), "@"]
        out.append(sep.join(head))
        for j, (x, y) in enumerate(ring, 1):
            out.append(sep.join([f"J{j}", "1", f"{y:.3f}", f"{x:.3f}"]))
    return "\n".join(out) + "\n"


def geojson(features: list[dict], epsg: int = 4527) -> str:
    """A FeatureCollection; features: [{"props", "ring"}] (rings written counter-clockwise) or
    [{"props", "geometry": raw GeoJSON geometry or None}]."""
    import json

    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
        "features": [
            {
                "type": "Feature",
                "properties": f["props"],
                "geometry": f["geometry"] if "geometry" in f else {"type": "Polygon", "coordinates": [[list(p) for p in reversed(f["ring"])]]},
            }
            for f in features
        ],
    }
    return json.dumps(fc, ensure_ascii=False)


def wkb_polygon(ring) -> bytes:
    b = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring))
    for x, y in ring:
        b += struct.pack("<dd", x, y)
    return b


def wkb_point(x, y) -> bytes:
    return struct.pack("<BIdd", 1, 1, x, y)


def gpkg_blob(wkb: bytes, srs_id: int = 4527) -> bytes:
    return b"GP" + bytes([0, 0x01]) + struct.pack("<i", srs_id) + wkb


def geopackage(path: Path, features: list[dict], srs_id: int = 4527, table: str = "parcels") -> None:
    """A GeoPackage with one polygon layer; features: [{"props": {..}, "geom": bytes|None}]
    (geom is the GeoPackage geometry blob; see gpkg_blob)."""
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 1196444487")
    con.execute("PRAGMA user_version = 10300")
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL
          DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
          max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
          m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
        """
    )
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL)")
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL)")
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('CGCS2000 / 3-degree Gauss-Kruger zone 39', ?, 'EPSG', ?, ?, NULL)",
        (srs_id, srs_id, PRJ_4527),
    )
    keys = []
    for f in features:
        for k in f["props"]:
            if k not in keys:
                keys.append(k)
    cols = ", ".join(f'"{k}" TEXT' for k in keys)
    con.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POLYGON{", " + cols if cols else ""})')
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)", (table, table, srs_id))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POLYGON', ?, 0, 0)", (table, srs_id))
    for f in features:
        names = ["geom"] + [f'"{k}"' for k in keys]
        vals = [f["geom"]] + [f["props"].get(k) for k in keys]
        con.execute(f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(vals))})', vals)
    con.commit()
    con.close()


PRJ_4527 = (
    'PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 39",GEOGCS["China Geodetic Coordinate System 2000",'
    'DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],'
    'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
    'PARAMETER["central_meridian",117],PARAMETER["scale_factor",1],PARAMETER["false_easting",39500000],'
    'PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","4527"]]'
)


def shapefile(base: Path, features: list[dict]) -> None:
    """Polygon shapefile (.shp, .shx, .dbf UTF-8 with .cpg, .prj). features: [{"props", "ring"}]."""
    recs = []
    for f in features:
        ring = f["ring"]
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        content = struct.pack("<i4dii", 5, min(xs), min(ys), max(xs), max(ys), 1, len(ring)) + struct.pack("<i", 0)
        for x, y in ring:
            content += struct.pack("<dd", x, y)
        recs.append(content)
    allx = [p[0] for f in features for p in f["ring"]]
    ally = [p[1] for f in features for p in f["ring"]]
    bbox = (min(allx), min(ally), max(allx), max(ally))

    def header(length_words: int) -> bytes:
        return struct.pack(">iiiiiii", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack("<ii", 1000, 5) + struct.pack("<4d", *bbox) + struct.pack("<4d", 0, 0, 0, 0)

    shp = io.BytesIO()
    shx = io.BytesIO()
    body = io.BytesIO()
    index = []
    off = 50
    for i, c in enumerate(recs, 1):
        body.write(struct.pack(">ii", i, len(c) // 2) + c)
        index.append((off, len(c) // 2))
        off += 4 + len(c) // 2
    shp.write(header(off))
    shp.write(body.getvalue())
    shx.write(header(50 + 4 * len(recs)))
    for o, l in index:
        shx.write(struct.pack(">ii", o, l))
    base.with_suffix(".shp").write_bytes(shp.getvalue())
    base.with_suffix(".shx").write_bytes(shx.getvalue())
    base.with_suffix(".prj").write_text(PRJ_4527)
    base.with_suffix(".cpg").write_text("UTF-8")
    # dBASE III
    keys = []
    for f in features:
        for k in f["props"]:
            if k not in keys:
                keys.append(k)
    width = 40
    hdr_len = 32 + 32 * len(keys) + 1
    rec_len = 1 + width * len(keys)
    dbf = io.BytesIO()
    dbf.write(struct.pack("<BBBBIHH20x", 3, 125, 1, 1, len(features), hdr_len, rec_len))
    for k in keys:
        name = k.encode("utf-8")[:10]
        dbf.write(name.ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([width, 0]) + b"\0" * 14)
    dbf.write(b"\r")
    for f in features:
        dbf.write(b" ")
        for k in keys:
            dbf.write(str(f["props"].get(k, "")).encode("utf-8")[:width].ljust(width, b" "))
    dbf.write(b"\x1a")
    base.with_suffix(".dbf").write_bytes(dbf.getvalue())


# Three parcels (1.6, 1.0 and 0.25 公顷), a farmland square that overlaps the first by 0.24 公顷.
GOOD_PARCELS = [
    {"id": "DK001", "area": "1.6000", "ring": rect(0, 0, 160, 100)},
    {"id": "DK002", "area": "1.0000", "ring": rect(1000, 0, 1100, 100)},
    {"id": "DK003", "area": "0.2500", "ring": rect(2000, 0, 2050, 50)},
]
FARMLAND = [{"props": {"名称": "基本农田1"}, "ring": rect(120, 40, 180, 100)}]
# Farmland that touches no parcel: with it, every error in a report comes from the case's damage.
FARMLAND_FAR = [{"props": {"名称": "基本农田2"}, "ring": rect(5000, 5000, 5100, 5100)}]


def pdf_cjk(lines: list[str], lines_per_page: int = 50, compress: bool = True) -> bytes:
    """A PDF whose text layer is Chinese: a Type0 font (Identity-H) whose CIDs are the
    characters' Unicode code points, with a ToUnicode CMap saying so (no font program: the
    text layer is what a checker reads). Every character is 10 pt wide, so lines of equal
    length end at the same x, as justified paragraphs do."""
    pages = [lines[i : i + lines_per_page] for i in range(0, max(len(lines), 1), lines_per_page)] or [[]]
    contents = []
    for pg in pages:
        ops = ["BT /F1 10 Tf 14 TL 40 800 Td"]
        for l in pg:
            ops.append("<" + "".join(f"{ord(ch):04X}" for ch in l if ord(ch) < 0x10000) + "> Tj T*")
        ops.append("ET")
        contents.append("\n".join(ops).encode("ascii"))
    cmap_ranges = "\n".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(0x100))
    tounicode = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"100 beginbfrange\n" + "\n".join(cmap_ranges.splitlines()[:100]) + "\nendbfrange\n"
        f"100 beginbfrange\n" + "\n".join(cmap_ranges.splitlines()[100:200]) + "\nendbfrange\n"
        f"56 beginbfrange\n" + "\n".join(cmap_ranges.splitlines()[200:]) + "\nendbfrange\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")
    objs: list[bytes] = []
    n = len(contents)
    # 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 ToUnicode, then (page, content)
    first = 7
    kids = " ".join(f"{first + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>")
    objs.append(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /CIDToGIDMap /Identity >>")
    objs.append(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>")
    tu = zlib.compress(tounicode)
    objs.append(b"<< /Length " + str(len(tu)).encode() + b" /Filter /FlateDecode >>\nstream\n" + tu + b"\nendstream")
    for i, c in enumerate(contents):
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {first + 1 + 2 * i} 0 R >>".encode()
        )
        data = zlib.compress(c, 6) if compress else c
        filt = b" /Filter /FlateDecode" if compress else b""
        objs.append(b"<< /Length " + str(len(data)).encode() + filt + b" >>\nstream\n" + data + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
