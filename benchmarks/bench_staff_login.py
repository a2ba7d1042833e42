"""Issue 15: a flood of wrong staff passwords must not slow the citizens' pages (p99 ≤ 100 ms).

The app runs in a uvicorn subprocess on SQLite (one worker, as ``serve`` runs it there). One citizen reloads a
questionnaire page in a closed loop, first alone (the reference, same run) and then while 50 clients send
wrong passwords in parallel, each from its own loopback address (127.0.1.x) so the per-address limit does not
turn them away before the password is checked: every attempt costs an argon2 check. The figure is the
citizen's p99 during the flood; the ratio compares it with the p99 alone.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.result import Result

ATTACKERS = 50
SECONDS = 4.0
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(url: str) -> str:
    """A KL survey with one invited citizen and one staff account; returns the citizen's page path."""
    from benchmarks.bench_web import _prepare as prepare_citizens
    from borgerblik.storage.staff import add_staff_account
    from borgerblik.web.passwords import hash_password

    db, tokens = prepare_citizens(url)
    add_staff_account(db, "mette", hash_password("korrekt hest batteri"), "administrator")
    db.close()
    return f"/s/{tokens[0]}/side/samlet"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _http(
    port: int, method: str, path: str, *, body: bytes = b"", cookie: str = "", local: str | None = None
) -> tuple[int, str, str]:
    """One HTTP/1.1 exchange on a fresh connection: status, the Set-Cookie pair (if any), body text."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, local_addr=(local, 0) if local else None
    )
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    if body:
        head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    response = await reader.read()
    writer.close()
    header, _, content = response.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    cookies = [
        line.split(":", 1)[1].split(";")[0].strip()
        for line in lines
        if line.lower().startswith("set-cookie:")
    ]
    return int(lines[0].split()[1]), (cookies[0] if cookies else ""), content.decode("utf-8", "replace")


async def _citizen(port: int, path: str, until: float) -> list[float]:
    timings = []
    while time.perf_counter() < until:
        start = time.perf_counter()
        status, _, _ = await _http(port, "GET", path)
        assert status == 200, status
        timings.append(time.perf_counter() - start)
        await asyncio.sleep(0.005)
    return timings


async def _attacker(port: int, number: int, until: float, counts: dict[int, int]) -> None:
    local = f"127.0.1.{number + 1}"
    while time.perf_counter() < until:
        _, cookie, form = await _http(port, "GET", "/login", local=local)
        token = CSRF.search(form).group(1)
        body = urlencode({"username": f"gæt{number}", "password": "forkert kodeord!", "csrf": token}).encode()
        status, _, _ = await _http(port, "POST", "/login", body=body, cookie=cookie, local=local)
        counts[status] = counts.get(status, 0) + 1


async def _measure(port: int, path: str, attackers: int) -> tuple[list[float], dict[int, int]]:
    counts: dict[int, int] = {}
    until = time.perf_counter() + SECONDS
    await _http(port, "GET", path)
    jobs = [_attacker(port, n, until, counts) for n in range(attackers)]
    timings, *_ = await asyncio.gather(_citizen(port, path, until), *jobs)
    return timings, counts


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'b.sqlite'}"
        path = _prepare(url)
        port = _free_port()
        env = {**os.environ, "BORGERBLIK_DATABASE_URL": url, "BORGERBLIK_SECRET_KEY": "b" * 40}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "borgerblik.web:app_from_env",
                "--port",
                str(port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("uvicorn did not start") from None
                    time.sleep(0.05)
            alone, _ = asyncio.run(_measure(port, path, 0))
            flooded, counts = asyncio.run(_measure(port, path, ATTACKERS))
        finally:
            server.terminate()
            server.wait(timeout=10)
    p99_alone, p99_flood = _percentile(alone, 0.99) * 1000, _percentile(flooded, 0.99) * 1000
    checked = counts.get(401, 0)
    return [
        Result("staff: citizen page p99 alone (reference)", p99_alone, "ms"),
        Result(
            f"staff: citizen page p99 during {ATTACKERS} parallel bad logins",
            p99_flood,
            "ms",
            "≤ 100 ms",
            p99_flood / 100,
            "of goal",
        ),
        Result("staff: citizen page p99, flood ÷ alone", p99_flood / p99_alone, "×"),
        Result(
            "staff: wrong passwords checked during the flood",
            float(checked),
            "logins",
            "",
            checked / SECONDS,
            "per s",
        ),
        Result("staff: logins refused unchecked (limit reached)", float(counts.get(429, 0)), "logins"),
    ]
