#!/usr/bin/env bash
# Benchmark: write the plan documents for a generated supply ledger — `landplan compile
# --format docx|xlsx|html` — and the same job done the way a user would script it in Python
# (pandas + python-docx / openpyxl, bench/report_peers.py), in one run.
#
#   bench/report.sh                       # 5,000 and 100,000 parcels, 3 runs each
#   SIZES="20000" RUNS=1 bench/report.sh
#
# Needs: cargo, python3 (venv), /usr/bin/time (Debian package `time`). pandas, python-docx and
# openpyxl are installed from PyPI into /work/targets/venv-bench (created when missing).
# Prints one line per (size, tool): median seconds over RUNS, peak RSS in MiB, output size.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"5000 100000"}
RUNS=${RUNS:-3}
# python-docx's usual idiom (table.add_row().cells) is quadratic in the number of rows: above
# this many parcels the Python Word peer is timed once, with a 5,000-row parcel table.
PEER_DOCX_MAX=${PEER_DOCX_MAX:-20000}
WORK=${BENCH_DIR:-/work/targets/bench-report}
VENV=${VENV:-/work/targets/venv-bench}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/targets/report}
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
  echo "需要 /usr/bin/time：apt-get install time" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import pandas, docx, openpyxl" 2>/dev/null; then
  "$VENV/bin/pip" install -q pandas python-docx openpyxl
fi
PY="$VENV/bin/python"

(cd "$ROOT" && cargo build --release -q -p landplan-cli)
BIN="$CARGO_TARGET_DIR/release/landplan"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run LABEL OUT CMD... : RUNS timed runs, prints the median line.
run() {
  local label=$1 out=$2; shift 2
  : > "$WORK/t.all"
  for _ in $(seq "$RUNS"); do
    rm -f "$out"
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" > /dev/null
    cat "$WORK/t" >> "$WORK/t.all"
  done
  local secs mem size
  secs=$(cut -d' ' -f1 "$WORK/t.all" | median)
  mem=$(( $(cut -d' ' -f2 "$WORK/t.all" | median) / 1024 ))
  size=$(( $(stat -c %s "$out") / 1024 ))
  printf "%-34s %8s s %7s MiB %9s KiB\n" "$label" "$secs" "$mem" "$size"
}

printf "%-34s %10s %11s %13s\n" "tool (parcels)" "median" "peak RSS" "output"
for n in $SIZES; do
  LEDGER="$WORK/ledger-$n.csv"
  [ -s "$LEDGER" ] || "$BIN" gen-ledger --parcels "$n" --seed 1 --region 示例县 -o "$LEDGER" --force > /dev/null
  for f in docx xlsx html; do
    run "landplan compile --format $f ($n)" "$WORK/out.$f" \
      "$BIN" compile --ledger "$LEDGER" --region 示例县 --year 2025 --format "$f" -o "$WORK/out.$f" --force 2>/dev/null
  done
  if [ "$n" -le "$PEER_DOCX_MAX" ]; then
    run "python peer docx ($n)" "$WORK/peer.docx" "$PY" "$ROOT/bench/report_peers.py" docx "$LEDGER" "$WORK/peer.docx"
  else
    RUNS_SAVED=$RUNS; RUNS=1
    run "python peer docx ($n, 5000-row table)" "$WORK/peer.docx" env PEER_TABLE_ROWS=5000 "$PY" "$ROOT/bench/report_peers.py" docx "$LEDGER" "$WORK/peer.docx"
    RUNS=$RUNS_SAVED
  fi
  run "python peer xlsx ($n)" "$WORK/peer.xlsx" "$PY" "$ROOT/bench/report_peers.py" xlsx "$LEDGER" "$WORK/peer.xlsx"
done
