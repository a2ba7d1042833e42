"""Issue 5: page saves of the citizen's questionnaire under load, on SQLite and PostgreSQL.

The server runs in a uvicorn subprocess (uvicorn because it is the ASGI server the project already ships, with
httptools + uvloop; one worker on SQLite, so its single write lock is never fought over by processes —
SQLite's busy handler backs off in sleeps of milliseconds — and four on PostgreSQL, where the app keeps no
process state and each process makes its database calls one at a time in its event loop) and the load
comes from another process on loopback, speaking raw HTTP/1.1 keep-alive over asyncio so the client is not the
bottleneck. Each of 100 citizens saves pages in a closed loop (the next save as soon as the last is
acknowledged); then an open loop sends 500 saves/s on a fixed schedule and measures latency from the scheduled
send time, so a slow server cannot hide queueing (no coordinated omission).

The reference is a bare endpoint measured in the same run: plain Starlette + the database driver (sqlite3 /
psycopg) doing the same statements in one transaction — look up the token, move the session, replace the
page's answers. Afterwards every citizen's stored answers must equal its last acknowledged save.
``BENCH_WEB_PG_WORKERS`` (default 4) sets the worker processes of both PostgreSQL servers (no process state,
so the lost-save check must still read 0).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from queue import Queue
from typing import Any

from reliability.loadgen import NONCE_HEADER, PAGES, page_request  # the suite's citizens save the same

from benchmarks.result import Result

CITIZENS = 100
CLOSED_SECONDS = 5.0
OPEN_SECONDS = 4.0
OPEN_RATE = 500
PG_ADMIN_URL = os.environ.get("BORGERBLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# The bare reference endpoint -------------------------------------------------------------------------------


def bare_app() -> Any:
    """Plain Starlette + driver: the same statements as a page save, in one transaction, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    url = os.environ["BORGERBLIK_DATABASE_URL"]
    sqlite = url.startswith("sqlite")
    if sqlite:
        connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA busy_timeout = 30000")
    else:
        import psycopg

        pool: Queue[Any] = Queue()
        for _ in range(10):
            pool.put(psycopg.connect(url.replace("postgresql+psycopg", "postgresql")))
    mark = "?" if sqlite else "%s"

    def save(cursor: Any, token: str, page: str, answers: dict[str, int]) -> None:
        now = datetime.now(UTC)
        cursor.execute(f"SELECT id FROM invitations WHERE token = {mark}", (token,))
        invitation_id = cursor.fetchone()[0]
        cursor.execute(
            f"UPDATE response_sessions SET state = 'partial', updated_at = {mark}, current_page = {mark} "
            f"WHERE invitation_id = {mark}",
            (now, 2, invitation_id),
        )
        ids = list(answers)
        placeholders = ", ".join([mark] * len(ids))
        cursor.execute(
            f"DELETE FROM responses WHERE invitation_id = {mark} AND question_id IN ({placeholders})",
            (invitation_id, *ids),
        )
        cursor.executemany(
            "INSERT INTO responses (invitation_id, question_id, value_code, text, mode, language, "
            "interviewer_id, "
            f"answered_at) VALUES ({mark}, {mark}, {mark}, NULL, 'web', 'da', NULL, {mark})",
            [(invitation_id, key, value, now) for key, value in answers.items()],
        )

    def save_sqlite(token: str, page: str, answers: dict[str, int]) -> None:
        cursor = connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            save(cursor, token, page, answers)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise

    def save_postgres(token: str, page: str, answers: dict[str, int]) -> None:
        conn = pool.get()
        try:
            with conn.transaction(), conn.cursor() as cursor:
                save(cursor, token, page, answers)
        finally:
            pool.put(conn)

    async def endpoint(request: Request) -> Response:
        form = await request.form()
        answers = {k: int(v) for k, v in form.items() if k not in ("nonce", "lang", "direction")}
        token, page = request.path_params["token"], request.path_params["page"]
        # Blocking calls in the event loop on both back ends, as the app makes them (threads measured no
        # faster for the bare endpoint either).
        if sqlite:
            save_sqlite(token, page, answers)
        else:
            save_postgres(token, page, answers)
        return Response(
            status_code=303, headers={"location": f"/s/{token}/side/{page}", "x-borgerblik-nonce": "-"}
        )

    return Starlette(routes=[Route("/s/{token}/side/{page}", endpoint, methods=["POST"])])


# Load generator (runs in its own process) ---------------------------------------------------------------


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, nonce = 0, b""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == NONCE_HEADER:
            nonce = value.strip()
    if length:
        await reader.readexactly(length)
    return status, nonce


