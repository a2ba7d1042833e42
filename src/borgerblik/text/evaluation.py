"""How well the redactor does on labelled sentences: recall and precision per kind, and the share of
protected phrases (places, amounts, weeks, ordinary words) that survive. Shared by the tests and the benchmark
so both report the same figures."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from borgerblik.text.redaction import KINDS, redact


@dataclass(frozen=True)
class Score:
    planted: Counter[str]
    caught: Counter[str]
    flagged: Counter[str]
    flagged_right: Counter[str]
    protected: int
    protected_kept: int
    missed: tuple[tuple[str, str, str], ...]
    """(kind, identifier, sentence) for every identifier that survived, for reading when recall drops."""

    def recall(self, kind: str) -> float:
        return self.caught[kind] / self.planted[kind] if self.planted[kind] else 1.0

    def precision(self, kind: str) -> float:
        return self.flagged_right[kind] / self.flagged[kind] if self.flagged[kind] else 1.0

    @property
    def protected_share(self) -> float:
        return self.protected_kept / self.protected if self.protected else 1.0


def score(rows: Iterable[Mapping]) -> Score:
    """``rows``: ``text``, ``identifiers`` ([kind, substring]) and ``protected`` (substrings)."""
    planted: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    flagged_right: Counter[str] = Counter()
    protected = kept = 0
    missed = []
    for row in rows:
        text = row["text"]
        result = redact(text)
        covered = bytearray(len(text))
        for span in result.spans:
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
        truth = bytearray(len(text))
        for kind, value in row["identifiers"]:
            start = text.index(value)
            planted[kind] += 1
            truth[start : start + len(value)] = b"\x01" * len(value)
            if all(covered[start + i] for i, ch in enumerate(value) if not ch.isspace()):
                caught[kind] += 1
            else:
                missed.append((kind, value, text))
        for span in result.spans:
            flagged[span.kind] += 1
            flagged_right[span.kind] += any(truth[span.start : span.end])
        for phrase in row["protected"]:
            protected += 1
            kept += phrase in result.text
    return Score(planted, caught, flagged, flagged_right, protected, kept, tuple(missed))


def read_labelled(path: Path) -> list[dict]:
    """Labelled sentences from a ``.jsonl`` file (``text``, ``identifiers``, ``protected``) or from the
    hand-written ``.txt`` form: ``text ||| kind:value; … ||| phrase; …`` (``-`` for none, ``#`` comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in lines if line.strip()]
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, identifiers, protected = (part.strip() for part in line.split("|||"))
        row = {
            "text": text,
            "identifiers": [] if identifiers == "-" else [i.split(":", 1) for i in identifiers.split("; ")],
            "protected": [] if protected == "-" else protected.split("; "),
        }
        for value in [v for _, v in row["identifiers"]] + row["protected"]:
            if value not in text:
                raise ValueError(f"{path}, linje {number}: {value!r} står ikke i sætningen")
        rows.append(row)
    return rows


def read_sentiment_set(path: Path) -> list[tuple[str, str, str]]:
    """(label, text, source) from ``label ||| text ||| source`` lines (``#`` comments)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text, source = (part.strip() for part in line.split("|||"))
            rows.append((label, text, source))
    return rows


__all__ = ["KINDS", "Score", "read_labelled", "read_sentiment_set", "score"]
