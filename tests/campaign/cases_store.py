"""The store: SIGKILL during every kind of write, concurrent writers, tampering behind
landplan's back, read-only stores and backups — on the GeoPackage and (with --pg) on
PostgreSQL.

A kill case starts from a template store in the state before the write, kills the write at a
random moment (stratified over the write's measured duration) and then requires: the store
verifies (`landplan audit verify`), its state equals either the state before or the state
after an uninterrupted run of the same write (a snapshot of every table without timestamps and
hashes, see stores.py), and the same write retried afterwards succeeds. A killed export or
restore must not leave a file or store that looks valid and holds something else."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import threading
import time
from pathlib import Path

import fixtures as fx
import harness
from harness import LOST, OK, SILENT, UNCLEAR, WRONG, Outcome, Run, abnormal, expect, message_problems
from registry import Ctx, Options, add_case
from stores import Gpkg, Pg, backend, describe_difference

KINDS = ["init", "import", "plan-create", "plan-submit", "plan-approve", "plan-publish", "plan-adjust", "export", "restore"]
LEDGER_PARCELS = 20_000
REGIONS = ["--region", "330000=示例省", "--region", "330100=示例市"]
BUSY = ("正由另一个进程写入", "等待超时", "数据库忙", "被锁定", "另一个进程")
LEFTOVER = ("未完成", "不完整", "中断", "残留", "上次", "损坏", "不是完整")

_lock = threading.Lock()
_templates: dict = {}  # (backend, name) -> url/path
_refs: dict = {}  # (backend, kind) -> reference info
_shared_dir: Path | None = None
_opts: Options | None = None


def prepare(opts: Options) -> None:
    global _shared_dir, _opts
    _opts = opts
    _shared_dir = opts.workdir / "shared"
    _shared_dir.mkdir(parents=True, exist_ok=True)
    _templates.clear()
    _refs.clear()


def drop_databases(ctx: Ctx) -> None:
    if ctx.dbs and ctx.opts.pg_url:
        Pg(ctx).drop_all()


class _SharedCtx(Ctx):
    """A context for templates shared by many cases (its directory is kept until the end)."""

    def __init__(self, opts: Options, label: str):
        from registry import Case

        c = Case("shared", label, lambda t: None, False, None, None, "")
        self.opts = opts
        self.case = c
        self.dir = _shared_dir / label
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rnd = random.Random(label)
        import os

        self.env = dict(os.environ)
        self.env.update({"USER": "campaign", "LANG": "C.UTF-8", "NO_COLOR": "1", "RUST_BACKTRACE": "0"})
        self.dbs = []


def _must(r: Run, what: str) -> Run:
    if r.rc != 0:
        raise harness.Verdict(Outcome(harness.SKIP, f"could not {what}: {r.status()}", r.cmd, r.excerpt()))
    return r


def _write_cmd(kind: str, url: str, files: dict) -> list[str]:
    y = ["--region", "330102", "--year", "2025"]
    return {
        "init": ["init", "--db", url, "--srid", "4490", *REGIONS, "--region", "330102=示例县"],
        "import": ["import", "--db", url, files["ledger2"], "--region", "330102", "--region-name", "示例县", "--year", "2025"],
        "plan-create": ["plan", "create", "--db", url, *y],
        "plan-submit": ["plan", "submit", "--db", url, *y, "--reason", "报请审批"],
        "plan-approve": ["plan", "approve", "--db", url, *y, "--reason", "同意"],
        "plan-publish": ["plan", "publish", "--db", url, *y],
        "plan-adjust": ["plan", "adjust", "--db", url, *y, "--reason", "年中调整"],
        "export": ["export", "--db", url, files["out"]],
        "restore": ["restore", "--db", url, files["backup"]],
    }[kind]


# Which template a write starts from.
BEFORE = {
    "init": None,
    "import": "inited",
    "plan-create": "imported",
    "plan-submit": "draft",
    "plan-approve": "submitted",
    "plan-publish": "approved",
    "plan-adjust": "published2",
    "export": "published2",
    "restore": None,
}


def _templates_for(opts: Options, bname: str):
    """Build, once per backend, the chain of template stores and the shared files."""
    with _lock:
        if (bname, "built") in _templates:
            return _templates
        t = _SharedCtx(opts, f"templates-{bname}")
        b = backend(t, bname)
        files = {
            "ledger1": str(t.path("台账1.csv")),
            "ledger2": str(t.path("台账2.csv")),
        }
        _must(t.lp("gen-ledger", "--parcels", LEDGER_PARCELS, "--seed", "7", "-o", files["ledger1"]), "generate a ledger")
        _must(t.lp("gen-ledger", "--parcels", LEDGER_PARCELS, "--seed", "8", "-o", files["ledger2"]), "generate a ledger")
        url = b.url("chain")
        y = ["--region", "330102", "--year", "2025"]
        steps = [
            ("inited", ["init", "--db", url, "--srid", "4490", *REGIONS, "--region", "330102=示例县"]),
            ("imported", ["import", "--db", url, files["ledger1"], "--region", "330102", "--region-name", "示例县", "--year", "2025"]),
            ("draft", ["plan", "create", "--db", url, *y]),
            ("submitted", ["plan", "submit", "--db", url, *y]),
            ("approved", ["plan", "approve", "--db", url, *y]),
            ("published", ["plan", "publish", "--db", url, *y]),
            ("published2", ["import", "--db", url, files["ledger2"], "--region", "330102", "--year", "2025"]),
        ]
        for name, cmd in steps:
            _must(t.lp(*cmd, timeout=180), f"build the template {name}")
            _templates[(bname, name)] = b.clone(url, f"tpl-{name}")
        backup = str(t.path("备份.gpkg"))
        _must(t.lp("export", "--db", _templates[(bname, "published2")], backup, timeout=180), "export the template")
        # The export appended to the template; rebuild it from the chain so it is the state before.
        _templates[(bname, "published2")] = b.clone(url, "tpl-published2")
        files["backup"] = backup
        _templates[(bname, "files")] = files
        _templates[(bname, "ctx")] = t
        _templates[(bname, "built")] = True
        return _templates


def _reference(opts: Options, bname: str, kind: str) -> dict:
    """The write run once, uninterrupted: its duration and the state before/after."""
    with _lock:
        if (bname, kind) in _refs:
            return _refs[(bname, kind)]
    tpl = _templates_for(opts, bname)
    t = tpl[(bname, "ctx")]
    b = backend(t, bname)
    files = dict(tpl[(bname, "files")])
    src = tpl.get((bname, BEFORE[kind])) if BEFORE[kind] else None
    before = b.snapshot(src) if src else None
    durations = []
    ref = {}
    for i in range(2):  # the second run's time is the one used (warm caches)
        url = _target(b, kind, f"ref-{kind}-{i}", src)
        files["out"] = str(t.path(f"ref-out-{kind}-{i}.gpkg"))
        Path(files["out"]).unlink(missing_ok=True)
        r = _must(t.lp(*_write_cmd(kind, url, files), timeout=300), f"run {kind} uninterrupted")
        durations.append(r.elapsed)
        ref["after"] = b.snapshot(url)
        if kind == "export":
            ref["source_after"] = ref["after"]
            g = Gpkg(t)
            rurl = str(t.path(f"ref-restored-{i}.gpkg"))
            Path(rurl).unlink(missing_ok=True)
            _must(t.lp("restore", "--db", rurl, files["out"], timeout=300), "restore the reference export")
            ref["restored"] = g.snapshot(rurl)
    ref["before"] = before
    ref["duration"] = min(durations)
    with _lock:
        _refs[(bname, kind)] = ref
    return ref


def _target(b, kind: str, name: str, src: str | None) -> str:
    if kind in ("init", "restore"):
        return b.url(name)  # a new empty store (PostgreSQL: an empty database)
    return b.clone(src, name)


def _kill_case(bname: str, kind: str, rnd_index: int, rounds: int):
    def fn(t: Ctx) -> Outcome:
        opts = t.opts
        tpl = _templates_for(opts, bname)
        ref = _reference(opts, bname, kind)
        b = backend(t, bname)
        files = dict(tpl[(bname, "files")])
        src = tpl.get((bname, BEFORE[kind])) if BEFORE[kind] else None
        url = _target(b, kind, "victim", src)
        files["out"] = str(t.path("备份.gpkg"))
        if kind == "restore":
            files["backup"] = str(t.path("备份-源.gpkg"))
            shutil.copyfile(tpl[(bname, "files")]["backup"], files["backup"])
        backup_sha = _sha(files["backup"]) if kind == "restore" else None
        # Stratified kill moment: round i of n lands in the i-th slice of the write's duration.
        d = ref["duration"]
        delay = max(0.002, d * (rnd_index + t.rnd.random()) / rounds)
        cmd = _write_cmd(kind, url, files)
        r = t.lp(*cmd, kill_after=delay, timeout=300)
        ab = abnormal(r)
        if ab:
            return ab
        landed = "killed" if r.killed_by_us else f"finished before the kill ({r.status()})"
        note = f"SIGKILL after {delay * 1000:.0f} ms of a {d * 1000:.0f} ms {kind}: {landed}"
        if not r.killed_by_us and r.rc != 0:
            return Outcome(WRONG, f"{note}; the write failed on its own", r.cmd, r.excerpt())
        if kind == "export":
            return _after_killed_export(t, b, url, files, ref, note, r)
        return _after_killed_write(t, b, kind, url, files, ref, note, r, backup_sha)

    return fn


def _sha(p: str) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def _after_killed_write(t, b, kind, url, files, ref, note, r, backup_sha) -> Outcome:
    snap = b.snapshot(url)
    v = t.lp("audit", "verify", "--db", url, timeout=120)
    vab = abnormal(v)
    if vab:
        vab.detail = f"{note}; audit verify: {vab.detail}"
        return vab
    state = "before" if snap == ref["before"] else "after" if snap == ref["after"] else None
    if kind == "restore" and backup_sha and _sha(files["backup"]) != backup_sha:
        return Outcome(LOST, f"{note}; the backup file changed", r.cmd)
    if state is None:
        # Partial state. Only acceptable if landplan refuses to treat it as a store.
        if v.rc == 0:
            diff = describe_difference(snap, ref["after"])
            return Outcome(LOST, f"{note}; the store holds part of the write and audit verify calls it intact ({diff})",
                           f"{r.cmd}  # killed, then: {v.cmd}", v.excerpt())
        # Not intact and says so: a retry must work or say what the leftover is.
        return _retry(t, b, kind, url, files, note, r, leftover_expected=True, verify=v)
    if state == "after" and v.rc != 0:
        return Outcome(LOST, f"{note}; the write is whole but audit verify fails", v.cmd, v.excerpt())
    if state == "before" and snap is not None and v.rc != 0:
        return Outcome(LOST, f"{note}; the store is as before but audit verify fails", v.cmd, v.excerpt())
    if state == "after":
        return Outcome(OK, f"{note}; the whole write is there and the store verifies", r.cmd)
    return _retry(t, b, kind, url, files, note, r, leftover_expected=snap is None and b.exists(url) and kind in ("init", "restore") and _has_file(b, url), verify=v)


def _has_file(b, url) -> bool:
    if isinstance(b, Gpkg):
        p = Path(url)
        return p.exists() and p.stat().st_size > 0
    return False


def _retry(t, b, kind, url, files, note, r, leftover_expected: bool, verify: Run) -> Outcome:
    """None of the write is there: running it again must work (or say why not, clearly)."""
    again = t.lp(*_write_cmd(kind, url, files), timeout=300)
    ab = abnormal(again)
    if ab:
        ab.detail = f"{note}; retry: {ab.detail}"
        return ab
    if again.rc == 0:
        v = t.lp("audit", "verify", "--db", url)
        if v.rc != 0:
            return Outcome(LOST, f"{note}; retried, but the store does not verify", v.cmd, v.excerpt())
        return Outcome(OK, f"{note}; nothing of it was stored, the retry worked", r.cmd)
    # Refused: fine only when the message says it is the leftover of an interrupted write.
    if any(w in again.err for w in LEFTOVER):
        return Outcome(OK, f"{note}; the retry is refused and says the store is an interrupted leftover", again.cmd, again.excerpt())
    return Outcome(UNCLEAR, f"{note}; the leftover blocks a retry and the message does not say it is one", again.cmd, again.excerpt())


def _after_killed_export(t, b, url, files, ref, note, r) -> Outcome:
    out = Path(files["out"])
    src = b.snapshot(url)
    v = t.lp("audit", "verify", "--db", url)
    if v.rc != 0:
        return Outcome(LOST, f"{note}; the source store no longer verifies", v.cmd, v.excerpt())
    tpl_before = ref["before"]
    if src not in (tpl_before, ref["source_after"]):
        return Outcome(LOST, f"{note}; the source store changed: {describe_difference(src, tpl_before)}", r.cmd)
    if not out.exists():
        return Outcome(OK, f"{note}; no backup file left", r.cmd)
    # A file is there: does it look valid, and what does it restore to?
    copy = t.path("检查副本.gpkg")
    shutil.copyfile(out, copy)
    vv = t.lp("audit", "verify", "--db", copy)
    g = Gpkg(t)
    rurl = str(t.path("恢复.gpkg"))
    rr = t.lp("restore", "--db", rurl, str(out), timeout=300)
    ab = abnormal(rr) or abnormal(vv)
    if ab:
        ab.detail = f"{note}; checking the leftover: {ab.detail}"
        return ab
    if rr.rc == 0:
        got = g.snapshot(rurl)
        if got != ref["restored"]:
            return Outcome(LOST, f"{note}; the killed export left {out.name}, which restores to something else ({describe_difference(got, ref['restored'])})",
                           f"{r.cmd}  # killed, then: {rr.cmd}", rr.excerpt())
        return Outcome(OK, f"{note}; the backup left is complete and restores to the store", r.cmd)
    if vv.rc == 0:
        return Outcome(LOST, f"{note}; the killed export left {out.name}: audit verify calls it intact but restore refuses it",
                       f"{r.cmd}  # killed, then: {vv.cmd}", vv.excerpt() + " | restore: " + rr.excerpt())
    # Refused and not called intact. A retry of the export must work or name the leftover.
    again = t.lp(*_write_cmd("export", url, files), timeout=300)
    if again.rc == 0:
        return Outcome(OK, f"{note}; the leftover is refused by restore, the retry replaced it", r.cmd)
    if any(w in again.err for w in LEFTOVER):
        return Outcome(OK, f"{note}; the retry says the old file is an interrupted leftover", again.cmd, again.excerpt())
    return Outcome(UNCLEAR, f"{note}; the leftover {out.name} blocks a retry and the message does not say it is one", again.cmd, again.excerpt())


def _register_kills():
    for bname in ("gpkg", "pg"):
        for kind in KINDS:
            rounds = 6
            for i in range(rounds):
                # Quick (CI): two moments per kind on the GeoPackage, one on PostgreSQL for the
                # writes that move most data.
                quick = (bname == "gpkg" and i in (1, 3)) or (bname == "pg" and i == 2 and kind in ("import", "export", "restore", "plan-create"))
                add_case(f"store-kill/{bname}", f"{kind}#{i + 1}", _kill_case(bname, kind, i, rounds), quick=quick,
                         backend=bname, defect=5 if kind in ("export", "restore") else None,
                         what=f"SIGKILL during {kind} ({bname}), moment {i + 1} of {rounds} → whole or nothing, store verifies")


_register_kills()


# ---------------------------------------------------------------------------------------------
# Files written with -o --force, killed: the old file or the whole new one, never a torn one
# ---------------------------------------------------------------------------------------------


def _file_kill(label: str, quick_round: bool, i: int, rounds: int):
    def fn(t: Ctx) -> Outcome:
        old = b"\xef\xbb\xbf" + "旧文件，不应被截断\n".encode() * 1000
        if label == "gen-ledger":
            cmd = ["gen-ledger", "--parcels", "300000", "--seed", "4", "-o", "out.csv", "--force"]
        elif label == "compile-json":
            t.lp("gen-ledger", "--parcels", "100000", "--seed", "4", "-o", "台账.csv")
            cmd = ["compile", "--ledger", "台账.csv", "--format", "json", "--region", "示例县", "--year", "2025", "-o", "out.csv", "--force"]
        else:  # overlay
            par = [{"props": {"地块编号": f"DK{k:05d}", "地块面积": "0.0100"}, "ring": fx.rect(k * 20, 0, k * 20 + 10, 10)} for k in range(20000)]
            t.write("地块.geojson", fx.geojson(par))
            cmd = ["overlay", "--parcels", "地块.geojson", "--format", "geojson", "-o", "out.csv", "--force"]
        ref = t.path("ref.out")
        r0 = t.lp(*[c if c != "out.csv" else "ref.out" for c in cmd], timeout=300)
        if r0.rc not in (0, 1):
            # The documented command itself fails (e.g. a binary without --force for overlay).
            return expect(r0, result=lambda r: None, refuse=False, finding=False)
        full = ref.read_bytes()
        d = r0.elapsed
        t.write("out.csv", old)
        delay = max(0.002, d * 1.1 * (i + t.rnd.random()) / rounds)
        r = t.lp(*cmd, kill_after=delay, timeout=300)
        ab = abnormal(r)
        if ab:
            return ab
        now = t.path("out.csv").read_bytes() if t.path("out.csv").exists() else None
        note = f"SIGKILL after {delay * 1000:.0f} ms of {d * 1000:.0f} ms: {'killed' if r.killed_by_us else 'finished first'}"
        if now == old:
            return Outcome(OK, f"{note}; the old file is intact", r.cmd)
        if label == "overlay" or label == "compile-json":
            same = now is not None and len(now) == len(full)
        else:
            same = now == full
        if same:
            return Outcome(OK, f"{note}; the new file is complete", r.cmd)
        if now is None:
            return Outcome(LOST, f"{note}; the old file is gone and no new file was written", r.cmd)
        return Outcome(LOST, f"{note}; the file is torn: {len(now)} bytes, neither the old {len(old)} nor the new {len(full)}", r.cmd)

    return fn


for _label in ("gen-ledger", "compile-json", "overlay"):
    for _i in range(4):
        add_case("file-kill", f"{_label}-o-force#{_i + 1}", _file_kill(_label, _i == 1, _i, 4), quick=_i == 1 and _label == "gen-ledger",
                 defect=16 if _label == "gen-ledger" else 6 if _label == "overlay" else None,
                 what=f"SIGKILL during {_label} -o EXISTING --force → the old file or the whole new one")


# ---------------------------------------------------------------------------------------------
# Concurrent writers
# ---------------------------------------------------------------------------------------------


def _spawn(t: Ctx, args: list[str]):
    import subprocess as sp

    return sp.Popen([t.bin, *args], cwd=t.dir, env=t.env, stdout=sp.PIPE, stderr=sp.PIPE, preexec_fn=harness._limits(t.opts.mem_cap, None))


def _gather(procs, timeout=300):
    out = []
    for args, p in procs:
        try:
            so, se = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            so, se = p.communicate()
        out.append((args, p.returncode, so.decode("utf-8", "replace"), se.decode("utf-8", "replace")))
    return out


def _judge_concurrent(results, allow_refusal=("已存在", "不能", "只有")) -> Outcome | None:
    """Every process: success, a clear busy message, or (where given) a clear refusal."""
    for args, rc, so, se in results:
        cmd = "landplan " + " ".join(args)
        if rc == 101 or "panicked" in se:
            return Outcome(harness.PANIC, f"a concurrent process panicked: {se.strip()[:200]}", cmd, se[:400])
        if rc is None or rc < 0:
            return Outcome(harness.CRASH, f"a concurrent process was killed by signal {-rc if rc else '?'}", cmd, se[:400])
        if rc == 0:
            continue
        if any(w in se for w in BUSY):
            probs = message_problems(se)
            if probs:
                return Outcome(UNCLEAR, "busy message unclear: " + "; ".join(probs), cmd, se[:400])
            continue
        if allow_refusal and any(w in se for w in allow_refusal) and not message_problems(se):
            continue
        return Outcome(WRONG, f"a concurrent process failed with exit {rc} and no busy message", cmd, se.strip()[:400])
    return None


def _conc_store(t: Ctx, bname: str) -> tuple:
    b = backend(t, bname)
    url = b.url("conc")
    _must(t.lp("init", "--db", url, *REGIONS), "init")
    return b, url


def _ledgers(t: Ctx, n: int, parcels: int) -> list[str]:
    names = []
    for i in range(n):
        name = f"台账{i}.csv"
        _must(t.lp("gen-ledger", "--parcels", parcels, "--seed", 100 + i, "-o", name), "generate a ledger")
        names.append(name)
    return names


def _conc_import(bname: str):
    def fn(t: Ctx) -> Outcome:
        b, url = _conc_store(t, bname)
        n = 6
        parcels = 5000 if not t.opts.quick else 3000
        ledgers = _ledgers(t, n, parcels)
        regions = ["330102", "330103", "330104", "330105", "330102", "330103"]
        procs = []
        for i in range(n):
            a = ["import", "--db", url, ledgers[i], "--region", regions[i], "--region-name", f"县{regions[i]}", "--year", "2025"]
            procs.append((a, _spawn(t, a)))
        for k in range(4):
            a = ["plan", "list", "--db", url] if k % 2 else ["audit", "verify", "--db", url]
            procs.append((a, _spawn(t, a)))
        res = _gather(procs)
        bad = _judge_concurrent(res, allow_refusal=())
        if bad:
            return bad
        ok_imports = [r for r in res[:n] if r[1] == 0]
        rows = b.query(url, "SELECT id, region, parcel_count, (SELECT count(*) FROM parcel p WHERE p.import_id = i.id) FROM ledger_import i ORDER BY id")
        if len(rows) != len(ok_imports):
            return Outcome(LOST, f"{len(ok_imports)} imports reported success, the store holds {len(rows)}", "")
        for row in rows:
            if int(row[2]) != parcels or int(row[3]) != parcels:
                return Outcome(LOST, f"import {row[0]} holds {row[3]} parcels (recorded {row[2]}), the ledger has {parcels}", "")
        v = t.lp("audit", "verify", "--db", url)
        if v.rc != 0:
            return Outcome(LOST, "the store does not verify after concurrent imports", v.cmd, v.excerpt())
        return Outcome(OK, f"{len(ok_imports)} of {n} imports stored whole, {n - len(ok_imports)} told busy; 4 readers fine")

    return fn


def _conc_create_and_transition(bname: str):
    def fn(t: Ctx) -> Outcome:
        b, url = _conc_store(t, bname)
        regions = ["330102", "330103", "330104", "330105"]
        (led,) = _ledgers(t, 1, 2000)
        for r_ in regions:
            _must(t.lp("import", "--db", url, led, "--region", r_, "--region-name", f"县{r_}", "--year", "2025"), "import")
        # 4 creates of distinct plans and 2 more of the first one, at once.
        procs = []
        for r_ in regions + ["330102", "330102"]:
            a = ["plan", "create", "--db", url, "--region", r_, "--year", "2025"]
            procs.append((a, _spawn(t, a)))
        res = _gather(procs)
        bad = _judge_concurrent(res)
        if bad:
            return bad
        vs = b.query(url, "SELECT p.region, count(*) FROM plan p JOIN plan_version v ON v.plan_id = p.id GROUP BY p.region ORDER BY p.region")
        got = {r[0]: int(r[1]) for r in vs}
        if got != {r_: 1 for r_ in regions}:
            return Outcome(LOST, f"after concurrent creates the plans/versions are {got}, expected one version of each of 4 plans", "")
        # 4 submits of the same plan and 3 of the others, at once.
        procs = []
        for r_ in ["330102"] * 4 + regions[1:]:
            a = ["plan", "submit", "--db", url, "--region", r_, "--year", "2025", "--reason", "并发提交"]
            procs.append((a, _spawn(t, a)))
        res = _gather(procs)
        bad = _judge_concurrent(res)
        if bad:
            return bad
        wins = sum(1 for r in res[:4] if r[1] == 0)
        if wins != 1:
            return Outcome(WRONG, f"{wins} of 4 concurrent submits of one plan succeeded (exactly one must)", "")
        ev = b.query(url, "SELECT count(*) FROM plan_event WHERE action = 'submit'")
        st = b.query(url, "SELECT status FROM plan_version ORDER BY id")
        if int(ev[0][0]) != 4 or any(s[0] != "submitted" for s in st):
            return Outcome(LOST, f"submit events {ev[0][0]} (expected 4), statuses {[s[0] for s in st]}", "")
        v = t.lp("audit", "verify", "--db", url)
        if v.rc != 0:
            return Outcome(LOST, "the store does not verify after concurrent transitions", v.cmd, v.excerpt())
        return Outcome(OK, "concurrent creates and submits: one winner per plan, the others refused clearly, nothing lost")

    return fn


def _conc_export_during_writes(bname: str):
    def fn(t: Ctx) -> Outcome:
        b, url = _conc_store(t, bname)
        ledgers = _ledgers(t, 3, LEDGER_PARCELS)
        _must(t.lp("import", "--db", url, ledgers[0], "--region", "330102", "--region-name", "县", "--year", "2025"), "import")
        procs = []
        for i, r_ in enumerate(["330103", "330104", "330105"]):
            a = ["import", "--db", url, ledgers[i], "--region", r_, "--region-name", f"县{r_}", "--year", "2025"]
            procs.append((a, _spawn(t, a)))
        # Exports back to back for as long as the imports run, so that some of them overlap
        # every commit.
        exports = []
        time.sleep(0.05)
        for k in range(12):
            a = ["export", "--db", url, f"备份{k}.gpkg"]
            p = _spawn(t, a)
            exports.append((a, p))
            p.wait()
            if all(pp.poll() is not None for _, pp in procs):
                break
        res = _gather(procs + exports)
        bad = _judge_concurrent(res, allow_refusal=())
        if bad:
            return bad
        for k, (args, rc, so, se) in enumerate(res[3:]):
            if rc != 0:
                continue
            f = t.path(f"备份{k}.gpkg")
            copy = t.path(f"副本{k}.gpkg")
            shutil.copyfile(f, copy)
            vv = t.lp("audit", "verify", "--db", copy)
            rr = t.lp("restore", "--db", f"恢复{k}.gpkg", f.name)
            if vv.rc != 0 or rr.rc != 0:
                return Outcome(LOST, f"export {k} said it succeeded during concurrent imports, but the backup " + ("does not verify" if vv.rc else "is refused by restore"),
                               "landplan " + " ".join(args), (vv.excerpt() if vv.rc else rr.excerpt()))
            g = Gpkg(t)
            rows = g.query(str(t.path(f"恢复{k}.gpkg")), "SELECT i.parcel_count, (SELECT count(*) FROM parcel p WHERE p.import_id = i.id) FROM ledger_import i")
            if any(int(a) != int(c) for a, c in rows):
                return Outcome(LOST, f"export {k} holds an import with part of its parcels", "landplan " + " ".join(args))
        return Outcome(OK, "exports during imports are consistent snapshots (verify and restore)")

    return fn


for _b in ("gpkg", "pg"):
    add_case(f"concurrency/{_b}", "6-importers-4-readers", _conc_import(_b), quick=True, backend=_b,
             what="6 imports (2 into the same county) and 4 readers at once → every import whole or told busy")
    add_case(f"concurrency/{_b}", "creates-and-submits", _conc_create_and_transition(_b), quick=_b == "gpkg", backend=_b,
             what="6 plan creates (2 duplicates) then 7 submits (4 of one plan) at once → one winner each, others refused clearly")
    add_case(f"concurrency/{_b}", "export-during-imports", _conc_export_during_writes(_b), quick=True, backend=_b, defect=4,
             what="export while 3 imports run → a backup that verifies and restores, or a clear busy refusal")


# ---------------------------------------------------------------------------------------------
# Tampering: edit the stored state outside landplan; audit verify must name it
# ---------------------------------------------------------------------------------------------


def _tamper_store(t: Ctx, bname: str):
    b = backend(t, bname)
    url = b.url("tamper")
    led = t.write("台账.csv", fx.ledger_csv(fx.ledger_rows(50))).name
    y = ["--year", "2025"]
    for cmd in (
        ["init", "--db", url, *REGIONS],
        ["import", "--db", url, led, "--region", "330102", "--region-name", "甲县", *y],
        ["import", "--db", url, led, "--region", "330103", "--region-name", "乙县", *y],
        ["plan", "create", "--db", url, "--region", "330102", *y],
        ["plan", "submit", "--db", url, "--region", "330102", *y],
        ["plan", "approve", "--db", url, "--region", "330102", *y],
        ["plan", "publish", "--db", url, "--region", "330102", *y],
        ["plan", "create", "--db", url, "--region", "330103", *y],
    ):
        _must(t.lp(*cmd), " ".join(cmd[:2]))
    v = t.lp("audit", "verify", "--db", url)
    if v.rc != 0:
        raise harness.Verdict(Outcome(WRONG, "the untouched store does not verify", v.cmd, v.excerpt()))
    return b, url


TAMPERS = [
    # name, defect, what, statements, words that name the damage (any of them)
    ("plan-status", 7, "a draft plan set to 已公布 with SQL",
     ["UPDATE plan_version SET status = 'published' WHERE plan_id = (SELECT id FROM plan WHERE region = '330103')"], ["330103"]),
    ("published-total", 7, "the published plan's total changed with SQL",
     ["UPDATE plan_version SET total_ha = '9999.0000' WHERE status = 'published'"], ["330102", "总量", "total", "9999"]),
    ("published-compiled-plan", 7, "the compiled plan (JSON) of the published version edited",
     ["UPDATE plan_version SET compiled = replace(compiled, '\"total\"', '\"total_old\"') WHERE status = 'published'"], ["330102", "计划"]),
    ("parcel-area", 7, "one parcel's area changed with SQL",
     ["UPDATE parcel SET area_ha = '99.9999' WHERE parcel_id = 'DK00007' AND region = '330102'"], ["DK00007"]),
    ("parcel-deleted", None, "control: one parcel deleted (documented as found)",
     ["DELETE FROM parcel WHERE parcel_id = 'DK00008' AND region = '330103'"], ["330103", "地块", "导入"]),
    ("lifecycle-event", 7, "the approver of a lifecycle event rewritten",
     ["UPDATE plan_event SET user_name = '张三' WHERE action = 'approve'"], ["approve", "批准", "流转", "plan_event"]),
    ("import-total", 7, "an import's recorded total changed",
     ["UPDATE ledger_import SET total_ha = '1.0000' WHERE region = '330102'"], ["导入", "import"]),
    ("region-renamed", 7, "a county renamed with SQL",
     ["UPDATE region SET name = '别的县' WHERE code = '330102'"], ["330102", "行政区"]),
    ("audit-last-entries-deleted", 7, "the last two audit entries deleted",
     ["DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)"], ["审计", "条", "删除", "缺"]),
    ("audit-log-emptied", 7, "every audit entry deleted",
     ["DELETE FROM audit_log"], ["审计", "空", "删除"]),
    ("audit-entry-edited", None, "control: one audit entry's actor edited (the chain breaks)",
     ["UPDATE audit_log SET user_name = '别人' WHERE seq = 3"], ["3"]),
]


def _tamper_case(bname: str, name: str, stmts: list[str], words: list[str]):
    def fn(t: Ctx) -> Outcome:
        b, url = _tamper_store(t, bname)
        b.sql(url, stmts)
        v = t.lp("audit", "verify", "--db", url)
        ab = abnormal(v)
        if ab:
            return ab
        if v.rc == 0:
            return Outcome(SILENT, "audit verify calls the edited store intact: " + v.out.strip()[:120], v.cmd + f"   # after: {'; '.join(stmts)}", v.excerpt())
        probs = message_problems(v.text, [words], known=[url], check_repeat=False)
        if probs:
            return Outcome(UNCLEAR, f"audit verify exit {v.rc}, but does not name what was edited: " + "; ".join(probs), v.cmd, v.excerpt())
        return Outcome(OK, f"audit verify exit {v.rc} and names it", v.cmd, v.excerpt(200))

    return fn


for _b in ("gpkg", "pg"):
    for name, defect, what, stmts, words in TAMPERS:
        add_case(f"tamper/{_b}", name, _tamper_case(_b, name, stmts, words), backend=_b, defect=defect,
                 quick=name in ("plan-status", "parcel-area", "audit-log-emptied", "audit-entry-edited") and (_b == "gpkg" or name != "audit-entry-edited"),
                 what=f"{what} → audit verify exit 1 naming it")


# ---------------------------------------------------------------------------------------------
# Read-only stores and backups; init over someone else's GeoPackage; PostgreSQL messages
# ---------------------------------------------------------------------------------------------


def _nobody() -> int | None:
    import os
    import pwd

    if os.geteuid() != 0:
        return None
    return pwd.getpwnam("nobody").pw_uid


def _ro_case(cmdname: str):
    def fn(t: Ctx) -> Outcome:
        import os

        b, url = _tamper_store(t, "gpkg")
        d = t.dir / "只读"
        d.mkdir()
        ro = d / "只读库.gpkg"
        shutil.copyfile(url, ro)
        os.chmod(ro, 0o444)
        os.chmod(d, 0o555)
        before = _sha(str(ro))
        uid = _nobody()
        args = {"verify": ["audit", "verify", "--db", str(ro)], "list": ["plan", "list", "--db", str(ro)], "show": ["plan", "show", "--db", str(ro), "--region", "330102", "--year", "2025"]}[cmdname]
        r = harness.run([t.bin, *args], t.dir, timeout=60, mem_cap=t.opts.mem_cap, env=t.env, uid=uid)
        os.chmod(d, 0o755)
        if _sha(str(ro)) != before:
            return Outcome(WRONG, "a read-only command changed the store file", r.cmd)
        return expect(r, result=lambda r: None if r.out.strip() else "no output", refuse=False, finding=False)

    return fn


for _c in ("verify", "list", "show"):
    add_case("store/gpkg", f"read-only-store/{_c}", _ro_case(_c), quick=_c == "verify", defect=12,
             what=f"{_c} on a store in a read-only directory (file 0444) → works, file unchanged")


def _backup_untouched(cmdname: str):
    def fn(t: Ctx) -> Outcome:
        b, url = _tamper_store(t, "gpkg")
        bk = t.path("备份.gpkg")
        _must(t.lp("export", "--db", url, bk.name), "export")
        before = _sha(str(bk))
        args = {"verify": ["audit", "verify", "--db", bk.name], "list": ["plan", "list", "--db", bk.name], "log": ["audit", "log", "--db", bk.name]}[cmdname]
        r = t.lp(*args)
        if abnormal(r):
            return abnormal(r)
        if _sha(str(bk)) != before:
            return Outcome(WRONG, f"`{' '.join(args[:2])}` rewrote the backup (its SHA-256 changed)", r.cmd)
        return expect(r, result=lambda r: None, refuse=False, finding=False)

    return fn


for _c in ("verify", "list", "log"):
    add_case("store/gpkg", f"backup-unchanged-by/{_c}", _backup_untouched(_c), quick=_c == "verify", defect=12,
             what=f"audit/plan {_c} on a backup → works and leaves its SHA-256 unchanged")


def _init_over_foreign(t: Ctx) -> Outcome:
    p = t.path("别人的.gpkg")
    feats = [{"props": {"名称": "A"}, "geom": fx.gpkg_blob(fx.wkb_polygon(fx.rect(0, 0, 10, 10)))}]
    fx.geopackage(p, feats, table="parcel")
    g = Gpkg(t)
    tables = sorted(r[0] for r in g.query(str(p), "SELECT name FROM sqlite_master WHERE type = 'table'"))
    r = t.lp("init", "--db", p.name)
    ab = abnormal(r)
    if ab:
        return ab
    after = sorted(x[0] for x in g.query(str(p), "SELECT name FROM sqlite_master WHERE type = 'table'"))
    if r.rc == 0:
        return Outcome(SILENT, "init wrote a landplan store into a GeoPackage that already has a parcel layer", r.cmd, r.excerpt())
    if after != tables:
        return Outcome(WRONG, f"init refused but left tables behind: {sorted(set(after) - set(tables))}", r.cmd, r.excerpt())
    o = expect(r, places=[p.name], finding=False)
    if o.category == OK and (len(r.err) > 600 or "CREATE TABLE" in r.err):
        return Outcome(UNCLEAR, f"init refused with {len(r.err)} bytes of message including SQL", r.cmd, r.excerpt())
    return o


add_case("store/gpkg", "init-over-a-geopackage-with-a-parcel-layer", _init_over_foreign, quick=True, defect=18,
         what="init on a GeoPackage that has its own `parcel` layer → refused briefly in Chinese, file untouched")


def _lifecycle_abuse(bname: str):
    def fn(t: Ctx) -> Outcome:
        b, url = _tamper_store(t, bname)
        worst = None
        for args, place in (
            (["plan", "approve", "--db", url, "--region", "330103", "--year", "2025"], "330103"),
            (["plan", "publish", "--db", url, "--region", "330103", "--year", "2025"], "330103"),
            (["plan", "adjust", "--db", url, "--region", "330102", "--year", "2025"], "--reason"),
            (["plan", "submit", "--db", url, "--region", "330102", "--year", "2025"], "330102"),
            (["plan", "create", "--db", url, "--region", "330102", "--year", "2025"], "330102"),
            (["plan", "show", "--db", url, "--region", "330199", "--year", "2025"], "330199"),
        ):
            snap = b.snapshot(url)
            r = t.lp(*args)
            o = expect(r, places=[place], finding=False)
            if b.snapshot(url) != snap:
                o = Outcome(LOST, "a refused transition changed the store", r.cmd)
            if o.category != OK:
                worst = o if worst is None else worst.worst(o)
        return worst or Outcome(OK, "every out-of-order step refused in Chinese, nothing changed")

    return fn


for _b in ("gpkg", "pg"):
    add_case(f"store/{_b}", "lifecycle-out-of-order", _lifecycle_abuse(_b), backend=_b, quick=_b == "gpkg", defect=18,
             what="approve a draft, publish a draft, adjust without reason, resubmit a published plan, create twice → refused, nothing changed")


def _pg_missing_db(t: Ctx) -> Outcome:
    base = t.opts.pg_url.rsplit("/", 1)[0]
    r = t.lp("init", "--db", f"{base}/没有这个库")
    return expect(r, places=["没有这个库", ["不存在", "没有这个数据库", "找不到"]], finding=False)


def _pg_unreachable(t: Ctx) -> Outcome:
    r = t.lp("plan", "list", "--db", "postgres://postgres@127.0.0.1:1/landplan", timeout=60)
    return expect(r, places=["127.0.0.1:1"], finding=False)


add_case("store/pg", "database-does-not-exist", _pg_missing_db, backend="pg", defect=18,
         what="init --db postgres://…/没有这个库 → refused in Chinese saying the database does not exist")
add_case("store/pg", "server-unreachable", _pg_unreachable, backend="pg", defect=18,
         what="plan list --db postgres://…:1/… (nothing listening) → refused in Chinese naming the server")


def _gpkg_missing(t: Ctx) -> Outcome:
    r = t.lp("plan", "list", "--db", "没有的库.gpkg")
    o = expect(r, places=["没有的库.gpkg"], finding=False)
    if t.path("没有的库.gpkg").exists():
        return Outcome(WRONG, "plan list created an empty store file", r.cmd)
    return o


add_case("store/gpkg", "store-does-not-exist", _gpkg_missing, quick=True,
         what="plan list --db 没有的库.gpkg → refused in Chinese, no file created")


def _gpkg_not_sqlite(t: Ctx) -> Outcome:
    t.write("乱码.gpkg", random.Random(3).randbytes(40000))
    r = t.lp("audit", "verify", "--db", "乱码.gpkg")
    return expect(r, places=["乱码.gpkg"], finding=False)


add_case("store/gpkg", "store-is-not-a-database", _gpkg_not_sqlite, defect=18,
         what="audit verify --db on random bytes → refused in Chinese naming the file, said once")
