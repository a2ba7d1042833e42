"""The one behaviour model of simulated citizens, for the demo and `borgerblik fieldwork simulate` alike.

:func:`~borgerblik.synth.fieldwork.simulate_fieldwork` draws, calibrated to the KL 2024 seed, who answers,
half-answers or declines, on which day, in which language and mode, and what they answer. This module reads
the invited sample of a stored survey through the gateway in the register's contract, runs that model, and
turns each citizen's outcome into a :class:`~borgerblik.fieldwork.CitizenAction` the fieldwork simulation
replays through the questionnaire's own functions. The fieldwork stage keeps no seed figures of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from borgerblik.core import Instrument
from borgerblik.fieldwork import CitizenAction
from borgerblik.storage import Database
from borgerblik.synth.fieldwork import ID_COLUMN, Fieldwork, simulate_fieldwork
from borgerblik.synth.outcomes import NO_RESPONSE, OPTED_OUT

INVITATION_COLUMN = "invitation_id"
#: simulate_fieldwork's mode names → the collection stage's
MODES = {"web": "web", "telefon": "phone"}


@dataclass(frozen=True)
class SimulatedCitizens:
    """What the invited citizens of one survey will do, and the simulation it came from (for tests)."""

    fieldwork: Fieldwork
    actions: list[CitizenAction]


def simulated_citizens(
    db: Database, survey_id: int, instrument: Instrument, seed: int, wave: int = 2024
) -> SimulatedCitizens:
    """The behaviour of every invited citizen of ``survey_id``: the synthetic fieldwork of its sample."""
    fieldwork = simulate_fieldwork(invited_sample(db, survey_id), instrument, seed, wave=wave)
    return SimulatedCitizens(fieldwork, citizen_actions(fieldwork, instrument))


def invited_sample(db: Database, survey_id: int) -> pl.DataFrame:
    """The invited members in the register extract's contract, ``respondent_id`` = member id and their
    ``invitation_id`` beside it (CPR and contacts only as far as the simulation, which drops them)."""
    members = db.members_frame(survey_id).filter(pl.col(INVITATION_COLUMN).is_not_null())
    contacts = pl.DataFrame(
        [(c.invitation_id, c.cpr, c.phone, c.email, c.digital_post_exempt) for c in db.contacts(survey_id)],
        schema={
            INVITATION_COLUMN: pl.Int64,
            "cpr": pl.String,
            "telefon": pl.String,
            "email": pl.String,
            "exempt": pl.Boolean,
        },
        orient="row",
    )
    return members.join(contacts, on=INVITATION_COLUMN, how="inner", maintain_order="left").select(
        pl.col("member_id").alias(ID_COLUMN),
        INVITATION_COLUMN,
        "cpr",
        "kommune",
        "maalgruppe",
        pl.col("ydelse_start").dt.strftime("%Y-%m-%d"),
        pl.col("ydelse_slut").dt.strftime("%Y-%m-%d").fill_null(""),
        pl.col("samtaler").fill_null(""),
        pl.when(pl.col("exempt")).then(pl.lit("ja")).otherwise(pl.lit("nej")).alias("digital_post_fritaget"),
        pl.col("telefon").fill_null(""),
        pl.col("email").fill_null(""),
    )


def citizen_actions(fieldwork: Fieldwork, instrument: Instrument) -> list[CitizenAction]:
    """Each acting citizen's outcome, day, answers, language and mode as an action on their invitation; a
    partial answer leaves after the pages its answers fill."""
    theme_of = {a: q.theme for q in instrument.questions() for a in q.answer_ids}
    answers = dict(fieldwork.answers_by_respondent())
    actions = []
    for row in fieldwork.persons.filter(pl.col("outcome") != NO_RESPONSE).iter_rows(named=True):
        given = answers.get(row[ID_COLUMN], {})
        opted = row["outcome"] == OPTED_OUT
        actions.append(
            CitizenAction(
                row[INVITATION_COLUMN],
                row["opted_out_day"] if opted else row["response_day"],
                row["outcome"],
                given,
                pages=len({theme_of[a] for a in given}) or 1,
                language=row["language"] or "da",
                mode=MODES.get(row["mode"] or "web", "web"),
            )
        )
    return actions
