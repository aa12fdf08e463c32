"""Peer for bench/report.sh: what a bureau would script instead of `landplan compile --format
docx|xlsx` — pandas for the sums, python-docx for the Word plan, openpyxl for the Excel 附表.

Usage: python report_peers.py docx|xlsx LEDGER.csv OUT

Reads a supply ledger made by `landplan gen-ledger`, computes the total, the structure by the
ledger's 用途 (second-level names, grouped to first-level GB/T 21010-2017 classes), the layout by
township, and writes: a .docx with the title, the total/structure/layout sentences and the
parcel table; or a .xlsx with a structure sheet with =SUM formulas and the parcel list. It is
the work landplan does, written the way a user of these libraries would, not a tuned program.
"""

import os
import sys

import pandas as pd

# GB/T 21010-2017 second-level names used by the generator -> first-level class name.
TOP = {
    "零售商业用地": "商服用地", "批发市场用地": "商服用地", "餐饮用地": "商服用地", "旅馆用地": "商服用地",
    "商务金融用地": "商服用地", "娱乐用地": "商服用地", "其他商服用地": "商服用地",
    "工业用地": "工矿仓储用地", "采矿用地": "工矿仓储用地", "仓储用地": "工矿仓储用地",
    "城镇住宅用地": "住宅用地",
    "机关团体用地": "公共管理与公共服务用地", "教育用地": "公共管理与公共服务用地",
    "科研用地": "公共管理与公共服务用地", "医疗卫生用地": "公共管理与公共服务用地",
    "社会福利用地": "公共管理与公共服务用地", "文化设施用地": "公共管理与公共服务用地",
    "体育用地": "公共管理与公共服务用地", "公用设施用地": "公共管理与公共服务用地",
    "公园与绿地": "公共管理与公共服务用地",
    "监教场所用地": "特殊用地", "殡葬用地": "特殊用地", "风景名胜设施用地": "特殊用地",
    "公路用地": "交通运输用地", "城镇村道路用地": "交通运输用地", "交通服务场站用地": "交通运输用地",
    "水工建筑用地": "水域及水利设施用地",
}


def load(path):
    df = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    area_col = [c for c in df.columns if c.startswith("面积")][0]
    use_col = [c for c in df.columns if "用途" in c][0]
    town_col = [c for c in df.columns if "乡镇" in c][0]
    df["ha"] = df[area_col].astype(float)
    df["cls"] = df[use_col].map(TOP).fillna("其他")
    df["town"] = df[town_col]
    return df


def docx(df, out):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    st = doc.styles["Normal"]
    st.font.name = "仿宋"
    st.font.size = Pt(16)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    total = df["ha"].sum()
    doc.add_heading("示例县2025年度国有建设用地供应计划", 0)
    doc.add_paragraph(f"2025年度示例县国有建设用地供应总量控制在{total:.4f}公顷（{total * 15:.4f}亩）以内。")
    by = df.groupby("cls")["ha"].sum()
    doc.add_paragraph("2025年度示例县国有建设用地供应总量中，" + "；".join(
        f"{k}{v:.4f}公顷，占比{v / total * 100:.2f}%" for k, v in by.items()) + "。")
    for town, g in df.groupby("town"):
        parts = g.groupby("cls")["ha"].sum()
        doc.add_paragraph(f"{town}土地供应量为{g['ha'].sum():.4f}公顷，其中：" + "，".join(
            f"{k}{v:.4f}公顷" for k, v in parts.items()) + "。")
    cols = list(df.columns[:6])
    t = doc.add_table(rows=1, cols=len(cols))
    for i, c in enumerate(cols):
        t.rows[0].cells[i].text = c
    limit = int(os.environ.get("PEER_TABLE_ROWS", "0")) or len(df)
    for row in df[cols].head(limit).itertuples(index=False):
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = "" if pd.isna(v) else str(v)
    doc.save(out)


def xlsx(df, out):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "供应计划表"
    font = Font(name="宋体")
    ws.append(["用地类型", "供应面积"])
    by = df.groupby("cls")["ha"].sum()
    for k, v in by.items():
        ws.append([k, round(v, 4)])
    ws.append(["合计", f"=SUM(B2:B{len(by) + 1})"])
    p = wb.create_sheet("地块清单")
    cols = list(df.columns[:6])
    p.append(cols)
    for row in df[cols].itertuples(index=False):
        p.append(["" if pd.isna(v) else v for v in row])
    for r in p.iter_rows():
        for c in r:
            c.font = font
    wb.save(out)


if __name__ == "__main__":
    what, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    df = load(path)
    {"docx": docx, "xlsx": xlsx}[what](df, out)
