#!/usr/bin/env bash
# A national-size landplan store in PostgreSQL/PostGIS, generated: 31 provinces, their
# prefectures and 2,800 counties (bench/national.py), each county with its published supply
# plans for 2023, 2024 and 2025, 300 parcels with boundaries each, township boundaries, and a
# year of supply records and approval batches.
#
#   bench/national.sh build     build the store (unless built) in a throwaway cluster, stop it
#   bench/national.sh start     start the cluster (building first when needed); prints the URL
#   bench/national.sh stop      stop the cluster
#   bench/national.sh measure   landplan's store queries on it, timed, and EXPLAIN ANALYZE of
#                               the statements they send (server log) — for missing indexes
#   bench/national.sh clean     stop and remove the cluster and the generated files
#
# How (loading 8,400 plans through the CLI would take hours; `build` measures the template and
# prints the extrapolation): `landplan init` registers every region (each in its own audited
# transaction); the first county (the template, 110121) goes through landplan for real —
# gen-ledger with boundaries and townships, import, plan create/submit/approve/publish for
# each year, an adjustment of 2025 (reason, v2 published), supply records and batches — and
# bench/national.sql then copies the template's rows to every other county in SQL: new
# region code and name, new ids, geometry moved onto a grid so that counties do not overlap.
# The copies keep the schema's constraints and the rows' meaning, but not the audit chain: a
# copied row's seal and hash still describe the template's row, so `landplan audit verify`
# reports the chain broken at the first copied entry (the template's own chain before it is
# valid). Keep `audit
# verify` out of benchmarks on this store.
#
# Environment: COUNTIES=2800 PARCELS=300  NATIONAL_DIR=/work/targets/bench-national
#              LANDPLAN_BIN=PATH (else the release build of this checkout)
# Needs: PostgreSQL 15 + PostGIS (postgresql-15, postgresql-15-postgis-3), python3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
dir=${NATIONAL_DIR:-/work/targets/bench-national}
counties=${COUNTIES:-2800}
parcels=${PARCELS:-300}
years=(2023 2024 2025)
pgdir=$dir/pg
cmd=${1:-build}

binary() {
  if [ -n "${LANDPLAN_BIN:-}" ]; then
    lp=$LANDPLAN_BIN
  else
    (cd "$here" && nice cargo build --release -q --locked -p landplan-cli)
    lp=$CARGO_TARGET_DIR/release/landplan
  fi
}
now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
start_cluster() {
  local base
  if [ -f "$pgdir/data/postmaster.pid" ] && [ -f "$pgdir/port" ] &&
    psql -X -q -At "postgres://postgres@127.0.0.1:$(cat "$pgdir/port")/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
    echo "postgres://postgres@127.0.0.1:$(cat "$pgdir/port")/national"
    return
  fi
  : > "$pgdir/server.log" 2>/dev/null || true
  base=$(bash "$here/scripts/pg-test.sh" start "$pgdir")
  echo "${base%/postgres}/national"
}

