"""`make reliability`: the whole reliability suite, each part a process of its own, its figures printed.

The fast part (small runs of the same harnesses, the fuzzing) is in tests/reliability and runs in `make test`;
this runs the full-size parts: 5 minutes of 1.000 citizens on each database without and with ≥ 20 kills of
the server, the sender killed ≥ 10 times on each database, the restart time, and the tests marked
``reliability`` (big files, long fuzzing). ``RELIABILITY_SECONDS`` shortens the load runs for a trial.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

SECONDS = os.environ.get("RELIABILITY_SECONDS", "300")
PARTS: list[tuple[str, list[str]]] = [
    ("load, no kills", ["-m", "reliability.web_faults", "--seconds", SECONDS, "--kills", "0"]),
    ("load with 20 server kills", ["-m", "reliability.web_faults", "--seconds", SECONDS, "--kills", "20"]),
    ("sender kills, SQLite", ["-m", "reliability.sender_kills", "--database", "sqlite", "--kills", "10"]),
    (
        "sender kills, PostgreSQL",
        ["-m", "reliability.sender_kills", "--database", "postgresql", "--kills", "10"],
    ),
    ("restart time, 4 workers", ["-m", "reliability.restart", "--workers", "4"]),
    (
        "slow hostile-input tests",
        ["-m", "pytest", "-q", "-m", "reliability", "tests/reliability", "-p", "no:xdist"],
    ),
]


def main() -> int:
    print(f"reliability suite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores", flush=True)
    failed = []
    for name, arguments in PARTS:
        print(f"\n== {name}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, *arguments], env={**os.environ, "RELIABILITY_QUIET": "1"})
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"== {name}: {verdict} in {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    print("\nreliability:", "all parts passed" if not failed else "FAILED: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
