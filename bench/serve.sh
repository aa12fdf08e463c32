#!/usr/bin/env bash
# Load benchmark of `landplan serve` (issue 16): requests per second and p99 latency of the
# public plan list (`/`), a public plan page and `GET /api/plans`
#   - on the demo county (`landplan serve --demo`) in a GeoPackage and in PostgreSQL/PostGIS;
#   - on the national-size store (bench/national.sh: 2,800 counties × 3 years × 300 parcels)
#     in PostgreSQL/PostGIS (goal: p99 under 100 ms for the plan list and a plan page);
# beside the same responses saved as static files and served by nginx on this machine, the
# upper bound. Load comes from wrk (Debian `wrk`); one line per target and path:
#   target path requests/s p99(ms) non-2xx ratio-to-nginx
# and the same as a Markdown table at the end (for docs/BENCHMARKS.md). On the national store
# also one connection at a time (`national-c1`: the latency nobody queues for) and COLD (200)
# plan pages on their first visit, one after another: `national-cold` (the copied versions
# have no kept files: each first visit makes the version's files, fingerprints and checker's
# report and keeps them in the store), then after a restart of the server the same pages
# again, `national-restart` (first visits since the start, the files read from the store: what
# a version published by this landplan costs on its first visit).
#
# Usage: bench/serve.sh [TARGET…]     TARGET: gpkg pg nginx national (default: all four)
# Environment:
#   DURATION=10s  CONNECTIONS=16  THREADS=2      wrk's -d, -c, -t
#   LANDPLAN_BIN=PATH      use this landplan binary instead of building the release one
#   BENCH_DIR=DIR          work files (default /work/targets/bench-serve); the national store's
#                          cluster is bench/national.sh's (built on first use, kept, see there)
#   PATHS="/healthz …"     measure these paths instead of the ones found on the demo site
#   PROFILE=1              record `perf` on the server during each national run
#                          (perf_*.data and a flat report perf_*.txt in BENCH_DIR)
#   COLD=200               first visits of distinct plan pages on the national store (0: none)
#   COLD_FROM=1            from the n-th county of the list on (a first visit keeps the
#                          version's files: a second run on the same store takes later counties)
# Needs: wrk, nginx (Debian packages wrk, nginx-light), curl, PostgreSQL 15 + PostGIS.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
work=${BENCH_DIR:-/work/targets/bench-serve}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-16}
threads=${THREADS:-2}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(gpkg pg nginx national)
mkdir -p "$work"
rm -f "$work/results.tsv"

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool：apt-get install wrk nginx-light curl" >&2; exit 3; }
done
if [ -n "${LANDPLAN_BIN:-}" ]; then
  lp=$LANDPLAN_BIN
else
  (cd "$here" && nice cargo build --release -q --locked -p landplan-cli)
  lp=$CARGO_TARGET_DIR/release/landplan
fi

# `landplan serve --demo` once the pages have it; before that, an empty store of the backend
# (only /healthz is measured then).
has_demo=0
"$lp" serve --help 2>/dev/null | grep -q -- '--demo' && has_demo=1
demo_args() { # backend-url (empty: GeoPackage)
  if [ "$has_demo" = 1 ]; then
    echo --demo ${1:+--db "$1"}
  else
    local db=${1:-$work/empty.gpkg}
    rm -f "$work/empty.gpkg"
    "$lp" init --db "$db" --srid 4527 >/dev/null
    echo --db "$db"
  fi
}

pids=()
pgdir=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$pgdir" ]; then bash "$here/scripts/pg-test.sh" stop "$pgdir"; rm -rf "$pgdir"; fi
  if [ -f "$work/nginx/nginx.pid" ]; then
    kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  fi
  bash "$here/bench/national.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Start `landplan serve ARGS…` on a free port; sets $addr (host:port) once it listens.