build() {
  if [ -f "$dir/built" ]; then
    echo "已生成：$dir（重新生成：$0 clean）" >&2
    return
  fi
  binary
  rm -rf "$pgdir" "$dir/work"
  mkdir -p "$dir/work"
  local w=$dir/work t0 t1 url
  t0=$(now)
  url=$(start_cluster)
  trap 'bash "$here/scripts/pg-test.sh" stop "$pgdir"' EXIT
  psql -q "${url%/national}/postgres" -c "CREATE DATABASE national"
  python3 "$here/bench/national.py" regions "$counties" "$w"
  local tcode tname
  tcode=$(awk -F'\t' '$1 == 0 {print $2}' "$w/counties.tsv")
  tname=$(awk -F'\t' '$1 == 0 {print $3}' "$w/counties.tsv")

  # Every region through landplan (audited), 31 + prefectures + counties.
  local a
  a=$(now)
  mapfile -t region_args < "$w/regions.args"
  "$lp" init --db "$url" --srid 4527 "${region_args[@]}" --user 基准 >/dev/null
  echo "regions: ${#region_args[@]} registered by landplan init in $(secs "$a" "$(now)") s" >&2

  # The template county through landplan, timed per plan.
  local db=(--db "$url" --user 基准) y s plan_secs=()
  for y in "${years[@]}"; do
    s=$(now)
    "$lp" gen-ledger --parcels "$parcels" --seed "$y" --year "$y" --region "$tcode=$tname" --zone 39 \
      -o "$w/ledger-$y.csv" --boundaries "$w/parcels-$y.txt" --townships "$w/townships.geojson" --force 2>/dev/null
    "$lp" import "${db[@]}" "$w/ledger-$y.csv" "$w/parcels-$y.txt" --region "$tcode" --year "$y" >/dev/null
    "$lp" plan create "${db[@]}" --region "$tcode" --year "$y" >/dev/null
    "$lp" plan submit "${db[@]}" --region "$tcode" --year "$y" --reason 报请审批 >/dev/null
    "$lp" plan approve "${db[@]}" --region "$tcode" --year "$y" >/dev/null
    "$lp" plan publish "${db[@]}" --region "$tcode" --year "$y" >/dev/null
    plan_secs+=("$(secs "$s" "$(now)")")
  done
  "$lp" import "${db[@]}" "$w/townships.geojson" --region "$tcode" >/dev/null
  # 2025 adjusted once: a new version (the same parcels), submitted, approved, published.
  "$lp" plan adjust "${db[@]}" --region "$tcode" --year 2025 --reason "年中调整：调整部分地块供应时序" >/dev/null
  "$lp" plan submit "${db[@]}" --region "$tcode" --year 2025 >/dev/null
  "$lp" plan approve "${db[@]}" --region "$tcode" --year 2025 >/dev/null
  "$lp" plan publish "${db[@]}" --region "$tcode" --year 2025 >/dev/null
  # A year of supply records and approval batches for 2025.
  "$lp" gen-records --ledger "$w/ledger-2025.csv" --year 2025 --seed 1 --region-code "$tcode" \
    -o "$w/records.csv" --batches "$w/batches.csv" --force 2>/dev/null
  "$lp" import "${db[@]}" "$w/records.csv" --as records --region "$tcode" >/dev/null
  "$lp" import "${db[@]}" "$w/batches.csv" --as batches --region "$tcode" >/dev/null
  "$lp" audit verify --db "$url" >/dev/null
  python3 - "$counties" "${plan_secs[@]}" <<'PY' >&2
import statistics, sys
n, t = int(sys.argv[1]), [float(x) for x in sys.argv[2:]]
m = statistics.median(t)
print(f"template county: one plan (gen-ledger, import with boundaries, create, submit, approve, "
      f"publish) takes {m:.1f} s (median of {len(t)}); {n} counties × 3 years through the CLI "
      f"would take about {n * 3 * m / 3600:.1f} h")
PY

  # Every other county: the template's rows copied in SQL.
  a=$(now)
  psql -q -X -v ON_ERROR_STOP=1 -v counties="$w/counties.tsv" -f "$here/bench/national.sql" "$url" >&2
  echo "copies: $(secs "$a" "$(now)") s" >&2
  psql -q -X "$url" -c "VACUUM ANALYZE" >&2
  psql -X -A -F ' ' -t "$url" <<'SQL' >&2
SELECT 'regions', count(*) FROM region;
SELECT 'plans', count(*) FROM plan;
SELECT 'plan versions', count(*) FROM plan_version;
SELECT 'parcels', count(*) FROM parcel;
SELECT 'townships', count(*) FROM township;
SELECT 'supply records', count(*) FROM supply_record;
SELECT 'audit entries', count(*) FROM audit_log;
SELECT 'database MB', pg_database_size(current_database()) / 1000000;
SQL
  t1=$(now)
  echo "built in $(secs "$t0" "$t1") s: $dir" >&2
  bash "$here/scripts/pg-test.sh" stop "$pgdir"
  trap - EXIT
  date -u +%FT%TZ > "$dir/built"
}

