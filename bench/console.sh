#!/usr/bin/env bash
# Load benchmark of the staff console (issue 17): 50 signed-in users browsing the console of a
# generated province on PostgreSQL/PostGIS at the same time; p99 latency per page.
#
# The province 990000 (示例省): PREFECTURES prefectures 99PP00 × COUNTIES_PER counties 99PPCC, each
# county with its 2025 supply plan (gen-ledger, PARCELS parcels, compiled, submitted, approved,
# published, then adjusted once and published again), a year of supply records and approval batches (gen-records), and a second plan
# of 2026 left submitted (waiting for review). Accounts (USERS, default 50): one editor per
# county (round robin), a reviewer per prefecture, a publisher and an admin for the province;
# each signs in once through POST /api/login (its own session cookie).
#
# Per page, wrk with USERS connections runs DURATION; every request carries the session cookie
# of the next user (bench/console.lua), so the 50 connections are 50 users with their own
# regions: the workspace (/console), a plan page of the user's county, the version page with its
# difference from the last published version, the compiled version (indicators, charts, the
# checker's report), the monitoring dashboard of the user's region, the imports page.
# Output: "page path-template requests/s p50(ms) p99(ms) non-2xx" per page, and a Markdown table.
#
# Usage: bench/console.sh
# Environment: USERS=50 DURATION=10s THREADS=2 PREFECTURES=3 COUNTIES_PER=10 PARCELS=300
#              LANDPLAN_BIN=PATH (else the release build) BENCH_DIR=/work/targets/bench-console
# Needs: wrk, curl, PostgreSQL 15 + PostGIS (Debian), the release build of landplan.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
work=${BENCH_DIR:-/work/targets/bench-console}
users=${USERS:-50}
duration=${DURATION:-10s}
threads=${THREADS:-2}
prefectures=${PREFECTURES:-3}
per=${COUNTIES_PER:-10}
parcels=${PARCELS:-300}
mkdir -p "$work"
rm -f "$work/results.tsv"
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool：apt-get install wrk curl" >&2; exit 3; }
done
if [ -n "${LANDPLAN_BIN:-}" ]; then
  lp=$LANDPLAN_BIN
else
  (cd "$here" && nice cargo build --release -q --locked -p landplan-cli)
  lp=$CARGO_TARGET_DIR/release/landplan
fi