serve() {
  local log=$1; shift
  : > "$log"
  RUST_LOG=warn "$lp" serve --addr 127.0.0.1:0 "$@" 2> "$log" &
  pids+=($!)
  server_pid=$!
  for _ in $(seq 600); do
    addr=$(sed -n 's|.*网站已启动：http://\([^/]*\)/.*|\1|p' "$log" | head -n 1)
    [ -n "$addr" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.2
  done
  echo "landplan serve 未能在 120 秒内启动" >&2
  cat "$log" >&2
  return 1
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

# The paths of a site: the plan list, the first plan page it links to, the API's plan list.
# Falls back to /healthz while the pages or the API are missing (HTTP status not 200).
site_paths() {
  local base=$1
  if [ -n "${PATHS:-}" ]; then echo "$PATHS"; return; fi
  local out=()
  local region=""
  if [ "$(curl -s -o "$work/index.html" -w '%{http_code}' "$base/")" = 200 ]; then
    out+=(/)
    local plan list=$work/index.html
    # A large store's front page lists provinces: measure the first province's page, and
    # take the plan from there.
    region=$(grep -o 'href="/regions/[0-9]*"' "$work/index.html" | head -n 1 | sed 's/href="//; s/"$//' || true)
    if [ -n "$region" ]; then
      out+=("$region")
      curl -s -o "$work/region.html" "$base$region"
      list=$work/region.html
    fi
    # The first supply plan listed (the newest year first), else the first plan.
    plan=$( (grep -o 'href="/plans/[0-9]*/[0-9]*/supply"' "$list" ||
      grep -o 'href="/plans/[0-9]*/[0-9]*/[a-z]*"' "$list") | head -n 1 | sed 's/href="//; s/"$//' || true)
    [ -n "$plan" ] && out+=("$plan")
  fi
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/plans")" = 200 ]; then
    out+=(/api/plans)
    [ -n "$region" ] && out+=("/api/plans?region=${region#/regions/}")
  fi
  [ ${#out[@]} -gt 0 ] || out=(/healthz)
  echo "${out[@]}"
}

# wrk against URL; appends "target path rps p99_ms non2xx" to results.tsv.
load() {
  local target=$1 base=$2 path=$3
  # A short warm-up (connections, caches), then the measured run.
  local t=${THREADS:-2} c=${CONNECTIONS:-16}
  wrk -t "$t" -c "$c" -d 2s "$base$path" >/dev/null 2>&1 || true
  local out
  out=$(wrk -t "$t" -c "$c" -d "$duration" --latency "$base$path")
  echo "$out" > "$work/wrk-$target-$(echo "$path" | tr -c 'a-zA-Z0-9\n' '_').txt"
  local rps p99 bad
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.2f", v}')
  bad=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
  bad=${bad:-0}
  printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$path" "$rps" "$p99" "$bad" | tee -a "$work/results.tsv"
}

echo "machine: nproc=$(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg), wrk -t$threads -c$conns -d$duration"

want() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

demo_paths=""
# --- the demo county in a GeoPackage (and its responses saved for nginx)
if want gpkg || want nginx; then
  # shellcheck disable=SC2046
  serve "$work/serve-gpkg.log" $(demo_args)
  base="http://$addr"
  demo_paths=$(site_paths "$base")
  mkdir -p "$work/static"
  for p in $demo_paths; do
    f="$work/static$p"
    [ "${p%/}" != "$p" ] && f="${f}index.html"
    mkdir -p "$(dirname "$f")"
    curl -s -o "$f" "$base$p"
  done
  if want gpkg; then
    for p in $demo_paths; do load gpkg "$base" "$p"; done
  fi
  stop_server
fi

# --- nginx serving those responses as static files (the upper bound)
if want nginx; then
  mkdir -p "$work/nginx"
  nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$work/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  default_type text/html;
  sendfile on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$nport;
    root $work/static;
    location = /api/plans { default_type application/json; }
    location = /healthz { default_type application/json; }
  }
}
EOF
  mkdir -p "$work/nginx/tmp"
  nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  pids+=($!)
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$nport/" && break
    sleep 0.1
  done
  for p in $demo_paths; do load nginx "http://127.0.0.1:$nport" "$p"; done
  kill "$(cat "$work/nginx/nginx.pid")"
  wait "${pids[-1]}" 2>/dev/null || true
  rm -f "$work/nginx/nginx.pid"
fi

# --- the demo county in PostgreSQL/PostGIS (a throwaway cluster)
if want pg; then
  pgdir=$(mktemp -d /work/targets/bench-serve-pg.XXXXXX)
  url=$(bash "$here/scripts/pg-test.sh" start "$pgdir")
  psql -q "$url" -c "CREATE DATABASE demo"
  # shellcheck disable=SC2046
  serve "$work/serve-pg.log" $(demo_args "${url%/postgres}/demo")
  base="http://$addr"
  for p in $(site_paths "$base"); do load pg "$base" "$p"; done
  stop_server
  bash "$here/scripts/pg-test.sh" stop "$pgdir"
  rm -rf "$pgdir"
  pgdir=""
fi

# --- the national-size store in PostgreSQL/PostGIS
if want national; then
  nurl=$(bash "$here/bench/national.sh" start)
  serve "$work/serve-national.log" --db "$nurl"
  base="http://$addr"
  npaths=$(site_paths "$base")
  for p in $npaths; do
    if [ "${PROFILE:-0}" = 1 ]; then
      name=$(echo "$p" | tr -c 'a-zA-Z0-9\n' '_')
      curl -s -o /dev/null "$base$p" # the page's files made once, before the profile
      perf record -F 499 -g -p "$server_pid" -o "$work/perf$name.data" -- sleep 8 >/dev/null 2>&1 &
      perfpid=$!
      load national "$base" "$p"
      wait "$perfpid" || true
      perf report -i "$work/perf$name.data" --no-children --sort dso,symbol --percent-limit 1 --stdio 2>/dev/null \
        | grep -v '^$' | grep -v '^#' | head -n 60 > "$work/perf$name.txt" || true
    else
      load national "$base" "$p"
    fi
    # The same path one request at a time: the latency a visitor sees when nobody queues.
    THREADS=1 CONNECTIONS=1 load national-c1 "$base" "$p"
  done
  # Plan pages on their first visit (not yet in the server's memory): COLD distinct counties'
  # 2024 plans one after another, and the server's memory before and after.
  # - national-cold: the copied versions were published without their files (as by an older
  #   landplan), so each first visit makes its downloads, fingerprints and checker's report
  #   and keeps them in the store;
  # - national-restart: the server restarted, the same pages again: first visits since the
  #   start, the files read from the store — what every version published by this landplan
  #   costs on its first visit.
  cold=${COLD:-200}
  first_visits() { # target
    local rss0 rss1
    rss0=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
    awk -F'\t' -v n="$cold" -v from="${COLD_FROM:-1}" 'NR > from && NR <= n + from {print $2}' "${NATIONAL_DIR:-/work/targets/bench-national}/work/counties.tsv" |
      while read -r code; do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$base/plans/$code/2024/supply"
      done > "$work/$1.txt"
    rss1=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
    python3 - "$work/$1.txt" "$rss0" "$rss1" "$1" <<'PY' | tee -a "$work/results.tsv"
import sys
rows = [l.split() for l in open(sys.argv[1])]
t = sorted(float(x) * 1000 for c, x in rows)
bad = sum(1 for c, _ in rows if c != "200")
n = len(t)
q = lambda f: t[min(n - 1, int(f * n))]
per = (int(sys.argv[3]) - int(sys.argv[2])) / 1024 / n
# target path requests/s p99 non-2xx, then a note
print(f"{sys.argv[4]}\t/plans/*/2024/supply ({n} first visits)\t{1000 * n / sum(t):.2f}\t{q(0.99):.2f}\t{bad}"
      f"\tmedian {q(0.5):.0f} ms, p90 {q(0.9):.0f} ms; server memory +{per:.2f} MB per version visited")
PY
  }
  if [ "$cold" -gt 0 ]; then
    first_visits national-cold
    stop_server
    serve "$work/serve-national.log" --db "$nurl"
    base="http://$addr"
    first_visits national-restart
  fi
  stop_server
  bash "$here/bench/national.sh" stop
fi

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | path | requests/s | p99 (ms) | non-2xx | requests/s ÷ nginx | note |"
echo "|---|---|---:|---:|---:|---:|---|"
awk -F'\t' '
  { row[NR] = $0; if ($1 == "nginx") ng[$2] = $3 }
  END {
    for (i = 1; i <= NR; i++) {
      split(row[i], f, "\t")
      r = (f[1] != "nginx" && f[1] !~ /^national/ && f[2] in ng && ng[f[2]] > 0) ? sprintf("%.3f", f[3] / ng[f[2]]) : ""
      printf "| %s | `%s` | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], r, f[6]
    }
  }' "$work/results.tsv"
