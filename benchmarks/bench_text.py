"""Open answers: the redactor's recall and precision per kind on the labelled set, and answers redacted per
second (goal ≥ 5,000/s) over the synthetic demo answers, the way they arrive."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks.result import Result, stopwatch
from borgerblik.synth.open_answers import write_answers
from borgerblik.text.evaluation import score
from borgerblik.text.redaction import KINDS, redact

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "text" / "data" / "redaction_set.jsonl"
RATE_GOAL = 5_000
RECALL_GOALS = {"cpr": 0.98, "phone": 0.98, "email": 0.98, "name": 0.9, "address": 0.8}


def run() -> list[Result]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    measured = score(rows)
    results = []
    for kind in KINDS:
        results.append(
            Result(
                name=f"text: {kind} recall ({measured.planted[kind]} planted)",
                figure=measured.recall(kind),
                unit="share",
                goal=f"≥ {RECALL_GOALS[kind]:g}",
                ratio=measured.recall(kind) / RECALL_GOALS[kind],
                ratio_label="of goal",
            )
        )
        results.append(Result(name=f"text: {kind} precision", figure=measured.precision(kind), unit="share"))
    results.append(
        Result(
            name=f"text: protected phrases kept ({measured.protected})",
            figure=measured.protected_share,
            unit="share",
            goal="≥ 0.95",
            ratio=measured.protected_share / 0.95,
            ratio_label="of goal",
        )
    )
    rng = np.random.default_rng(2024)
    answers = write_answers(rng.random(20_000) < 0.6, improvement=False, rng=rng).text
    answers += [row["text"] for row in rows]
    with stopwatch() as elapsed:
        for text in answers:
            redact(text)
    rate = len(answers) / elapsed()
    results.append(
        Result(
            name=f"text: answers redacted per second ({len(answers):,})",
            figure=rate,
            unit="answers/s",
            goal=f"≥ {RATE_GOAL:,}/s",
            ratio=rate / RATE_GOAL,
            ratio_label="of goal",
        )
    )
    return results