pgdir=$(mktemp -d /tmp/bench-console-pg.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  bash "$here/scripts/pg-test.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
base=$(bash "$here/scripts/pg-test.sh" start "$pgdir" | tail -n 1)
psql=$(ls /usr/lib/postgresql/*/bin/psql | tail -n 1)
"$psql" "$base" -q -c "CREATE DATABASE lp_console" >/dev/null
db="${base%/postgres}/lp_console"

echo "machine: nproc=$(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
regions=(--region 990000=示例省)
counties=()
for p in $(seq 1 "$prefectures"); do
  p=$(printf %02d "$p")
  regions+=(--region "99${p}00=示例${p}市")
  for c in $(seq 1 "$per"); do
    c=$(printf %02d "$c")
    counties+=("99${p}${c}")
    regions+=(--region "99${p}${c}=示例${p}${c}县")
  done
done
"$lp" init --db "$db" --srid 4527 --user 基准 "${regions[@]}" >/dev/null
gen="$work/gen"; mkdir -p "$gen"; : > "$work/gen.log"
n=0
for code in "${counties[@]}"; do
  n=$((n + 1))
  for y in 2025 2026; do
    "$lp" gen-ledger --parcels "$parcels" --seed "$((n * 10 + y - 2024))" --year "$y" \
      --region "$code=示例${code:2:2}${code:4:2}县" -o "$gen/l$code-$y.csv" --force 2>> "$work/gen.log"
    "$lp" import "$gen/l$code-$y.csv" --db "$db" --region "$code" --year "$y" --user 基准 >/dev/null
    "$lp" plan create --db "$db" --region "$code" --year "$y" --user 基准 >/dev/null
    "$lp" plan submit --db "$db" --region "$code" --year "$y" --user 基准 >/dev/null
  done
  for step in approve publish; do
    "$lp" plan "$step" --db "$db" --region "$code" --year 2025 --user 基准 >/dev/null
  done
  # The 2025 plan adjusted once (its last five parcels taken out) and published again, so that
  # the version page has a difference from the last published version to show.
  head -n -5 "$gen/l$code-2025.csv" > "$gen/a$code-2025.csv"
  "$lp" import "$gen/a$code-2025.csv" --db "$db" --region "$code" --year 2025 --user 基准 >/dev/null
  "$lp" plan adjust --db "$db" --region "$code" --year 2025 --reason "五宗地块调出本年度计划" --user 基准 >/dev/null
  for step in submit approve publish; do
    "$lp" plan "$step" --db "$db" --region "$code" --year 2025 --user 基准 >/dev/null
  done
  "$lp" gen-records --ledger "$gen/l$code-2025.csv" --seed "$n" --year 2025 --region-code "$code" \
    -o "$gen/r$code.csv" --batches "$gen/b$code.csv" --force 2>> "$work/gen.log"
  "$lp" import "$gen/r$code.csv" --as records --db "$db" --region "$code" --user 基准 >/dev/null
  "$lp" import "$gen/b$code.csv" --as batches --db "$db" --region "$code" --user 基准 >/dev/null
done
rm -rf "$gen"
echo "province: ${#counties[@]} counties × 2 plans × $parcels parcels, records and batches: $(( $(date +%s) - start )) s"

# Accounts: the first is the province's admin (added by the local operator); then 50 users.
pw() { echo "口令-$1-基准"; }
pw admin | "$lp" user add admin --db "$db" --role admin --region 990000 --user 基准 >/dev/null
: > "$work/users.tsv"   # name region
i=0
while [ "$i" -lt "$users" ]; do
  case $((i % 10)) in
    0) role=reviewer; region="99$(printf %02d $(( (i / 10) % prefectures + 1 )))00" ;;
    1) role=publisher; region=990000 ;;
    *) role=editor; region=${counties[$(( i % ${#counties[@]} ))]} ;;
  esac
  name="u$i-$role"
  pw "$name" | "$lp" user add "$name" --db "$db" --role "$role" --region "$region" --user admin >/dev/null
  printf '%s\t%s\n' "$name" "$region" >> "$work/users.tsv"
  i=$((i + 1))
done

serve_log="$work/serve.log"
RUST_LOG=warn "$lp" serve --db "$db" --addr 127.0.0.1:0 2> "$serve_log" &
server_pid=$!
addr=""
for _ in $(seq 300); do
  addr=$(sed -n 's|.*网站已启动：http://\([^/]*\)/.*|\1|p' "$serve_log" | head -n 1)
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$serve_log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$addr" ] || { echo "landplan serve 未能启动" >&2; exit 1; }
url="http://$addr"

# Sign every user in (one session each): "cookie<TAB>region" lines for the Lua script.
: > "$work/sessions.tsv"
while IFS=$'\t' read -r name region; do
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name\",\"password\":\"$(pw "$name")\"}" "$url/api/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(landplan_session=[^;]*\).*/\1/p' | tr -d '\r')
  [ -n "$cookie" ] || { echo "$name 无法登录" >&2; exit 1; }
  # A county user browses its county; a prefecture or province user its first county.
  county=$region
  case $region in
    *0000) county=${counties[0]} ;;
    *00) county=$(printf '%s\n' "${counties[@]}" | grep "^${region:0:4}" | head -n 1) ;;
  esac
  printf '%s\t%s\t%s\n' "$cookie" "$region" "$county" >> "$work/sessions.tsv"
done < "$work/users.tsv"

# page label, path template ({region}: the user's region, {county}: its county)
pages=(
  "workspace|/console"
  "plan|/console/plans/{county}/2026/supply"
  "version-diff|/console/plans/{county}/2025/supply/versions/2"
  "compiled|/console/plans/{county}/2025/supply/versions/2/compiled"
  "monitor|/console/monitor?region={region}&year=2025"
  "imports|/console/imports"
)
for entry in "${pages[@]}"; do
  label=${entry%%|*}; template=${entry#*|}
  # Every page must answer 200 for the first user before it is measured.
  IFS=$'\t' read -r cookie region county < "$work/sessions.tsv"
  first=${template//\{region\}/$region}; first=${first//\{county\}/$county}
  code=$(curl -s -o "$work/page-$label.html" -w '%{http_code}' -H "Cookie: $cookie" "$url$first")
  if [ "$code" != 200 ]; then
    echo "$label: $first 回答 $code，不计入" >&2
    printf '%s\t%s\t-\t-\t-\tHTTP %s\n' "$label" "$template" "$code" >> "$work/results.tsv"
    continue
  fi
  export CONSOLE_SESSIONS="$work/sessions.tsv" CONSOLE_PATH="$template"
  wrk -t "$threads" -c "$users" -d 2s -s "$here/bench/console.lua" "$url" >/dev/null 2>&1 || true
  out=$(wrk -t "$threads" -c "$users" -d "$duration" --latency -s "$here/bench/console.lua" "$url")
  echo "$out" > "$work/wrk-$label.txt"
  ms() { awk -v k="$1" '$1 == k {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.1f", v}'; }
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
  p50=$(echo "$out" | ms 50%)
  p99=$(echo "$out" | ms 99%)
  bad=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$template" "$rps" "$p50" "$p99" "${bad:-0}" | tee -a "$work/results.tsv"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| page | path | requests/s | p50 (ms) | p99 (ms) | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
awk -F'\t' '{printf "| %s | `%s` | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}' "$work/results.tsv"
