"""A simulated three-week web fieldwork of a sample: outcomes, timing, mode, language and answers.

The result has one row per sampled citizen and no CPR or contact data, so it can go straight to
weighting and analysis; ``truth`` keeps what the simulation knows and a survey never would (latent
satisfaction, the theme behind each open answer, which answers carry identifiers) for tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from borgerblik.core import Instrument
from borgerblik.synth.answers import COURSE_ENDED, draw_status, route, simulate_answers
from borgerblik.synth.outcomes import (
    COMPLETE,
    INVITATION_DAY,
    OPTED_OUT,
    PARTIAL,
    REMINDER_DAYS,
    draw_days,
    draw_outcomes,
    reach,
)
from borgerblik.synth.register import REGISTER_COLUMNS
from borgerblik.synth.sample import with_strata
from borgerblik.synth.satisfaction import course_effect, mean_latent

ID_COLUMN = "respondent_id"
STRATA_COLUMNS: tuple[str, ...] = (
    "kommune",
    "maalgruppe",
    "maalgruppe_kl2024",
    "koen",
    "alder",
    "aldersgruppe",
    "ydelse_start",
    "ydelse_slut",
)
#: Never copied into the fieldwork result: CPR and contact data stay in the sample file.
PRIVATE_COLUMNS: frozenset[str] = frozenset({"cpr", "telefon", "email", "digital_post_fritaget", "samtaler"})
LANGUAGE_SHARES = {"da": 0.965, "en": 0.03, "ar": 0.005}
#: Share answering by phone through the hotline (older citizens more often).
PHONE_INTERVIEW = 0.01
PHONE_INTERVIEW_OVER_50 = 0.03


@dataclass(frozen=True)
class Fieldwork:
    """One wave's simulated fieldwork."""

    wave: int
    invited_on: date
    reminders_on: tuple[date, ...]
    #: one row per sampled citizen: id, strata, outcome, timing, mode, language, answers by question id
    persons: pl.DataFrame
    #: per citizen: latent satisfaction, open-answer themes and identifier kinds (for tests, never analysis)
    truth: pl.DataFrame
    #: answer columns in instrument order
    answer_columns: tuple[str, ...]

    def respondents(self) -> pl.DataFrame:
        """Complete and partial answers: the rows the analysis uses."""
        return self.persons.filter(pl.col("outcome").is_in([COMPLETE, PARTIAL]))

    def answers_by_respondent(self) -> Iterator[tuple[int, dict[str, object]]]:
        """(respondent_id, {answer id: code or text}) for each respondent, only what was answered.

        The shape the collection stage stores, so the demo can replay the fieldwork through it.
        """
        columns = [ID_COLUMN, *self.answer_columns]
        for row in self.respondents().select(columns).iter_rows(named=True):
            respondent = row.pop(ID_COLUMN)
            yield respondent, {k: v for k, v in row.items() if v is not None}

    def response_curve(self) -> pl.DataFrame:
        """Cumulative response rate (complete + partial) per fieldwork day, as in the seed's figure."""
        answered = self.respondents().group_by("response_day").len()
        days = pl.DataFrame({"response_day": list(range(21))}, schema={"response_day": pl.Int16})
        return (
            days.join(answered, on="response_day", how="left")
            .with_columns(pl.col("len").fill_null(0))
            .select("response_day", cumulative_rate=pl.col("len").cum_sum() / self.persons.height)
        )


