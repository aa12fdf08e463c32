"""Bad and hostile inputs for every reader, odd paths, closed pipes and bad arguments.

Each case is a small function: it writes its input, runs landplan, and says what a user needs
(`harness.expect`: refused with a clear Chinese message and exit 2, a finding with its place
and exit 1, or a correct result)."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from decimal import Decimal
from pathlib import Path

import fixtures as fx
from harness import CRASH, GiB, MiB, OK, SILENT, UNCLEAR, WRONG, Outcome, Run, abnormal, expect, fail, message_problems
from registry import Ctx, add_case, case

REGION = ["--region", "示例县", "--year", "2025"]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def compile_json(t: Ctx, ledger, *extra, timeout=60, mem_cap=-1) -> Run:
    # Six decimals: the JSON is printed at the plan's display precision (two by default, as
    # published plans are), and the campaign compares totals exactly.
    return t.lp("compile", "--ledger", ledger, "--format", "json", "--precision", "6", *REGION, *extra,
                timeout=timeout, mem_cap=mem_cap)


def compiled(count: int | None, total: Decimal | None):
    """Result check for `compile --format json`: the parcel count and the exact total."""

    def check(r: Run) -> str | None:
        try:
            d = json.loads(r.stdout)
        except ValueError:
            return "the JSON output does not parse"
        got_n = d.get("parcel_count")
        got_t = Decimal(d.get("total_ha", "NaN"))
        if count is not None and got_n != count:
            return f"compiled {got_n} parcels, the ledger has {count}"
        if total is not None and got_t != total:
            return f"total {got_t} 公顷, the ledger adds up to {total}"
        return None

    return check


def new_store(t: Ctx, name: str = "store", srid: int = 4527) -> str:
    db = str(t.path(name + ".gpkg"))
    r = t.lp("init", "--db", db, "--srid", srid, "--region", "330000=示例省", "--region", "330100=示例市")
    if r.rc != 0:
        raise fail(WRONG, f"could not make a store: {r.status()}", r)
    return db


def store_counts(db: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT i.id, i.parcel_count, i.geometry_count, (SELECT count(*) FROM parcel p WHERE p.import_id = i.id), "
            "(SELECT count(*) FROM parcel p WHERE p.import_id = i.id AND p.geom IS NOT NULL) FROM ledger_import i ORDER BY i.id"
        ).fetchall()
    finally:
        con.close()


def import_into(t: Ctx, db: str, *files, extra=(), timeout=60) -> Run:
    return t.lp("import", "--db", db, *files, "--region", "330102", "--region-name", "示例县", "--year", "2025", *extra, timeout=timeout)


def imported(db: str, count: int, geoms: int | None = None):
    def check(r: Run) -> str | None:
        rows = store_counts(db)
        if not rows:
            return "nothing was imported"
        _, pc, gc, real, real_g = rows[-1]
        if real != count or pc != count:
            return f"stored {real} parcels (import says {pc}), the file has {count}"
        if geoms is not None and (gc != geoms or real_g != geoms):
            return f"{real_g} parcels stored with geometry (import says {gc}), the files give {geoms}"
        return None

    return check


def nothing_imported(db: str, r: Run) -> str | None:
    rows = store_counts(db)
    return None if not rows else f"{len(rows)} import(s) stored"


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Ledgers: CSV
# ---------------------------------------------------------------------------------------------


def _half_char(encoding: str, n: int = 3000) -> tuple[bytes, list]:
    rows = fx.ledger_rows(n, seed=2)
    rows[-1][-1] = "末行备注：土地"
    data = fx.ledger_csv(rows).rstrip("\n").encode(encoding)
    return data[:-1], rows  # the last character cut in half


for enc, label, bom in (("gbk", "gbk", ""), ("utf-16", "utf16", "")):

    def _mk(enc=enc, label=label):
        def compile_case(t: Ctx) -> Outcome:
            data, rows = _half_char(enc)
            p = t.write(f"清单-{label}.csv", data)
            r = compile_json(t, p.name)
            return expect(r, result=compiled(len(rows), fx.ledger_total(rows)), places=[p.name], finding_places=[p.name, ["第3001行", "3001"]])

        def import_case(t: Ctx) -> Outcome:
            data, rows = _half_char(enc)
            p = t.write(f"清单-{label}.csv", data)
            db = new_store(t)
            r = import_into(t, db, p.name)
            return expect(r, result=imported(db, len(rows)), places=[p.name], finding_places=[p.name, ["第3001行", "3001"]])

        add_case("ledger-csv", f"{label}-ends-in-half-a-character-3000-rows/compile", compile_case, quick=True, defect=2,
                 what=f"{label.upper()} ledger of 3,000 rows whose last character is cut in half → all rows compiled, or the row named")
        add_case("ledger-csv", f"{label}-ends-in-half-a-character-3000-rows/import", import_case, quick=label == "gbk", defect=2,
                 what=f"the same {label.upper()} ledger imported → 3,000 parcels stored, or the row named")

    _mk()


@case("ledger-csv", "gbk-whole-3000-rows/compile", what="control: the same GBK ledger, not cut → compiled exactly")
def _(t: Ctx):
    rows = fx.ledger_rows(3000, seed=2)
    p = t.write("清单.csv", fx.ledger_csv(rows), encoding="gbk")
    return expect(compile_json(t, p.name), result=compiled(3000, fx.ledger_total(rows)), refuse=False, finding=False)


@case("ledger-csv", "binary-garbage", quick=True, what="64 KiB of random bytes as a ledger → refused naming the file")
def _(t: Ctx):
    p = t.write("垃圾.csv", random.Random(1).randbytes(65536))
    return expect(compile_json(t, p.name), places=[p.name])


@case("ledger-csv", "empty-file", quick=True, what="a 0-byte ledger → refused naming the file")
def _(t: Ctx):
    p = t.write("空.csv", b"")
    return expect(compile_json(t, p.name), places=[p.name], finding=False)


@case("ledger-csv", "header-only/compile", what="a ledger with its header and no rows → refused or told that there are no parcels")
def _(t: Ctx):
    p = t.write("表头.csv", ",".join(fx.LEDGER_HEADER) + "\n")

    def told(r: Run) -> str | None:
        # An empty plan of 0 公顷 is only right when the user is told the ledger has no parcels.
        if any(w in r.text for w in ("没有地块", "没有数据", "无数据", "没有任何地块", "0 个地块", "地块 0 个", "空台账", "没有数据行")):
            return None
        return "an empty plan (0 公顷) was compiled and nobody said that the ledger has no rows"

    r = t.lp("compile", "--ledger", p.name, *REGION)
    return expect(r, result=told, places=[p.name])


@case("ledger-csv", "header-only/import", quick=True, defect=18, what="a header-only ledger imported → refused, or told there are no parcels")
def _(t: Ctx):
    p = t.write("表头.csv", ",".join(fx.LEDGER_HEADER) + "\n")
    db = new_store(t)
    r = import_into(t, db, p.name)

    def told(r: Run) -> str | None:
        if any(w in r.text for w in ("没有地块", "没有数据", "没有任何地块", "空台账", "没有数据行")):
            return None
        return "an import of 0 parcels was stored and nobody said that the ledger has no rows"

    return expect(r, result=told, places=[p.name])


@case("ledger-csv", "single-field-100MB", what="one cell of 100 MB → compiled (that row) or the row named; bounded memory")
def _(t: Ctx):
    size = t.size_big(100 * MiB, 10 * MiB)
    rows = fx.ledger_rows(3)
    p = t.path("大字段.csv")
    with open(p, "wb") as f:
        f.write(fx.ledger_csv(rows[:2]).encode())
        r3 = rows[2]
        f.write((",".join(r3[:1]) + ",").encode())
        chunk = "很长的坐落".encode() * (1 << 16)
        written = 0
        while written < size:
            f.write(chunk)
            written += len(chunk)
        f.write(("," + ",".join(r3[2:]) + "\n").encode())
    r = compile_json(t, p.name, "--omit-parcels", timeout=120)
    return expect(r, result=compiled(3, fx.ledger_total(rows)), places=[p.name], finding_places=[p.name, ["第4行", "4"]])


@case("ledger-csv", "nul-bytes-in-a-cell", quick=True, what="NUL bytes inside an area cell → that row named (row and column)")
def _(t: Ctx):
    rows = fx.ledger_rows(5)
    rows[2][3] = "1\x002\x00.5"
    p = t.write("空字符.csv", fx.ledger_csv(rows))
    r = compile_json(t, p.name)
    return expect(r, places=[p.name], finding_places=[p.name, ["第4行"], ["面积"]], refuse=False)


@case("ledger-csv", "utf16le-without-bom", what="UTF-16LE without a BOM (NUL between ASCII bytes) → read or refused naming the file")
def _(t: Ctx):
    rows = fx.ledger_rows(20)
    p = t.write("无BOM.csv", fx.ledger_csv(rows).encode("utf-16-le"))
    r = compile_json(t, p.name)
    return expect(r, result=compiled(20, fx.ledger_total(rows)), places=[p.name])


@case("ledger-csv", "mixed-delimiters", quick=True, what="comma ledger with rows in tabs and semicolons → those rows named, nothing silently dropped")
def _(t: Ctx):
    rows = fx.ledger_rows(10)
    lines = [",".join(fx.LEDGER_HEADER)]
    for i, r in enumerate(rows):
        sep = "\t" if i == 3 else ";" if i == 6 else ","
        lines.append(sep.join(r))
    p = t.write("混合分隔符.csv", "\n".join(lines) + "\n")
    r = compile_json(t, p.name)
    # Rows 5 (tab) and 8 (semicolon) cannot be read as comma rows: a finding naming them.
    return expect(r, places=[p.name], finding_places=[p.name, ["第5行"], ["第8行"]], refuse=False)


@case("ledger-csv", "unterminated-quote", what="a quote opened in row 4 and never closed → the row named, not the rest of the file swallowed")
def _(t: Ctx):
    rows = fx.ledger_rows(200)
    lines = [",".join(fx.LEDGER_HEADER)] + [",".join(r) for r in rows]
    lines[3] = lines[3].replace("示例县", '"示例县', 1)
    p = t.write("引号.csv", "\n".join(lines) + "\n")
    r = compile_json(t, p.name)
    return expect(r, places=[p.name], finding_places=[p.name, ["第4行"]], refuse=True)


# ---------------------------------------------------------------------------------------------
# Ledgers: XLSX
# ---------------------------------------------------------------------------------------------


@case("ledger-xlsx", "hidden-first-sheet", quick=True, defect=3, what="the first sheet hidden (another ledger), the second visible → the visible one compiled, or refused")
def _(t: Ctx):
    hidden = fx.ledger_rows(7, seed=9, prefix="OLD")
    visible = fx.ledger_rows(5, seed=3)
    p = t.write("清单.xlsx", fx.xlsx([
        {"name": "旧清单", "rows": [fx.LEDGER_HEADER] + hidden, "state": "hidden"},
        {"name": "地块清单", "rows": [fx.LEDGER_HEADER] + visible},
    ]))
    r = compile_json(t, p.name)
    return expect(r, result=compiled(5, fx.ledger_total(visible)), places=[p.name], finding=False)


@case("ledger-xlsx", "stray-far-cell-XFD1048576", quick=True, defect=11, what="a ledger with one stray cell at XFD1048576 → compiled in bounded memory")
def _(t: Ctx):
    rows = fx.ledger_rows(5)
    p = t.write("远端单元格.xlsx", fx.xlsx([{"name": "清单", "rows": [fx.LEDGER_HEADER] + rows, "dimension": "A1:XFD1048576", "far": [("XFD1048576", "x")]}]))
    r = compile_json(t, p.name, timeout=60)
    return expect(r, result=compiled(5, fx.ledger_total(rows)), places=[p.name])


@case("ledger-xlsx", "truncated-zip", quick=True, what="a workbook cut at half its length → refused naming the file")
def _(t: Ctx):
    data = fx.xlsx([{"name": "清单", "rows": [fx.LEDGER_HEADER] + fx.ledger_rows(300)}])
    p = t.write("截断.xlsx", data[: len(data) // 2])
    return expect(compile_json(t, p.name), places=[p.name], finding=False)


@case("ledger-xlsx", "zip-that-is-not-a-workbook", what="a zip of text files named .xlsx → refused naming the file")
def _(t: Ctx):
    p = t.write("不是工作簿.xlsx", fx.plain_zip({"readme.txt": b"hello", "data/a.csv": fx.ledger_csv(fx.ledger_rows(3)).encode()}))
    return expect(compile_json(t, p.name), places=[p.name], finding=False)


@case("ledger-xlsx", "docx-given-as-ledger", quick=True, what="a Word .docx passed as --ledger → refused naming the file")
def _(t: Ctx):
    p = t.write("计划.docx", fx.plan_docx())
    return expect(compile_json(t, p.name), places=[p.name], finding=False)


@case("ledger-xlsx", "valid-workbook", what="control: a plain workbook → compiled exactly")
def _(t: Ctx):
    rows = fx.ledger_rows(30)
    p = t.write("清单.xlsx", fx.xlsx([{"name": "清单", "rows": [fx.LEDGER_HEADER] + rows}]))
    return expect(compile_json(t, p.name), result=compiled(30, fx.ledger_total(rows)), refuse=False, finding=False)


# ---------------------------------------------------------------------------------------------
# Plan documents (landplan check)
# ---------------------------------------------------------------------------------------------


def check(t: Ctx, *files, timeout=60, mem_cap=-1) -> Run:
    return t.lp("check", *files, timeout=timeout, mem_cap=mem_cap)


def _summary_errors(r: Run) -> int | None:
    import re

    m = re.search(r"发现错误(\d+)个", r.out)
    return int(m.group(1)) if m else None


@case("check", "clean-plan-txt-docx-html-pdf", quick=True, what="control: the same clean plan as .txt/.docx/.html → exit 0")
def _(t: Ctx):
    files = [t.write("计划.txt", fx.plan_text()).name, t.write("计划.docx", fx.plan_docx()).name, t.write("计划.html", fx.plan_html()).name]
    r = check(t, *files)

    def read_all(r: Run):
        return None if r.out.count("发现错误0个") == 3 else "not every file was read"

    return expect(r, result=read_all, refuse=False, finding=False)


@case("check", "plan-with-a-sum-error", quick=True, what="control: a structure that does not add up → exit 1, sum.mismatch with file:line")
def _(t: Ctx):
    p = t.write("计划.txt", fx.plan_text(with_error=True))
    return expect(check(t, p.name), refuse=False, rules=["sum.mismatch"], finding_places=[[f"{p.name}:9"]])


for frac in (0.3, 0.6, 0.95):

    def _mk(frac=frac):
        def fn(t: Ctx):
            data = fx.plan_docx(pad_paragraphs=300)
            p = t.write(f"截断{int(frac * 100)}.docx", data[: int(len(data) * frac)])
            return expect(check(t, p.name), places=[p.name])

        add_case("check", f"docx-truncated-at-{int(frac * 100)}pct", fn, quick=frac == 0.6, defect=9,
                 what=f"a .docx cut at {int(frac * 100)} % of its bytes → refused or a finding naming the file, never 0 errors")

    _mk()


@case("check", "docx-with-broken-xml", defect=9, what="a .docx whose document.xml stops mid-element → refused or a finding, never 0 errors")
def _(t: Ctx):
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(fx.plan_docx(pad_paragraphs=50)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in src.namelist():
            d = src.read(n)
            if n == "word/document.xml":
                d = d[: len(d) * 2 // 3]
            z.writestr(n, d)
    p = t.write("损坏.docx", buf.getvalue())
    return expect(check(t, p.name), places=[p.name])


@case("check", "doc-random-bytes", quick=True, defect=9, what="random bytes named .doc → refused naming the file")
def _(t: Ctx):
    p = t.write("旧文档.doc", random.Random(5).randbytes(20000))
    return expect(check(t, p.name, timeout=120), places=[p.name])


@case("check", "doc-ole-header-then-garbage", defect=9, what="an OLE header followed by garbage named .doc → refused naming the file")
def _(t: Ctx):
    data = bytes.fromhex("D0CF11E0A1B11AE1") + random.Random(6).randbytes(30000)
    p = t.write("损坏.doc", data)
    return expect(check(t, p.name, timeout=180), places=[p.name])


@case("check", "txt-empty", quick=True, defect=9, what="an empty .txt → refused (nothing to check), never 0 errors")
def _(t: Ctx):
    p = t.write("空.txt", b"")
    return expect(check(t, p.name), places=[p.name])


@case("check", "txt-binary-garbage", what="random bytes named .txt → refused naming the file")
def _(t: Ctx):
    p = t.write("乱码.txt", random.Random(8).randbytes(50000))
    return expect(check(t, p.name), places=[p.name])


for frac in (0.5, 0.8):

    def _mk(frac=frac):
        def fn(t: Ctx):
            data = fx.mht(fx.plan_html() + "<p>" + "本计划由示例县自然资源局负责解释。" * 200 + "</p>")
            p = t.write(f"截断{int(frac * 100)}.mht", data[: int(len(data) * frac)])
            return expect(check(t, p.name), places=[p.name])

        add_case("check", f"mht-truncated-at-{int(frac * 100)}pct", fn, quick=frac == 0.5, defect=9,
                 what=f"a single-file web page cut at {int(frac * 100)} % → refused or a finding naming the file, never 0 errors")

    _mk()


@case("check", "pdf-stream-inflating-past-1GB", quick=True, defect=15, what="a PDF whose content stream inflates to 1.1 GB → refused with a limit, in bounded memory and time")
def _(t: Ctx):
    size = 1100 * MiB
    bomb = fx.deflate_bomb(size)
    p = t.write("膨胀.pdf", fx.pdf_from_streams([bomb], raw_filter=b"/FlateDecode"))
    return expect(check(t, p.name, timeout=30), places=[p.name])


@case("check", "html-nested-100000-deep", quick=True, defect=15, what="a web page nested 100,000 <div> deep around a plan → read or refused in under 20 s, no crash")
def _(t: Ctx):
    depth = 100_000
    body = "".join(f"<p>{l}</p>" for l in fx.plan_text().splitlines() if l)
    page = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>"
    p = t.write("嵌套.html", page)

    def read(r: Run):
        return None if "供应计划" in r.out and "发现错误0个" in r.out else "the plan inside was not read"

    return expect(check(t, p.name, timeout=20), result=read, places=[p.name])


def linear(t: Ctx, make, small: int, big: int, *, places, slack: float = 2.0) -> Outcome:
    """Bounded work: check a small input, then a big one (big/small = 8 times larger) with a
    time budget of twice the linear extrapolation of the small one's own work (its time less
    the time of a tiny input: start-up), plus twice the start-up and 2 s. Quadratic growth
    (64x for 8x the input) runs out of that budget whatever the machine's speed; linear growth
    stays well inside it. These cases run alone, after the parallel ones."""
    tiny = make(2_000, "微")
    r0 = check(t, tiny.name, timeout=60)
    bad = abnormal(r0)
    if bad:
        return bad
    p1 = make(small, "小")
    runs = [check(t, p1.name, timeout=120) for _ in range(2)]
    for r in runs:
        bad = abnormal(r)
        if bad:
            return bad
    t1 = min(r.elapsed for r in runs)
    work = max(t1 - r0.elapsed, 0.05)
    factor = big / small
    budget = slack * factor * work + 2 * r0.elapsed + 2.0
    p2 = make(big, "大")
    r2 = check(t, p2.name, timeout=budget)
    if r2.timed_out:
        return Outcome(CRASH, f"superlinear: {small:,} bytes took {t1:.2f} s (start-up {r0.elapsed:.2f} s), {big:,} bytes did not finish "
                       f"in {budget:.0f} s (linear would be about {r0.elapsed + factor * work:.1f} s)", r2.cmd, r2.excerpt())
    o = expect(r2, result=lambda r: None, places=[p2.name])
    if o.category == OK:
        o.detail = f"{small:,} bytes in {t1:.2f} s, {big:,} bytes in {r2.elapsed:.1f} s (budget {budget:.0f} s)"
    return o


@case("check", "txt-one-800KB-line", quick=True, defect=13, solo=True, what="a plan whose text is one 800 KB line → checked in time linear in its length (vs. a 100 KB line)")
def _(t: Ctx):
    unit = "城关镇工矿仓储用地1.00公顷，"

    def make(size, tag):
        n = size // len(unit.encode())
        return t.write(f"长行{tag}.txt", "示例县2025年度国有建设用地供应计划\n" + unit * n + "\n")

    return linear(t, make, 100_000, 800_000, places=[])


@case("check", "pdf-2MB-text", defect=13, solo=True, what="a 2 MB PDF, one page of justified Chinese text (one paragraph) → checked in time linear in its size (vs. 256 KB)")
def _(t: Ctx):
    unit = "城关镇工矿仓储用地1.00公顷，"

    def make(size, tag):
        text = unit * (size // (len(unit) * 4 + 2))  # ~4 bytes of content stream per character
        lines = [text[i : i + 50] for i in range(0, len(text), 50)]
        return t.write(f"文件{tag}.pdf", fx.pdf_cjk(lines, compress=False, lines_per_page=10**9))

    return linear(t, make, MiB // 4, 2 * MiB, places=[])


@case("check", "txt-50000-table-rows", defect=13, what="a plan with a 50,000-row parcel table (公顷 and 亩 columns) → checked in 30 s under a 1 GiB cap")
def _(t: Ctx):
    n = 50_000
    rows = []
    total = Decimal(0)
    for i in range(1, n + 1):
        a = Decimal(i % 5000 + 100) / 100
        total += a
        rows.append(f"{i}\tDK{i:06d}\t城关镇\t工业用地\t{a:.2f}\t{a * 15:.2f}")
    lines = ["示例县2025年度国有建设用地供应计划", "", "一、供应总量", f"供应总量为{total:.2f}公顷。", "地块明细表",
             "序号\t地块编号\t乡镇\t用途\t面积（公顷）\t面积（亩）"] + rows + [f"合计\t\t\t\t{total:.2f}\t{total * 15:.2f}"]
    p = t.write("大表.txt", "\n".join(lines) + "\n")
    r = check(t, p.name, timeout=30, mem_cap=1 * GiB)
    return expect(r, result=lambda r: None, places=[p.name])


@case("check", "xlsx-stray-far-cell-XFD1048576", quick=True, defect=11, what="an Excel 附表 with one stray cell at XFD1048576 → checked in bounded memory")
def _(t: Ctx):
    rows = [["用途", "面积（公顷）"], ["工矿仓储用地", 60], ["住宅用地", 30], ["商服用地", 12], ["公共管理与公共服务用地", 18], ["合计", 120]]
    p = t.write("附表.xlsx", fx.xlsx([{"name": "示例县2025年度国有建设用地供应计划表", "rows": [["示例县2025年度国有建设用地供应计划表"]] + rows, "dimension": "A1:XFD1048576", "far": [("XFD1048576", "x")]}]))
    return expect(check(t, p.name, timeout=60), result=lambda r: None, places=[p.name])


@case("check", "figure-past-decimal-range", what="a total of 99,999,999,999,999,999,999,999,999,999 公顷 → value.unreadable with its line")
def _(t: Ctx):
    text = fx.plan_text().replace("120.00公顷（1800.00亩）", "99999999999999999999999999999公顷")
    p = t.write("大数.txt", text)
    return expect(check(t, p.name), refuse=False, finding_places=[[f"{p.name}:7"]], rules=["value.unreadable"])


# ---------------------------------------------------------------------------------------------
# Geometry: overlay and import
# ---------------------------------------------------------------------------------------------


def overlay(t: Ctx, parcels: str, *extra, layer="farm.geojson", rule="forbid", timeout=60) -> Run:
    if not t.path(layer).exists() and layer == "farm.geojson":
        t.write("farm.geojson", fx.geojson(fx.FARMLAND_FAR))
    return t.lp("overlay", "--parcels", parcels, "--layer", f"永久基本农田={layer}:{rule}", *extra, timeout=timeout)


def bad_parcel_expect(r: Run, file: str, pid: str, rules=("overlay.unjudged",)) -> Outcome:
    """A parcel that cannot be judged: exit 1, its id and file named, never 通过."""
    out = expect(r, refuse=True, finding_places=[file, pid], rules=list(rules), places=[file])
    if out.category == OK and r.rc == 1:
        for line in r.out.splitlines():
            if line.startswith(pid) and line.rstrip().endswith("通过"):
                return Outcome(SILENT, f"{pid} is listed as 通过 though it cannot be judged", r.cmd, r.excerpt())
    return out


def _guotu_with(bad: dict) -> str:
    return fx.guotu_txt(fx.GOOD_PARCELS + [bad])


@case("geometry", "guotu-parcel-with-0-points", quick=True, defect=1, what="国土TXT parcel with 0 points → error, 无法判断, exit 1")
def _(t: Ctx):
    text = fx.guotu_txt(fx.GOOD_PARCELS) + "0,1.0000,DK009,空地块,面,,工业用地,0601,@\n"
    p = t.write("零点.txt", text)
    return bad_parcel_expect(overlay(t, p.name), p.name, "DK009")


@case("geometry", "guotu-parcel-with-2-points", quick=True, defect=1, what="国土TXT parcel with 2 points → error, 无法判断, exit 1")
def _(t: Ctx):
    p = t.write("两点.txt", _guotu_with({"id": "DK009", "area": "1.0000", "ring": [(fx.E0 + 5, fx.N0 + 5), (fx.E0 + 200, fx.N0 + 5)]}))
    return bad_parcel_expect(overlay(t, p.name), p.name, "DK009")


@case("geometry", "guotu-collinear-parcel", defect=1, what="国土TXT parcel whose points are on one line → error, 无法判断, exit 1")
def _(t: Ctx):
    ring = [(fx.E0 + 5, fx.N0 + 5), (fx.E0 + 100, fx.N0 + 5), (fx.E0 + 200, fx.N0 + 5), (fx.E0 + 5, fx.N0 + 5)]
    p = t.write("共线.txt", _guotu_with({"id": "DK009", "area": "1.0000", "ring": ring}))
    return bad_parcel_expect(overlay(t, p.name), p.name, "DK009", rules=("overlay.unjudged", "geometry.zero_area"))


@case("geometry", "guotu-nan-stated-area", quick=True, defect=19, what="国土TXT stated area NaN → a finding naming the parcel")
def _(t: Ctx):
    parcels = [dict(p) for p in fx.GOOD_PARCELS]
    parcels[1]["area"] = "NaN"
    p = t.write("面积NaN.txt", fx.guotu_txt(parcels))
    r = overlay(t, p.name)

    def named(r: Run):
        return None if "geometry.stated_area_unreadable" in r.out and "DK002" in r.out else "the NaN area was not reported"

    return expect(r, result=named, finding_places=[p.name, "DK002"], rules=["geometry.stated_area_unreadable"])


@case("geometry", "guotu-full-width-commas", quick=True, defect=19, what="国土TXT with full-width commas → read like half-width ones (3 parcels, DK001 overlaps 0.24 公顷)")
def _(t: Ctx):
    t.write("farm.geojson", fx.geojson(fx.FARMLAND))
    p = t.write("全角.txt", fx.guotu_txt(fx.GOOD_PARCELS, sep="，"))
    r = overlay(t, p.name, "--format", "json")

    def same(r: Run):
        try:
            d = json.loads(r.stdout)
        except ValueError:
            return "no JSON"
        ids = [x["id"] for x in d["parcels"]]
        if ids != ["DK001", "DK002", "DK003"]:
            return f"parcels {ids}"
        ov = d["parcels"][0]["layers"][0]["overlap_ha"]
        return None if ov == "0.2400" else f"DK001 overlap {ov}"

    if r.rc == 1:  # the overlap is an error finding: exit 1 is the correct result here
        why = same(r)
        return Outcome(OK, "read, DK001 overlap found", r.cmd) if why is None else Outcome(WRONG, why, r.cmd, r.excerpt())
    return expect(r, result=same, refuse=False, finding=False)


@case("geometry", "guotu-duplicate-two-points-as-four", what="国土TXT parcel J1,J2,J1,J2 (two distinct points) → error, 无法判断")
def _(t: Ctx):
    a, b = (fx.E0 + 5, fx.N0 + 5), (fx.E0 + 200, fx.N0 + 300)
    p = t.write("重复点.txt", _guotu_with({"id": "DK009", "area": "1.0000", "ring": [a, b, a, b]}))
    return bad_parcel_expect(overlay(t, p.name), p.name, "DK009")


@case("geometry", "geojson-with-utf8-bom", quick=True, defect=8, what="GeoJSON parcels with a UTF-8 BOM → read (3 parcels)")
def _(t: Ctx):
    feats = [{"props": {"地块编号": p["id"], "地块面积": p["area"]}, "ring": p["ring"]} for p in fx.GOOD_PARCELS]
    p = t.write("bom.geojson", b"\xef\xbb\xbf" + fx.geojson(feats).encode())
    r = overlay(t, p.name, "--format", "json")

    def three(r: Run):
        d = json.loads(r.stdout)
        return None if len(d["parcels"]) == 3 and all(x.get("judged", True) for x in d["parcels"]) else f"{len(d['parcels'])} parcels read"

    return expect(r, result=three, refuse=False, finding=False, places=[p.name])


def _gpkg_with(t: Ctx, name: str, blob) -> str:
    feats = [{"props": {"地块编号": p["id"], "地块面积": p["area"]}, "geom": fx.gpkg_blob(fx.wkb_polygon(p["ring"]))} for p in fx.GOOD_PARCELS]
    feats.append({"props": {"地块编号": "DK009", "地块面积": "1.0000"}, "geom": blob})
    fx.geopackage(t.path(name), feats)
    return name


for label, blob, q in (
    ("null", None, True),
    ("point", fx.gpkg_blob(fx.wkb_point(fx.E0 + 10, fx.N0 + 10)), True),
    ("undecodable", b"GP\x00\x01\xb7\x11\x00\x00" + b"\x01\x03\x00\x00\x00\xff\xff\xff\x7f", False),
):

    def _mk(label=label, blob=blob, q=q):
        def fn(t: Ctx):
            name = _gpkg_with(t, f"{label}.gpkg", blob)
            return bad_parcel_expect(overlay(t, name), name, "DK009")

        add_case("geometry", f"gpkg-{label}-geometry/overlay", fn, quick=q, defect=1,
                 what=f"GeoPackage parcel with a {label} geometry → error, 无法判断, exit 1")

    _mk()


@case("geometry", "shp-parcels-with-truncated-shx", defect=None, what="parcels in a Shapefile whose .shx is cut short → all 3 read, or a finding naming the file")
def _(t: Ctx):
    feats = [{"props": {"地块编号": p["id"], "地块面积": p["area"]}, "ring": p["ring"]} for p in fx.GOOD_PARCELS]
    fx.shapefile(t.path("地块"), feats)
    shx = t.path("地块.shx")
    shx.write_bytes(shx.read_bytes()[:-10])
    r = overlay(t, "地块.shp", "--format", "json")

    def three(r: Run):
        d = json.loads(r.stdout)
        return None if len(d["parcels"]) == 3 else f"{len(d['parcels'])} of 3 parcels read, no finding"

    return expect(r, result=three, places=["地块"], finding_places=["地块"])


@case("geometry", "shp-farmland-layer-with-truncated-shx", quick=True, what="a farmland Shapefile whose .shx is cut short → the overlap with DK001 still found")
def _(t: Ctx):
    fx.shapefile(t.path("农田"), fx.FARMLAND + fx.FARMLAND_FAR)
    shx = t.path("农田.shx")
    shx.write_bytes(shx.read_bytes()[:-10])
    p = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    r = overlay(t, p.name, layer="农田.shp")
    # The correct result is exit 1 with overlay.forbid for DK001; exit 0 means the layer lost it.
    return expect(r, refuse=True, finding_places=["DK001"], rules=["overlay.forbid"], places=["农田"],
                  silent_detail="exit 0: the farmland overlap with DK001 was lost with the .shx")


@case("geometry", "overlay-control", quick=True, what="control: clean parcels against far farmland → exit 0; against overlapping farmland → exit 1")
def _(t: Ctx):
    p = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    r = overlay(t, p.name)
    o = expect(r, result=lambda r: None, refuse=False, finding=False)
    if o.category != OK:
        return o
    t.write("near.geojson", fx.geojson(fx.FARMLAND))
    r2 = overlay(t, p.name, layer="near.geojson")
    return expect(r2, refuse=False, rules=["overlay.forbid"], finding_places=["DK001"])


def _ledger_for_geometry(t: Ctx, extra_ids=()) -> str:
    rows = [[p["id"], "示例县城关镇", "城关镇", p["area"], "工业用地", "新增", "挂牌出让", "第一季度", ""] for p in fx.GOOD_PARCELS]
    for i in extra_ids:
        rows.append([i, "示例县城关镇", "城关镇", "1.0000", "工业用地", "新增", "挂牌出让", "第一季度", ""])
    return t.write("台账.csv", fx.ledger_csv(rows)).name


@case("geometry", "import-self-intersecting-parcel", quick=True, defect=8, what="import of a bow-tie parcel → the self-intersection named in the normal output")
def _(t: Ctx):
    db = new_store(t)
    led = _ledger_for_geometry(t, ["DK009"])
    bow = [(fx.E0 + 3000, fx.N0), (fx.E0 + 3100, fx.N0 + 100), (fx.E0 + 3100, fx.N0), (fx.E0 + 3000, fx.N0 + 100), (fx.E0 + 3000, fx.N0)]
    g = t.write("自相交.txt", _guotu_with({"id": "DK009", "area": "1.0000", "ring": bow}))
    r = import_into(t, db, led, g.name)

    def named(r: Run):
        return None if ("自相交" in r.text or "self_intersection" in r.text) and "DK009" in r.text else "the self-intersection of DK009 is not mentioned (only --json shows it)"

    return expect(r, result=named, places=[g.name, "DK009"])


@case("geometry", "import-strict-self-intersecting-parcel", defect=8, what="import --strict of a bow-tie parcel → refused, nothing stored")
def _(t: Ctx):
    db = new_store(t)
    led = _ledger_for_geometry(t, ["DK009"])
    bow = [(fx.E0 + 3000, fx.N0), (fx.E0 + 3100, fx.N0 + 100), (fx.E0 + 3100, fx.N0), (fx.E0 + 3000, fx.N0 + 100), (fx.E0 + 3000, fx.N0)]
    g = t.write("自相交.txt", _guotu_with({"id": "DK009", "area": "1.0000", "ring": bow}))
    r = import_into(t, db, led, g.name, extra=["--strict"])
    if r.rc == 0:
        return Outcome(SILENT, "--strict imported a self-intersecting parcel (exit 0)", r.cmd, r.excerpt())
    o = expect(r, places=["DK009"])
    if o.category == OK and store_counts(db):
        return Outcome(SILENT, f"exit {r.rc} but the import was stored", r.cmd)
    return o


@case("geometry", "import-nan-coordinate", defect=8, what="import of a 国土TXT with a NaN coordinate → the dropped point named in the normal output")
def _(t: Ctx):
    db = new_store(t)
    led = _ledger_for_geometry(t)
    text = fx.guotu_txt(fx.GOOD_PARCELS)
    lines = text.splitlines()
    # DK002's second point: X = NaN
    idx = [i for i, l in enumerate(lines) if l.startswith("5,1.0000,DK002")][0] + 2
    parts = lines[idx].split(",")
    parts[2] = "NaN"
    lines[idx] = ",".join(parts)
    g = t.write("NaN点.txt", "\n".join(lines) + "\n")
    r = import_into(t, db, led, g.name)

    def named(r: Run):
        return None if "DK002" in r.text and ("NaN" in r.text or "坐标" in r.text) else "the NaN point of DK002 is not mentioned"

    return expect(r, result=named, places=[g.name, "DK002"])


for label, blob in (("null", None), ("point", fx.gpkg_blob(fx.wkb_point(fx.E0 + 10, fx.N0 + 10)))):

    def _mk(label=label, blob=blob):
        def fn(t: Ctx):
            db = new_store(t)
            led = _ledger_for_geometry(t, ["DK009"])
            g = _gpkg_with(t, f"{label}.gpkg", blob)
            r = import_into(t, db, led, g)
            return expect(r, result=imported(db, 4, geoms=3), places=[g, "DK009"])

        add_case("geometry", f"gpkg-{label}-geometry/import", fn, quick=label == "point", defect=8,
                 what=f"import of a GeoPackage with a {label} geometry → not counted as 带几何, or refused")

    _mk()


@case("geometry", "import-geojson-with-utf8-bom", quick=True, defect=8, what="import of GeoJSON with a UTF-8 BOM → all 3 geometries stored")
def _(t: Ctx):
    db = new_store(t)
    led = _ledger_for_geometry(t)
    feats = [{"props": {"地块编号": p["id"], "地块面积": p["area"]}, "ring": p["ring"]} for p in fx.GOOD_PARCELS]
    g = t.write("bom.geojson", b"\xef\xbb\xbf" + fx.geojson(feats).encode())
    r = import_into(t, db, led, g.name)
    return expect(r, result=imported(db, 3, geoms=3), places=[g.name])


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def _huge_rows():
    rows = fx.ledger_rows(4)
    for r in rows[:3]:
        r[3] = "30000000000000000000000000000"  # 3×10²⁸ each: the sum passes Decimal's 7.9×10²⁸
    return rows


@case("numbers", "areas-summing-past-7.9e28/compile", quick=True, defect=14, what="three areas of 3×10²⁸ 公顷 → refused or the rows named, no panic")
def _(t: Ctx):
    p = t.write("大面积.csv", fx.ledger_csv(_huge_rows()))
    return expect(compile_json(t, p.name), places=[p.name], finding_places=[p.name, ["第2行", "第3行", "第4行"]])


@case("numbers", "areas-summing-past-7.9e28/import", defect=14, what="the same ledger imported → refused or the rows named, no panic, nothing half-stored")
def _(t: Ctx):
    p = t.write("大面积.csv", fx.ledger_csv(_huge_rows()))
    db = new_store(t)
    r = import_into(t, db, p.name)
    return expect(r, places=[p.name], finding_places=[p.name, ["第2行", "第3行", "第4行"]])


@case("numbers", "areas-summing-past-7.9e28/plan-create", defect=14, what="plan create from an import whose areas overflow → refused, no panic")
def _(t: Ctx):
    rows = fx.ledger_rows(4)
    rows[0][3] = "50000000000000000000000000000"
    rows[1][3] = "50000000000000000000000000000"
    p = t.write("大面积.csv", fx.ledger_csv(rows))
    db = new_store(t)
    r = import_into(t, db, p.name)
    if r.rc != 0:
        return expect(r, places=[p.name], finding_places=[p.name, ["第2行", "第3行"]])
    r2 = t.lp("plan", "create", "--db", db, "--region", "330102", "--year", "2025")
    return expect(r2, places=["330102"])


@case("numbers", "area-beyond-decimal-range", what="one area of 10³⁰ 公顷 → that row named (row and column)")
def _(t: Ctx):
    rows = fx.ledger_rows(4)
    rows[1][3] = "1" + "0" * 30
    p = t.write("超大.csv", fx.ledger_csv(rows))
    return expect(compile_json(t, p.name), refuse=False, finding_places=[p.name, ["第3行"]])


@case("numbers", "area-with-40-decimals", what="an area with 40 decimals → compiled exactly at its precision, or the row named")
def _(t: Ctx):
    rows = fx.ledger_rows(4)
    rows[1][3] = "1." + "3" * 40
    p = t.write("多位小数.csv", fx.ledger_csv(rows))
    r = compile_json(t, p.name)
    return expect(r, result=lambda r: None if json.loads(r.stdout)["parcel_count"] == 4 else "a parcel was lost", finding_places=[p.name, ["第3行"]], places=[p.name])


# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------


@case("paths", "spaces-in-paths", quick=True, what="ledger and output in directories with spaces → written")
def _(t: Ctx):
    rows = fx.ledger_rows(5)
    p = t.write("my ledgers/ledger 2025.csv", fx.ledger_csv(rows))
    (t.dir / "out dir").mkdir()
    r = t.lp("compile", "--ledger", str(p.relative_to(t.dir)), "--format", "json", "-o", "out dir/plan 2025.json", *REGION)

    def written(r: Run):
        f = t.path("out dir/plan 2025.json")
        return None if f.exists() and json.loads(f.read_text())["parcel_count"] == 5 else "no output file"

    return expect(r, result=written, refuse=False, finding=False)


@case("paths", "chinese-paths-everywhere", quick=True, what="Chinese directory and file names for ledger, geometry, store and outputs → all work")
def _(t: Ctx):
    d = t.dir / "示例县 自然资源局" / "二〇二五年"
    d.mkdir(parents=True)
    rows = [[p["id"], "坐落", "城关镇", p["area"], "工业用地", "新增", "挂牌出让", "第一季度", ""] for p in fx.GOOD_PARCELS]
    (d / "地块清单.csv").write_text(fx.ledger_csv(rows))
    (d / "界址点.txt").write_text(fx.guotu_txt(fx.GOOD_PARCELS))
    (d / "计划.txt").write_text(fx.plan_text())
    (d / "基本农田.geojson").write_text(fx.geojson(fx.FARMLAND_FAR))
    steps = [
        ["compile", "--ledger", "地块清单.csv", "--format", "docx", "-o", "供应计划.docx", *REGION],
        # Two different plans of one county and year: each judged alone (tied, they would
        # rightly disagree: cross.mismatch, issue 13).
        ["check", "--separately", "计划.txt", "供应计划.docx"],
        ["overlay", "--parcels", "界址点.txt", "--layer", "永久基本农田=基本农田.geojson:forbid", "-o", "叠加结果.json", "--format", "json"],
        ["init", "--db", "数据库.gpkg", "--srid", "4527"],
        ["import", "--db", "数据库.gpkg", "地块清单.csv", "界址点.txt", "--region", "330102", "--region-name", "示例县", "--year", "2025"],
        ["export", "--db", "数据库.gpkg", "备份 2025.gpkg"],
        ["restore", "--db", "恢复.gpkg", "备份 2025.gpkg"],
        ["audit", "verify", "--db", "恢复.gpkg"],
    ]
    for s in steps:
        r = t.lp(*s, cwd=d)
        o = expect(r, result=lambda r: None, refuse=False, finding=False)
        if o.category != OK:
            return o
    return Outcome(OK, "every command worked with Chinese paths")


LONG = "地" * 83  # 249 bytes; + ".json" = 254 bytes, a legal name (the limit is 255)


@case("paths", "254-byte-output-name/compile", quick=True, defect=20, what="compile -o a 254-byte file name → written")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    name = LONG + ".json"
    assert len(name.encode()) == 254
    r = t.lp("compile", "--ledger", p.name, "--format", "json", "-o", name, *REGION)
    return expect(r, result=lambda r: None if t.path(name).exists() else "no file", refuse=False, finding=False)


@case("paths", "254-byte-output-name/overlay", defect=20, what="overlay -o a 254-byte file name → written")
def _(t: Ctx):
    p = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    name = LONG + ".json"
    r = overlay(t, p.name, "--format", "json", "-o", name)
    return expect(r, result=lambda r: None if t.path(name).exists() else "no file", refuse=False, finding=False)


@case("paths", "254-byte-output-name/gen-ledger", defect=20, what="gen-ledger -o a 254-byte file name → written")
def _(t: Ctx):
    name = "地" * 83 + "a.csv"  # 254 bytes
    assert len(name.encode()) == 254, len(name.encode())
    r = t.lp("gen-ledger", "--parcels", "10", "-o", name)
    return expect(r, result=lambda r: None if t.path(name).exists() else "no file", refuse=False, finding=False)


@case("paths", "254-byte-output-name/export", defect=20, what="export to a 254-byte file name → written and restorable")
def _(t: Ctx):
    db = new_store(t)
    name = "地" * 83 + ".gpkg"  # 254 bytes
    assert len(name.encode()) == 254
    r = t.lp("export", "--db", db, name)
    return expect(r, result=lambda r: None if t.path(name).exists() else "no file", refuse=False, finding=False)


@case("paths", "output-is-the-input/compile", quick=True, defect=6, what="compile --ledger a.csv -o a.csv (without and with --force) → refused, ledger untouched")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    before = sha(p)
    for extra in ([], ["--force"]):
        r = t.lp("compile", "--ledger", p.name, "--format", "json", "-o", p.name, *REGION, *extra)
        if sha(p) != before:
            return Outcome("data lost", f"the ledger was overwritten by its own plan ({' '.join(extra) or 'no --force'})", r.cmd, r.excerpt())
        o = expect(r, places=[p.name], finding=False)
        if o.category != OK:
            return o
    return Outcome(OK, "refused both times, the ledger unchanged")


@case("paths", "output-is-the-input/compile-xlsx", defect=6, what="compile --ledger a.xlsx --format xlsx -o ./a.xlsx --force → refused, ledger untouched")
def _(t: Ctx):
    p = t.write("清单.xlsx", fx.xlsx([{"name": "清单", "rows": [fx.LEDGER_HEADER] + fx.ledger_rows(5)}]))
    before = sha(p)
    r = t.lp("compile", "--ledger", p.name, "--format", "xlsx", "-o", "./" + p.name, "--force", *REGION)
    if sha(p) != before:
        return Outcome("data lost", "the only copy of the ledger was replaced by the compiled 附表", r.cmd, r.excerpt())
    return expect(r, places=[p.name], finding=False)


@case("paths", "output-is-the-input/overlay", quick=True, defect=6, what="overlay -o naming the parcels file or the farmland layer, with --force → refused, inputs untouched")
def _(t: Ctx):
    p = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    t.write("farm.geojson", fx.geojson(fx.FARMLAND_FAR))
    worst = None
    for target in (p.name, "farm.geojson"):
        for extra in ([], ["--force"]):
            before = sha(t.path(target))
            r = overlay(t, p.name, "--format", "json", "-o", target, *extra)
            if sha(t.path(target)) != before:
                return Outcome("data lost", f"{target} (an input) was overwritten by the report ({' '.join(extra) or 'no --force'})", r.cmd, r.excerpt())
            o = expect(r, places=[target], finding=False)
            if o.category != OK:
                worst = o if worst is None else worst.worst(o)
    return worst or Outcome(OK, "refused, inputs unchanged")


@case("paths", "existing-output-without-force", defect=6, what="compile/overlay/gen-ledger -o an existing file without --force → refused, file untouched")
def _(t: Ctx):
    led = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    par = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    old = t.write("已有.json", "请勿覆盖")
    cmds = [
        ["compile", "--ledger", led.name, "--format", "json", "-o", old.name, *REGION],
        ["overlay", "--parcels", par.name, "--format", "json", "-o", old.name],
        ["gen-ledger", "--parcels", "5", "-o", old.name],
        ["render", "--ledger", led.name, "--chart", "structure", "-o", old.name, *REGION],
    ]
    for c in cmds:
        r = t.lp(*c)
        if old.read_text() != "请勿覆盖":
            return Outcome("data lost", f"{c[0]} overwrote an existing file without --force", r.cmd, r.excerpt())
        o = expect(r, places=[old.name], finding=False)
        if o.category != OK:
            return o
    return Outcome(OK, "all refused, file unchanged")


@case("paths", "export-onto-its-own-store", defect=6, what="export --db s.gpkg s.gpkg, restore --db b.gpkg b.gpkg → refused, files untouched")
def _(t: Ctx):
    db = new_store(t)
    before = sha(Path(db))
    r = t.lp("export", "--db", db, Path(db).name)
    o = expect(r, places=[Path(db).name], finding=False)
    if sha(Path(db)) != before:
        return Outcome("data lost", "export wrote onto its own store", r.cmd)
    if o.category != OK:
        return o
    r = t.lp("export", "--db", db, "b.gpkg")
    b = t.path("b.gpkg")
    bs = sha(b)
    r = t.lp("restore", "--db", "b.gpkg", "b.gpkg")
    if sha(b) != bs:
        return Outcome("data lost", "restore wrote into its own backup", r.cmd)
    return expect(r, places=["b.gpkg"], finding=False)


@case("paths", "output-in-a-missing-directory", quick=True, defect=18, what="-o into a directory that does not exist → refused naming the path")
def _(t: Ctx):
    led = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    par = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    db = new_store(t)
    cmds = [
        ["compile", "--ledger", led.name, "--format", "json", "-o", "没有的目录/计划.json", *REGION],
        ["compile", "--ledger", led.name, "--format", "docx", "-o", "没有的目录/计划.docx", *REGION],
        ["overlay", "--parcels", par.name, "--format", "json", "-o", "没有的目录/叠加.json"],
        ["gen-ledger", "--parcels", "5", "-o", "没有的目录/清单.csv"],
        ["export", "--db", db, "没有的目录/备份.gpkg"],
        ["init", "--db", "没有的目录/新库.gpkg"],
    ]
    worst = None
    for c in cmds:
        r = t.lp(*c)
        target = next((a for a in c if a.startswith("没有的目录/")), None)
        # Creating the directory and writing the file is as good as refusing with the path.
        made = lambda r, target=target: None if target and t.path(target).exists() else f"exit 0 but {target} was not written"
        o = expect(r, places=["没有的目录"], finding=False, result=made)
        if o.category != OK:
            worst = o if worst is None else worst.worst(o)
    return worst or Outcome(OK, "all refused naming the directory")


# ---------------------------------------------------------------------------------------------
# Pipes: every command that prints, its stdout closed early (| head -c 1, | head -c 0)
# ---------------------------------------------------------------------------------------------


def _pipe_store(t: Ctx) -> str:
    db = new_store(t)
    big = t.path("g.csv")
    r = t.lp("gen-ledger", "--parcels", "3000", "-o", big.name)
    for i, reg in enumerate(("330102", "330103", "330104")):
        t.lp("import", "--db", db, big.name, "--region", reg, "--region-name", f"示例县{i}", "--year", "2025")
        t.lp("plan", "create", "--db", db, "--region", reg, "--year", "2025")
        t.lp("plan", "submit", "--db", db, "--region", reg, "--year", "2025")
        t.lp("plan", "approve", "--db", db, "--region", reg, "--year", "2025")
    return db


PIPE_COMMANDS = [
    ("compile-text", lambda db: ["compile", "--ledger", "g.csv", *REGION]),
    ("compile-json", lambda db: ["compile", "--ledger", "g.csv", "--format", "json", *REGION]),
    ("compile-md", lambda db: ["compile", "--ledger", "g.csv", "--format", "md", *REGION]),
    ("compile-html", lambda db: ["compile", "--ledger", "g.csv", "--format", "html", *REGION]),
    ("gen-ledger", lambda db: ["gen-ledger", "--parcels", "20000"]),
    ("check", lambda db: ["check", "计划.txt", "计划.docx"]),
    ("check-json", lambda db: ["check", "计划.txt", "--format", "json"]),
    ("rules", lambda db: ["rules"]),
    ("rules-json", lambda db: ["rules", "--format", "json"]),
    ("overlay-text", lambda db: ["overlay", "--parcels", "地块.txt", "--layer", "永久基本农田=farm.geojson:forbid"]),
    ("overlay-json", lambda db: ["overlay", "--parcels", "地块.txt", "--format", "json"]),
    ("overlay-geojson", lambda db: ["overlay", "--parcels", "地块.txt", "--format", "geojson"]),
    ("plan-list", lambda db: ["plan", "list", "--db", db]),
    ("plan-list-json", lambda db: ["plan", "list", "--db", db, "--format", "json"]),
    ("plan-show", lambda db: ["plan", "show", "--db", db, "--region", "330102", "--year", "2025"]),
    ("plan-show-json", lambda db: ["plan", "show", "--db", db, "--region", "330102", "--year", "2025", "--format", "json"]),
    ("plan-diff", lambda db: ["plan", "diff", "--db", db, "--region", "330102", "--year", "2025", "--from", "1", "--to", "1"]),
    ("rollup", lambda db: ["rollup", "--db", db, "--region", "330100", "--year", "2025"]),
    ("rollup-json", lambda db: ["rollup", "--db", db, "--region", "330100", "--year", "2025", "--json"]),
    ("audit-verify", lambda db: ["audit", "verify", "--db", db]),
    ("audit-log", lambda db: ["audit", "log", "--db", db]),
    ("import-json", lambda db: ["import", "--db", db, "g.csv", "--region", "330105", "--region-name", "示例县9", "--year", "2025", "--json"]),
    ("help", lambda db: ["--help"]),
]


# One case per command so that the counts show which commands fail.
for _label, _mk_cmd in PIPE_COMMANDS:

    def _mk(label=_label, mk=_mk_cmd):
        def fn(t: Ctx) -> Outcome:
            needs_store = label.startswith(("plan", "rollup", "audit", "import"))
            db = _pipe_store(t) if needs_store else str(t.path("none.gpkg"))
            if not needs_store:
                t.lp("gen-ledger", "--parcels", "3000", "-o", "g.csv")
            t.write("计划.txt", fx.plan_text(with_error=True))
            t.write("计划.docx", fx.plan_docx())
            t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
            t.write("farm.geojson", fx.geojson(fx.FARMLAND))
            bad = []
            sizes = (1, 0)
            for nbytes in sizes:
                r = t.lp(*mk(db), close_stdout_after=nbytes, timeout=60)
                ab = abnormal(r)
                # Ending by SIGPIPE, or with status 141 (= 128 + SIGPIPE, as a shell reports it),
                # is the quiet Unix ending of a writer whose reader has gone.
                if ab and not (r.sig == 13 or r.rc == 141):
                    ab.detail = f"| head -c {nbytes}: {ab.detail}"
                    ab.command = r.cmd + f" | head -c {nbytes}"
                    bad.append(ab)
                    continue
                probs = message_problems(r.err, known=[db]) if r.err.strip() else []
                probs = [p for p in probs if p.startswith(("English", "not in Chinese"))]
                if probs:
                    bad.append(Outcome(UNCLEAR, f"| head -c {nbytes}: exit {r.rc}, " + "; ".join(probs), r.cmd + f" | head -c {nbytes}", r.excerpt()))
            if label == "import-json" and not bad:
                v = t.lp("audit", "verify", "--db", db)
                if v.rc != 0:
                    bad.append(Outcome("data lost", "the store does not verify after an import whose output pipe closed", v.cmd, v.excerpt()))
            if not bad:
                return Outcome(OK, "ended quietly when its output pipe closed")
            w = bad[0]
            for b in bad[1:]:
                w = w.worst(b)
            return w

        defect = 17  # the issue names plan list/show, rollup --json and audit verify; the rest are the same defect
        add_case("pipes", label, fn, quick=label in ("plan-list", "rollup-json", "audit-verify", "check", "compile-json", "overlay-text", "gen-ledger"),
                 defect=defect, what=f"landplan {label} | head -c 1 (and | head -c 0) → ends quietly, no panic")

    _mk()


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------


@case("args", "year-0/compile", quick=True, defect=20, what="compile --year 0 → refused in Chinese")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    r = t.lp("compile", "--ledger", p.name, "--region", "示例县", "--year", "0")
    return expect(r, places=["0"], finding=False, silent_detail="exit 0: a plan for the year 0 was compiled")


@case("args", "year-0/import", defect=20, what="import --year 0 → refused in Chinese, nothing stored")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    db = new_store(t)
    r = t.lp("import", "--db", db, p.name, "--region", "330102", "--region-name", "示例县", "--year", "0")
    return expect(r, places=["0"], finding=False, silent_detail="exit 0: an import for the year 0 was stored")


@case("args", "prefecture-code-as-county/import", quick=True, defect=20, what="import --region 330100 (a prefecture) → refused in Chinese")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    db = new_store(t)
    r = t.lp("import", "--db", db, p.name, "--region", "330100", "--year", "2025")
    return expect(r, places=["330100"], finding=False, silent_detail="exit 0: a county ledger was stored under the prefecture 330100")


@case("args", "province-code-as-county/import", defect=20, what="import --region 330000 (a province) → refused in Chinese")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    db = new_store(t)
    r = t.lp("import", "--db", db, p.name, "--region", "330000", "--year", "2025")
    return expect(r, places=["330000"], finding=False, silent_detail="exit 0: a county ledger was stored under the province 330000")


@case("args", "missing-templates-directory", quick=True, defect=20, what="compile --format docx --templates 没有的目录 → refused naming the directory")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    r = t.lp("compile", "--ledger", p.name, *REGION, "--format", "docx", "-o", "计划.docx", "--templates", "没有的目录")
    return expect(r, places=["没有的目录"], finding=False, silent_detail="exit 0: the built-in templates were used instead, silently")


@case("args", "unknown-flag", quick=True, defect=18, what="compile --ledgr x.csv (a typo) → refused in Chinese")
def _(t: Ctx):
    return expect(t.lp("compile", "--ledgr", "x.csv"), places=["--ledgr"], finding=False)


@case("args", "year-not-a-number", defect=18, what="compile --year 二〇二五 → refused in Chinese")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    return expect(t.lp("compile", "--ledger", p.name, "--year", "二〇二五"), places=["二〇二五"], finding=False)


@case("args", "five-digit-region-code", what="import --region 33010 → refused in Chinese naming the code")
def _(t: Ctx):
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    db = new_store(t)
    return expect(t.lp("import", "--db", db, p.name, "--region", "33010", "--year", "2025"), places=["33010"], finding=False)


@case("args", "unknown-srid", what="init --srid 3857 → refused in Chinese naming the code")
def _(t: Ctx):
    return expect(t.lp("init", "--db", "新库.gpkg", "--srid", "3857"), places=["3857"], finding=False)


@case("args", "layer-without-rule", defect=18, what="overlay --layer 某图层=farm.geojson (no rule, name gives none) → refused in Chinese")
def _(t: Ctx):
    p = t.write("地块.txt", fx.guotu_txt(fx.GOOD_PARCELS))
    t.write("farm.geojson", fx.geojson(fx.FARMLAND_FAR))
    return expect(t.lp("overlay", "--parcels", p.name, "--layer", "某图层=farm.geojson"), places=["某图层"], finding=False)


@case("args", "missing-ledger-file", quick=True, defect=18, what="compile --ledger 没有.csv → refused in Chinese, said once, naming the file")
def _(t: Ctx):
    return expect(t.lp("compile", "--ledger", "没有.csv", *REGION), places=["没有.csv"], finding=False)


@case("args", "empty-actor-name", quick=True, defect=7, what="plan submit --user \"\" → refused (an actor must be named), not logged anonymously")
def _(t: Ctx):
    db = new_store(t)
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    import_into(t, db, p.name)
    t.lp("plan", "create", "--db", db, "--region", "330102", "--year", "2025")
    r = t.lp("plan", "submit", "--db", db, "--region", "330102", "--year", "2025", "--user", "")
    return expect(r, places=["--user"], finding=False, silent_detail="exit 0: the submission was logged with an empty --user")


@case("args", "blank-actor-name", defect=7, what="import --user \"   \" → refused, not logged as a blank actor")
def _(t: Ctx):
    db = new_store(t)
    p = t.write("清单.csv", fx.ledger_csv(fx.ledger_rows(5)))
    r = import_into(t, db, p.name, extra=["--user", "   "])
    return expect(r, places=["--user"], finding=False, silent_detail="exit 0: the import was logged with a blank actor")


for _n, _q in ((2000, True), (4000, False)):

    def _mk(n=_n, q=_q):
        def fn(t: Ctx):
            # n squares that all overlap each other (each shifted 1 m from the last).
            feats = [{"props": {"地块编号": f"DK{i:05d}", "地块面积": "1.0000"}, "ring": fx.rect(i * 0.01, 0, 100 + i * 0.01, 100)} for i in range(n)]
            p = t.write("重叠地块.geojson", fx.geojson(feats))
            t.write("farm.geojson", fx.geojson(fx.FARMLAND_FAR))
            r = t.lp("overlay", "--parcels", p.name, "--layer", "永久基本农田=farm.geojson:forbid", "--format", "json", timeout=60, mem_cap=1 * GiB)
            return expect(r, refuse=False, finding_places=[p.name], rules=["geometry.parcels_overlap"])

        add_case("geometry", f"overlay-{n}-mutually-overlapping-parcels", fn, quick=q, defect=10,
                 what=f"{n:,} parcels that all overlap each other → overlaps reported, under a 1 GiB cap in 60 s")

    _mk()
