"""Open answers in Danish, composed from the themes the KL 2024 seed reports (:mod:`.open_themes`).

Each answer has one planted theme (its label for the tests and the demo) and is written as citizens write:
one to three of the theme's clauses with their alternatives chosen, sometimes a clause of a second, minor
theme of the same verdict or a verdict of no theme ("alt i alt godt"), joined by commas, "og" or full stops;
some start in lower case, end without a full stop or carry a typo. A few answers name a caseworker, give a
phone number or a CPR-like number, as real answers do, so redaction can be tested; the CPR-like numbers are
substitute numbers (day + 60), never a real person's.

Who writes on which theme and which identifier comes from the caller's generator exactly as before the
answers were composed; the wording comes from a generator spawned from it, which leaves the caller's stream
(and so every later simulated answer) as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from borgerblik.synth.names import FIRST_NAMES_MEN, FIRST_NAMES_WOMEN, MOBILE_SERIES
from borgerblik.synth.open_themes import (
    ASIDES_LESS_SATISFIED,
    ASIDES_SATISFIED,
    IMPROVE_LESS_SATISFIED,
    IMPROVE_SATISFIED,
    WHY_LESS_SATISFIED,
    WHY_SATISFIED,
    Theme,
)

#: Shares of written answers that carry an identifier to redact.
SHARE_WITH_NAME = 0.06
SHARE_WITH_PHONE = 0.02
SHARE_WITH_CPR = 0.01
#: How many of the theme's clauses an answer has: 1 below the first share, 2 below the second, else 3.
CLAUSE_SHARES = (0.45, 0.83)
#: Shares of answers with a clause of a second theme, with a verdict aside, in lower case, without an end
#: mark, with a typo.
SHARE_MINOR_THEME = 0.2
SHARE_ASIDE = 0.15
SHARE_LOWER_CASE = 0.2
SHARE_NO_END_MARK = 0.3
SHARE_TYPO = 0.08
#: How clauses are joined, with the cumulative shares they are drawn by.
JOINS = ((0.35, ", "), (0.6, " og "), (0.9, ". "), (1.0, " - "))

Template = tuple[tuple[str, ...], ...]
"""A clause as parts, each the tuple of its alternatives (a fixed part has one)."""


def _compile(clause: str) -> Template:
    pieces = re.split(r"\[([^\]]*)\]", clause)
    return tuple(tuple(p.split("|")) if i % 2 else (p,) for i, p in enumerate(pieces) if i % 2 or p)


_TEMPLATES: dict[str, tuple[Template, ...]] = {
    theme.code: tuple(_compile(c) for c in theme.clauses)
    for pool in (WHY_SATISFIED, WHY_LESS_SATISFIED, IMPROVE_SATISFIED, IMPROVE_LESS_SATISFIED)
    for theme in pool
}
#: Uniform draws one answer can use at most: four clauses with their choices, and the answer's own choices.
_DRAWS = 4 * (1 + max(len(t) for ts in _TEMPLATES.values() for t in ts)) + 12


@dataclass(frozen=True)
class OpenAnswers:
    text: list[str]
    theme: list[str]
    has_name: np.ndarray
    has_phone: np.ndarray
    has_cpr: np.ndarray


def write_answers(satisfied: np.ndarray, improvement: bool, rng: np.random.Generator) -> OpenAnswers:
    """One answer per citizen: composed on a theme chosen by satisfaction, sometimes with an identifier."""
    size = satisfied.size
    happy, unhappy = (
        (IMPROVE_SATISFIED, IMPROVE_LESS_SATISFIED) if improvement else (WHY_SATISFIED, WHY_LESS_SATISFIED)
    )
    has_name = rng.random(size) < SHARE_WITH_NAME
    has_phone = rng.random(size) < SHARE_WITH_PHONE
    has_cpr = rng.random(size) < SHARE_WITH_CPR
    names = np.array(FIRST_NAMES_WOMEN + FIRST_NAMES_MEN)
    texts, themes = [], []
    picks = rng.random((size, 2))
    name_pick = rng.integers(0, names.size, size)
    phones = MOBILE_SERIES[rng.integers(0, MOBILE_SERIES.size, size)] * 1_000_000 + rng.integers(
        0, 1_000_000, size
    )
    cprs = _cpr_like(size, rng)
    wording = rng.spawn(1)[0].random((size, _DRAWS))
    for i in range(size):
        pool = happy if satisfied[i] else unhappy
        main = int(picks[i, 0] * len(pool))
        clauses = 1 + (picks[i, 1] >= CLAUSE_SHARES[0]) + (picks[i, 1] >= CLAUSE_SHARES[1])
        parts = [_compose(pool, main, clauses, bool(satisfied[i]), iter(wording[i].tolist()))]
        if has_name[i]:
            name = names[name_pick[i]]
            parts.append(
                f"Tak til {name} for hjælpen." if satisfied[i] else f"Min sagsbehandler {name} svarer aldrig."
            )
        if has_phone[i]:
            number = str(phones[i])
            parts.append(f"Ring gerne til mig på {number[:2]} {number[2:4]} {number[4:6]} {number[6:]}.")
        if has_cpr[i]:
            parts.append(f"Mit cpr-nummer er {cprs[i]}, hvis I vil finde min sag.")
        if len(parts) > 1 and parts[0][-1] not in ".!":
            parts[0] += "."  # the identifier's sentence starts anew, as it did before answers were composed
        texts.append(" ".join(parts))
        themes.append(pool[main].code)
    return OpenAnswers(texts, themes, has_name, has_phone, has_cpr)


def _compose(pool: tuple[Theme, ...], main: int, clauses: int, satisfied: bool, draw) -> str:
    """One answer on ``pool[main]`` of ``clauses`` distinct clauses, with ``draw`` yielding uniforms."""
    templates = _TEMPLATES[pool[main].code]
    chosen: list[int] = []
    for _ in range(min(clauses, len(templates))):
        k = int(next(draw) * len(templates))
        while k in chosen:
            k = (k + 1) % len(templates)
        chosen.append(k)
    said = [_fill(templates[k], draw) for k in chosen]
    if next(draw) < SHARE_MINOR_THEME:
        other = pool[(main + 1 + int(next(draw) * (len(pool) - 1))) % len(pool)]
        minor = _TEMPLATES[other.code]
        said.append(_fill(minor[int(next(draw) * len(minor))], draw))
    if next(draw) < SHARE_ASIDE:
        asides = ASIDES_SATISFIED if satisfied else ASIDES_LESS_SATISFIED
        aside = asides[int(next(draw) * len(asides))]
        said = [aside, *said] if next(draw) < 0.5 else [*said, aside]
    text = said[0]
    for clause in said[1:]:
        u = next(draw)
        text += next(join for share, join in JOINS if u < share) + clause
    if next(draw) < SHARE_TYPO:
        text = _typo(text, next(draw), next(draw))
    if next(draw) >= SHARE_LOWER_CASE:
        text = ". ".join(s[:1].upper() + s[1:] for s in text.split(". "))
    u = next(draw)
    if u >= SHARE_NO_END_MARK:
        text += "!" if u > 0.92 else "..." if u > 0.87 else "."
    return text


def _fill(template: Template, draw) -> str:
    return "".join(part[int(next(draw) * len(part))] if len(part) > 1 else part[0] for part in template)


def _typo(text: str, where: float, how: float) -> str:
    """Two letters swapped or one dropped inside a word of five letters or more, as on a phone."""
    words = [m for m in re.finditer(r"\w{5,}", text)]
    if not words:
        return text
    word = words[int(where * len(words))]
    at = word.start() + 1 + int(how * (len(word.group()) - 2))
    if how < 0.5:
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    return text[:at] + text[at + 1 :]


def _cpr_like(size: int, rng: np.random.Generator) -> list[str]:
    day = rng.integers(61, 89, size)
    month = rng.integers(1, 13, size)
    year = rng.integers(60, 100, size)
    serial = rng.integers(0, 4000, size)
    return [f"{d:02d}{m:02d}{y:02d}-{s:04d}" for d, m, y, s in zip(day, month, year, serial, strict=True)]
