"""Instrument model: loading the KL template and routing one citizen, as web and synthetic fieldwork do."""

from __future__ import annotations

import itertools

from benchmarks.result import Result, stopwatch
from borgerblik.core import load_template

PASSES = 20_000


def run() -> list[Result]:
    load_template("kl-2024")  # warm CLDR and module caches, as a running server would be
    with stopwatch() as elapsed:
        for _ in range(10):
            kl = load_template("kl-2024")
    load_ms = elapsed() / 10 * 1000

    citizens = itertools.cycle(
        [
            (
                {"maalgruppe": code, "kommune": "Odense"},
                {"status": status, "arbejdsgiver": employer, "andre_afdelinger": employer},
            )
            for code in ("6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9")
            for status in (1, 2)
            for employer in (1, 2)
        ]
    )
    with stopwatch() as elapsed:
        for _, (context, answers) in zip(range(PASSES), citizens, strict=False):
            kl.visible_questions(context, answers)
    per_citizen_us = elapsed() / PASSES * 1e6
    return [
        Result(
            "instrument: load + validate kl-2024 template",
            load_ms,
            "ms",
            "≤ 100 ms",
            load_ms / 100,
            "of goal",
        ),
        Result(
            "instrument: route one KL citizen (visible_questions)",
            per_citizen_us,
            "µs",
            "≤ 100 µs",
            per_citizen_us / 100,
            "of goal",
        ),
    ]
