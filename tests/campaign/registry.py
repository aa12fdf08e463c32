"""The case registry and the context a case runs in."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import shutil
from pathlib import Path
from typing import Callable

import harness
from harness import Outcome, Run


@dataclasses.dataclass
class Case:
    group: str  # the reader or area: ledger-csv, check, store-kill/gpkg, …
    name: str
    fn: Callable[["Ctx"], Outcome]
    quick: bool
    defect: int | None  # issue 11's defect number this case pins, if any
    backend: str | None  # "gpkg" or "pg" for store cases
    what: str  # one line: what the case feeds and what it expects
    solo: bool = False  # measures time: runs alone, after the parallel cases

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


CASES: list[Case] = []


def case(group: str, name: str, *, quick: bool = False, defect: int | None = None, backend: str | None = None, what: str = "", solo: bool = False):
    def deco(fn):
        doc = what or (fn.__doc__ or "").strip().splitlines()[0] if (what or fn.__doc__) else ""
        CASES.append(Case(group, name, fn, quick, defect, backend, doc, solo))
        return fn

    return deco


def add_case(group: str, name: str, fn, *, quick=False, defect=None, backend=None, what=""):
    CASES.append(Case(group, name, fn, quick, defect, backend, what))


@dataclasses.dataclass
class Options:
    bin: str
    workdir: Path
    quick: bool
    mem_cap: int
    seed: int
    pg_url: str | None  # server URL (…/postgres) when --pg
    repo: Path
    keep: bool = False


class Ctx:
    """What a case gets: its own directory, the binary, a seeded random source, helpers."""

    def __init__(self, opts: Options, c: Case):
        self.opts = opts
        self.case = c
        safe = c.id.replace("/", "__").replace("#", "-")
        self.dir = opts.workdir / "cases" / safe
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        os.chmod(self.dir, 0o755)
        h = int.from_bytes(hashlib.sha256(f"{opts.seed}:{c.id}".encode()).digest()[:8], "big")
        self.rnd = random.Random(h)
        self.env = dict(os.environ)
        self.env.update({"USER": "campaign", "LANG": "C.UTF-8", "NO_COLOR": "1", "RUST_BACKTRACE": "0"})
        self.env.pop("LANDPLAN_TIMING", None)
        self.dbs: list[str] = []  # PostgreSQL databases to drop afterwards

    @property
    def bin(self) -> str:
        return self.opts.bin

    def path(self, name: str) -> Path:
        return self.dir / name

    def write(self, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode(encoding)
        p.write_bytes(data)
        return p

    def lp(self, *args, timeout: float = 60, mem_cap: int | None = -1, cwd: Path | None = None, **kw) -> Run:
        """Run landplan with these arguments in the case's directory."""
        cap = self.opts.mem_cap if mem_cap == -1 else mem_cap
        return harness.run([self.bin, *[str(a) for a in args]], cwd or self.dir, timeout=timeout, mem_cap=cap, env=self.env, **kw)

    def sh(self, argv, timeout: float = 120, cwd: Path | None = None) -> Run:
        """Run another tool (soffice, ogr2ogr, psql) without the memory cap."""
        return harness.run([str(a) for a in argv], cwd or self.dir, timeout=timeout, mem_cap=None, env=self.env)

    def size_big(self, full: int, quick: int) -> int:
        return quick if self.opts.quick else full
