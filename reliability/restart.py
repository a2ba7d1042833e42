"""Restart time: from starting ``borgerblik serve --workers 4`` to the first answered save (issue 18).

Runs the real command in a process group of its own on a fresh PostgreSQL database (SQLite with
``--backend sqlite``, one worker), posts a citizen's page save every 50 ms until one is answered with the
303 of a stored save, and prints the seconds it took; three runs, their median. Beside the wall-clock figure
it prints the CPU seconds the server's process group had used by then (from ``/proc``): on a machine shared
with other work the wall clock waits for CPU as well, so the CPU figure is the one that does not depend on
the neighbours. Each run ends by killing the whole process group, so nothing outlives it. Goal: ≤ 3 s with
four workers.

    python -m reliability.restart [--backend postgresql|sqlite] [--workers 4] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from reliability.web_faults import ServeProcess, database, group_cpu_seconds, prepare, probe_save

GOAL_SECONDS = 3.0
TIMEOUT_SECONDS = 60.0


def one_run(url: str, workers: int, token: str, nonce: str) -> tuple[float, float]:
    """Seconds from ``serve`` started to the first 303 (a stored save) on ``token``'s first page, and the CPU
    seconds the server's processes had used by then."""
    server = ServeProcess(url, workers)
    started = time.perf_counter()
    server.start()
    try:
        probe_save(server.port, token, nonce, timeout=TIMEOUT_SECONDS)
        assert server.process is not None
        return time.perf_counter() - started, group_cpu_seconds(server.process.pid)
    finally:
        server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    workers = options.workers if options.backend == "postgresql" else 1
    with database(options.backend) as url:
        db, tokens, nonces = prepare(url, options.runs - 1)  # one citizen per run (prepare adds a probe)
        measured = [one_run(url, workers, token, nonce) for token, nonce in zip(tokens, nonces, strict=True)]
        db.close()
    seconds = [wall for wall, _cpu in measured]
    cpu = [used for _wall, used in measured]

    def danish(value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    met = statistics.median(seconds) <= GOAL_SECONDS
    print(
        f"restart to first answered save, {options.backend}, --workers {workers}: "
        f"median {danish(statistics.median(seconds))} s (runs: {' · '.join(map(danish, seconds))}); "
        f"CPU used by then median {danish(statistics.median(cpu))} s; "
        f"load average {danish(os.getloadavg()[0])}; goal ≤ 3 s {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
