"""A CPR number, phone number or name a citizen writes never reaches the analysis data, the tables, the
exports or the logs: it is redacted on the save path, and the original is purged with the contact data."""

from __future__ import annotations

import logging

import polars as pl
from sqlalchemy import inspect, select, text

from borgerblik.core import load_template
from borgerblik.storage.open_answers import original_count
from borgerblik.storage.schema import OpenAnswerOriginal
from borgerblik.text.analysis import open_answer_tables

PLANTED = ("Mette Kjærsgaard", "22 33 44 55", "010190-1234", "mette.k@gmail.com", "Vestergade 12")
ANSWER = (
    f"Min sagsbehandler {PLANTED[0]} ringer aldrig. Mit nummer er {PLANTED[1]}, cpr {PLANTED[2]}, "
    f"mail {PLANTED[3]}, jeg bor på {PLANTED[4]} i Holstebro."
)
PROTECTED_TABLES = {"open_answer_originals", "identities"}


def _everything_but_the_protected_tables(db) -> str:
    dumped = []
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table not in PROTECTED_TABLES:
                dumped += [str(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(dumped)


def test_the_save_path_redacts_and_keeps_the_original_only_beside_the_contact_data(db, kl_invited, caplog):
    survey_id, invited = kl_invited(db, {"anne": "6.1", "bo": "6.2"})
    caplog.set_level(logging.DEBUG)
    db.save_answers(invited["anne"].id, {"hvorfor_tilfreds": ANSWER}, state="partial")
    db.save_answers(
        invited["bo"].id, {"hvorfor_tilfreds": "Fint forløb i Jobcenter Holstebro."}, state="partial"
    )
    stored = db.responses_frame(survey_id).filter(pl.col("question_id") == "hvorfor_tilfreds")
    texts = dict(zip(stored["invitation_id"].to_list(), stored["text"].to_list(), strict=True))
    assert texts[invited["anne"].id] == (
        "Min sagsbehandler [XXX] ringer aldrig. Mit nummer er [XXX], cpr [XXX], mail [XXX], jeg bor på [XXX] "
        "i Holstebro."
    )
    assert texts[invited["bo"].id] == "Fint forløb i Jobcenter Holstebro."
    everywhere = _everything_but_the_protected_tables(db) + caplog.text
    for identifier in PLANTED:
        assert identifier not in everywhere
    with db.engine.connect() as connection:
        originals = connection.execute(
            select(OpenAnswerOriginal.invitation_id, OpenAnswerOriginal.text)
        ).all()
    assert originals == [(invited["anne"].id, ANSWER)]  # only the answer that redaction changed

    frame = stored.select(
        pl.col("member_id").alias("respondent_id"),
        pl.lit("Holstebro").alias("kommune"),
        pl.col("text").alias("hvorfor_tilfreds"),
        pl.lit(5).alias(load_template("kl-2024").overall_question),
    )
    tables = open_answer_tables(frame, load_template("kl-2024"), threshold=1)
    written = "".join(table.write_csv() for table in tables.values())
    assert "[XXX]" in written or not tables
    assert not any(identifier in written for identifier in PLANTED)

    assert db.purge_identities(survey_id) == 2
    assert original_count(db, survey_id) == 0
    with db.engine.connect() as connection:
        assert connection.execute(select(OpenAnswerOriginal.id)).all() == []


def test_a_corrected_answer_replaces_its_original_and_a_clean_one_drops_it(db, kl_invited):
    survey_id, invited = kl_invited(db, {"anne": "6.1"})
    invitation = invited["anne"].id
    db.save_answers(invitation, {"hvorfor_tilfreds": "Tak til Mette for hjælpen."}, state="partial")
    db.save_answers(invitation, {"hvorfor_tilfreds": "Tak til Lars for hjælpen."}, state="partial")
    with db.engine.connect() as connection:
        assert connection.execute(select(OpenAnswerOriginal.text)).scalars().all() == [
            "Tak til Lars for hjælpen."
        ]
    db.save_answers(invitation, {"hvorfor_tilfreds": "Tak for hjælpen."}, state="partial")
    with db.engine.connect() as connection:
        assert connection.execute(select(OpenAnswerOriginal.text)).scalars().all() == []