# Time a landplan command: the best of 3 runs.
timed() {
  local label=$1; shift
  local best="" s e
  for _ in 1 2 3; do
    s=$(now)
    "$@" >/dev/null 2>&1 || [ $? -eq 1 ] # monitor: 1 = warnings
    e=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$s" "$(now)")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$e" "$best"; then best=$e; fi
  done
  printf '%-44s %6s s\n' "$label" "$best"
}

measure() {
  binary
  local url
  url=$(start_cluster)
  trap 'bash "$here/scripts/pg-test.sh" stop "$pgdir"' EXIT
  local w=$dir/work
  local code
  code=$(awk -F'\t' -v n="$(( $(wc -l < "$w/counties.tsv") / 2 ))" '$1 == n {print $2}' "$w/counties.tsv")
  echo "machine: nproc=$(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  timed "plan list --format json" "$lp" plan list --db "$url" --format json
  timed "plan list --year 2025 --format json" "$lp" plan list --db "$url" --year 2025 --format json
  timed "plan show $code 2025 --format json" "$lp" plan show --db "$url" --region "$code" --year 2025 --format json
  timed "plan export $code 2025 geojson" "$lp" plan export --db "$url" --region "$code" --year 2025 --format geojson -o "$w/export.geojson" --force
  timed "monitor $code 2025" "$lp" monitor --db "$url" --region "$code" --year 2025 --as-of 2025-09-30 --format json -o "$w/monitor.json" --force
  # The statements one plan page needs, as the store sends them, with their plans.
  local pid
  pid=$(psql -X -At "$url" -c "SELECT p.id FROM plan p WHERE p.region = '$code' AND p.year = 2025")
  psql -X "$url" <<SQL
\timing on
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT p.region, p.year, p.kind, p.id, v.id, v.version, v.status, v.import_id, v.reason, v.total_ha, v.parcel_count, v.created_by, v.created_at FROM plan_version v JOIN plan p ON p.id = v.plan_id ORDER BY p.region, p.year, p.kind, v.version;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT p.region, p.year, p.kind, p.id, v.id, v.version, v.status, v.import_id, v.reason, v.total_ha, v.parcel_count, v.created_by, v.created_at FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE p.region = '$code' AND p.year = 2025 AND p.kind = 'supply' ORDER BY v.version;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT v.version, e.action, e.from_status, e.to_status, e.user_name, e.at, e.reason FROM plan_event e JOIN plan_version v ON v.id = e.version_id WHERE v.plan_id = $pid ORDER BY e.id;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT fid, ST_AsBinary(geom), data FROM parcel WHERE import_id = (SELECT import_id FROM plan_version WHERE plan_id = $pid ORDER BY version DESC LIMIT 1) ORDER BY fid;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT seq, hash FROM audit_log WHERE entity = 'plan:$code/2025/supply' ORDER BY seq;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT fid, name FROM township WHERE county = '$code' ORDER BY name;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT region, data FROM supply_record WHERE region LIKE '$code%' ORDER BY row_no, id;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT v.id FROM plan_version v WHERE v.import_id = (SELECT import_id FROM plan_version WHERE plan_id = $pid LIMIT 1);
SQL
  bash "$here/scripts/pg-test.sh" stop "$pgdir"
}

case "$cmd" in
  build) build ;;
  start)
    build
    start_cluster
    ;;
  stop) bash "$here/scripts/pg-test.sh" stop "$pgdir" ;;
  measure)
    build
    measure
    ;;
  clean)
    bash "$here/scripts/pg-test.sh" stop "$pgdir"
    rm -rf "$dir"
    ;;
  *)
    echo "用法：$0 build|start|stop|measure|clean" >&2
    exit 2
    ;;
esac
