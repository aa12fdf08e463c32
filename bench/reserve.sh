#!/usr/bin/env bash
# The reserve at growing size: one generated county of N reserve parcels (`landplan gen-reserve
# --parcels N --seed 1 --year 2026`, written once as the four CSV files and once as an .xlsx
# workbook), and the annual plan of YEAR (default 2027, the record's year: every part has
# parcels, and one parcel in 24 is refused from supply) computed by
#   - landplan reserve plan --ledger … --year YEAR --format json (from the CSV files and from
#     the workbook): the six parts, 总量, 资金需求;
#   - landplan from its store (STORE=1, default): the CSV files imported (`reserve import`)
#     into a fresh GeoPackage and into a fresh PostgreSQL database of a throwaway cluster,
#     then `reserve plan --region 990101` — import and plan timed apart;
#   - the peers an analyst would use (bench/reserve_peers.py): pandas on the CSV files and on
#     the workbook (openpyxl), DuckDB SQL on the CSV files — parcel count and 公顷 of every part,
#     总量, the parcels refused from supply, costs by source and kind.
# Every peer's figures and the store runs' figures must agree with landplan's from the files
# (checked on the last run of each size) before the table is printed: median wall time of
# REPEAT runs, peak RSS (GNU time), and the ratio to landplan on the CSV files.
#
# Usage: [SIZES="1000 10000 100000"] [REPEAT=3] [YEAR=2027] [STORE=1|gpkg|0] [XLSX_PEER_MAX=10000]
#        [LANDPLAN_BIN=…] bench/reserve.sh
# STORE=gpkg times the GeoPackage only (the PostgreSQL import grows faster than linearly: see
# docs/BENCHMARKS.md); pandas on the workbook (openpyxl) is skipped above XLSX_PEER_MAX parcels
# (36 s at 10,000, 87 s at 100,000).
# Needs: cargo (unless LANDPLAN_BIN), python3-venv (pandas, openpyxl, DuckDB from PyPI),
# PostgreSQL 15 (Debian) when STORE=1, GNU time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
work="${BENCH_DIR:-/work/targets/bench-reserve}"
venv=/work/targets/venv-bench
repeat="${REPEAT:-3}"
sizes="${SIZES:-1000 10000 100000}"
year="${YEAR:-2027}"
store="${STORE:-1}"
xlsx_peer_max="${XLSX_PEER_MAX:-10000}"
county=990101
mkdir -p "$work"

if [ -n "${LANDPLAN_BIN:-}" ]; then
  lp="$LANDPLAN_BIN"
else
  (cd "$here" && cargo build --release -q -p landplan-cli)
  lp="$CARGO_TARGET_DIR/release/landplan"
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q pandas duckdb openpyxl
py="$venv/bin/python"
peers="$here/bench/reserve_peers.py"

timed() { local label=$1; shift; /usr/bin/time -f "$label %e %U %S %M" -a -o "$work/times" "$@"; }

if [ "$store" = 1 ]; then
  # PostgreSQL: a throwaway cluster on a free port (as user postgres: initdb refuses root).
  pg=/usr/lib/postgresql/15/bin
  pgdir=$(mktemp -d /tmp/bench-pg.XXXXXX); chown postgres "$pgdir"
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$pg/initdb" -D "$pgdir/data" -U bench --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$pg/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  trap 'runuser -u postgres -- "$pg/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
fi

