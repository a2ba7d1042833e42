"""The fast part of issue 18's load-and-kill runs (the full size runs in `make reliability`): citizens saving
pages against the real `borgerblik serve` while its whole process group is SIGKILLed and restarted.

Whatever the moment of the kill, an acknowledged answer is stored exactly once, a citizen reopens the page the
last acknowledged save led to, no save is refused, and SQLite's file passes its integrity check.
"""

from __future__ import annotations

import pytest
from reliability.web_faults import kill_moments, run_backend


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_server_killed_under_load_loses_and_duplicates_no_acknowledged_answer(
    backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "postgresql":
        request.getfixturevalue("postgres_url")  # skips on a laptop without PostgreSQL, fails under CI=true
    figures = run_backend(backend, citizens=60, seconds=12, rate=60, kills=2)
    assert figures.kills == 2
    assert figures.saves > 0
    assert figures.errors == {}
    assert (figures.lost, figures.duplicated, figures.resume_wrong) == (0, 0, 0)
    assert figures.resume_checked > 0
    assert figures.integrity == "ok"


def test_the_kills_fall_at_distinct_moments_spread_over_the_run():
    moments = kill_moments(300, 20, seed=18)
    assert moments == sorted(moments) and len(set(moments)) == 20
    assert moments[0] >= 30 and moments[-1] <= 270 and moments[-1] - moments[0] > 150
