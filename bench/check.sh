#!/usr/bin/env bash
# Benchmark `landplan check`: generate 10,000 plan documents by varying the corpus in
# crates/check/tests/data deterministically, then check them all with the release binary.
# Prints documents/second and MB/s. Usage: bench/check.sh [N]   (default N=10000)
set -euo pipefail
N="${1:-10000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/targets/checker}"
WORK="${CARGO_TARGET_DIR}/bench-check"
BIN="${LANDPLAN_BIN:-$CARGO_TARGET_DIR/release/landplan}"

if [ -z "${LANDPLAN_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p landplan-cli)
fi

rm -rf "$WORK/docs"
mkdir -p "$WORK/docs"
python3 - "$ROOT/crates/check/tests/data" "$WORK/docs" "$N" <<'PY'
import os, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = []
for name in sorted(os.listdir(src)):
    raw = open(os.path.join(src, name), "rb").read()
    try:
        docs.append((name, raw.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        docs.append((name, raw.decode("gbk"), "gbk"))
names = "东西南北中上下前后左右甲乙丙丁"
for i in range(n):
    name, text, enc = docs[i % len(docs)]
    # Vary deterministically: the county's first character, the year, and one digit.
    v = text.replace("县", names[i % len(names)] + "县", 1)
    v = v.replace("2025", str(2020 + i % 10))
    digits = [k for k, c in enumerate(v) if c.isdigit()]
    if digits:
        k = digits[(i * 7919) % len(digits)]
        v = v[:k] + str((int(v[k]) + i) % 10) + v[k + 1:]
    # Every fifth document is repeated to a larger size (a longer plan text).
    if i % 5 == 0:
        v = v + ("\n" + text) * 3
    ext = os.path.splitext(name)[1]
    with open(os.path.join(dst, f"{i:05d}{ext}"), "wb") as f:
        f.write(v.encode(enc, errors="replace"))
PY

BYTES=$(find "$WORK/docs" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
cd "$WORK/docs"
for FORMAT in json text; do
  start=$(date +%s.%N)
  set +e
  ls | xargs -n 2000 "$BIN" check --format "$FORMAT" > "$WORK/out.$FORMAT"
  status=$?
  set -e
  end=$(date +%s.%N)
  python3 - "$start" "$end" "$N" "$BYTES" "$status" "$FORMAT" <<'PY'
import sys
start, end, n, size, status, fmt = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
t = end - start
print(f"--format {fmt}: {n} documents, {size} bytes in {t:.3f} s (xargs exit {status}: 123 = some documents have errors, as intended)")
print(f"  {n / t:.0f} documents/s  {size / t / 1e6:.2f} MB/s")
PY
done
# One large document (all generated documents concatenated, capped at 8 MB): throughput of the
# reader and checker without per-process overhead.
set +o pipefail
ls | head -3000 | xargs cat | head -c 8000000 > "$WORK/large.txt"
set -o pipefail
LSIZE=$(stat -c %s "$WORK/large.txt")
start=$(date +%s.%N)
"$BIN" check --format json "$WORK/large.txt" > /dev/null || true
end=$(date +%s.%N)
python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print(f'one large document: {int(sys.argv[3])} bytes in {t:.3f} s = {int(sys.argv[3])/t/1e6:.2f} MB/s')" "$start" "$end" "$LSIZE"
