#!/usr/bin/env bash
# Overlay benchmark: per-parcel intersection area of parcels with a farmland layer, by
# landplan, GeoPandas + shapely 2, DuckDB spatial (both from PyPI) and PostGIS (Debian), on the
# same GeoPackages written once by a deterministic generator. Results are compared (1e-6
# relative); time and peak memory are printed as a Markdown table.
#
# Usage: [REPEAT=3] bench/overlay.sh [small|medium|issue|large ...]    (default: small medium)
#   small  =   1,000 parcels ×    10,000 farmland polygons
#   medium =  10,000 parcels ×   100,000 farmland polygons
#   issue  = 100,000 parcels ×   300,000 farmland polygons (the size issue 11 was measured at)
#   large  = 100,000 parcels × 1,000,000 farmland polygons
# Every tool runs REPEAT times in turn (landplan, its one-thread run, GeoPandas, DuckDB,
# PostGIS, then again); the table shows each tool's median time and peak memory.
# Needs: cargo, python3-venv, gdal-bin (ogr2ogr), postgresql-15-postgis-3, GNU time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/targets/spatial}"
work="${BENCH_DIR:-/work/targets/bench-overlay}"
venv=/work/targets/venv-bench
threads="${THREADS:-$(nproc)}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(small medium)
mkdir -p "$work"

# Two builds: `--example` given with `-p landplan-cli` would build the example alone.
(cd "$here" && cargo build --release -q -p landplan-cli && cargo build --release -q -p landplan-geoio --example gen_layers)
landplan="$CARGO_TARGET_DIR/release/landplan"
gen="$CARGO_TARGET_DIR/release/examples/gen_layers"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q geopandas shapely pyogrio duckdb duckdb-ext-spatial
py="$venv/bin/python"

repeat="${REPEAT:-3}"
timed() { # timed LABEL CMD... → appends "LABEL seconds maxrss_kb" to $work/times
  local label=$1; shift
  # Dirty pages of the previous tool (PostGIS's load writes ~1 GB) are flushed first, outside the
  # timing: otherwise the next tool to fsync (landplan's output is written to a temporary file,
  # fsynced and renamed, so that no half-written report is left) pays for them.
  sync
  /usr/bin/time -f "$label %e %M" -a -o "$work/times" "$@"
}

to_csv() { # landplan JSON → id,overlap_m2
  "$py" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as fh:
    fh.write("id,overlap_m2\n")
    for p in sorted(d["parcels"], key=lambda p: p["id"]):
        fh.write(f'{p["id"]},{float(p["layers"][0]["overlap_m2"]):.6f}\n')
PY
}

# A throwaway PostgreSQL cluster (as user postgres: initdb refuses root) on a free port.
pg=/usr/lib/postgresql/15/bin
pgdir=$(mktemp -d /tmp/bench-pg.XXXXXX)
chown postgres "$pgdir"
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pg/initdb" -D "$pgdir/data" -U bench --auth=trust -E UTF8 >/dev/null
runuser -u postgres -- "$pg/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o \
  "-p $port -k $pgdir -c listen_addresses='' -c shared_buffers=512MB -c work_mem=256MB -c max_parallel_workers_per_gather=$threads -c max_worker_processes=8" start >/dev/null
trap 'runuser -u postgres -- "$pg/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
psqlc() { psql -X -q -h "$pgdir" -p "$port" -U bench -d postgres "$@"; }
psqlc -c "CREATE EXTENSION postgis"

: > "$work/times"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
for size in "${sizes[@]}"; do
  case $size in
    small) np=1000; nf=10000 ;;
    medium) np=10000; nf=100000 ;;
    issue) np=100000; nf=300000 ;;
    large) np=100000; nf=1000000 ;;
    *) echo "unknown size $size" >&2; exit 2 ;;
  esac
  d="$work/$size"
  if [ ! -f "$d/farmland.gpkg" ]; then
    "$gen" --out "$d" --parcels $np --farmland $nf --seed 2026
  fi
  for run in $(seq "$repeat"); do
  timed "$size landplan" "$landplan" overlay --parcels "$d/parcels.gpkg" \
    --layer "永久基本农田=$d/farmland.gpkg:forbid" --threads "$threads" --format json -o "$d/landplan.json" --force || true
  timed "$size landplan-1core" "$landplan" overlay --parcels "$d/parcels.gpkg" \
    --layer "永久基本农田=$d/farmland.gpkg:forbid" --threads 1 --format json -o "$d/landplan1.json" --force || true
  rm -f "$d/geopandas.csv" "$d/duckdb.csv" "$d/postgis.csv"
  timed "$size geopandas" "$py" "$here/bench/overlay_peers.py" geopandas "$d" "$d/geopandas.csv" || echo "$size: geopandas failed"
  timed "$size duckdb" "$py" "$here/bench/overlay_peers.py" duckdb "$d" "$d/duckdb.csv" "$threads" || echo "$size: duckdb failed"
  # PostGIS: load with ogr2ogr (timed apart), then the query with a GiST index.
  psqlc -c "DROP TABLE IF EXISTS parcels, farmland"
  pgconn="PG:host=$pgdir port=$port user=bench dbname=postgres"
  timed "$size postgis-load" sh -c "ogr2ogr -f PostgreSQL '$pgconn' '$d/parcels.gpkg' -nln parcels -lco GEOMETRY_NAME=geom && ogr2ogr -f PostgreSQL '$pgconn' '$d/farmland.gpkg' -nln farmland -lco GEOMETRY_NAME=geom && psql -X -q -h '$pgdir' -p $port -U bench -d postgres -c 'ANALYZE parcels; ANALYZE farmland'"
  timed "$size postgis" psql -X -q -h "$pgdir" -p "$port" -U bench -d postgres -c \
    "\\copy (SELECT p.\"地块编号\" AS id, to_char(COALESCE(SUM(ST_Area(ST_Intersection(p.geom, f.geom))), 0), 'FM999999999990.000000') AS overlap_m2 FROM parcels p LEFT JOIN farmland f ON ST_Intersects(p.geom, f.geom) GROUP BY 1 ORDER BY 1) TO '$d/postgis.csv' WITH CSV HEADER"
  done
  to_csv "$d/landplan.json" "$d/landplan.csv"
  for peer in geopandas duckdb postgis; do
    echo -n "$size landplan vs $peer: "
    if [ -f "$d/$peer.csv" ]; then
      "$py" "$here/bench/overlay_compare.py" "$d/landplan.csv" "$d/$peer.csv" || echo "DISAGREE"
    else
      echo "no result"
    fi
  done
done

echo
echo "| size | tool | seconds | peak RSS (MB) | landplan is N× faster |"
echo "|---|---|---|---|---|"
"$py" - "$work/times" <<'PY'
import sys
import statistics
rows = [l.split() for l in open(sys.argv[1])]
rows = [r for r in rows if len(r) == 4 and r[2].replace(".", "").isdigit()]
runs = {}
for size, tool, s, kb in rows:
    runs.setdefault((size, tool), []).append((float(s), int(kb)))
t = {k: (statistics.median(s for s, _ in v), max(kb for _, kb in v), len(v)) for k, v in runs.items()}
for (size, tool), (s, kb, n) in t.items():
    lp = t.get((size, "landplan"), (None,))[0]
    ratio = f"{s / lp:.1f}" if lp and tool not in ("landplan",) and not tool.startswith("postgis-load") else ""
    mem = f"{kb / 1024:.0f}" if not tool.startswith("postgis") else "(server)"
    print(f"| {size} | {tool} | {s:.2f} (median of {n}) | {mem} | {ratio} |")
PY