: > "$work/times"
for n in $sizes; do
  dir="$work/n$n"; book="$work/n$n.xlsx"
  if [ ! -f "$dir/障碍.csv" ]; then
    "$lp" gen-reserve --parcels "$n" --seed 1 --year 2026 -o "$dir" --force
    "$lp" gen-reserve --parcels "$n" --seed 1 --year 2026 -o "$book" --force
  fi
  csvs=("$dir/储备地块.csv" "$dir/成本.csv" "$dir/净地.csv" "$dir/障碍.csv")
  out="$work/out$n"; mkdir -p "$out"
  for run in $(seq "$repeat"); do
    timed "$n landplan-csv" sh -c "'$lp' reserve plan --ledger ${csvs[*]} --year $year --name 示例县 --format json > '$out/landplan.json'"
    timed "$n landplan-xlsx" sh -c "'$lp' reserve plan --ledger '$book' --year $year --name 示例县 --format json > '$out/landplan-xlsx.json'"
    timed "$n pandas-csv" "$py" "$peers" pandas "$dir" "$year" "$out/pandas-csv.json"
    if [ "$n" -le "$xlsx_peer_max" ]; then
      timed "$n pandas-xlsx" "$py" "$peers" pandas "$book" "$year" "$out/pandas-xlsx.json"
    fi
    timed "$n duckdb-csv" "$py" "$peers" duckdb "$dir" "$year" "$out/duckdb-csv.json"
    if [ "$store" != 0 ]; then
      gpkg="$work/store.gpkg"; rm -f "$gpkg" "$gpkg-wal" "$gpkg-shm"
      "$lp" init --db "$gpkg" >/dev/null
      timed "$n landplan-gpkg-import" sh -c "'$lp' reserve --db '$gpkg' import --region $county ${csvs[*]} >/dev/null"
      timed "$n landplan-gpkg-plan" sh -c "'$lp' reserve --db '$gpkg' plan --region $county --year $year --format json > '$out/landplan-gpkg.json'"
    fi
    if [ "$store" = 1 ]; then
      pgdb="lp_reserve_$run"
      PGOPTIONS="-c client_min_messages=warning" psql -X -q -h "$pgdir" -p "$port" -U bench -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb" >/dev/null
      pgurl="postgres://bench@127.0.0.1:$port/$pgdb"
      "$lp" init --db "$pgurl" >/dev/null
      timed "$n landplan-pg-import" sh -c "'$lp' reserve --db '$pgurl' import --region $county ${csvs[*]} >/dev/null"
      timed "$n landplan-pg-plan" sh -c "'$lp' reserve --db '$pgurl' plan --region $county --year $year --format json > '$out/landplan-pg.json'"
    fi
  done
  if [ "$n" = "${sizes%% *}" ]; then
    # The other plan years of the record too (untimed): Y−1 has supplies taken, Y+1 planned
    # 入库 and planned supplies that are ready.
    for y in $((year - 1)) $((year + 1)); do
      "$lp" reserve plan --ledger "${csvs[@]}" --year $y --name 示例县 --format json > "$out/landplan-$y.json"
      "$py" "$peers" pandas "$dir" $y "$out/pandas-$y.json"
      "$py" "$peers" duckdb "$dir" $y "$out/duckdb-$y.json"
      echo "== $n parcels, plan year $y (untimed)"
      "$py" "$peers" compare $y "$out/landplan-$y.json" "$out/pandas-$y.json" "$out/duckdb-$y.json"
    done
  fi
  others=("$out/landplan-xlsx.json")
  [ "$store" != 0 ] && others+=("$out/landplan-gpkg.json")
  [ "$store" = 1 ] && others+=("$out/landplan-pg.json")
  echo "== $n parcels, plan year $year"
  got=("$out/pandas-csv.json" "$out/duckdb-csv.json")
  [ "$n" -le "$xlsx_peer_max" ] && got+=("$out/pandas-xlsx.json")
  "$py" "$peers" compare "$year" "$out/landplan.json" "${got[@]}"
  for o in "${others[@]}"; do
    "$py" - "$out/landplan.json" "$o" <<'PY'
import json, sys
def norm(v):
    # The store lists parcels by 编号, the files in their row order: compare as sets.
    a = v["annual"]
    for part in a["parts"]:
        part["parcels"].sort(key=lambda x: x["id"])
    a["refused"].sort(key=lambda x: x["id"])
    return a, v["total_ha"]
a, b = (norm(json.load(open(p))) for p in sys.argv[1:3])
same = a == b
print(f"landplan from {sys.argv[2].rsplit('/', 1)[-1]}: {'the same parts, 总量 and funds as from the CSV files' if same else 'DIFFERS'}")
sys.exit(0 if same else 1)
PY
  done
done

echo
echo "| parcels | tool | wall s (median of $repeat) | CPU s | peak RSS MiB | wall ÷ landplan (CSV) | CPU ÷ landplan (CSV) |"
echo "|---:|---|---:|---:|---:|---:|---:|"
"$py" - "$work/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 6 and p[2].replace(".", "").isdigit():
        runs.setdefault((int(p[0]), p[1]), []).append((float(p[2]), float(p[3]) + float(p[4]), int(p[5])))
for (n, tool), v in runs.items():
    wall = statistics.median(w for w, _, _ in v)
    cpu = statistics.median(c for _, c, _ in v)
    mem = max(m for _, _, m in v) / 1024
    base = statistics.median(w for w, _, _ in runs[(n, "landplan-csv")])
    base_cpu = statistics.median(c for _, c, _ in runs[(n, "landplan-csv")])
    note = " (client)" if tool.startswith("landplan-pg") else ""
    print(f"| {n:,} | {tool} | {wall:.2f} | {cpu:.2f} | {mem:.0f}{note} | {wall / base:.2f} | {cpu / max(base_cpu, 0.01):.2f} |")
PY
