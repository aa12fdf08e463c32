"""Peers for bench/compile.sh: the aggregation `landplan compile` does, in pandas or DuckDB.

Usage: python compile_peers.py pandas|duckdb LEDGER.csv

Reads a supply ledger made by `landplan gen-ledger` and computes what the supply plan needs:
the total, the structure by first-level GB/T 21010 class with 新增/存量, the layout by
township x class, the timing by quarter, the methods and the housing sub-structure. Prints a
small JSON summary (total and per-class areas) on stdout so the script can cross-check the
results of the three tools.
"""

import json
import sys

# Second-level GB/T 21010-2017 names used by the generator -> first-level code
# (GB/T 21010-2017, table 1: 05 商服, 06 工矿仓储, 07 住宅, 08 公共管理与公共服务, 09 特殊,
# 10 交通运输, 11 水域及水利设施).
TOP = {
    "零售商业用地": "05", "批发市场用地": "05", "餐饮用地": "05", "旅馆用地": "05",
    "商务金融用地": "05", "娱乐用地": "05", "其他商服用地": "05",
    "工业用地": "06", "采矿用地": "06", "仓储用地": "06",
    "城镇住宅用地": "07",
    "机关团体用地": "08", "教育用地": "08", "科研用地": "08", "医疗卫生用地": "08",
    "社会福利用地": "08", "文化设施用地": "08", "体育用地": "08", "公用设施用地": "08",
    "公园与绿地": "08",
    "监教场所用地": "09", "殡葬用地": "09", "风景名胜设施用地": "09",
    "公路用地": "10", "城镇村道路用地": "10", "交通服务场站用地": "10",
    "水工建筑用地": "11",
}
QUARTER_WORDS = {"第一季度": 1, "第二季度": 2, "第三季度": 3, "第四季度": 4}


def run_pandas(path):
    import pandas as pd

    df = pd.read_csv(path, encoding="utf-8-sig")
    df.columns = ["id", "loc", "town", "area", "cls", "source", "method", "timing", "housing"]
    df["top"] = df["cls"].map(TOP)
    t = df["timing"]
    q = t.map(QUARTER_WORDS)
    month = t.str.extract(r"^(\d{1,2})月$")[0].astype("float")
    month = month.fillna(t.str.extract(r"^\d{4}-(\d{2})-\d{2}$")[0].astype("float"))
    df["quarter"] = q.fillna((month - 1) // 3 + 1)
    total = df["area"].sum()
    structure = df.pivot_table(index="top", columns="source", values="area", aggfunc="sum", fill_value=0)
    by_class = df.groupby("top")["area"].sum()
    layout = df.groupby(["town", "top"])["area"].sum()
    timing = df.groupby("quarter")["area"].sum().cumsum()
    methods = df.groupby("method")["area"].sum()
    housing = df[df["top"] == "07"].groupby("housing")["area"].sum()
    _ = (structure, layout, timing, methods, housing)
    return total, {k: float(v) for k, v in by_class.items()}


def run_duckdb(path):
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE top_map(cls VARCHAR, top VARCHAR)"
    )
    con.executemany("INSERT INTO top_map VALUES (?, ?)", list(TOP.items()))
    con.execute(
        f"""
        CREATE TEMP TABLE l AS
        SELECT "地块编号" AS id, "乡镇" AS town, CAST("面积（公顷）" AS DECIMAL(18,4)) AS area,
               "用途" AS cls, "土地来源" AS source, "供应方式" AS method,
               "计划供应时间" AS timing, "住宅类型" AS housing
        FROM read_csv('{path}', header = true, all_varchar = true)
        """
    )
    q = """
        WITH p AS (
          SELECT l.*, m.top,
            CASE
              WHEN timing = '第一季度' THEN 1 WHEN timing = '第二季度' THEN 2
              WHEN timing = '第三季度' THEN 3 WHEN timing = '第四季度' THEN 4
              WHEN regexp_matches(timing, '^[0-9]{1,2}月$')
                THEN (CAST(regexp_extract(timing, '^([0-9]{1,2})', 1) AS INTEGER) - 1) // 3 + 1
              ELSE (CAST(regexp_extract(timing, '^[0-9]{4}-([0-9]{2})', 1) AS INTEGER) - 1) // 3 + 1
            END AS quarter
          FROM l LEFT JOIN top_map m USING (cls)
        )
        SELECT 'structure' AS k, top AS a, source AS b, SUM(area) AS v FROM p GROUP BY top, source
        UNION ALL SELECT 'layout', town, top, SUM(area) FROM p GROUP BY town, top
        UNION ALL SELECT 'timing', CAST(quarter AS VARCHAR), NULL, SUM(area) FROM p GROUP BY quarter
        UNION ALL SELECT 'method', method, NULL, SUM(area) FROM p GROUP BY method
        UNION ALL SELECT 'housing', housing, NULL, SUM(area) FROM p WHERE top = '07' GROUP BY housing
        UNION ALL SELECT 'total', NULL, NULL, SUM(area) FROM p
    """
    rows = con.execute(q).fetchall()
    total = next(v for k, _, _, v in rows if k == "total")
    by_class = {}
    for k, a, _, v in rows:
        if k == "structure":
            by_class[a] = by_class.get(a, 0) + float(v)
    return float(total), by_class


def main():
    tool, path = sys.argv[1], sys.argv[2]
    total, by_class = {"pandas": run_pandas, "duckdb": run_duckdb}[tool](path)
    print(json.dumps({"total_ha": round(float(total), 4), "by_class": {k: round(v, 4) for k, v in sorted(by_class.items())}}))


if __name__ == "__main__":
    main()