class Citizen:
    def __init__(self, token: str, nonce: str, seed: int) -> None:
        self.token, self.nonce = token, nonce
        self.random = random.Random(seed)
        self.turn = 0
        self.acknowledged: dict[str, int] = {}

    def next_save(self) -> tuple[bytes, dict[str, int]]:
        page = list(PAGES)[self.turn % len(PAGES)]
        self.turn += 1
        answers = {key: self.random.choice((1, 2, 3, 4, 5, 9)) for key in PAGES[page]}
        return page_request(self.token, page, answers, self.nonce), answers

    def acknowledge(self, answers: dict[str, int], nonce: bytes) -> None:
        self.acknowledged.update(answers)
        if nonce:
            self.nonce = nonce.decode()


async def _closed_loop(port: int, citizens: list[Citizen], seconds: float) -> dict[str, Any]:
    deadline = time.perf_counter() + seconds
    saved = failed = 0

    async def run(citizen: Citizen) -> None:
        nonlocal saved, failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            raw, answers = citizen.next_save()
            status, nonce = await _exchange(reader, writer, raw)
            if status == 303:
                citizen.acknowledge(answers, nonce)
                saved += 1
            else:
                failed += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(run(citizen) for citizen in citizens))
    return {"saves": saved, "failed": failed, "seconds": time.perf_counter() - started}


