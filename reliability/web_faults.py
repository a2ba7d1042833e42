"""Issue 18 items 1–2: 1.000 citizens answering against `borgerblik serve` on SQLite and PostgreSQL, with the
server's whole process group SIGKILLed at random moments and restarted.

The server is the real command (`borgerblik serve`, one worker on SQLite — its single write lock; four on
PostgreSQL) in a session of its own, so a kill takes its workers and its job worker with it, as a power cut
would. The load runs in another process on loopback (:mod:`reliability.loadgen`). Afterwards, row by row:
every acknowledged answer is in the database exactly once, and every citizen resumes on the page the last
acknowledged save led to. Printed: throughput, p50/p99 of answered saves and from the schedule, errors,
restart times (kill → first answered save of a probe citizen), server memory at start and end.

    python -m reliability.web_faults [--database sqlite|postgresql|both] [--seconds 300] [--kills 20]
        [--citizens 1000] [--rate 500]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from reliability.loadgen import percentile, run_citizens

ROOT = Path(__file__).resolve().parent.parent
MEMORY_GROWTH_BOUND_MIB = 100  # the stated bound on server growth over a run (all processes together)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """`borgerblik serve` in a session of its own: :meth:`kill` SIGKILLs the whole group."""

    def __init__(self, url: str, workers: int) -> None:
        self.url, self.workers, self.port = url, workers, _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "BORGERBLIK_SECRET_KEY": secrets.token_urlsafe(32)}

    def start(self) -> None:
        command = [
            sys.executable,
            "-c",
            "from borgerblik.cli import main; main()",
            "serve",
            "--port",
            str(self.port),
        ]
        command += ["--database", self.url]
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers)],
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE if os.environ.get("RELIABILITY_QUIET") else None,
        )

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10  # wait for the orphaned workers too
        while _group_pids(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def memory_mib(self) -> float:
        assert self.process is not None
        return sum(_rss_kib(pid) for pid in _group_pids(self.process.pid)) / 1024


def _group_stats(group: int) -> list[tuple[int, list[str]]]:
    """(pid, the fields of /proc/<pid>/stat after the command) of each live process in ``group``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append((int(entry.name), fields))
    return found


