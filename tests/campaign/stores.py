"""The two store backends as the campaign sees them from outside landplan: make a store, copy
it, take a snapshot of its state, edit it behind landplan's back."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

# The state that a write changes, without timestamps and hashes (which differ between runs).
SNAPSHOT_QUERIES = {
    "meta": "SELECT key, CASE WHEN key = 'srid' THEN value ELSE '' END FROM landplan_meta WHERE key <> 'created_at' ORDER BY key",
    "region": "SELECT code, name, level, coalesce(parent, '') FROM region ORDER BY code",
    "import": "SELECT id, region, year, kind, coalesce(base_import, 0), parcel_count, geometry_count, rejected_rows, total_ha, user_name FROM ledger_import ORDER BY id",
    "parcel": "SELECT import_id, parcel_id, area_ha, CASE WHEN geom IS NULL THEN 0 ELSE 1 END, data FROM parcel ORDER BY import_id, parcel_id, area_ha, data",
    "plan": "SELECT id, region, year, kind FROM plan ORDER BY id",
    "version": "SELECT id, plan_id, version, status, import_id, coalesce(reason, ''), total_ha, parcel_count, length(compiled) FROM plan_version ORDER BY id",
    "event": "SELECT version_id, action, coalesce(from_status, ''), to_status, coalesce(reason, ''), user_name FROM plan_event ORDER BY id",
    "audit": "SELECT seq, user_name, action, entity FROM audit_log ORDER BY seq",
}


def summarize(rows_by_table: dict[str, list[tuple]]) -> dict:
    """Parcels are summarised (count, total area, digest per import) to keep snapshots small."""
    out = {}
    for k, rows in rows_by_table.items():
        if k == "parcel":
            per = {}
            for r in rows:
                imp = str(r[0])
                d = per.setdefault(imp, {"count": 0, "with_geom": 0, "area": Decimal(0), "h": hashlib.sha256()})
                d["count"] += 1
                d["with_geom"] += int(r[3])
                try:
                    d["area"] += Decimal(str(r[2]))
                except Exception:
                    d["h"].update(b"bad-area")
                d["h"].update(("\x1f".join(str(x) for x in r) + "\x1e").encode())
            out[k] = {imp: (d["count"], d["with_geom"], str(d["area"]), d["h"].hexdigest()[:16]) for imp, d in per.items()}
        else:
            out[k] = [tuple(str(x) for x in r) for r in rows]
    return out


def describe_difference(a: dict | None, b: dict | None) -> str:
    if a is None or b is None:
        return "one is no store at all"
    diffs = []
    for k in SNAPSHOT_QUERIES:
        if a.get(k) != b.get(k):
            av, bv = a.get(k), b.get(k)
            if isinstance(av, list) and isinstance(bv, list):
                diffs.append(f"{k}: {len(av)} vs {len(bv)} rows")
            else:
                diffs.append(f"{k}: {av} vs {bv}")
    return "; ".join(diffs) or "no difference"


class Gpkg:
    name = "gpkg"

    def __init__(self, ctx):
        self.ctx = ctx

    def url(self, name: str) -> str:
        return str(self.ctx.path(name + ".gpkg"))

    def exists(self, url: str) -> bool:
        return Path(url).exists()

    def clone(self, src: str, name: str) -> str:
        dst = self.url(name)
        for suf in ("", "-wal", "-shm"):
            if Path(src + suf).exists():
                shutil.copyfile(src + suf, dst + suf)
        return dst

    def remove(self, url: str) -> None:
        for suf in ("", "-wal", "-shm", "-journal"):
            Path(url + suf).unlink(missing_ok=True)

    def snapshot(self, url: str) -> dict | None:
        p = Path(url)
        if not p.exists() or p.stat().st_size == 0:
            return None
        if Path(url + "-wal").exists() or Path(url + "-journal").exists():
            # A read-only open cannot recover a WAL or roll back a hot journal; the next open
            # by landplan would do the same recovery.
            con = sqlite3.connect(p, timeout=30)
        else:
            from urllib.parse import quote

            con = sqlite3.connect(f"file:{quote(str(p))}?mode=ro", uri=True, timeout=30)
        try:
            try:
                names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.OperationalError:
                con.close()
                con = sqlite3.connect(p, timeout=30)
                names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "audit_log" not in names:
                return None
            rows = {}
            for k, q in SNAPSHOT_QUERIES.items():
                rows[k] = con.execute(q).fetchall()
            return summarize(rows)
        finally:
            con.close()

    def sql(self, url: str, statements: list[str]) -> None:
        """Edit the store outside landplan, as a user with the sqlite3 shell can: every trigger
        (the R-tree's, which call ST_* functions a plain connection lacks, and the audit log's
        append-only guards) is dropped before the edit and created again after it."""
        con = sqlite3.connect(url, timeout=30)
        try:
            trig = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
            for n, _ in trig:
                con.execute(f'DROP TRIGGER "{n}"')
            for s in statements:
                con.execute(s)
            for _, s in trig:
                con.execute(s)
            con.commit()
        finally:
            con.close()

    def query(self, url: str, q: str) -> list[tuple]:
        con = sqlite3.connect(url, timeout=30)
        try:
            return con.execute(q).fetchall()
        finally:
            con.close()


class Pg:
    name = "pg"

    def __init__(self, ctx):
        self.ctx = ctx
        self.server = ctx.opts.pg_url  # …/postgres
        self.base = self.server.rsplit("/", 1)[0]

    def _db(self, name: str) -> str:
        h = hashlib.sha1(f"{self.ctx.case.id}/{name}".encode()).hexdigest()[:10]
        return f"c_{h}_{name}"[:60].replace("-", "_").lower()

    def _psql(self, url: str, sql: str, timeout: float = 120) -> str:
        p = subprocess.run(
            ["psql", url, "-X", "-q", "-At", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr.strip()}")
        return p.stdout

    def url(self, name: str, create: bool = True) -> str:
        db = self._db(name)
        if create:
            self._psql(self.server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            self._psql(self.server, f'CREATE DATABASE "{db}"')
            self.ctx.dbs.append(db)
        return f"{self.base}/{db}"

    def exists(self, url: str) -> bool:
        db = url.rsplit("/", 1)[1]
        return self._psql(self.server, f"SELECT 1 FROM pg_database WHERE datname = '{db}'").strip() == "1"

    def clone(self, src: str, name: str) -> str:
        db = self._db(name)
        srcdb = src.rsplit("/", 1)[1]
        self._psql(self.server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self._psql(self.server, f'CREATE DATABASE "{db}" TEMPLATE "{srcdb}"')
        self.ctx.dbs.append(db)
        return f"{self.base}/{db}"

    def remove(self, url: str) -> None:
        db = url.rsplit("/", 1)[1]
        self._psql(self.server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def snapshot(self, url: str) -> dict | None:
        if not self.exists(url):
            return None
        has = self._psql(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_log'").strip()
        if has != "1":
            return None
        parts = []
        for k, q in SNAPSHOT_QUERIES.items():
            parts.append(f"\\echo @@{k}\n{q};")
        p = subprocess.run(
            ["psql", url, "-X", "-q", "-At", "-F", "\x1f", "-v", "ON_ERROR_STOP=1"],
            input="\n".join(parts),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr.strip()}")
        rows: dict[str, list[tuple]] = {}
        cur = None
        for line in p.stdout.split("\n"):
            if line.startswith("@@"):
                cur = line[2:]
                rows[cur] = []
            elif cur is not None and line != "":
                rows[cur].append(tuple(line.split("\x1f")))
        return summarize(rows)

    def sql(self, url: str, statements: list[str]) -> None:
        """Edit the store outside landplan as a superuser can: triggers (the audit log's
        append-only guard) are off for this session only."""
        self._psql(url, "BEGIN;\nSET LOCAL session_replication_role = replica;\n" + ";\n".join(statements) + ";\nCOMMIT;")

    def query(self, url: str, q: str) -> list[tuple]:
        out = self._psql(url, q)
        return [tuple(l.split("\x1f")) for l in out.splitlines() if l]

    def drop_all(self) -> None:
        for db in self.ctx.dbs:
            try:
                self._psql(self.server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Exception:
                pass
        self.ctx.dbs.clear()


def backend(ctx, name: str):
    return Gpkg(ctx) if name == "gpkg" else Pg(ctx)