async def _open_loop(port: int, citizens: list[Citizen], rate: int, seconds: float) -> dict[str, Any]:
    """Send saves on a fixed schedule; a citizen busy with its last save is skipped for the next free one."""
    idle: asyncio.Queue[tuple[Citizen, Any, Any]] = asyncio.Queue()
    for citizen in citizens:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        idle.put_nowait((citizen, reader, writer))
    latencies: list[float] = []
    failed = 0

    async def send(scheduled: float) -> None:
        nonlocal failed
        citizen, reader, writer = await idle.get()
        raw, answers = citizen.next_save()
        status, nonce = await _exchange(reader, writer, raw)
        latencies.append(time.perf_counter() - scheduled)
        if status == 303:
            citizen.acknowledge(answers, nonce)
        else:
            failed += 1
        idle.put_nowait((citizen, reader, writer))

    start = time.perf_counter() + 0.05
    tasks = []
    for index in range(int(rate * seconds)):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait()[2].close()
    latencies.sort()
    return {
        "sent": len(latencies),
        "failed": failed,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "p50_ms": 1000 * latencies[len(latencies) // 2],
    }


def _load(port: int, tokens: list[str], nonces: list[str], mode: str, result: Any) -> None:
    import uvloop

    citizens = [
        Citizen(token, nonce, seed) for seed, (token, nonce) in enumerate(zip(tokens, nonces, strict=True))
    ]
    if mode == "closed":
        outcome = uvloop.run(_closed_loop(port, citizens, CLOSED_SECONDS))
    else:
        outcome = uvloop.run(_open_loop(port, citizens, OPEN_RATE, OPEN_SECONDS))
    outcome["acknowledged"] = {c.token: c.acknowledged for c in citizens}
    outcome["nonces"] = [c.nonce for c in citizens]
    result.put(outcome)


def _run_load(port: int, tokens: list[str], nonces: list[str], mode: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_load, args=(port, tokens, nonces, mode, queue))
    process.start()
    outcome = queue.get(timeout=120)
    process.join(timeout=30)
    return outcome


# Orchestration ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """uvicorn in a subprocess, killed when the block ends, so a hung server cannot outlive the benchmark."""

    def __init__(self, factory: str, url: str) -> None:
        self.port = _free_port()
        workers = "1" if url.startswith("sqlite") else os.environ.get("BENCH_WEB_PG_WORKERS", "4")
        env = {
            **os.environ,
            "BORGERBLIK_DATABASE_URL": url,
            "BORGERBLIK_SECRET_KEY": secrets.token_urlsafe(32),  # the app refuses to start without one
            "PYTHONPATH": str(Path(__file__).parent.parent),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--workers",
                workers,
            ],
            env=env,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("the benchmark server did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def prepare_survey(url: str, citizens: int = CITIZENS) -> tuple[Any, list[str]]:
    """A KL survey of invited dagpenge/jobparate citizens, each with a started session (also the
    reliability suite's)."""
    from borgerblik.collection import start
    from borgerblik.storage import Database

    db = Database(url)
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey("Benchmark", "kl-2024", yaml_text)
    rows = [
        {
            "cpr": f"{61 + i % 28:02d}0185-{1000 + i:04d}",
            "kommune": "Rødovre",
            "maalgruppe": "6.1" if i % 2 else "6.2",
            "gender": "mand" if i % 2 else "kvinde",
            "birth_date": "1985-01-01",
            "age": 39,
            "age_group": "30-49",
            "ydelse_start": "2023-06-15",
            "ydelse_slut": "",
            "samtaler": "jobsamtale",
            "digital_post_fritaget": "nej",
            "telefon": "",
            "email": "",
        }
        for i in range(citizens)
    ]
    member_ids = db.add_members(survey_id, rows)
    db.save_sample(survey_id, dict.fromkeys(member_ids, "s"), draw_seed=1)
    db.create_invitations(survey_id)
    tokens = [invitation.token for invitation in db.invitations(survey_id)]
    for token in tokens:
        start(db, token)
    return db, tokens


def _link_timing(port: int, token: str, rounds: int = 200) -> tuple[float, float]:
    """Median ms of opening a real link and a guessed one, interleaved so load changes hit both alike."""
    import http.client
    import statistics

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times: dict[bool, list[float]] = {True: [], False: []}
    for index in range(2 * rounds):
        known = index % 2 == 0
        path = f"/s/{token}" if known else f"/s/{secrets.token_urlsafe(32)}"
        started = time.perf_counter()
        connection.request("GET", path)
        connection.getresponse().read()
        times[known].append(time.perf_counter() - started)
    connection.close()
    return 1000 * statistics.median(times[True]), 1000 * statistics.median(times[False])


def _lost_saves(db: Any, acknowledged: dict[str, dict[str, int]]) -> int:
    """Acknowledged answers the database does not hold (0 means every acknowledged save is stored)."""
    lost = 0
    for token, answers in acknowledged.items():
        stored = db.answers(db.invitation_by_token(token).id)
        lost += sum(1 for key, value in answers.items() if stored.get(key) != value)
    return lost


def _backend(name: str, url: str) -> list[Result]:
    from borgerblik.collection import open_session

    db, tokens = prepare_survey(url)
    nonces = [open_session(db, token).nonce for token in tokens]
    with Server("benchmarks.bench_web:bare_app", url) as bare:
        reference = _run_load(bare.port, tokens, nonces, "closed")
    with Server("borgerblik.web:app_from_env", url) as app:
        nonces = [open_session(db, token).nonce for token in tokens]
        closed = _run_load(app.port, tokens, nonces, "closed")
        lost = _lost_saves(db, closed["acknowledged"])
        opened = _run_load(app.port, tokens, closed["nonces"], "open")
        lost += _lost_saves(db, opened["acknowledged"])
        known_ms, guessed_ms = _link_timing(app.port, tokens[0])
    db.close()
    if closed["failed"] or opened["failed"] or lost:
        raise RuntimeError(
            f"{name}: {closed['failed']}+{opened['failed']} failed saves, {lost} acknowledged lost"
        )
    app_rate = closed["saves"] / closed["seconds"]
    bare_rate = reference["saves"] / reference["seconds"]
    return [
        Result(
            f"web: page saves, 100 citizens closed loop ({name})",
            app_rate,
            "saves/s",
            "≥ 2,000 saves/s",
            app_rate / bare_rate,
            "of bare Starlette+driver (goal ≥ 0.3)",
        ),
        Result(f"web: bare Starlette+driver reference ({name})", bare_rate, "saves/s"),
        Result(
            f"web: open loop {OPEN_RATE} saves/s, p99 latency ({name})", opened["p99_ms"], "ms", "≤ 100 ms"
        ),
        Result(f"web: acknowledged saves missing from the DB ({name})", float(lost), "answers", "= 0"),
        Result(
            f"web: opening a guessed link, median ({name})",
            guessed_ms,
            "ms",
            "≈ a real link",
            guessed_ms / known_ms,
            "of a real link's time",
        ),
    ]


def _postgres_url() -> str | None:
    from sqlalchemy import create_engine

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"borgerblik_bench_{uuid.uuid4().hex[:8]}"
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - no PostgreSQL here: the SQLite figures still stand
        return None
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    admin.dispose()


def run() -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        results += _backend("SQLite", f"sqlite:///{folder}/bench.sqlite")
    url = _postgres_url()
    if url is not None:
        try:
            results += _backend("PostgreSQL", url)
        finally:
            _drop_postgres(url)
    return results
