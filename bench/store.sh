#!/usr/bin/env bash
# Benchmark: import N parcels with geometry into the store (GeoPackage and PostgreSQL/PostGIS)
# and compare with ogr2ogr loading the same parcels into the same backends.
#
#   bench/store.sh [N]        (default N = 1000000)
#
# Needs: a release build of landplan (built here), python3, ogr2ogr (gdal-bin), PostgreSQL 15
# with PostGIS (postgresql-15, postgresql-15-postgis-3). Work files go to
# /work/targets/bench-store (override with BENCH_DIR). Prints one line per run:
#   tool backend rows seconds rows_per_second size_bytes
set -euo pipefail

N=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BENCH_DIR:-/work/targets/bench-store}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/targets/store}
mkdir -p "$dir"
(cd "$root" && cargo build --release -p landplan-cli >/dev/null 2>&1)
lp="$CARGO_TARGET_DIR/release/landplan"

ledger="$dir/ledger-$N.csv"
geom="$dir/geom-$N"
if [[ ! -f "$ledger" ]]; then
  "$lp" gen-ledger --parcels "$N" --seed 1 -o "$ledger" --force >/dev/null
fi
if [[ ! -f "$geom.geojsonl" ]]; then
  python3 "$root/bench/store_geom.py" "$ledger" "$geom"
fi

now() { date +%s.%N; }
report() { # tool backend seconds size
  python3 -c "import sys; n=$N; t=float(sys.argv[3]); print(f'{sys.argv[1]:8} {sys.argv[2]:10} {n} {t:.1f}s {n/t:,.0f} rows/s {int(sys.argv[4])/1e6:.1f} MB')" "$@"
}

# --- GeoPackage
rm -f "$dir"/lp.gpkg* "$dir"/ogr.gpkg*
"$lp" init --db "$dir/lp.gpkg" --srid 4527 >/dev/null
t0=$(now)
"$lp" import --db "$dir/lp.gpkg" "$ledger" "$geom.geojsonl" --region 330102 --year 2025 >/dev/null
t1=$(now)
sqlite3_size=$(stat -c %s "$dir/lp.gpkg")
report landplan gpkg "$(echo "$t1 - $t0" | bc)" "$sqlite3_size"

t0=$(now)
ogr2ogr -f GPKG "$dir/ogr.gpkg" "$geom-full.geojsonl" -nln parcel -a_srs EPSG:4527 -nlt MULTIPOLYGON >/dev/null
t1=$(now)
report ogr2ogr gpkg "$(echo "$t1 - $t0" | bc)" "$(stat -c %s "$dir/ogr.gpkg")"

# --- PostgreSQL/PostGIS (a throwaway cluster)
pgdir=$(mktemp -d /tmp/landplan-bench-pg.XXXXXX)
trap 'bash "$root/scripts/pg-test.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
base=$(bash "$root/scripts/pg-test.sh" start "$pgdir")
psql -q "$base" -c "CREATE DATABASE lp" -c "CREATE DATABASE ogr"
lpurl="${base%/postgres}/lp"
ogrurl="${base%/postgres}/ogr"
psql -q "$ogrurl" -c "CREATE EXTENSION postgis"
"$lp" init --db "$lpurl" --srid 4527 >/dev/null
t0=$(now)
"$lp" import --db "$lpurl" "$ledger" "$geom.geojsonl" --region 330102 --year 2025 >/dev/null
t1=$(now)
report landplan postgres "$(echo "$t1 - $t0" | bc)" "$(psql -Atq "$lpurl" -c "SELECT pg_database_size('lp')")"

port=$(cat "$pgdir/port")
t0=$(now)
PG_USE_COPY=YES ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$port user=postgres dbname=ogr" "$geom-full.geojsonl" \
  -nln parcel -a_srs EPSG:4527 -nlt MULTIPOLYGON -lco SPATIAL_INDEX=GIST >/dev/null
t1=$(now)
report ogr2ogr postgres "$(echo "$t1 - $t0" | bc)" "$(psql -Atq "$ogrurl" -c "SELECT pg_database_size('ogr')")"
