"""Compare per-parcel overlap areas of two CSVs (id,overlap_m2); exit 1 on disagreement.

Agreement: |a - b| <= 1e-6 * max(|a|, |b|) + 1e-4 m² (the absolute term covers the 4-decimal
rounding of landplan's JSON). Usage: overlay_compare.py REF.csv OTHER.csv
"""
import csv
import sys


def load(path):
    with open(path) as fh:
        return {r["id"]: float(r["overlap_m2"]) for r in csv.DictReader(fh)}


a, b = load(sys.argv[1]), load(sys.argv[2])
bad = [k for k in a if k not in b or abs(a[k] - b[k]) > 1e-6 * max(abs(a[k]), abs(b[k])) + 1e-4]
missing = [k for k in b if k not in a]
total = sum(a.values())
print(f"{len(a)} parcels, total overlap {total:.4f} m², disagreements {len(bad) + len(missing)}")
for k in (bad + missing)[:5]:
    print(f"  {k}: {a.get(k)} vs {b.get(k)}")
sys.exit(1 if bad or missing else 0)
