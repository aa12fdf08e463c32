#!/usr/bin/env bash
# Benchmark: compile a generated 1,000,000-parcel supply ledger (CSV) with landplan, and do the
# same aggregation with pandas and with DuckDB on the same file, in one run.
#
#   bench/compile.sh                 # 1,000,000 parcels, 3 runs each
#   PARCELS=200000 RUNS=1 bench/compile.sh
#   LANDPLAN_BIN=/path/to/landplan bench/compile.sh   # skip the cargo build
#
# Needs: cargo, python3 (venv), /usr/bin/time (Debian package `time`). pandas and duckdb are
# installed from PyPI into /work/targets/venv-bench (created when missing).
# Prints a table (median seconds over RUNS, peak RSS in MiB, ratios to landplan) and checks that
# the three tools agree on the total and the per-class areas.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PARCELS=${PARCELS:-1000000}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-/work/targets/bench-compile}
VENV=${VENV:-/work/targets/venv-bench}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/targets/ledger}
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
  echo "需要 /usr/bin/time：apt-get install time" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import pandas, duckdb" 2>/dev/null; then
  "$VENV/bin/pip" install -q pandas duckdb
fi
PY="$VENV/bin/python"

# LANDPLAN_BIN=/path/to/landplan skips the build (e.g. to benchmark a given binary).
if [ -n "${LANDPLAN_BIN:-}" ]; then
  BIN=$LANDPLAN_BIN
else
  (cd "$ROOT" && cargo build --release -q -p landplan-cli)
  BIN="$CARGO_TARGET_DIR/release/landplan"
fi

LEDGER="$WORK/ledger-$PARCELS.csv"
if [ ! -s "$LEDGER" ]; then
  "$BIN" gen-ledger --parcels "$PARCELS" --seed 1 -o "$LEDGER" --force
fi
SIZE_MB=$(( $(stat -c %s "$LEDGER") / 1000000 ))

# run NAME CMD... : RUNS timed runs; records "wall_s peak_kib user_s sys_s" per run in
# $WORK/NAME.times.
run() {
  local name=$1; shift
  : > "$WORK/$name.times"
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/$name.t" "$@" > "$WORK/$name.out"
    cat "$WORK/$name.t" >> "$WORK/$name.times"
  done
}

run landplan "$BIN" compile --ledger "$LEDGER" --omit-parcels --format json
run pandas "$PY" "$ROOT/bench/compile_peers.py" pandas "$LEDGER"
run duckdb "$PY" "$ROOT/bench/compile_peers.py" duckdb "$LEDGER"

# Cross-check the results, then print the table.
"$PY" - "$WORK" "$PARCELS" "$SIZE_MB" "$RUNS" <<'EOF'
import json, statistics, sys
from decimal import Decimal
work, parcels, size_mb, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lp = json.load(open(f"{work}/landplan.out"))
total = Decimal(lp["total_ha"])
by_class = {c["code"]: Decimal(c["area_ha"]) for c in lp["structure"]}
for peer in ("pandas", "duckdb"):
    p = json.load(open(f"{work}/{peer}.out"))
    assert abs(Decimal(str(p["total_ha"])) - total) < Decimal("0.01"), (peer, p["total_ha"], total)
    for code, area in p["by_class"].items():
        assert abs(Decimal(str(area)) - by_class[code]) < Decimal("0.01"), (peer, code, area, by_class[code])
print(f"ledger: {parcels} parcels, {size_mb} MB; total {total} ha; results agree across tools")
rows = {}
for name in ("landplan", "pandas", "duckdb"):
    t = [tuple(map(float, l.split())) for l in open(f"{work}/{name}.times") if l.strip()]
    rows[name] = (
        statistics.median(w for w, _, _, _ in t),
        statistics.median(u + s for _, _, u, s in t),
        max(m for _, m, _, _ in t) / 1024,
    )
base_w, base_c, base_m = rows["landplan"]
print(f"median of {runs} runs; CPU = user + sys seconds")
print(f"{'tool':<10}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}{'wall ÷ lp':>11}{'CPU ÷ lp':>10}{'mem ÷ lp':>10}")
for name, (w, c, m) in rows.items():
    print(f"{name:<10}{w:>9.2f}{c:>9.2f}{m:>10.0f}{w / base_w:>11.2f}{c / base_c:>10.2f}{m / base_m:>10.2f}")
EOF
