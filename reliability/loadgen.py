"""Simulated citizens saving pages over raw HTTP/1.1 keep-alive, in a process of their own, and surviving the
server's death: the load side of the reliability suite.

Each citizen keeps the answers the server acknowledged. A save whose reply never came (connection refused
or reset because the server was killed) is *in doubt*: the citizen sends the very same request again until
the server answers. A 303 acknowledges it; a 409 ("stale page") means the first attempt was committed before
the kill (only this citizen writes its session, so nothing else moved the nonce) — it is acknowledged too and
the fresh nonce is read from the page. So the acknowledged answers are exactly what the database must hold,
and any difference is a lost or a phantom answer.

Latency is measured from the scheduled send time (open loop, no coordinated omission) and also per attempt
that the server answered, so the time the server was down shows as its own figure, not as a slow server.
The scheduled times are kept (``time.perf_counter``, one monotonic clock for every process on Linux), so the
controller can tell the saves a kill touched from those it did not.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

#: Pages a KL dagpenge citizen saves in turn (kl-2024), with the closed questions on each.
PAGES = {
    "moedet": ("tillid", "udgangspunkt", "inddragelse"),
    "maal": ("klart_maal", "aktiviteter_mening"),
    "samtale": (
        "formaal_klart",
        "velforberedt",
        "formidling_regler",
        "plan_maal",
        "plan_aftaler",
        "plan_naeste_skridt",
    ),
}
NONCE_HEADER = b"x-borgerblik-nonce"
NONCE_FIELD = re.compile(rb'name="nonce" value="([^"]*)"')
ATTEMPT_TIMEOUT = 10.0


class ServerGone(Exception):
    """The connection failed: refused, reset or closed mid-reply (the server was killed)."""


@dataclass
class Citizen:
    token: str
    nonce: str
    seed: int
    acknowledged: dict[str, int] = field(default_factory=dict)
    last_location: str = ""
    turn: int = 0
    reader: Any = None
    writer: Any = None

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def next_save(self) -> tuple[str, dict[str, int]]:
        page = list(PAGES)[self.turn % len(PAGES)]
        self.turn += 1
        return page, {key: self.random.choice((1, 2, 3, 4, 5, 9)) for key in PAGES[page]}

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    acknowledged: int = 0
    in_doubt_resolved: int = 0  # saves acknowledged by a 409 after a retry: the first attempt had landed
    errors: dict[int, int] = field(default_factory=dict)  # status → count of answers the server refused
    attempts_failed: int = 0  # refused, reset or no reply within ATTEMPT_TIMEOUT (down or stuck)
    latencies: list[float] = field(default_factory=list)  # scheduled send → acknowledgement
    scheduled: list[float] = field(default_factory=list)  # each latency's scheduled send (perf_counter)
    answered: list[float] = field(default_factory=list)  # one answered attempt, send → reply


def page_request(token: str, page: str, answers: dict[str, int], nonce: str) -> bytes:
    """The raw HTTP/1.1 POST of one page save (keep-alive), as a browser's form sends it."""
    body = urlencode({**answers, "nonce": nonce, "lang": "da", "direction": "next"}).encode()
    return (
        f"POST /s/{token}/side/{page} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _exchange(citizen: Citizen, port: int, raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    try:
        if citizen.writer is None:
            citizen.reader, citizen.writer = await asyncio.open_connection("127.0.0.1", port)
        citizen.writer.write(raw)
        head = await asyncio.wait_for(citizen.reader.readuntil(b"\r\n\r\n"), ATTEMPT_TIMEOUT)
        headers: dict[bytes, bytes] = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get(b"content-length", b"0"))
        body = await asyncio.wait_for(citizen.reader.readexactly(length), ATTEMPT_TIMEOUT) if length else b""
        if headers.get(b"connection") == b"close":
            citizen.close()
        return int(head[9:12]), headers, body
    except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        citizen.close()
        raise ServerGone(type(exc).__name__) from exc


async def save_until_answered(citizen: Citizen, port: int, tally: Tally, scheduled: float) -> None:
    """One page save, retried while the server is gone; the acknowledged answers updated by its outcome."""
    page, answers = citizen.next_save()
    raw = page_request(citizen.token, page, answers, citizen.nonce)
    retried = False
    backoff = 0.05
    while True:
        sent = time.perf_counter()
        try:
            status, headers, body = await _exchange(citizen, port, raw)
        except ServerGone:
            tally.attempts_failed += 1
            retried = True
            # A citizen tries again after a moment, more patiently each time (as a browser's user would):
            # a thousand clients retrying every few ms would steal the cores the restarting server needs.
            await asyncio.sleep(backoff * citizen.random.uniform(0.5, 1.5))
            backoff = min(1.0, 2 * backoff)
            continue
        tally.answered.append(time.perf_counter() - sent)
        break
    if status == 303:
        citizen.acknowledged.update(answers)
        citizen.nonce = headers.get(NONCE_HEADER, citizen.nonce.encode()).decode()
        citizen.last_location = headers.get(b"location", b"").decode()
    elif status == 409 and retried and (match := NONCE_FIELD.search(body)):
        citizen.acknowledged.update(answers)
        citizen.nonce = match.group(1).decode()
        citizen.last_location = ""  # the 409 page does not say where the save led
        tally.in_doubt_resolved += 1
    else:
        tally.errors[status] = tally.errors.get(status, 0) + 1
        return
    tally.acknowledged += 1
    tally.latencies.append(time.perf_counter() - scheduled)
    tally.scheduled.append(scheduled)


async def open_loop(port: int, citizens: list[Citizen], rate: float, seconds: float) -> Tally:
    """Saves on a fixed schedule of ``rate`` per second; each goes to the next citizen not busy saving."""
    idle: asyncio.Queue[Citizen] = asyncio.Queue()
    for citizen in citizens:
        idle.put_nowait(citizen)
    tally = Tally()

    async def one(scheduled: float) -> None:
        citizen = await idle.get()
        try:
            await save_until_answered(citizen, port, tally, scheduled)
        finally:
            idle.put_nowait(citizen)

    start = time.perf_counter() + 0.05
    tasks = []
    for index in range(int(rate * seconds)):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    for citizen in citizens:
        citizen.close()
    return tally


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))] if ordered else float("nan")


def run_citizens(
    port: int, tokens: list[str], nonces: list[str], rate: float, seconds: float, out: Any
) -> None:
    """The load process's entry point: puts the tally and every citizen's acknowledged state on ``out``."""
    import uvloop

    citizens = [Citizen(t, n, seed) for seed, (t, n) in enumerate(zip(tokens, nonces, strict=True))]
    tally = uvloop.run(open_loop(port, citizens, rate, seconds))
    out.put(
        {
            "tally": tally,
            "acknowledged": {c.token: c.acknowledged for c in citizens},
            "locations": {c.token: c.last_location for c in citizens},
        }
    )
