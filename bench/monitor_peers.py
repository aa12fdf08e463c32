"""Peers for the monitoring benchmark: each county's five-year 供地率 and idle-parcel count in
SQL, as an analyst would compute them from the same CSV files, and the comparison with
landplan's `monitor --by-region` JSON.

Usage:
  monitor_peers.py duckdb DIR AS_OF OUT.csv
  monitor_peers.py postgresql DIR AS_OF OUT.csv PGHOST PGPORT
  monitor_peers.py compare DIR AS_OF

The figures (the same rules landplan applies, docs/monitor.md):
- exact repeats of a record count once;
- 供地率 over batches approved in the five calendar years before the as-of year: the area of
  records drawing on a batch of the same county, dated on or after its approval and on or
  before the as-of date, over the batches' approved area;
- idle: agreed start a full year before the as-of date (the same calendar day a year later
  counts) and not started by it; or started, halted a full year, with under a third of the
  area developed or under a quarter of the investment made.
"""
import csv
import sys


def sql(as_of, records, batches, flavour):
    year = int(as_of[:4])
    lo, hi = year - 5, year - 1
    d = "DATE" if flavour == "duckdb" else "date"
    num = "DOUBLE" if flavour == "duckdb" else "numeric"
    return f"""
WITH r AS (SELECT DISTINCT * FROM {records}),
b AS (SELECT * FROM {batches}),
rate AS (
  SELECT b."行政区" AS county,
         SUM(CAST(b."批准面积（公顷）" AS {num})) AS approved
  FROM b
  WHERE EXTRACT(YEAR FROM CAST(b."批准日期" AS {d})) BETWEEN {lo} AND {hi}
    AND CAST(b."批准日期" AS {d}) <= {d} '{as_of}'
  GROUP BY 1
),
used AS (
  SELECT b."行政区" AS county, SUM(CAST(r."供应面积（公顷）" AS {num})) AS supplied
  FROM b JOIN r ON r."行政区" = b."行政区" AND r."批准文号" = b."批准文号"
  WHERE EXTRACT(YEAR FROM CAST(b."批准日期" AS {d})) BETWEEN {lo} AND {hi}
    AND CAST(r."合同签订日期" AS {d}) >= CAST(b."批准日期" AS {d})
    AND CAST(r."合同签订日期" AS {d}) <= {d} '{as_of}'
  GROUP BY 1
),
idle AS (
  SELECT r."行政区" AS county, COUNT(*) AS idle
  FROM r
  WHERE (NULLIF(r."约定开工日期", '') IS NOT NULL
         AND CAST(NULLIF(r."约定开工日期", '') AS {d}) + INTERVAL '1 year' <= {d} '{as_of}'
         AND (NULLIF(r."实际开工日期", '') IS NULL
              OR CAST(NULLIF(r."实际开工日期", '') AS {d}) > {d} '{as_of}'))
     OR (NULLIF(r."实际开工日期", '') IS NOT NULL
         AND CAST(NULLIF(r."实际开工日期", '') AS {d}) <= {d} '{as_of}'
         AND NULLIF(r."中止开发日期", '') IS NOT NULL
         AND CAST(NULLIF(r."中止开发日期", '') AS {d}) + INTERVAL '1 year' <= {d} '{as_of}'
         AND (CAST(NULLIF(r."已开发面积（公顷）", '') AS {num}) * 3 < CAST(r."供应面积（公顷）" AS {num})
              OR CAST(NULLIF(r."已投资额（万元）", '') AS {num}) * 100
                 < CAST(NULLIF(r."总投资额（万元）", '') AS {num}) * 25))
  GROUP BY 1
)
SELECT rate.county,
       ROUND(CAST(COALESCE(used.supplied, 0) * 100 / rate.approved AS {num}), 4) AS rate_pct,
       COALESCE(idle.idle, 0) AS idle
FROM rate LEFT JOIN used USING (county) LEFT JOIN idle USING (county)
ORDER BY 1
"""


def write(out, rows):
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["county", "rate_pct", "idle"])
        for county, rate, idle in rows:
            w.writerow([county, f"{float(rate):.4f}", int(idle)])


def duckdb_run(d, as_of, out):
    import duckdb

    con = duckdb.connect()
    opts = "header=true, all_varchar=true"
    con.execute(f"CREATE VIEW records AS SELECT * FROM read_csv('{d}/records.csv', {opts})")
    con.execute(f"CREATE VIEW batches AS SELECT * FROM read_csv('{d}/batches.csv', {opts})")
    write(out, con.execute(sql(as_of, "records", "batches", "duckdb")).fetchall())


def postgresql_run(d, as_of, out, host, port):
    import subprocess

    with open(f"{d}/records.csv", encoding="utf-8") as fh:
        rh = next(csv.reader(fh))
    with open(f"{d}/batches.csv", encoding="utf-8") as fh:
        bh = next(csv.reader(fh))
    cols = lambda h: ", ".join(f'"{c}" text' for c in h)
    script = f"""
DROP TABLE IF EXISTS records, batches;
CREATE TABLE records ({cols(rh)});
CREATE TABLE batches ({cols(bh)});
\\copy records FROM '{host}/records.csv' WITH (FORMAT csv, HEADER true, NULL '\\N')
\\copy batches FROM '{host}/batches.csv' WITH (FORMAT csv, HEADER true, NULL '\\N')
\\copy ({" ".join(sql(as_of, "records", "batches", "postgresql").split())}) TO '{out}' WITH (FORMAT csv, HEADER true)
"""
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "bench", "-d", "postgres"],
        input=script.encode(),
        check=True,
    )
    rows = list(csv.reader(open(out)))[1:]
    write(out, rows)


def compare(d, as_of):
    import json

    lp = json.load(open(f"{d}/landplan.json"))
    mine = {}
    for r in lp["regions"]:
        if r["level"] != "county":
            continue
        ind = {i["id"]: i for i in r["indicators"]}
        rate = ind["supply_rate"]["value"]
        mine[r["code"]] = (f"{float(rate):.4f}" if rate is not None else None, int(ind["idle"]["value"]))
    ok = True
    for peer in ("duckdb", "postgresql"):
        theirs = {row["county"]: (row["rate_pct"], int(row["idle"])) for row in csv.DictReader(open(f"{d}/{peer}.csv"))}
        diff = [c for c in theirs if mine.get(c) != theirs[c]]
        missing = [c for c in mine if c not in theirs]
        print(f"landplan vs {peer}: {len(theirs)} counties, {len(diff)} disagree, {len(missing)} missing")
        for c in diff[:5]:
            print(f"  {c}: landplan {mine.get(c)} {peer} {theirs[c]}")
        ok = ok and not diff and not missing
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "duckdb":
        duckdb_run(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "postgresql":
        postgresql_run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6])
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
