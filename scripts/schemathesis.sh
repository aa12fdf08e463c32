#!/usr/bin/env bash
# API fuzzing (issue 16): schemathesis generates requests from the OpenAPI document the server
# serves (/api/openapi.json, the same as docs/openapi.json) and checks that none gets a 5xx.
# Run on both backends: the demo county (`landplan serve --demo`, with its accounts) in a
# GeoPackage, then in a throwaway PostgreSQL/PostGIS cluster (scripts/pg-test.sh; skipped with
# a message when PostgreSQL is not installed, refused when CI is set). Requests carry a bearer
# token of the demo's publisher, so the operations that change plans are exercised too.
#
#   scripts/schemathesis.sh [path/to/landplan]
#
# schemathesis is installed (pinned) into ${CARGO_TARGET_DIR:-target}/venv-schemathesis.
# SCHEMATHESIS_EXAMPLES (default 25) bounds the examples per operation.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
bin=${1:-$target/debug/landplan}
version=4.32.5
examples=${SCHEMATHESIS_EXAMPLES:-25}
venv="$target/venv-schemathesis"

if [[ ! -x "$bin" ]]; then
  echo "找不到 landplan 可执行文件 $bin：请先 cargo build -p landplan-cli" >&2
  exit 2
fi
if [[ ! -x "$venv/bin/schemathesis" ]] || ! "$venv/bin/pip" show schemathesis 2>/dev/null | grep -qx "Version: $version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

venv=$(cd "$venv" && pwd)
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d /tmp/landplan-schemathesis.XXXXXX)
server_pid=""
pg_dir=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n "$pg_dir" ]]; then bash scripts/pg-test.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Serve the demo in the store $1, fuzz it, stop it. $2 names the backend in messages.
fuzz() {
  local db=$1 label=$2 log="$work/server-$2.log"
  "$bin" serve --demo --db "$db" --addr 127.0.0.1:0 2>"$log" &
  server_pid=$!
  local addr=""
  for _ in $(seq 1 600); do
    addr=$(grep -o 'landplan 网站已启动：http://[^/]*' "$log" | sed 's/.*http:\/\///' || true)
    [[ -n "$addr" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log" >&2; echo "网站未能启动（$label）" >&2; exit 1; fi
    sleep 0.2
  done
  [[ -n "$addr" ]] || { cat "$log" >&2; echo "网站启动超时（$label）" >&2; exit 1; }
  local token
  token=$("$bin" user token demo-publisher --db "$db" --user demo-admin --label schemathesis 2>/dev/null)
  echo "schemathesis $version against http://$addr/api/openapi.json ($label)"
  # From the scratch directory: schemathesis leaves its cache (.schemathesis/) where it runs.
  (cd "$work" && "$venv/bin/schemathesis" run "http://$addr/api/openapi.json" \
    --checks not_a_server_error \
    --max-examples "$examples" \
    --header "Authorization: Bearer $token" \
    --no-color)
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  if grep -q '"level":"ERROR"' "$log"; then
    grep '"level":"ERROR"' "$log" >&2
    echo "服务器日志中有错误（$label）" >&2
    exit 1
  fi
}

fuzz "$work/demo.gpkg" geopackage

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # Its own directory: the cluster runs as nobody when started by root.
  pg_dir=$(mktemp -d /tmp/landplan-schemathesis-pg.XXXXXX)
  base=$(bash scripts/pg-test.sh start "$pg_dir")
  psql_bin=$(ls /usr/lib/postgresql/*/bin/psql | tail -n 1)
  "$psql_bin" "$base" -q -c "CREATE DATABASE lp_schemathesis" >/dev/null
  fuzz "${base%/postgres}/lp_schemathesis" postgres
elif [[ -n "${CI:-}" ]]; then
  echo "CI 环境缺少 PostgreSQL/PostGIS，不能跳过 PostgreSQL 上的接口模糊测试" >&2
  exit 1
else
  echo "skipping schemathesis on PostgreSQL: initdb not installed"
fi
