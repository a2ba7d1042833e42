"""Population members: loaded all-or-nothing, readable as a table, identities kept apart and purgeable."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest
from sqlalchemy import func, select

from borgerblik.core import dump_instrument, load_template
from borgerblik.storage import Database, InvalidRowError, NotFoundError, StorageError
from borgerblik.storage.schema import Identity, Invitation, Member, Municipality, SampleEntry

KL_YAML = dump_instrument(load_template("kl-2024"))


def _count(db: Database, model: type) -> int:
    with db.reading() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_members_round_trip_as_a_table_without_identity_columns(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "name: kl-2024\n")
    member_ids = db.add_members(survey_id, rows(3), source="kl-2024.csv", sha256="ab" * 32)

    frame = db.members_frame(survey_id)
    assert frame.columns == [
        "member_id",
        "kommune",
        "maalgruppe",
        "gender",
        "birth_date",
        "age",
        "age_group",
        "ydelse_start",
        "ydelse_slut",
        "samtaler",
        "import_batch_id",
        "sampled",
        "stratum",
        "invitation_id",
        "invitation_state",
        "response_state",
        "opted_out",
        "answers_withdrawn",
        "outcome",
    ]
    first = frame.filter(pl.col("member_id") == member_ids[0]).row(0, named=True)
    assert first == {
        "member_id": member_ids[0],
        "kommune": "Høje-Taastrup",
        "maalgruppe": "6.2",
        "gender": "mand",
        "birth_date": date(1990, 1, 2),
        "age": 34,
        "age_group": "30-49",
        "ydelse_start": date(2023, 6, 15),
        "ydelse_slut": None,
        "samtaler": "jobsamtale;opfølgningssamtale",
        "import_batch_id": 1,
        "sampled": False,
        "stratum": None,
        "invitation_id": None,
        "invitation_state": None,
        "response_state": None,
        "opted_out": False,
        "answers_withdrawn": None,
        "outcome": "no_response",
    }
    assert sorted(frame["kommune"].to_list()) == ["Høje-Taastrup", "Høje-Taastrup", "Rødovre"]
    assert db.municipalities() == ["Høje-Taastrup", "Rødovre"]
    assert not {"cpr", "telefon", "phone", "email"} & set(frame.columns)


def test_register_values_in_other_forms_are_normalised(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    batch = rows(2)
    batch[0].update(samtaler=["jobsamtale", "fællessamtale med a-kasse"], ydelse_start=date(2023, 10, 2))
    batch[0].update(digital_post_fritaget=True, telefon="  ", kommune=" Rødovre ")
    batch[1].update(samtaler=None, ydelse_slut="2023-12-31", digital_post_fritaget="JA", age="")
    member_ids = db.add_members(survey_id, batch)
    frame = db.members_frame(survey_id)
    first = frame.filter(pl.col("member_id") == member_ids[0]).row(0, named=True)
    second = frame.filter(pl.col("member_id") == member_ids[1]).row(0, named=True)
    assert (first["samtaler"], first["ydelse_start"], first["kommune"]) == (
        "jobsamtale;fællessamtale med a-kasse",
        date(2023, 10, 2),
        "Rødovre",
    )
    assert (second["samtaler"], second["ydelse_slut"], second["age"]) == (None, date(2023, 12, 31), None)
    with db.reading() as connection:
        identities = dict(connection.execute(select(Identity.member_id, Identity.digital_post_exempt)).all())
        phones = dict(connection.execute(select(Identity.member_id, Identity.phone)).all())
    assert identities == {member_ids[0]: True, member_ids[1]: True}
    assert phones[member_ids[0]] is None


def test_member_ids_are_random_pseudonyms_not_derived_from_cpr(db: Database, rows) -> None:
    first = db.create_survey("Bølge 1", "kl-2024", "")
    second = db.create_survey("Bølge 2", "kl-2024", "")
    ids_first = db.add_members(first, rows(50))
    ids_second = db.add_members(second, rows(50))
    assert all(re.fullmatch(r"[0-9a-f]{16}", member_id) for member_id in ids_first + ids_second)
    assert not set(ids_first) & set(ids_second)  # the same citizens, unlinkable across surveys
    assert len(set(ids_first)) == 50


def test_a_bad_row_rejects_the_whole_batch_and_names_row_and_field(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    batch = rows(5)
    batch[3]["ydelse_start"] = "2023-13-01"
    with pytest.raises(InvalidRowError) as caught:
        db.add_members(survey_id, batch)
    assert (
        str(caught.value) == "række 4, felt 'ydelse_start': forventede en dato ÅÅÅÅ-MM-DD, fik '2023-13-01'"
    )
    assert (caught.value.row, caught.value.field) == (4, "ydelse_start")
    assert _count(db, Member) == 0
    assert _count(db, Identity) == 0


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("gender", "m", "mand eller kvinde"),
        ("kommune", "", "en ikke-tom tekst"),
        ("maalgruppe", None, "en ikke-tom tekst"),
        ("digital_post_fritaget", "måske", "ja eller nej"),
        ("age", 300, "en alder i hele år (0–130)"),
        ("cpr", "0101901234", "DDMMÅÅ-SSSS"),
        ("kommune", "Rød\x00ovre", "tekst uden nul-tegn"),
        ("samtaler", 7, "tekst"),
    ],
)
def test_each_malformed_field_is_named(db: Database, rows, field: str, value: object, expected: str) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    batch = rows(2)
    batch[1][field] = value
    with pytest.raises(InvalidRowError, match=f"række 2, felt '{field}': forventede {re.escape(expected)}"):
        db.add_members(survey_id, batch)


def test_cpr_numbers_never_appear_in_error_messages(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    batch = rows(3)
    batch[2]["cpr"] = batch[0]["cpr"]
    with pytest.raises(InvalidRowError) as caught:
        db.add_members(survey_id, batch)
    assert str(caught.value) == (
        "række 3, felt 'cpr': forventede et CPR-nummer der ikke er set før, fik (skjult). "
        "Tip: Samme CPR-nummer som række 1; udtrækket har dubletter."
    )
    assert batch[0]["cpr"] not in str(caught.value)


def test_a_citizen_already_in_the_population_is_rejected(db: Database, rows) -> None:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    db.add_members(survey_id, rows(2))
    with pytest.raises(InvalidRowError, match="række 1, felt 'cpr'.*fik \\(skjult\\)"):
        db.add_members(survey_id, rows(1))
    assert _count(db, Member) == 2


def test_unknown_survey_is_a_clear_error(db: Database, rows) -> None:
    with pytest.raises(NotFoundError, match="ingen undersøgelse med id 99"):
        db.add_members(99, rows(1))


def test_purge_removes_identities_of_that_survey_and_nothing_else(db: Database, rows) -> None:
    kept = db.create_survey("Rødovre 2023", "rodovre-2023", "")
    purged = db.create_survey("KL 2024", "kl-2024", KL_YAML)
    db.add_members(kept, rows(3))
    member_ids = db.add_members(purged, rows(4))
    db.save_sample(purged, {member_id: "s" for member_id in member_ids}, draw_seed=7)
    db.create_invitations(purged)
    invitation_id = db.invitations(purged)[0].id
    db.save_answers(invitation_id, {"samlet_tilfredshed": 4}, state="complete")
    before = db.members_frame(purged)
    counts = {model: _count(db, model) for model in (Member, Municipality, SampleEntry, Invitation)}

    assert db.purge_identities(purged) == 4

    assert _count(db, Identity) == 3
    assert {model: _count(db, model) for model in counts} == counts
    assert db.members_frame(purged).equals(before)
    assert db.answers(invitation_id) == {"samlet_tilfredshed": 4}
    assert db.contacts(purged) == []
    with db.reading() as connection:
        assert connection.execute(select(func.count()).where(Identity.survey_id == kept)).scalar_one() == 3


def test_survey_round_trip_and_settings_merge(db: Database) -> None:
    survey_id = db.create_survey(
        "KL 2024",
        "kl-2024",
        "name: kl-2024\n",
        period_start=date(2023, 10, 1),
        period_end=date(2023, 12, 31),
        reference_date=date(2024, 4, 7),
        settings={"grouping": "kl2024", "suppression_threshold": 5},
    )
    updated = db.update_survey_settings(survey_id, {"suppression_threshold": 3})
    assert updated.settings == {"grouping": "kl2024", "suppression_threshold": 3}
    record = db.survey_by_name("KL 2024")
    assert (record.id, record.template_name, record.instrument_yaml) == (
        survey_id,
        "kl-2024",
        "name: kl-2024\n",
    )
    assert (record.period_start, record.period_end, record.reference_date) == (
        date(2023, 10, 1),
        date(2023, 12, 31),
        date(2024, 4, 7),
    )
    assert db.survey(survey_id) == record
    assert db.surveys() == [record]
    with pytest.raises(StorageError, match="der findes allerede en undersøgelse med navnet 'KL 2024'"):
        db.create_survey("KL 2024", "kl-2024", "")
