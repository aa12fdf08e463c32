"""Peers for the reserve benchmark: the annual reserve plan's figures of year Y computed as an
analyst would from the same reserve workbook (the four sheets `landplan gen-reserve` writes),
and the comparison with landplan's `reserve plan --format json`.

Usage:
  reserve_peers.py pandas DIR_OR_XLSX YEAR OUT.json   (a directory of the four CSV files, or
                                                        the .xlsx workbook, read with openpyxl)
  reserve_peers.py duckdb DIR YEAR OUT.json           (SQL over the four CSV files)
  reserve_peers.py compare YEAR LANDPLAN.json PEER.json…

The figures (docs/reserve.md, "Annual plan"), for the columns the workbook has:
- each parcel's timeline: the dated states taken, sorted by date then life order; then its
  planned 入库 and planned 供应 of years up to Y, by planned day (end of the quarter, or
  31 December) then life order, each joining only when no step to that state was taken, it is
  not dated before the timeline's last event, the last state allows it (入库 from 拟收储; 供应
  from 入库/前期开发/临时管护) and — for 供应 — all eight 净地 items are done by the planned
  day (otherwise the parcel is refused from supply in its planned year);
- 上年度末结转 / 年末库存: held (入库, 前期开发, 临时管护) at the end of Y−1 / Y;
- 年度新增储备: the first held event falls in Y — 入库 if taken, 拟收储 if planned; 总量 is
  their sum;
- 前期开发 / 储备土地供应: an event to that state in Y; 临时管护: in it at the end of Y−1 or an
  event to it in Y; 退出: an exit in Y right after a held state;
- 资金需求: the costs whose 年度 is Y, by 资金来源 and 费用类别; paid: those with a 支付日期.
Areas are summed exactly (units of 0.0001 公顷), money to the 0.000001 万元.
"""
import json
import sys
from decimal import Decimal

STATES = ["拟收储", "入库", "前期开发", "临时管护", "已供应", "退出"]
DATE_COLS = ["拟收储日期", "入库日期", "前期开发日期", "临时管护日期", "供应日期", "退出日期"]
HELD = {1, 2, 3}
PROPOSED, HELD_S, PREP, CUSTODY, SUPPLIED, EXITED = range(6)
ITEMS = 8
PARTS = ["carried_over", "new_proposed", "new_held", "preparation", "supply", "custody", "exited", "year_end"]
Q = {"一": 1, "二": 2, "三": 3, "四": 4}


def planned_day(text):
    """'2027' → 2027-12-31; '2027年第二季度' / '2027Q2' → the quarter's last day. (year, day)."""
    import datetime

    t = str(text).strip()
    year = int(t[:4])
    q = None
    if "季" in t or "Q" in t or "q" in t:
        rest = t[4:]
        for ch in rest:
            if ch.isdigit():
                q = int(ch)
                break
            if ch in Q:
                q = Q[ch]
                break
    month = q * 3 if q else 12
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return year, nxt - datetime.timedelta(days=1)


# ---- pandas -------------------------------------------------------------------------------


