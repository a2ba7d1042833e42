"""Storage: loading a national register (198,877 members) in a few seconds, and the hot paths of fieldwork.

Rows are made here rather than by the synth stage so the figure measures the gateway alone. PostgreSQL lines
appear when the test server (``BORGERBLIK_TEST_PG_URL``) is reachable; a scratch database is made and dropped.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from benchmarks.result import Result, stopwatch
from borgerblik.core import dump_instrument, load_template
from borgerblik.storage import Database

MEMBERS = 198_877
GOAL_SECONDS = 5.0
ANSWER_PAGES = 2_000
MESSAGES = 10_000
PG_ADMIN_URL = os.environ.get("BORGERBLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
KOMMUNER = ["København", "Aarhus", "Odense", "Høje-Taastrup", "Rødovre", "Esbjerg", "Vejle", "Herning"]


def register_rows(count: int) -> list[dict[str, Any]]:
    """Register rows with synthetic CPR numbers (day + 60), unique within the batch."""
    rows = []
    for i in range(count):
        combination, serial = i % 13_440, i // 13_440  # 28 days x 12 months x 40 years
        day, month, year = 1 + combination % 28, 1 + (combination // 28) % 12, 50 + combination // 336
        man = i % 2 == 1
        rows.append(
            {
                "cpr": f"{day + 60:02d}{month:02d}{year:02d}-{serial * 10 + (1 if man else 2):04d}",
                "kommune": KOMMUNER[i % len(KOMMUNER)],
                "maalgruppe": f"6.{1 + i % 9}",
                "gender": "mand" if man else "kvinde",
                "birth_date": f"19{year:02d}-{month:02d}-{day:02d}",
                "age": 2024 - 1900 - year,
                "age_group": "30-49",
                "ydelse_start": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "ydelse_slut": "",
                "samtaler": "jobsamtale",
                "digital_post_fritaget": "nej" if i % 50 else "ja",
                "telefon": f"2{i:07d}",
                "email": "",
            }
        )
    return rows


@contextmanager
def _postgres_url() -> Iterator[str | None]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"borgerblik_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - no PostgreSQL here: the SQLite figures still stand
        admin.dispose()
        yield None
        return
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _measure(db: Database, backend: str, rows: list[dict[str, Any]]) -> list[Result]:
    survey_id = db.create_survey("Benchmark", "kl-2024", dump_instrument(load_template("kl-2024")))
    with stopwatch() as loading:
        member_ids = db.add_members(survey_id, rows)
    with stopwatch() as reading:
        frame = db.members_frame(survey_id)
    assert frame.height == len(rows)

    invited = member_ids[:MESSAGES]
    db.save_sample(survey_id, dict.fromkeys(invited, "s"), draw_seed=1)
    db.create_invitations(survey_id)
    invitation_ids = [invitation.id for invitation in db.invitations(survey_id)]
    with stopwatch() as saving:
        for page in range(ANSWER_PAGES):
            answers = {"tillid": 1 + page % 5, "udgangspunkt": 4, "inddragelse": 9, "klart_maal": 3}
            db.save_answers(invitation_ids[page], answers, page=1)
    db.queue_messages(
        survey_id, [{"invitation_id": i, "channel": "sms", "kind": "invitation"} for i in invitation_ids]
    )
    with stopwatch() as sending:
        while batch := db.claim_messages(100, "bench"):
            for message in batch:
                db.mark_message_sent(message.id)
    seconds = loading()
    return [
        Result(
            f"storage: add_members {MEMBERS:,} rows ({backend})",
            seconds,
            "s",
            f"≤ {GOAL_SECONDS:g} s",
            seconds / GOAL_SECONDS,
            "of goal",
        ),
        Result(f"storage: members_frame {MEMBERS:,} rows ({backend})", reading(), "s"),
        Result(
            f"storage: save_answers, one page of 4 ({backend})", saving() / ANSWER_PAGES * 1000, "ms/page"
        ),
        Result(f"storage: claim + mark sent ({backend})", MESSAGES / sending(), "messages/s"),
    ]


def run() -> list[Result]:
    rows = register_rows(MEMBERS)
    with tempfile.TemporaryDirectory() as directory:
        db = Database(f"sqlite:///{Path(directory) / 'bench.sqlite'}")
        results = _measure(db, "SQLite", rows)
        db.close()
    with _postgres_url() as url:
        if url is not None:
            db = Database(url)
            results += _measure(db, "PostgreSQL", rows)
            db.close()
    return results
