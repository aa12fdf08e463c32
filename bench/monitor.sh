#!/usr/bin/env bash
# Monitoring at province scale: 100 counties (10 prefectures × 10) × 5 plan years of generated
# supply records and approval batches (landplan gen-ledger + gen-records, deterministic), judged
# on one as-of date by
#   - landplan monitor --by-region on the CSV files (every county's follow-up, 批而未供, 供地率,
#     roll-up);
#   - landplan from its store: the files imported (`import --as records|batches --region 990000`)
#     into a GeoPackage and into PostgreSQL (a database of the throwaway cluster below), then
#     `landplan monitor --db … --region 990000` (the province: its counties rolled up);
#   - the same figures in SQL as an analyst would write them: DuckDB (PyPI) and PostgreSQL.
# All agree on each county's five-year 供地率 and idle-parcel count (checked; the two store runs
# must print exactly the file run's JSON), and the script prints time and peak memory as a
# Markdown table, median of REPEAT runs (imports timed apart from the judgement).
#
# Usage: [REPEAT=3] [COUNTIES=100] bench/monitor.sh
# Needs: cargo, python3-venv (DuckDB from PyPI), PostgreSQL 15 (Debian), GNU time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
work="${BENCH_DIR:-/work/targets/bench-monitor}"
venv=/work/targets/venv-bench
repeat="${REPEAT:-3}"
counties="${COUNTIES:-100}"
as_of=2025-12-31
mkdir -p "$work"

(cd "$here" && cargo build --release -q -p landplan-cli)
lp="$CARGO_TARGET_DIR/release/landplan"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q duckdb
py="$venv/bin/python"

# The province: county codes 99PPCC, prefectures PP = 01..10, counties CC = 01..10.
if [ ! -f "$work/records.csv" ]; then
  gen="$work/gen"; mkdir -p "$gen"
  n=0
  for p in $(seq -w 1 10); do
    for c in $(seq -w 1 10); do
      n=$((n + 1)); [ "$n" -gt "$counties" ] && break 2
      code="99${p}${c}"
      for y in 2021 2022 2023 2024 2025; do
        seed=$((10#$p * 1000 + 10#$c * 10 + y - 2020))
        "$lp" gen-ledger --parcels 120 --seed "$seed" --year "$y" -o "$gen/l$code-$y.csv" --force 2>/dev/null
        "$lp" gen-records --ledger "$gen/l$code-$y.csv" --seed "$seed" --year "$y" --region-code "$code" \
          -o "$gen/r$code-$y.csv" --batches "$gen/b$code-$y.csv" --force 2>/dev/null
      done
    done
  done
  "$py" - "$gen" "$work" <<'PY'
import glob, sys
gen, work = sys.argv[1], sys.argv[2]
for kind, out in (("r", "records.csv"), ("b", "batches.csv")):
    lines = []
    for i, f in enumerate(sorted(glob.glob(f"{gen}/{kind}99*.csv"))):
        t = open(f, encoding="utf-8-sig").read().splitlines()
        lines += t if not lines else t[1:]
    open(f"{work}/{out}", "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
  rm -rf "$gen"
fi
echo "province: $(($(wc -l < "$work/records.csv") - 1)) supply records, $(($(wc -l < "$work/batches.csv") - 1)) batches, $counties counties"

timed() { local label=$1; shift; /usr/bin/time -f "$label %e %M" -a -o "$work/times" "$@"; }

# PostgreSQL: a throwaway cluster on a free port (as user postgres: initdb refuses root).
pg=/usr/lib/postgresql/15/bin
pgdir=$(mktemp -d /tmp/bench-pg.XXXXXX); chown postgres "$pgdir"
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pg/initdb" -D "$pgdir/data" -U bench --auth=trust -E UTF8 >/dev/null
runuser -u postgres -- "$pg/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
trap 'runuser -u postgres -- "$pg/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
cp "$work/records.csv" "$work/batches.csv" "$pgdir/"; chmod a+r "$pgdir"/*.csv

: > "$work/times"
for run in $(seq "$repeat"); do
  timed "landplan" sh -c "'$lp' monitor --records '$work/records.csv' --batches '$work/batches.csv' --as-of $as_of --by-region --format json -o '$work/landplan.json' --force || true"
  timed "duckdb" "$py" "$here/bench/monitor_peers.py" duckdb "$work" "$as_of" "$work/duckdb.csv"
  timed "postgresql" "$py" "$here/bench/monitor_peers.py" postgresql "$work" "$as_of" "$work/postgresql.csv" "$pgdir" "$port"
  # landplan's own store: a fresh GeoPackage and a fresh PostgreSQL database each run.
  gpkg="$work/store.gpkg"; rm -f "$gpkg" "$gpkg-wal" "$gpkg-shm"
  "$lp" init --db "$gpkg" --region 990000=示例省 >/dev/null
  timed "landplan-gpkg-import" sh -c "'$lp' import '$work/records.csv' --as records --db '$gpkg' --region 990000 >/dev/null && '$lp' import '$work/batches.csv' --as batches --db '$gpkg' --region 990000 >/dev/null"
  timed "landplan-gpkg" sh -c "'$lp' monitor --db '$gpkg' --region 990000 --as-of $as_of --format json -o '$work/landplan-gpkg.json' --force || true"
  pgdb="lp_bench_$run"
  psql -X -q -h "$pgdir" -p "$port" -U bench -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb" >/dev/null
  pgurl="postgres://bench@127.0.0.1:$port/$pgdb"
  "$lp" init --db "$pgurl" --region 990000=示例省 >/dev/null
  timed "landplan-pg-import" sh -c "'$lp' import '$work/records.csv' --as records --db '$pgurl' --region 990000 >/dev/null && '$lp' import '$work/batches.csv' --as batches --db '$pgurl' --region 990000 >/dev/null"
  timed "landplan-pg" sh -c "'$lp' monitor --db '$pgurl' --region 990000 --as-of $as_of --format json -o '$work/landplan-pg.json' --force || true"
done
"$py" "$here/bench/monitor_peers.py" compare "$work" "$as_of"
for store in gpkg pg; do
  if cmp -s "$work/landplan.json" "$work/landplan-$store.json"; then
    echo "landplan from its store ($store): the same JSON as from the files"
  else
    echo "landplan from its store ($store) differs from the file run" >&2; exit 1
  fi
done

echo
echo "| tool | seconds (median of $repeat) | peak RSS (MB) | landplan is N× faster |"
echo "|---|---|---|---|"
"$py" - "$work/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 3 and p[1].replace(".", "").isdigit():
        runs.setdefault(p[0], []).append((float(p[1]), int(p[2])))
med = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
lp = med["landplan"][0]
for k, (s, m) in med.items():
    ratio = "" if k.startswith("landplan") else f"{s / lp:.1f}"
    mem = f"{m / 1024:.0f}" if k not in ("postgresql", "landplan-pg", "landplan-pg-import") else f"{m / 1024:.0f} (client; server apart)"
    print(f"| {k} | {s:.2f} | {mem} | {ratio} |")
PY
