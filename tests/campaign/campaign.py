#!/usr/bin/env python3
"""landplan's own fault campaign (issue 11): hostile inputs for every reader, kills during
every kind of store write, concurrent writers, tampering, paths, pipes and arguments, each
case under a memory cap and a timeout, each outcome classified.

    python3 tests/campaign/campaign.py --bin target/release/landplan [--pg] [--quick]

Exit status: 0 when no case is a panic, crash, silent pass, wrong result, data lost or harness
error (and, with --strict-messages, no unclear message); 1 otherwise; 2 on a usage error.
See docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import fnmatch
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
from harness import CATEGORIES, FAILING, GiB, Outcome, SKIP, UNCLEAR, Verdict  # noqa: E402
from registry import CASES, Ctx, Options  # noqa: E402
import cases_inputs  # noqa: E402,F401  (registers cases)
import cases_store  # noqa: E402,F401


def parse_args(argv):
    ap = argparse.ArgumentParser(description="landplan fault campaign (issue 11)")
    ap.add_argument("--bin", default="target/release/landplan", help="the landplan binary under test")
    ap.add_argument("--pg", action="store_true", help="also run the store cases on PostgreSQL (starts a throwaway cluster)")
    ap.add_argument("--quick", action="store_true", help="a representative subset (CI: under 3 minutes on 2 cores)")
    ap.add_argument("--strict-messages", action="store_true", help="unclear messages fail the run too")
    ap.add_argument("--only", action="append", default=[], help="run only cases whose id matches this glob (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--mem-cap-gib", type=float, default=4.0, help="address-space cap per process (default 4 GiB)")
    ap.add_argument("--seed", type=int, default=11, help="seed for kill moments and generated data")
    ap.add_argument("--workdir", help="where the cases write (default: a new temporary directory, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    ap.add_argument("--results", default="campaign-results.json", help="where to write the JSON results")
    return ap.parse_args(argv)


def selected(args):
    out = []
    for c in CASES:
        if args.quick and not c.quick:
            continue
        if c.backend == "pg" and not args.pg:
            continue
        if args.only and not any(fnmatch.fnmatch(c.id, pat) for pat in args.only):
            continue
        out.append(c)
    return out


def start_pg(repo: Path, workdir: Path) -> tuple[str, Path]:
    pgdir = workdir / "pg"
    script = repo / "scripts" / "pg-test.sh"
    p = subprocess.run(["bash", str(script), "start", str(pgdir)], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit(f"无法启动 PostgreSQL（{script}）：{p.stderr.strip()}")
    return p.stdout.strip().splitlines()[-1], pgdir


def stop_pg(repo: Path, pgdir: Path) -> None:
    subprocess.run(["bash", str(repo / "scripts" / "pg-test.sh"), "stop", str(pgdir)], capture_output=True, timeout=120)


def run_case(opts: Options, c) -> dict:
    t0 = time.monotonic()
    ctx = Ctx(opts, c)
    try:
        outcome = c.fn(ctx)
    except Verdict as v:
        outcome = v.outcome
    except Exception as e:  # a harness error is reported, never counted as a pass
        outcome = Outcome(harness.SKIP, f"harness error: {e!r}", "", traceback.format_exc()[-1500:])
    finally:
        try:
            cases_store.drop_databases(ctx)
        except Exception:
            pass
        if not opts.keep:
            shutil.rmtree(ctx.dir, ignore_errors=True)
    def rel(s: str) -> str:
        # Commands in the report name files relative to the case's directory.
        for d in (str(ctx.dir), shlex.quote(str(ctx.dir))):
            s = s.replace(f"cd {d} && ", "")
        return s.replace(str(ctx.dir) + "/", "").replace(str(opts.workdir), "$WORK")

    return {
        "id": c.id,
        "group": c.group,
        "name": c.name,
        "defect": c.defect,
        "what": c.what,
        "category": outcome.category,
        "detail": outcome.detail,
        "command": rel(outcome.command),
        "evidence": rel(outcome.evidence),
        "seconds": round(time.monotonic() - t0, 2),
    }


def table(results) -> str:
    groups = sorted({r["group"] for r in results}, key=lambda g: (g.split("/")[0], g))
    cats = [c for c in CATEGORIES if any(r["category"] == c for r in results) or c != SKIP]
    w = max([len(g) for g in groups] + [10])
    head = f"{'reader':<{w}}  " + "  ".join(f"{c:>7}" if len(c) <= 7 else f"{c}" for c in cats) + "   total"
    lines = [head, "-" * len(head)]
    totals = collections.Counter()
    for g in groups:
        cnt = collections.Counter(r["category"] for r in results if r["group"] == g)
        totals.update(cnt)
        lines.append(f"{g:<{w}}  " + "  ".join(f"{cnt.get(c, 0):>{max(7, len(c))}}" for c in cats) + f"  {sum(cnt.values()):>6}")
    lines.append("-" * len(head))
    lines.append(f"{'all':<{w}}  " + "  ".join(f"{totals.get(c, 0):>{max(7, len(c))}}" for c in cats) + f"  {sum(totals.values()):>6}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    repo = HERE.parent.parent
    cases = selected(args)
    if args.list:
        for c in cases:
            d = f" [defect {c.defect}]" if c.defect else ""
            print(f"{c.id}{d}{'  (quick)' if c.quick else ''}  {c.what}")
        print(f"{len(cases)} cases")
        return 0
    binary = Path(args.bin)
    if not binary.is_file() or not os.access(binary, os.X_OK):
        print(f"错误：找不到可执行的 landplan：{args.bin}（用 --bin 指定）", file=sys.stderr)
        return 2
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="landplan-campaign-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)  # the PostgreSQL cluster and read-only cases run as `nobody` under root
    pg_url = pgdir = None
    t0 = time.monotonic()
    try:
        if args.pg:
            pg_url, pgdir = start_pg(repo, work)
        opts = Options(
            bin=str(binary.resolve()),
            workdir=work,
            quick=args.quick,
            mem_cap=int(args.mem_cap_gib * GiB),
            seed=args.seed,
            pg_url=pg_url,
            repo=repo,
            keep=args.keep,
        )
        cases_store.prepare(opts)
        results = []
        print(f"landplan fault campaign: {len(cases)} cases, binary {binary}, {'quick' if args.quick else 'full'}" + (", PostgreSQL" if args.pg else ""), flush=True)
        # Cases that measure timing or spawn many processes run alone, after the others.
        solo = [c for c in cases if c.solo or c.group.startswith(("concurrency", "store-kill", "file-kill"))]
        rest = [c for c in cases if c not in solo]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = {pool.submit(run_case, opts, c): c for c in rest}
            for f in concurrent.futures.as_completed(futs):
                r = f.result()
                results.append(r)
                _progress(r)
        for c in solo:
            r = run_case(opts, c)
            results.append(r)
            _progress(r)
        results.sort(key=lambda r: r["id"])
        elapsed = time.monotonic() - t0
    finally:
        if pgdir is not None:
            stop_pg(repo, pgdir)
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    counts = collections.Counter(r["category"] for r in results)
    print()
    print(table(results))
    failing = [r for r in results if r["category"] in FAILING or (args.strict_messages and r["category"] == UNCLEAR)]
    unclear = [r for r in results if r["category"] == UNCLEAR]
    if failing:
        print("\nfailing cases:")
        for r in failing:
            d = f" [defect {r['defect']}]" if r["defect"] else ""
            print(f"  {r['category']:<14} {r['id']}{d}: {r['detail']}")
            if r["command"]:
                print(f"  {'':<14} $ {r['command']}")
    if unclear and not args.strict_messages:
        print(f"\nunclear messages ({len(unclear)}; --strict-messages makes them fail):")
        for r in unclear:
            d = f" [defect {r['defect']}]" if r["defect"] else ""
            print(f"  {r['id']}{d}: {r['detail']}")
    doc = {
        "binary": str(binary),
        "mode": "quick" if args.quick else "full",
        "postgres": bool(args.pg),
        "seed": args.seed,
        "mem_cap_bytes": int(args.mem_cap_gib * GiB),
        "seconds": round(elapsed, 1),
        "counts": {c: counts.get(c, 0) for c in CATEGORIES},
        "cases": results,
    }
    Path(args.results).write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    print(f"\n{len(results)} cases in {elapsed:.0f} s; results in {args.results}")
    return 1 if failing else 0


def _progress(r):
    mark = "." if r["category"] == "ok" else r["category"][0].upper()
    print(f"  {r['category']:<15} {r['id']} ({r['seconds']} s)", flush=True) if mark != "." else print(f"  ok              {r['id']} ({r['seconds']} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
