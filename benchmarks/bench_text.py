"""Open answers: the redactor's recall and precision per kind on the labelled sets — the one built beside the
rules (optimistic), the held-out one written apart from them (then used to develop case numbers, workplaces
and more name and address forms) and the test set written after and measured once (the honest figures) —
and answers redacted per second (goal ≥ 5,000/s) over the synthetic demo answers, the way they arrive."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.result import Result, stopwatch
from borgerblik.danish import decimal
from borgerblik.synth.open_answers import write_answers
from borgerblik.text.demo import national_answers
from borgerblik.text.evaluation import read_labelled, read_sentiment_set, score
from borgerblik.text.redaction import KINDS, redact
from borgerblik.text.sentiment import accuracy
from borgerblik.text.themes import agreement, discover_themes

DATA = Path(__file__).resolve().parents[1] / "tests" / "text" / "data"
LABELLED = DATA / "redaction_set.jsonl"
SETS = {"built with the rules": LABELLED, "held-out": DATA / "heldout_set.txt", "test": DATA / "test_set.txt"}
RATE_GOAL = 5_000
THEME_GOAL = 0.7  # issue 14: purity or adjusted Rand index of the found themes against the planted ones
RECALL_GOALS = {"cpr": 0.98, "phone": 0.98, "email": 0.98, "name": 0.9, "address": 0.8}


def run() -> list[Result]:
    results = []
    for label, path in SETS.items():
        measured = score(read_labelled(path))
        for kind in KINDS:
            if not measured.planted[kind]:
                continue
            goal = RECALL_GOALS.get(kind)
            results.append(
                Result(
                    name=f"text, {label} set: {kind} recall ({measured.planted[kind]} planted)",
                    figure=measured.recall(kind),
                    unit="share",
                    goal=f"≥ {goal:g}" if goal else "",
                    ratio=measured.recall(kind) / goal if goal else None,
                    ratio_label="of goal" if goal else "",
                )
            )
            results.append(
                Result(
                    name=f"text, {label} set: {kind} precision", figure=measured.precision(kind), unit="share"
                )
            )
        results.append(
            Result(
                name=f"text, {label} set: protected phrases kept ({measured.protected})",
                figure=measured.protected_share,
                unit="share",
                goal="≥ 0.95",
                ratio=measured.protected_share / 0.95,
                ratio_label="of goal",
            )
        )
    sentiment_set = read_sentiment_set(DATA / "sentiment_set.txt")
    for part, prefix in (("all", ""), ("VIVE's quotes", "vive"), ("own sentences", "egen")):
        share, per, n = accuracy(
            [(label, text) for label, text, src in sentiment_set if src.startswith(prefix)]
        )
        results.append(Result(name=f"text: sentiment accuracy, {part} ({n})", figure=share, unit="share"))
        if not prefix:
            for sentiment, (precision, recall) in per.items():
                results.append(
                    Result(name=f"text: sentiment {sentiment} precision", figure=precision, unit="share")
                )
                results.append(
                    Result(name=f"text: sentiment {sentiment} recall", figure=recall, unit="share")
                )
    results += theme_recovery()
    rows = read_labelled(LABELLED)
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


def theme_recovery() -> list[Result]:
    """The themes found on the demo's answers (the count by stability, never the labels) against the ones
    the generator planted, for the demo's seed and one more."""
    results = []
    for seed in (2024, 2025):
        texts, planted = national_answers(seed)
        found = discover_themes(texts, seed=2024)
        purity, ari = agreement(found.assignment, planted)
        label = (
            f"text: themes on the demo answers, seed {seed} ({len(texts):,}; {len(found.themes)} themes by "
            f"stability): renhed {decimal(purity)}, justeret Rand-indeks {decimal(ari)}"
        )
        for name, figure in (("purity", purity), ("adjusted Rand index", ari)):
            results.append(
                Result(
                    name=f"{label} — {name}",
                    figure=figure,
                    unit="share" if name == "purity" else "index",
                    goal=f"≥ {THEME_GOAL:g}",
                    ratio=figure / THEME_GOAL,
                    ratio_label="of goal",
                )
            )
    return results
