"""Running landplan under limits and judging what it did.

Everything a case needs to run the binary (a memory cap, a timeout, SIGKILL at a chosen
moment, a closed pipe) and to classify the outcome into one of the campaign's categories.
Python 3.11 standard library only.
"""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

# ---------------------------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------------------------

PANIC = "panic"
CRASH = "crash"
SILENT = "silent pass"
WRONG = "wrong result"
UNCLEAR = "unclear message"
LOST = "data lost"
OK = "ok"
SKIP = "harness error"  # the case could not be run: counted as a failure, never as a pass

# Order of the report's columns; also the order of severity when a case has several problems.
CATEGORIES = [PANIC, CRASH, SILENT, LOST, WRONG, UNCLEAR, OK, SKIP]
FAILING = {PANIC, CRASH, SILENT, LOST, WRONG, SKIP}

GiB = 1 << 30
MiB = 1 << 20


@dataclasses.dataclass
class Outcome:
    category: str
    detail: str
    command: str = ""
    evidence: str = ""

    def worst(self, other: "Outcome") -> "Outcome":
        return self if CATEGORIES.index(self.category) <= CATEGORIES.index(other.category) else other


class Verdict(Exception):
    """Raised inside a case to end it with an outcome (so helpers can stop a case early)."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.detail)
        self.outcome = outcome


# ---------------------------------------------------------------------------------------------
# Running a process
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    argv: list[str]
    cwd: str
    rc: int | None  # exit status, None when killed by a signal
    sig: int | None  # the signal that ended it
    timed_out: bool
    killed_by_us: bool
    stdout: bytes
    stderr: bytes
    elapsed: float
    maxrss_kib: int
    mem_cap: int | None
    stdout_truncated: bool = False

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def text(self) -> str:
        return self.err + "\n" + self.out

    @property
    def cmd(self) -> str:
        shown = [_short(a, 300) for a in self.argv]
        prefix = f"cd {shlex.quote(self.cwd)} && " if self.cwd else ""
        return prefix + " ".join(shlex.quote(a) for a in shown)

    @property
    def panicked(self) -> bool:
        return self.rc == 101 or "panicked" in self.err

    def status(self) -> str:
        if self.timed_out:
            return f"timed out after {self.elapsed:.0f} s"
        if self.sig is not None:
            name = signal.Signals(self.sig).name if self.sig in signal.Signals._value2member_map_ else str(self.sig)
            return f"killed by {name}"
        return f"exit {self.rc}"

    def excerpt(self, n: int = 400) -> str:
        err = self.err.strip()
        out = self.out.strip()
        parts = []
        if err:
            parts.append("stderr: " + _clip(err, n))
        if out:
            parts.append("stdout: " + _clip(out, n))
        return " | ".join(parts)


def _clip(s: str, n: int) -> str:
    s = s.replace("\n", "⏎")
    return s if len(s) <= n else s[: n - 20] + f"…(+{len(s) - n + 20} chars)"


def _short(a: str, n: int = 120) -> str:
    a = str(a)
    return a if len(a) <= n else a[: n // 2] + "…" + a[-n // 2 :]


def _limits(mem_cap: int | None, uid: int | None) -> Callable[[], None]:
    def pre() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if mem_cap:
            resource.setrlimit(resource.RLIMIT_AS, (mem_cap, mem_cap))
        if uid is not None:
            os.setgid(uid)
            os.setuid(uid)

    return pre


CAPTURE_LIMIT = 4 * MiB


def _read_capped(path: Path) -> tuple[bytes, bool]:
    size = path.stat().st_size
    with open(path, "rb") as f:
        data = f.read(CAPTURE_LIMIT)
    return data, size > CAPTURE_LIMIT


def _reap(pid: int, deadline: float | None) -> tuple[int | None, int, bool]:
    """Wait for `pid`; returns (raw status or None on timeout, maxrss KiB, timed_out)."""
    delay = 0.002
    while True:
        wpid, status, ru = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            return status, ru.ru_maxrss, False
        if deadline is not None and time.monotonic() >= deadline:
            return None, 0, True
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)


def run(
    argv: Sequence[str],
    cwd: Path | str,
    *,
    timeout: float = 60,
    mem_cap: int | None = 4 * GiB,
    stdin: bytes | None = None,
    env: dict | None = None,
    kill_after: float | None = None,
    uid: int | None = None,
    close_stdout_after: int | None = None,
) -> Run:
    """Run argv under a memory cap and a timeout.

    kill_after: send SIGKILL to the process group after this many seconds (if still running).
    close_stdout_after: read this many bytes of stdout through a pipe, then close the pipe
    (0 = close before the program writes anything), as `| head -c N` does.
    """
    cwd = Path(cwd)
    tag = f".run-{os.getpid()}-{time.monotonic_ns()}"
    out_path = cwd / (tag + ".out")
    err_path = cwd / (tag + ".err")
    in_path = None
    if stdin is not None:
        in_path = cwd / (tag + ".in")
        in_path.write_bytes(stdin)
    pipe_r = pipe_w = None
    try:
        with open(err_path, "wb") as ferr:
            fin = open(in_path, "rb") if in_path else subprocess.DEVNULL
            if close_stdout_after is not None:
                pipe_r, pipe_w = os.pipe()
                fout = pipe_w
            else:
                fout = open(out_path, "wb")
            start = time.monotonic()
            p = subprocess.Popen(
                [str(a) for a in argv],
                cwd=str(cwd),
                stdin=fin,
                stdout=fout,
                stderr=ferr,
                env=env,
                preexec_fn=_limits(mem_cap, uid),
                close_fds=True,
            )
            if fin is not subprocess.DEVNULL:
                fin.close()
            if close_stdout_after is not None:
                os.close(pipe_w)
                pipe_w = None
                got = b""
                if close_stdout_after > 0:
                    # Like head -c N: read exactly N bytes (or until EOF), then close.
                    end = time.monotonic() + timeout
                    while len(got) < close_stdout_after and time.monotonic() < end:
                        chunk = os.read(pipe_r, close_stdout_after - len(got))
                        if not chunk:
                            break
                        got += chunk
                os.close(pipe_r)
                pipe_r = None
                out_path.write_bytes(got)
            else:
                fout.close()
            deadline = start + timeout
            killed_by_us = False
            if kill_after is not None:
                kdl = start + kill_after
                status, rss, _ = _reap(p.pid, kdl)
                if status is None:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    killed_by_us = True
                    status, rss, _ = _reap(p.pid, None)
                timed_out = False
            else:
                status, rss, timed_out = _reap(p.pid, deadline)
                if timed_out:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    status, rss, _ = _reap(p.pid, None)
            elapsed = time.monotonic() - start
            p.returncode = 0  # reaped by us; keep Popen from waiting again
            # Anything the process left in its group (e.g. soffice) goes too.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if os.WIFSIGNALED(status):
            rc, sig = None, os.WTERMSIG(status)
        else:
            rc, sig = os.WEXITSTATUS(status), None
        stdout, trunc = _read_capped(out_path)
        stderr, _ = _read_capped(err_path)
        return Run(
            argv=[str(a) for a in argv],
            cwd=str(cwd),
            rc=rc,
            sig=sig,
            timed_out=timed_out,
            killed_by_us=killed_by_us,
            stdout=stdout,
            stderr=stderr,
            elapsed=elapsed,
            maxrss_kib=rss,
            mem_cap=mem_cap,
            stdout_truncated=trunc,
        )
    finally:
        for fd in (pipe_r, pipe_w):
            if fd is not None:
                os.close(fd)
        for pth in (out_path, err_path, in_path):
            if pth is not None:
                try:
                    pth.unlink()
                except FileNotFoundError:
                    pass


# ---------------------------------------------------------------------------------------------
# Judging messages
# ---------------------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")
# Three or more English words in a row (what a Chinese user cannot read).
ENGLISH = re.compile(r"(?<![A-Za-z0-9_./\\-])[A-Za-z][a-z']+(?:[ ,'-]+[A-Za-z][a-z']*){2,}")
BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)|“[^“”]*”|\"[^\"]*\"|「[^「」]*」")
URL = re.compile(r"[a-z]+://\S+")
RULE_ID = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)+\b")
# A landplan command quoted as advice ("请先运行：landplan init --db x.gpkg") is not prose.
COMMAND = re.compile(r"landplan(?:\s+--?[a-z][a-z-]*(?:[ =][^\s，。；）-][^\s，。；）]*)?|[- ]+[a-z][a-z-]*)+")


def english_phrases(text: str, known: Iterable[str] = ()) -> list[str]:
    """Lines with English prose outside brackets and quotes (known paths, URLs, rule ids and
    quoted landplan commands removed first); each returned as written, clipped.

    A technical detail in brackets after a Chinese explanation ("无法打开（invalid zip
    header）") is tolerated: the Chinese sentence tells the user what is wrong."""
    found = []
    for orig in text.splitlines():
        # Commands and URLs first: a known word such as "plan" would otherwise cut "landplan".
        t = URL.sub(" ", orig)
        t = COMMAND.sub(" ", t)
        for k in sorted(set(known), key=len, reverse=True):
            if k and len(k) > 2:
                t = t.replace(k, " ")
        t = RULE_ID.sub(" ", t)
        prev = None
        while prev != t:
            prev = t
            t = BRACKETED.sub(" ", t)
        hit = re.match(r"\s*(For more information, try|Usage:)", t) or any(len(m.group(0).strip()) >= 12 for m in ENGLISH.finditer(t))
        if hit:
            line = orig.strip()
            found.append(line if len(line) <= 100 else line[:97] + "…")
    return list(dict.fromkeys(found))


def repeated(text: str) -> str | None:
    """A piece of message said twice (English or Chinese), e.g. "X: X" from a nested error."""
    segs = [s.strip(" 。.；;，,") for s in re.split(r"[：:\n]", text)]
    seen = set()
    for s in segs:
        if len(s) >= 8:
            if s in seen:
                return s
            seen.add(s)
    lines = [l.strip() for l in text.splitlines() if len(l.strip()) >= 8]
    for l in set(lines):
        if lines.count(l) > 1 and not l.startswith(("|", "-->", "=")):
            return l
    return None


Places = Sequence[Sequence[str] | str]


def message_problems(text: str, places: Places = (), known: Iterable[str] = (), check_repeat: bool = True) -> list[str]:
    """What makes a refusal message unclear: not Chinese, English prose, no place, repeated."""
    problems = []
    stripped = text.strip()
    if not stripped:
        return ["no message at all"]
    if not CJK.search(stripped):
        problems.append("not in Chinese")
    eng = english_phrases(stripped, known)
    if eng:
        problems.append("English: " + "; ".join(repr(e) for e in eng[:3]))
    for group in places:
        alts = [group] if isinstance(group, str) else list(group)
        if not any(a in stripped for a in alts):
            problems.append("does not name " + " / ".join(repr(a) for a in alts))
    if check_repeat:
        rep = repeated(stripped)
        if rep:
            problems.append(f"repeats {rep!r}")
    return problems


def abnormal(r: Run) -> Outcome | None:
    """Panic, crash (signal, cap, timeout): the outcomes that no expectation accepts."""
    if r.panicked:
        m = re.search(r"panicked at [^\n]*\n?([^\n]*)", r.err)
        where = m.group(0).replace("\n", " ")[:200] if m else f"exit {r.rc}"
        return Outcome(PANIC, f"panicked: {where}", r.cmd, r.excerpt())
    if r.timed_out:
        return Outcome(CRASH, f"timed out after {r.elapsed:.0f} s (peak RSS {r.maxrss_kib // 1024} MiB)", r.cmd, r.excerpt())
    if r.sig is not None and not r.killed_by_us:
        why = r.status()
        if "memory allocation" in r.err and "failed" in r.err:
            why += f" (memory cap {r.mem_cap // MiB} MiB reached: {_clip(r.err.strip(), 120)})"
        elif r.sig == signal.SIGSEGV or "stack overflow" in r.err:
            why += " (" + ("stack overflow" if "stack overflow" in r.err else "segfault") + ")"
        return Outcome(CRASH, why, r.cmd, r.excerpt())
    if r.rc is not None and r.rc not in (0, 1, 2):
        return Outcome(CRASH, f"unexpected exit status {r.rc}", r.cmd, r.excerpt())
    return None


def expect(
    r: Run,
    *,
    refuse: bool = True,
    finding: bool = True,
    result: Callable[[Run], str | None] | None = None,
    places: Places = (),
    finding_places: Places | None = None,
    known: Iterable[str] = (),
    rules: Sequence[str] = (),
    silent_detail: str = "exit 0: the input cannot be judged but nothing was reported",
) -> Outcome:
    """Judge one run against what a user needs.

    refuse: exit 2 with a clear Chinese message naming `places` is right.
    finding: exit 1 with findings naming `finding_places` (default `places`) is right; when
      `rules` is given one of those rule ids must be reported.
    result: exit 0 is right when result(r) returns None (else its text says what is wrong).
      Without `result`, exit 0 is a silent pass.
    """
    bad = abnormal(r)
    if bad:
        return bad
    known = list(known) + [r.cwd] + list(r.argv)
    if r.rc == 0:
        if result is None:
            return Outcome(SILENT, silent_detail, r.cmd, r.excerpt())
        why = result(r)
        if why is None:
            return Outcome(OK, "exit 0, correct result", r.cmd, r.excerpt(300))
        return Outcome(SILENT, f"exit 0 but {why}", r.cmd, r.excerpt())
    if r.rc == 1 and finding:
        fp = places if finding_places is None else finding_places
        probs = message_problems(r.text, fp, known, check_repeat=False)
        if rules and not any(rule in r.text for rule in rules):
            probs.append("none of the rules " + ", ".join(rules))
        if probs:
            return Outcome(UNCLEAR, "exit 1, but the finding " + "; ".join(probs), r.cmd, r.excerpt())
        return Outcome(OK, "exit 1 with a finding naming the place", r.cmd, r.excerpt(300))
    if r.rc == 2 and refuse:
        probs = message_problems(r.err if r.err.strip() else r.text, places, known)
        if probs:
            return Outcome(UNCLEAR, "exit 2, but the message " + "; ".join(probs), r.cmd, r.excerpt())
        return Outcome(OK, "refused with a clear Chinese message", r.cmd, r.excerpt(300))
    # An exit status the case does not accept.
    said = next((l.strip() for l in r.err.splitlines() if l.strip()), "")
    said = f" — said: {said[:160]}" if said else ""
    if result is not None and not refuse and not finding:
        return Outcome(WRONG, f"{r.status()}: a correct result was expected{said}", r.cmd, r.excerpt())
    if r.rc == 1:
        return Outcome(WRONG, "exit 1 (findings), but the input is unreadable and should be refused (exit 2)", r.cmd, r.excerpt())
    if r.rc == 2 and result is not None:
        return Outcome(WRONG, f"exit 2: refused an input that should give a result{said}", r.cmd, r.excerpt())
    return Outcome(WRONG, f"{r.status()} was not expected", r.cmd, r.excerpt())


def ok(detail: str, command: str = "") -> Outcome:
    return Outcome(OK, detail, command)


def fail(category: str, detail: str, r: Run | None = None, command: str = "") -> Verdict:
    return Verdict(Outcome(category, detail, r.cmd if r else command, r.excerpt() if r else ""))
