#!/usr/bin/env bash
# How `landplan check` grows with the size of one plan: generate supply ledgers of 2,500,
# 10,000 and 50,000 parcels, write each plan as Word, web page and Excel 附表 with
# `landplan compile`, and time `landplan check` on every file (seconds and peak RSS).
# There is no peer tool that checks a plan document; the point is the growth (near-linear).
# Then two inputs that used to grow with the square of the text (issue 11, defect 13): a plan
# whose body is one long line (100 KB ×1, ×2, ×4, ×8) and a PDF whose text layer is one long
# paragraph (256 KB ×1 … ×8), each checked at every size with the time per MB beside it.
#
#   bench/check_scale.sh                  # 2500 10000 50000, then the line and the PDF
#   SIZES="1000 100000" bench/check_scale.sh
#   LINE_SIZES="100000 800000" PDF_SIZES="262144 2097152" bench/check_scale.sh
#   SIZES="" bench/check_scale.sh          # only the line and the PDF
#   LANDPLAN_BIN=/path/to/landplan bench/check_scale.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZES="${SIZES-2500 10000 50000}"
LINE_SIZES="${LINE_SIZES:-100000 200000 400000 800000}"
PDF_SIZES="${PDF_SIZES:-262144 524288 1048576 2097152}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="${BENCH_DIR:-$CARGO_TARGET_DIR/bench-check-scale}"
BIN="${LANDPLAN_BIN:-$CARGO_TARGET_DIR/release/landplan}"
if [ -z "${LANDPLAN_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p landplan-cli)
fi
if [ ! -x /usr/bin/time ]; then
  echo "需要 /usr/bin/time：apt-get install time" >&2
  exit 1
fi
mkdir -p "$WORK"
printf '%-8s %-6s %10s %8s %10s  %s\n' parcels format size_MB seconds peak_MiB summary
for n in $SIZES; do
  "$BIN" gen-ledger --parcels "$n" --seed 3 > "$WORK/l$n.csv"
  for fmt in docx html xlsx; do
    f="$WORK/plan$n.$fmt"
    "$BIN" compile --ledger "$WORK/l$n.csv" --kind supply --region 示例县 --year 2026 \
      --format "$fmt" --force -o "$f" > /dev/null 2>&1
    set +e
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" check "$f" > "$WORK/out"
    set -e
    # On exit status 1 (errors found) time(1) writes a line before the figures.
    read -r secs kb < <(tail -n 1 "$WORK/time")
    size=$(awk -v b="$(stat -c %s "$f")" 'BEGIN{printf "%.1f", b/1048576}')
    summary=$(tail -n 1 "$WORK/out" | sed 's/^[^:]*: //')
    printf '%-8s %-6s %10s %8s %10s  %s\n' "$n" "$fmt" "$size" "$secs" "$((kb / 1024))" "$summary"
  done
done
# One long line and one long PDF paragraph: the time per MB stays flat when the work is linear.
echo
printf '%-8s %10s %8s %10s %10s  %s\n' input size_MB seconds s_per_MB peak_MiB summary
for kind in line pdf; do
  sizes=$LINE_SIZES; ext=txt
  if [ "$kind" = pdf ]; then sizes=$PDF_SIZES; ext=pdf; fi
  for n in $sizes; do
    f="$WORK/$kind$n.$ext"
    python3 "$ROOT/bench/check_scale_inputs.py" "$kind" "$n" "$f"
    set +e
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" check "$f" > "$WORK/out"
    set -e
    read -r secs kb < <(tail -n 1 "$WORK/time")
    size=$(awk -v b="$(stat -c %s "$f")" 'BEGIN{printf "%.2f", b/1048576}')
    per=$(awk -v s="$secs" -v m="$size" 'BEGIN{printf "%.2f", s/m}')
    summary=$(tail -n 1 "$WORK/out" | sed 's/^[^:]*: //')
    printf '%-8s %10s %8s %10s %10s  %s\n' "$kind" "$size" "$secs" "$per" "$((kb / 1024))" "$summary"
  done
done