def simulate_fieldwork(frame: pl.DataFrame, instrument: Instrument, seed: int, wave: int = 2024) -> Fieldwork:
    """Simulate the fieldwork of sample ``frame`` (register contract columns, plus any id columns)."""
    missing = [c for c in REGISTER_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"stikprøven mangler kolonnerne {', '.join(missing)} (registerudtrækkets kontrakt)")
    if wave not in INVITATION_DAY:
        raise ValueError(f"bølgen skal være en af {sorted(INVITATION_DAY)}, fik {wave}")
    rng = np.random.default_rng([seed, wave])
    base = (
        frame
        if ID_COLUMN in frame.columns
        else frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ID_COLUMN))
    )
    strata = with_strata(base.select(REGISTER_COLUMNS))
    reachability = reach(base)
    outcome = draw_outcomes(strata, reachability, wave, rng)
    day = draw_days(outcome, rng)
    status = draw_status(strata, rng)
    ended = (status == COURSE_ENDED).to_numpy()
    latent = mean_latent(strata, wave) + course_effect(strata, ended) + rng.standard_normal(strata.height)
    raw, open_truth = simulate_answers(instrument, strata, latent, status, rng)
    asked = route(instrument, strata, raw)
    answers = _asked_answers(raw, asked, outcome, rng)
    invited = INVITATION_DAY[wave]
    answered = (outcome == COMPLETE) | (outcome == PARTIAL)
    extras = [c for c in base.columns if c not in REGISTER_COLUMNS and c not in PRIVATE_COLUMNS]
    persons = pl.concat(
        [
            base.select(extras),
            strata.select(STRATA_COLUMNS),
            pl.DataFrame(
                {
                    "wave": np.full(strata.height, wave, dtype=np.int16),
                    "kontakt": reachability,
                    "outcome": outcome,
                    "response_day": pl.Series(np.where(answered, day, -1), dtype=pl.Int16),
                    "responded_at": _timestamps(invited, day, answered, rng),
                    "opted_out_day": pl.Series(np.where(outcome == OPTED_OUT, day, -1), dtype=pl.Int16),
                    "mode": _modes(strata, answered, rng),
                    "language": _languages(instrument, answered, rng),
                }
            ).with_columns(
                pl.col("response_day").replace(-1, None),
                pl.col("opted_out_day").replace(-1, None),
            ),
            answers,
        ],
        how="horizontal",
    )
    truth = pl.concat(
        [
            base.select(ID_COLUMN),
            pl.DataFrame({"latent": latent}),
            open_truth.select(
                [pl.when(pl.Series(answered)).then(pl.col(c)).alias(c) for c in open_truth.columns]
            ),
        ],
        how="horizontal",
    )
    return Fieldwork(
        wave=wave,
        invited_on=invited,
        reminders_on=tuple(invited + timedelta(days=d) for d in REMINDER_DAYS),
        persons=persons,
        truth=truth,
        answer_columns=tuple(answers.columns),
    )


def _asked_answers(
    raw: pl.DataFrame, asked: dict[str, np.ndarray], outcome: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Answers of respondents to the questions they were asked; partial ones stop part-way."""
    ids = list(asked)
    shown = np.column_stack([asked[i] for i in ids])
    answered = (outcome == COMPLETE) | (outcome == PARTIAL)
    position = np.cumsum(shown, axis=1)
    partial = outcome == PARTIAL
    # A partial answer stops after k of the n questions shown, 1 ≤ k < n.
    n_shown = shown.sum(axis=1)
    stop = 1 + np.floor(rng.random(raw.height) * np.maximum(n_shown - 1, 1)).astype(np.int64)
    reached = np.where(partial[:, None], position <= stop[:, None], True)
    keep = shown & reached & answered[:, None]
    return pl.DataFrame([raw[i].set(pl.Series(~keep[:, j]), None) for j, i in enumerate(ids)])


def _timestamps(invited: date, day: np.ndarray, answered: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Answer time: the day's date plus a time between 07:00 and 23:00."""
    start = datetime(invited.year, invited.month, invited.day, 7)
    seconds = np.maximum(day, 0) * 86_400 + (rng.random(day.size) * 16 * 3600).astype(np.int64)
    stamps = (np.datetime64(start, "s") + seconds.astype("timedelta64[s]")).astype("datetime64[ms]")
    return pl.Series("responded_at", stamps).set(pl.Series(~answered), None)


def _modes(strata: pl.DataFrame, answered: np.ndarray, rng: np.random.Generator) -> pl.Series:
    over_50 = (strata["alder"] >= 50).to_numpy()
    phone = rng.random(strata.height) < np.where(over_50, PHONE_INTERVIEW_OVER_50, PHONE_INTERVIEW)
    return pl.Series("mode", np.where(phone, "telefon", "web")).set(pl.Series(~answered), None)


def _languages(instrument: Instrument, answered: np.ndarray, rng: np.random.Generator) -> pl.Series:
    offered = [code for code in LANGUAGE_SHARES if code in instrument.language_codes()] or ["da"]
    shares = np.array([LANGUAGE_SHARES[code] for code in offered])
    pick = np.searchsorted(np.cumsum(shares / shares.sum()), rng.random(answered.size))
    return pl.Series("language", np.array(offered)[np.minimum(pick, len(offered) - 1)]).set(
        pl.Series(~answered), None
    )
