#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL + PostGIS cluster for landplan's store tests.
#
#   scripts/pg-test.sh start DIR [PORT]   → prints the URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/pg-test.sh stop DIR
#
# The cluster lives in DIR, listens on 127.0.0.1 only, trusts local connections, and runs as
# the invoking user, or as `nobody` when invoked as root (PostgreSQL refuses to run as root).
# Needs initdb/pg_ctl (Debian: postgresql-15) and PostGIS (postgresql-15-postgis-3).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "用法：$0 start|stop 目录 [端口]" >&2
  exit 2
fi

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [[ -x "$d/initdb" ]] && bindir="$d"
done
if [[ -z "$bindir" ]] && command -v initdb >/dev/null; then
  bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
fi
if [[ -z "$bindir" ]]; then
  echo "未找到 initdb/pg_ctl：请安装 postgresql-15 与 postgresql-15-postgis-3" >&2
  exit 3
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    port=${3:-}
    if [[ -z "$port" ]]; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown nobody: "$dir"; fi
    chmod 700 "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 4; }
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=100" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 5; }
    echo "$port" > "$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    ;;
  *)
    echo "未知命令“$cmd”：应为 start 或 stop" >&2
    exit 2
    ;;
esac
