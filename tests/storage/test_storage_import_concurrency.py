"""A long register import into the live SQLite file never makes a citizen wait behind it: the import commits
in chunks, so a page save gets the write lock between two chunks and is stored while the import still runs;
the import's members stay invisible until its last chunk committed (the batch marker)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from borgerblik.collection import open_session, save_page
from borgerblik.core import dump_instrument, load_template
from borgerblik.storage import Database, population
from borgerblik.storage.database import IMPORT_CHUNK_ROWS
from borgerblik.storage.schema import ImportBatch

NATIONAL = 120_000


def _row(n: int) -> dict[str, object]:
    """A register row with a substitute CPR (day + 60: never a real person's number), unique per ``n``."""
    day, month, year, serial = 61 + n % 28, 1 + n // 28 % 12, 50 + n // 336 % 40, 1000 + n // 13_440
    return {
        "cpr": f"{day:02d}{month:02d}{year:02d}-{serial:04d}",
        "kommune": "Rødovre",
        "maalgruppe": "6.1",
        "gender": "mand" if n % 2 else "kvinde",
        "age": 40,
        "age_group": "30-49",
        "ydelse_start": "2023-10-02",
    }


def test_a_citizens_save_is_stored_while_a_long_import_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    db = Database(url)
    survey = db.create_survey("KL 2024", "kl-2024", dump_instrument(load_template("kl-2024")))
    (member,) = db.add_members(survey, [_row(NATIONAL + 1)])
    db.save_sample(survey, {member: "alle"}, draw_seed=1)
    db.create_invitations(survey)
    token = db.invitations(survey)[0].token
    next_round = db.create_survey("KL 2025", "kl-2024", dump_instrument(load_template("kl-2024")))
    importer = Database(url)
    failures: list[BaseException] = []

    def import_register() -> None:
        try:
            importer.add_members(next_round, (_row(n) for n in range(NATIONAL)), source="national.csv")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    def loading() -> bool:
        with db.reading() as connection:
            return (
                connection.execute(
                    select(ImportBatch.state).where(ImportBatch.survey_id == next_round)
                ).scalar()
                == "loading"
            )

    thread = threading.Thread(target=import_register)
    thread.start()
    try:
        while thread.is_alive() and not loading():
            threading.Event().wait(0.01)
        assert loading(), "the import finished before the citizen could save; make it longer"
        assert db.members_frame(next_round).height == 0  # not visible until complete
        assert db.identity_keys(next_round).height == 0  # nor to a draw ordered by CPR
        assert open_session(db, token) is not None  # reads are never blocked (WAL)
        assert save_page(db, token, "moedet", {"tillid": 4}).outcome == "saved"
        still_running = loading()
    finally:
        thread.join()
    assert not failures
    assert still_running, "the save waited for the whole import instead of one chunk"
    assert db.answers(db.invitations(survey)[0].id) == {"tillid": 4}
    assert db.members_frame(next_round).height == NATIONAL
    importer.close()
    db.close()


def test_a_failed_import_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(f"sqlite:///{tmp_path / 'live.sqlite'}")
    survey = db.create_survey("KL 2024", "kl-2024", "")
    original = population.insert_members
    calls = {"n": 0}

    def failing_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk fuld")
        return original(*args, **kwargs)

    monkeypatch.setattr(population, "insert_members", failing_second_chunk)
    with pytest.raises(RuntimeError, match="disk fuld"):
        db.add_members(survey, [_row(n) for n in range(IMPORT_CHUNK_ROWS + 10)])
    assert calls["n"] == 2
    assert db.members_frame(survey).height == 0
    assert db.identity_keys(survey).height == 0
    with db.reading() as connection:
        assert connection.execute(select(ImportBatch.id)).all() == []
    db.close()