def pandas_run(src, year, out):
    import datetime
    import os

    import numpy as np
    import pandas as pd

    if os.path.isdir(src):
        read = lambda name: pd.read_csv(f"{src}/{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        p, c, r = read("储备地块"), read("成本"), read("净地")
    else:
        sheets = pd.read_excel(src, sheet_name=["储备地块", "成本", "净地"], dtype=str, keep_default_na=False)
        p, c, r = sheets["储备地块"], sheets["成本"], sheets["净地"]
    start = pd.Timestamp(datetime.date(year - 1, 12, 31))
    end = pd.Timestamp(datetime.date(year, 12, 31))
    n = len(p)
    idx = np.arange(n)
    area = (p["面积（公顷）"].astype(float) * 10000).round().astype("int64").to_numpy()
    dates = np.stack([pd.to_datetime(p[col].replace("", None)).to_numpy() for col in DATE_COLS], axis=1)

    # Taken events, (parcel, order, date); the last taken event of each parcel.
    ev = pd.DataFrame({"pid": np.repeat(idx, 6), "ord": np.tile(np.arange(6), n), "date": dates.reshape(-1)})
    ev = ev[ev["date"].notna()].assign(planned=False)
    ev = ev.sort_values(["pid", "date", "ord"], kind="stable")
    last = ev.groupby("pid").tail(1).set_index("pid").reindex(idx)
    last_date, last_ord = last["date"].to_numpy(), last["ord"].to_numpy()

    # Planned 入库 and 供应 of years up to Y.
    def planned(col):
        y = np.full(n, -1)
        d = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        for i, t in enumerate(p[col]):
            if t:
                yy, dd = planned_day(t)
                if yy <= year:
                    y[i], d[i] = yy, np.datetime64(dd, "ns")
        return y, d

    hy, hd = planned("计划入库年份")
    sy, sd = planned("计划供应年份（季度）")
    # 净地: items done by the planned supply day.
    done = r[r["完成日期"] != ""].assign(done=lambda x: pd.to_datetime(x["完成日期"]))
    pos = pd.Series(idx, index=p["储备地块编号"])
    done = done.assign(pid=done["编号"].map(pos).to_numpy())
    sd_of = pd.Series(sd, index=idx)
    ready = done[done["done"].to_numpy() <= sd_of.reindex(done["pid"]).to_numpy()]
    ready_n = ready.groupby("pid")["项目"].nunique().reindex(idx, fill_value=0).to_numpy()

    held_taken = ~np.isnat(dates[:, HELD_S])
    supp_taken = ~np.isnat(dates[:, SUPPLIED])
    cur_date, cur_ord = last_date.copy(), last_ord.copy()
    add_held = np.zeros(n, bool)
    add_supp = np.zeros(n, bool)
    refused = np.zeros(n, bool)

    def try_held(mask):
        ok = mask & (hy >= 0) & ~held_taken & (hd >= cur_date) & (cur_ord == PROPOSED)
        add_held[ok] = True
        cur_date[ok], cur_ord[ok] = hd[ok], HELD_S

    def try_supp(mask):
        ok = mask & (sy >= 0) & ~supp_taken & (sd >= cur_date) & np.isin(cur_ord, list(HELD))
        refused[ok & (ready_n < ITEMS) & (sy == year)] = True
        ok &= ready_n >= ITEMS
        add_supp[ok] = True
        cur_date[ok], cur_ord[ok] = sd[ok], SUPPLIED

    # By planned day, then life order (入库 before 供应 on the same day).
    held_first = np.isnat(sd) | (~np.isnat(hd) & (hd <= sd))
    try_held(held_first)
    try_supp(np.ones(n, bool))
    try_held(~held_first)

    plan = pd.concat(
        [
            ev,
            pd.DataFrame({"pid": idx[add_held], "ord": HELD_S, "date": hd[add_held], "planned": True}),
            pd.DataFrame({"pid": idx[add_supp], "ord": SUPPLIED, "date": sd[add_supp], "planned": True}),
        ]
    ).sort_values(["pid", "date", "ord"], kind="stable")

    def state_at(day):
        s = plan[plan["date"] <= day].groupby("pid").tail(1).set_index("pid")["ord"]
        return s.reindex(idx, fill_value=-1).to_numpy()

    at_start, at_end = state_at(start), state_at(end)
    in_year = plan["date"].dt.year == year
    first_held = plan[plan["ord"].isin(HELD)].groupby("pid").head(1)
    first_held = first_held[first_held["date"].dt.year == year]
    prev = plan.groupby("pid")["ord"].shift(1)
    members = {
        "carried_over": np.isin(at_start, list(HELD)),
        "new_proposed": np.isin(idx, first_held.loc[first_held["planned"], "pid"]),
        "new_held": np.isin(idx, first_held.loc[~first_held["planned"], "pid"]),
        "preparation": np.isin(idx, plan.loc[in_year & (plan["ord"] == PREP), "pid"]),
        "supply": np.isin(idx, plan.loc[in_year & (plan["ord"] == SUPPLIED), "pid"]),
        "custody": (at_start == CUSTODY) | np.isin(idx, plan.loc[in_year & (plan["ord"] == CUSTODY), "pid"]),
        "exited": np.isin(idx, plan.loc[in_year & (plan["ord"] == EXITED) & prev.isin(HELD), "pid"]),
        "year_end": np.isin(at_end, list(HELD)),
    }
    parts = {k: [int(m.sum()), int(area[m].sum())] for k, m in members.items()}
    c = c[c["年度"].astype(int) == year]
    c = c.assign(amount=c["金额（万元）"].astype(float), paid=lambda x: x["支付日期"] != "")
    funds = {}
    for src, g in c.groupby("资金来源"):
        funds[src] = {
            "amount": round(g["amount"].sum(), 6),
            "paid": round(g.loc[g["paid"], "amount"].sum(), 6),
            "kinds": {k: round(v, 6) for k, v in g.groupby("费用类别")["amount"].sum().items()},
        }
    write(out, n, parts, [int(refused.sum()), int(area[refused].sum())], funds)


def write(out, n, parts, refused, funds):
    res = {
        "parcels": n,
        "parts": parts,
        "total": [parts["new_proposed"][0] + parts["new_held"][0], parts["new_proposed"][1] + parts["new_held"][1]],
        "refused": refused,
        "funds": funds,
    }
    json.dump(res, open(out, "w"), ensure_ascii=False, indent=1, default=str)


# ---- DuckDB -------------------------------------------------------------------------------


def duckdb_run(d, year, out):
    import duckdb

    con = duckdb.connect()
    opts = "header=true, all_varchar=true"
    for name, view in (("储备地块", "p0"), ("成本", "c"), ("净地", "r")):
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_csv('{d}/{name}.csv', {opts})")
    pday = lambda col: f"""CASE WHEN NULLIF({col}, '') IS NULL THEN NULL
        WHEN {col} SIMILAR TO '.*(季|Q|q).*' THEN
          last_day(make_date(CAST(substr({col}, 1, 4) AS INT),
            3 * CASE WHEN {col} LIKE '%一%' OR regexp_extract(substr({col}, 5), '[1-4]') = '1' THEN 1
                     WHEN {col} LIKE '%二%' OR regexp_extract(substr({col}, 5), '[1-4]') = '2' THEN 2
                     WHEN {col} LIKE '%三%' OR regexp_extract(substr({col}, 5), '[1-4]') = '3' THEN 3
                     ELSE 4 END, 1))
        ELSE make_date(CAST(substr({col}, 1, 4) AS INT), 12, 31) END"""
    dates = ",\n".join(f"CAST(NULLIF(\"{c}\", '') AS DATE) AS d{i}" for i, c in enumerate(DATE_COLS))
    taken = " UNION ALL ".join(f"SELECT pid, {i} AS ord, d{i} AS day, false AS planned FROM p WHERE d{i} IS NOT NULL" for i in range(6))
    sql = f"""
WITH p AS (
  SELECT row_number() OVER () AS pid, "储备地块编号" AS id,
         CAST("面积（公顷）" AS DECIMAL(18,4)) AS area, {dates},
         {pday('"计划入库年份"')} AS hd, {pday('"计划供应年份（季度）"')} AS sd
  FROM p0
),
taken AS ({taken}),
last AS (SELECT pid, arg_max(ord, (day, ord)) AS ord, max(day) AS day FROM taken GROUP BY pid),
ready AS (
  SELECT p.pid, count(DISTINCT r."项目") AS n FROM p JOIN r ON r."编号" = p.id
  WHERE NULLIF(r."完成日期", '') IS NOT NULL AND CAST(r."完成日期" AS DATE) <= p.sd GROUP BY p.pid
),
s AS (
  SELECT p.*, last.ord AS lord, last.day AS lday, COALESCE(ready.n, 0) AS ready_n,
         hd IS NOT NULL AND year(hd) <= {year} AND d1 IS NULL AS h_ok,
         sd IS NOT NULL AND year(sd) <= {year} AND d4 IS NULL AS s_ok,
         sd IS NULL OR (hd IS NOT NULL AND hd <= sd) AS held_first
  FROM p JOIN last USING (pid) LEFT JOIN ready USING (pid)
),
-- 入库 first (by day), then 供应; or 供应 first, then 入库.
s1 AS (
  SELECT *, held_first AND h_ok AND hd >= lday AND lord = 0 AS add_h1 FROM s
),
s2 AS (
  SELECT *, CASE WHEN add_h1 THEN hd ELSE lday END AS day1, CASE WHEN add_h1 THEN 1 ELSE lord END AS ord1 FROM s1
),
s3 AS (
  SELECT *, s_ok AND sd >= day1 AND ord1 IN (1, 2, 3) AS s_allowed FROM s2
),
s4 AS (
  SELECT *, s_allowed AND ready_n >= {ITEMS} AS add_s,
         s_allowed AND ready_n < {ITEMS} AND year(sd) = {year} AS refused FROM s3
),
s5 AS (
  SELECT *, add_h1 OR (NOT held_first AND h_ok AND NOT add_s AND hd >= day1 AND ord1 = 0) AS add_h FROM s4
),
ev AS (
  SELECT * FROM taken
  UNION ALL SELECT pid, 1, hd, true FROM s5 WHERE add_h
  UNION ALL SELECT pid, 4, sd, true FROM s5 WHERE add_s
),
ev2 AS (
  SELECT *, lag(ord) OVER (PARTITION BY pid ORDER BY day, ord) AS prev,
         row_number() OVER (PARTITION BY pid, ord IN (1, 2, 3) ORDER BY day, ord) AS nth
  FROM ev
),
st AS (
  SELECT pid,
    arg_max(ord, (day, ord)) FILTER (WHERE day <= DATE '{year - 1}-12-31') AS at_start,
    arg_max(ord, (day, ord)) FILTER (WHERE day <= DATE '{year}-12-31') AS at_end,
    bool_or(ord IN (1,2,3) AND nth = 1 AND year(day) = {year} AND planned) AS new_proposed,
    bool_or(ord IN (1,2,3) AND nth = 1 AND year(day) = {year} AND NOT planned) AS new_held,
    bool_or(ord = 2 AND year(day) = {year}) AS prep,
    bool_or(ord = 4 AND year(day) = {year}) AS supp,
    bool_or(ord = 3 AND year(day) = {year}) AS cust,
    bool_or(ord = 5 AND year(day) = {year} AND prev IN (1, 2, 3)) AS exited
  FROM ev2 GROUP BY pid
),
m AS (
  SELECT s5.pid, s5.area, s5.refused,
    COALESCE(at_start IN (1,2,3), false) AS carried_over, new_proposed, new_held,
    prep AS preparation, supp AS supply, COALESCE(at_start = 3, false) OR cust AS custody,
    exited, COALESCE(at_end IN (1,2,3), false) AS year_end
  FROM s5 JOIN st USING (pid)
)
SELECT count(*) AS parcels,
  {", ".join(f"count(*) FILTER (WHERE {k}), CAST(COALESCE(sum(area) FILTER (WHERE {k}), 0) * 10000 AS BIGINT)" for k in PARTS)},
  count(*) FILTER (WHERE refused), CAST(COALESCE(sum(area) FILTER (WHERE refused), 0) * 10000 AS BIGINT)
FROM m
"""
    row = con.execute(sql).fetchone()
    parts = {k: [int(row[1 + 2 * i]), int(row[2 + 2 * i])] for i, k in enumerate(PARTS)}
    refused = [int(row[-2]), int(row[-1])]
    funds = {}
    q = f"""
SELECT "资金来源", "费用类别", sum(CAST("金额（万元）" AS DECIMAL(18,6))),
       COALESCE(sum(CAST("金额（万元）" AS DECIMAL(18,6))) FILTER (WHERE NULLIF("支付日期", '') IS NOT NULL), 0)
FROM c WHERE CAST("年度" AS INT) = {year} GROUP BY ALL ORDER BY ALL
"""
    for src, kind, amount, paid in con.execute(q).fetchall():
        f = funds.setdefault(src, {"amount": Decimal(0), "paid": Decimal(0), "kinds": {}})
        f["amount"] += amount
        f["paid"] += paid
        f["kinds"][kind] = amount
    write(out, int(row[0]), parts, refused, funds)


# ---- compare ------------------------------------------------------------------------------


def landplan_figures(path):
    v = json.load(open(path))
    a = v["annual"]
    units = lambda s: int((Decimal(s) * 10000).to_integral_value())
    parts = {}
    for part in a["parts"]:
        parts[part["id"]] = [len(part["parcels"]), sum(units(x["area_ha"]) for x in part["parcels"])]
    funds = {
        f["name"]: {
            "amount": Decimal(f["amount_wan_yuan"]),
            "paid": Decimal(f["paid_wan_yuan"]),
            "kinds": {k["name"]: Decimal(k["amount_wan_yuan"]) for k in f["kinds"]},
        }
        for f in a["funds"]
    }
    refused = [len(a["refused"]), sum(units(r["area_ha"]) for r in a["refused"])]
    return parts, v["total_ha"], refused, funds


def compare(year, lp_path, peers):
    parts, total, refused, funds = landplan_figures(lp_path)
    ok = True
    for path in peers:
        p = json.load(open(path))
        bad = []
        for k in PARTS:
            if p["parts"][k] != parts[k]:
                bad.append(f"{k}: landplan {parts[k]} peer {p['parts'][k]}")
        # 总量 as the plan states it (公顷 at its decimals, rounded half up).
        dp = len(total.split(".")[1]) if "." in total else 0
        mine = (Decimal(p["total"][1]) / 10000).quantize(Decimal(1).scaleb(-dp), rounding="ROUND_HALF_UP")
        if mine != Decimal(total) or p["total"] != [parts["new_proposed"][0] + parts["new_held"][0], parts["new_proposed"][1] + parts["new_held"][1]]:
            bad.append(f"总量: landplan {total} peer {mine}")
        if p["refused"] != refused:
            bad.append(f"refused: landplan {refused} peer {p['refused']}")
        num = lambda x: Decimal(str(x)).quantize(Decimal("0.000001"))
        pf = {
            s: (num(f["amount"]), num(f["paid"]), {k: num(v) for k, v in f["kinds"].items()})
            for s, f in p["funds"].items()
        }
        lf = {
            s: (num(f["amount"]), num(f["paid"]), {k: num(v) for k, v in f["kinds"].items()})
            for s, f in funds.items()
        }
        if pf != lf:
            bad.append(f"funds: landplan {lf} peer {pf}")
        print(f"landplan vs {path.rsplit('/', 1)[-1]}: {p['parcels']} parcels, "
              f"{len(PARTS)} parts + 总量 + refused + {len(lf)} fund sources: {'agree' if not bad else 'DISAGREE'}")
        for b in bad[:6]:
            print("  " + b)
        ok = ok and not bad
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "pandas":
        pandas_run(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == "duckdb":
        duckdb_run(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == "compare":
        compare(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
