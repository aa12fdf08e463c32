#!/usr/bin/env python3
"""Markdown for docs/RELIABILITY.md from a campaign-results.json:

    python3 tests/campaign/report.py campaign-results.json > /tmp/sections.md

Prints the counts per reader and category, the cases per reader, and every failing or unclear
case grouped by issue 11's defect numbers, with its command and what happened."""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import CATEGORIES, FAILING, OK, UNCLEAR  # noqa: E402

DEFECTS = {
    1: "overlay passes parcels it cannot read",
    2: "a GBK/UTF-16 ledger ending in half a character loses its last rows",
    3: "a hidden first sheet is compiled instead of the visible one",
    4: "export during writes gives an inconsistent backup",
    5: "killed export/restore leaves files that look valid",
    6: "-o overwrites existing files and inputs",
    7: "audit verify misses tampering; empty actor accepted",
    8: "import hides geometry errors",
    9: "check reports damaged documents as clean",
    10: "overlay memory grows with the square of overlapping parcels",
    11: "a stray far XLSX cell allocates hundreds of GB",
    12: "read-only stores and backups cannot be verified; verify rewrites a backup",
    13: "check time grows with the square of the text",
    14: "compile panics on Decimal overflow",
    15: "crafted documents crash check",
    16: "gen-ledger -o --force is not atomic",
    17: "a closed stdout pipe makes store commands panic",
    18: "messages: English, repeated, without the file; init over a parcel layer",
    19: "国土TXT: full-width commas, NaN area, zero area",
    20: "validation: --year 0, prefecture as county, missing --templates, 254-byte names",
}


def main(path: str) -> None:
    doc = json.loads(Path(path).read_text())
    cases = doc["cases"]
    cats = [c for c in CATEGORIES if c != "harness error" or any(r["category"] == c for r in cases)]
    groups = sorted({r["group"] for r in cases})
    print(f"Binary `{doc['binary']}`, {doc['mode']} run{' with PostgreSQL' if doc['postgres'] else ''}, "
          f"seed {doc['seed']}, memory cap {doc['mem_cap_bytes'] >> 30} GiB, {doc['seconds']:.0f} s, {len(cases)} cases.\n")
    print("| reader | " + " | ".join(cats) + " | cases |")
    print("|---|" + "---:|" * (len(cats) + 1))
    tot = collections.Counter()
    for g in groups:
        cnt = collections.Counter(r["category"] for r in cases if r["group"] == g)
        tot.update(cnt)
        print(f"| {g} | " + " | ".join(str(cnt.get(c, 0) or "") for c in cats) + f" | {sum(cnt.values())} |")
    print("| **all** | " + " | ".join(f"**{tot.get(c, 0)}**" for c in cats) + f" | **{sum(tot.values())}** |")
    print()

    # Kills that landed mid-write.
    kills = [r for r in cases if r["group"].startswith("store-kill") or r["group"] == "file-kill"]
    if kills:
        landed = sum(1 for r in kills if ": killed" in r["detail"])
        print(f"Of the {len(kills)} kill cases, {landed} killed the process mid-write; the others landed "
              "after it had finished and check the finished write the same way.\n")

    print("### Failing cases, by defect of issue 11\n")
    by_defect = collections.defaultdict(list)
    for r in cases:
        if r["category"] in FAILING or r["category"] == UNCLEAR:
            by_defect[r["defect"] or 0].append(r)
    for d in sorted(by_defect, key=lambda d: (d == 0, d)):
        title = f"Defect {d}: {DEFECTS[d]}" if d else "Not among issue 11's twenty"
        rs = by_defect[d]
        print(f"#### {title} ({len(rs)} case{'s' if len(rs) != 1 else ''})\n")
        # One case on both backends, or several moments of one kill, with one outcome: listed once.
        groups: dict = {}
        for r in rs:
            base, _, rnd = r["id"].partition("#")
            backend = next((b for b in ("gpkg", "pg") if f"/{b}/" in base), None)
            if backend:
                base = base.replace(f"/{backend}/", "/{backends}/")
            groups.setdefault((base, r["category"]), []).append((rnd, backend, r))
        for (base, cat), items in groups.items():
            r = items[0][2]
            backends = sorted({b for _, b, _ in items if b}, key=["gpkg", "pg"].index)
            base = base.replace("{backends}", ",".join(backends) if len(backends) > 1 else (backends[0] if backends else ""))
            moments = [f"{b + ' ' if len(backends) > 1 else ''}#{i}" for i, b, _ in items if i]
            rounds = f" (moments {', '.join(moments)})" if moments else ""
            detail = r["detail"] if len(r["detail"]) <= 320 else r["detail"][:300] + "…"
            print(f"- **{cat}** `{base}`{rounds} — {detail}")
            if r["command"]:
                print(f"  `{r['command']}`")
        print()
    passing = sorted({r["defect"] for r in cases if r["defect"]} - {r["defect"] for r in cases if r["category"] != OK and r["defect"]})
    print("Defects whose every case passes: " + (", ".join(str(d) for d in passing) or "none") + ".\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "campaign-results.json")
