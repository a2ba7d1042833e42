"""Restart time: from starting ``borgerblik serve --workers 4`` to the first answered save (issue 18).

Runs the real command in a process group of its own on a fresh PostgreSQL database (SQLite with
``--backend sqlite``, one worker), posts a citizen's page save every 50 ms until one is answered with the
303 of a stored save, and prints the seconds it took; three runs, their median. Beside the wall-clock figure
it prints the CPU seconds the server's process group had used by then (from ``/proc``): on a machine shared
with other work the wall clock waits for CPU as well, so the CPU figure is the one that does not depend on
the neighbours. Each run ends by killing the whole process group, so nothing outlives it. Goal: ≤ 3 s with
four workers.

    .venv/bin/python reliability/restart.py [--backend postgresql|sqlite] [--workers 4] [--runs 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlencode

PG_ADMIN_URL = os.environ.get("BORGERBLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
GOAL_SECONDS = 3.0
TIMEOUT_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(url: str, citizens: int) -> list[str]:
    """A KL survey with ``citizens`` invited dagpenge citizens, each with a started session; their tokens."""
    from borgerblik.collection import start
    from borgerblik.storage import Database

    with Database(url) as db:
        yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
        survey_id = db.create_survey("Genstart", "kl-2024", yaml_text)
        rows = [
            {
                "cpr": f"{61 + i % 28:02d}0185-{1000 + i:04d}",
                "kommune": "Rødovre",
                "maalgruppe": "6.1",
                "gender": "mand",
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
    return tokens


def _nonce(url: str, token: str) -> str:
    from borgerblik.collection import open_session
    from borgerblik.storage import Database

    with Database(url) as db:
        questionnaire = open_session(db, token)
        assert questionnaire is not None
        return questionnaire.nonce


def _try_save(port: int, token: str, nonce: str) -> int | None:
    body = urlencode({"tillid": 4, "udgangspunkt": 3, "inddragelse": 5, "nonce": nonce, "lang": "da"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(
            "POST",
            f"/s/{token}/side/moedet",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes in process group ``group`` (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def one_run(url: str, workers: int, token: str) -> tuple[float, float]:
    """Seconds from ``serve`` started to the first 303 (a stored save) on ``token``'s first page, and the CPU
    seconds the server's processes had used by then."""
    nonce = _nonce(url, token)
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("borgerblik")),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--database",
        url,
    ]
    started = time.perf_counter()
    server = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < TIMEOUT_SECONDS:
            status = _try_save(port, token, nonce)
            if status == 303:
                return time.perf_counter() - started, group_cpu_seconds(server.pid)
            if status is not None:
                raise RuntimeError(f"the save was answered {status}, not 303")
            if server.poll() is not None:
                raise RuntimeError(f"serve ended with exit code {server.returncode} before answering")
            time.sleep(0.05)
        raise RuntimeError(f"no answered save within {TIMEOUT_SECONDS:.0f} s")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    admin = None
    folder = tempfile.TemporaryDirectory()
    if options.backend == "postgresql":
        from sqlalchemy import create_engine

        name = f"borgerblik_restart_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        workers = options.workers
    else:
        url = f"sqlite:///{Path(folder.name) / 'borgerblik.sqlite'}"
        workers = 1
    try:
        tokens = _prepare(url, options.runs)
        measured = [one_run(url, workers, token) for token in tokens]
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        folder.cleanup()
    seconds = [wall for wall, _cpu in measured]
    cpu = [used for _wall, used in measured]

    def danish(value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    verdict = "met" if statistics.median(seconds) <= GOAL_SECONDS else "NOT met"
    print(
        f"restart to first answered save, {options.backend}, --workers {workers}: "
        f"median {danish(statistics.median(seconds))} s (runs: {' · '.join(map(danish, seconds))}); "
        f"CPU used by then median {danish(statistics.median(cpu))} s; "
        f"load average {danish(os.getloadavg()[0])}; goal ≤ 3 s {verdict}"
    )


if __name__ == "__main__":
    main()