def _group_pids(group: int) -> list[int]:
    return [pid for pid, _fields in _group_stats(group)]


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes in ``group``: the fair figure on a busy machine."""
    tick = os.sysconf("SC_CLK_TCK")
    return sum((int(fields[11]) + int(fields[12])) / tick for _pid, fields in _group_stats(group))


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def probe_save(port: int, token: str, nonce: str, timeout: float = 60) -> tuple[float, str]:
    """Seconds until the server answers a save of the probe citizen (it refuses connections while down)."""
    body = urlencode({"tillid": 4, "udgangspunkt": 4, "inddragelse": 4, "nonce": nonce, "lang": "da"})
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(
                "POST", f"/s/{token}/side/moedet", body, {"Content-Type": "application/x-www-form-urlencoded"}
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 303:
                return time.perf_counter() - started, response.getheader("x-borgerblik-nonce") or nonce
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"the server answered no save within {timeout:.0f} s of its start")


@dataclass
class Figures:
    database: str
    saves: int
    seconds: float
    p50_ms: float
    p99_ms: float
    p99_answered_ms: float
    p99_between_kills_ms: float
    touched_by_kills: int
    errors: dict[int, int]
    attempts_failed: int
    in_doubt_resolved: int
    lost: int
    duplicated: int
    resume_wrong: int
    resume_checked: int
    kills: int
    restart_seconds: list[float]
    memory_start_mib: float
    memory_end_mib: float
    integrity: str

    def lines(self) -> list[str]:
        restart = (
            f"median {percentile(self.restart_seconds, 0.5):.2f} s, max {max(self.restart_seconds):.2f} s"
            if self.restart_seconds
            else "—"
        )
        return [
            f"[{self.database}] saves acknowledged: {self.saves} in {self.seconds:.0f} s "
            f"({self.saves / self.seconds:.0f}/s)",
            f"[{self.database}] latency from schedule p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms; "
            f"answered attempts p99 {self.p99_answered_ms:.1f} ms",
            f"[{self.database}] latency from schedule of the saves no kill touched: "
            f"p99 {self.p99_between_kills_ms:.1f} ms ({self.touched_by_kills} saves scheduled or in flight "
            "between a kill and the first answered save after it left out)",
            f"[{self.database}] refused saves (HTTP status → count): {self.errors or 0}; "
            f"attempts unanswered (refused, reset or over 10 s): {self.attempts_failed}; "
            f"in-doubt saves found committed: {self.in_doubt_resolved}",
            f"[{self.database}] acknowledged answers lost: {self.lost}; stored twice: {self.duplicated}; "
            f"citizens resuming on the wrong page: {self.resume_wrong} of {self.resume_checked} checked",
            f"[{self.database}] kills: {self.kills}; kill → first answered save: {restart}",
            f"[{self.database}] server memory: {self.memory_start_mib:.0f} MiB at start, "
            f"{self.memory_end_mib:.0f} MiB at end "
            + ("(restarted: no bound)" if self.kills else f"(bound +{MEMORY_GROWTH_BOUND_MIB} MiB)"),
            f"[{self.database}] integrity check: {self.integrity}",
        ]

    @property
    def passed(self) -> bool:
        return (
            not self.errors
            and self.lost == 0
            and self.duplicated == 0
            and self.resume_wrong == 0
            and (self.kills > 0 or self.memory_end_mib - self.memory_start_mib <= MEMORY_GROWTH_BOUND_MIB)
            and self.integrity == "ok"
        )


def kill_moments(seconds: float, kills: int, seed: int) -> list[float]:
    """``kills`` moments spread at random over the middle 80 % of the run, in order — one generator for all
    of them (one made afresh per draw gave the same moment twenty times: twenty kills back to back)."""
    rng = random.Random(seed)
    return sorted(rng.uniform(0.1, 0.9) * seconds for _ in range(kills))


def untouched_latencies(
    scheduled: list[float], latencies: list[float], down: list[tuple[float, float]]
) -> tuple[list[float], int]:
    """The latencies of saves whose schedule-to-acknowledgement span overlaps no down time (a kill until the
    first answered save after it), and how many did overlap one: while the server is dead no save can be
    answered, so those measure the restart, not the server."""
    kept, touched = [], 0
    for start, latency in zip(scheduled, latencies, strict=True):
        end = start + latency
        if any(start < up and end > killed for killed, up in down):
            touched += 1
        else:
            kept.append(latency)
    return kept, touched


def prepare(url: str, citizens: int) -> tuple[Any, list[str], list[str]]:
    """A KL survey with ``citizens`` + 1 invited citizens (the last is the restart probe), each started."""
    from benchmarks.bench_web import prepare_survey

    from borgerblik.collection import open_session

    db, tokens = prepare_survey(url, citizens + 1)
    return db, tokens, [open_session(db, token).nonce for token in tokens]


def check_stored(db: Any, acknowledged: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(answers lost or changed, answers stored more than once), row by row."""
    from sqlalchemy import func, select

    from borgerblik.storage.schema import Answer

    lost = 0
    for token, answers in acknowledged.items():
        stored = db.answers(db.invitation_by_token(token).id)
        lost += sum(1 for key, value in answers.items() if stored.get(key) != value)
    with db.engine.connect() as connection:
        duplicated = connection.execute(
            select(func.count()).select_from(
                select(Answer.invitation_id, Answer.question_id)
                .group_by(Answer.invitation_id, Answer.question_id)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
    return lost, duplicated


def check_resume(db: Any, locations: dict[str, str]) -> tuple[int, int]:
    """(citizens whose session reopens elsewhere than their last acknowledged save led, citizens checked)."""
    from borgerblik.collection import open_session

    wrong = checked = 0
    for token, location in locations.items():
        if not location:
            continue
        expected = location.split("/side/", 1)[1].split("?", 1)[0].split("#", 1)[0]
        checked += 1
        wrong += open_session(db, token).resume().key != expected
    return wrong, checked


def integrity(db: Any) -> str:
    if db.dialect != "sqlite":
        return "ok"
    with db.engine.connect() as connection:
        return str(connection.exec_driver_sql("PRAGMA integrity_check").scalar_one())


@contextmanager
def database(name: str) -> Iterator[str]:
    if name == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/reliability.sqlite"
        return
    from benchmarks.bench_web import _drop_postgres, _postgres_url

    url = _postgres_url()
    if url is None:
        raise RuntimeError("PostgreSQL is not reachable (BORGERBLIK_TEST_PG_URL)")
    try:
        yield url
    finally:
        _drop_postgres(url)


def run_backend(
    name: str, *, citizens: int, seconds: float, rate: float, kills: int, seed: int = 18
) -> Figures:
    with database(name) as url:
        db, tokens, nonces = prepare(url, citizens)
        probe_token, probe_nonce = tokens.pop(), nonces.pop()
        server = ServeProcess(url, workers=1 if name == "sqlite" else 4)
        server.start()
        _, probe_nonce = probe_save(server.port, probe_token, probe_nonce)
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        load = context.Process(target=run_citizens, args=(server.port, tokens, nonces, rate, seconds, out))
        started = time.perf_counter()
        load.start()
        time.sleep(min(10.0, seconds / 10))
        memory_start = server.memory_mib()
        moments = kill_moments(seconds, kills, seed)
        restarts: list[float] = []
        down: list[tuple[float, float]] = []
        for moment in moments:
            delay = started + moment - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            killed = time.perf_counter()
            server.kill()
            server.start()
            took, probe_nonce = probe_save(server.port, probe_token, probe_nonce)
            restarts.append(took)
            down.append((killed, time.perf_counter()))
        outcome = out.get(timeout=seconds + 600)
        load.join(timeout=30)
        elapsed = time.perf_counter() - started
        memory_end = server.memory_mib()
        server.stop()
        tally = outcome["tally"]
        between, touched = untouched_latencies(tally.scheduled, tally.latencies, down)
        lost, duplicated = check_stored(db, outcome["acknowledged"])
        wrong, checked = check_resume(db, outcome["locations"])
        figures = Figures(
            database=name,
            saves=tally.acknowledged,
            seconds=elapsed,
            p50_ms=1000 * percentile(tally.latencies, 0.5),
            p99_ms=1000 * percentile(tally.latencies, 0.99),
            p99_answered_ms=1000 * percentile(tally.answered, 0.99),
            p99_between_kills_ms=1000 * percentile(between, 0.99),
            touched_by_kills=touched,
            errors=tally.errors,
            attempts_failed=tally.attempts_failed,
            in_doubt_resolved=tally.in_doubt_resolved,
            lost=lost,
            duplicated=duplicated,
            resume_wrong=wrong,
            resume_checked=checked,
            kills=kills,
            restart_seconds=restarts,
            memory_start_mib=memory_start,
            memory_end_mib=memory_end,
            integrity=integrity(db),
        )
        db.close()
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reliability.web_faults", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=500, help="saves per second, open loop")
    args = parser.parse_args(argv)
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    passed = True
    for name in names:
        figures = run_backend(
            name, citizens=args.citizens, seconds=args.seconds, rate=args.rate, kills=args.kills
        )
        for line in figures.lines():
            print(line, flush=True)
        passed &= figures.passed
    print("web faults:", "PASSED" if passed else "FAILED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
