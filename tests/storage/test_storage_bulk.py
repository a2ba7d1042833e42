"""Bulk inserts store values exactly as SQLAlchemy itself would, so later queries compare them correctly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from borgerblik.storage import Database
from borgerblik.storage.bulk import bulk_insert
from borgerblik.storage.schema import Identity, Member, Municipality, SampleEntry, Survey
from borgerblik.storage.times import as_utc


def test_bulk_and_orm_rows_are_stored_alike(db: Database) -> None:
    drawn = datetime(2024, 1, 15, 12, 0, 0, tzinfo=UTC)
    with db.writing() as connection:
        survey_id = connection.execute(
            insert(Survey)
            .values(name="S", template_name="kl-2024", instrument_yaml="", settings={}, created_at=drawn)
            .returning(Survey.id)
        ).scalar_one()
        bulk_insert(connection, Municipality.__table__, [{"name": "Rødovre"}, {"name": "Ærø"}])
        municipality = connection.execute(
            select(Municipality.id).where(Municipality.name == "Ærø")
        ).scalar_one()
        member = {
            "survey_id": survey_id,
            "municipality_id": municipality,
            "maalgruppe": "6.3",
            "gender": "kvinde",
        }
        bulk_insert(
            connection, Member.__table__, [{"id": "bulk", **member, "ydelse_start": date(2023, 10, 1)}]
        )
        connection.execute(insert(Member).values(id="orm", **member, ydelse_start=date(2023, 10, 1)))
        bulk_insert(
            connection,
            Identity.__table__,
            [
                {
                    "member_id": "bulk",
                    "survey_id": survey_id,
                    "cpr": "610190-1234",
                    "digital_post_exempt": True,
                }
            ],
        )
        connection.execute(
            insert(Identity).values(
                member_id="orm", survey_id=survey_id, cpr="610190-1242", digital_post_exempt=True
            )
        )
        bulk_insert(
            connection,
            SampleEntry.__table__,
            [
                {
                    "member_id": "bulk",
                    "survey_id": survey_id,
                    "stratum": "s",
                    "draw_seed": 1,
                    "drawn_at": drawn,
                }
            ],
        )
        connection.execute(
            insert(SampleEntry).values(
                member_id="orm", survey_id=survey_id, stratum="s", draw_seed=1, drawn_at=drawn
            )
        )

    with db.reading() as connection:
        assert sorted(connection.execute(select(Municipality.name)).scalars()) == ["Rødovre", "Ærø"]
        started = connection.execute(
            select(Member.id).where(Member.ydelse_start == date(2023, 10, 1)).order_by(Member.id)
        ).scalars()
        assert list(started) == ["bulk", "orm"]
        exempt = connection.execute(select(Identity.member_id).where(Identity.digital_post_exempt.is_(True)))
        assert sorted(exempt.scalars()) == ["bulk", "orm"]
        same_instant = connection.execute(
            select(SampleEntry.member_id, SampleEntry.drawn_at).where(SampleEntry.drawn_at == drawn)
        ).all()
        assert sorted(row[0] for row in same_instant) == ["bulk", "orm"]
        assert {as_utc(row[1]) for row in same_instant} == {drawn}
