"""Issue 6's goal: build and queue invitations for 86,965 citizens, PDF letters included, in at most 60 s.

The KL 2024 sample's shape: 44 municipalities, 262 citizens with no channel, 1,765 SMS only (exempt from
Digital Post), 5,195 Digital Post only. Loading the population is set-up, not timed.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.result import Result, stopwatch
from borgerblik.fieldwork import queue_invitations
from borgerblik.storage import Database

SAMPLE = 86_965
NO_CHANNEL, SMS_ONLY, POST_ONLY = 262, 1_765, 5_195
MUNICIPALITIES = [
    "Albertslund",
    "Allerød",
    "Assens",
    "Ballerup",
    "Brøndby",
    "Dragør",
    "Egedal",
    "Esbjerg",
    "Faaborg-Midtfyn",
    "Fredensborg",
    "Frederiksberg",
    "Furesø",
    "Gentofte",
    "Gladsaxe",
    "Glostrup",
    "Greve",
    "Halsnæs",
    "Helsingør",
    "Herlev",
    "Hillerød",
    "Hvidovre",
    "Høje-Taastrup",
    "Ishøj",
    "Kalundborg",
    "Køge",
    "Lolland",
    "Lyngby-Taarbæk",
    "Middelfart",
    "Næstved",
    "Odense",
    "Roskilde",
    "Rudersdal",
    "Rødovre",
    "Slagelse",
    "Solrød",
    "Sorø",
    "Svendborg",
    "Tårnby",
    "Vallensbæk",
    "Vejle",
    "Vordingborg",
    "Aabenraa",
    "Aalborg",
    "Aarhus",
]


def _row(n: int) -> dict[str, object]:
    exempt = n < NO_CHANNEL + SMS_ONLY
    no_phone = n < NO_CHANNEL or NO_CHANNEL + SMS_ONLY <= n < NO_CHANNEL + SMS_ONLY + POST_ONLY
    return {
        "cpr": "",
        "kommune": MUNICIPALITIES[n % len(MUNICIPALITIES)],
        "maalgruppe": f"6.{1 + n % 9}",
        "gender": "mand" if n % 2 else "kvinde",
        "birth_date": f"19{70 + n % 30}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "age": 30,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "ja" if exempt else "nej",
        "telefon": "" if no_phone else f"2{n:07d}",
        "email": "",
    }


def run() -> list[Result]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-fieldwork-"))
    try:
        db = Database(f"sqlite:///{workdir / 'bench.sqlite'}")
        survey_id = db.create_survey("Benchmark KL 2024", "kl-2024", "name: kl-2024\n")
        rows = [_row(n) for n in range(SAMPLE)]
        for n, row in enumerate(rows):  # CPR numbers must be unique: spread the serial over the date part
            row["cpr"] = f"{61 + n % 28:02d}{1 + (n // 28) % 12:02d}{n // 336 % 100:02d}-{n % 10_000:04d}"
        members = db.add_members(survey_id, rows)
        db.save_sample(survey_id, dict.fromkeys(members, "s"), draw_seed=2024)
        db.create_invitations(survey_id)
        with stopwatch() as elapsed:
            summary = queue_invitations(
                db, survey_id, workdir / "spool", at=datetime(2024, 3, 11, 9, tzinfo=UTC)
            )
        seconds = elapsed()
        letters = summary.queued.get("digital_post", 0)
        assert letters == SAMPLE - NO_CHANNEL - SMS_ONLY, summary.queued
        assert len(summary.no_channel) == NO_CHANNEL
        db.close()
        return [
            Result(
                "fieldwork: build + queue 86,965 invitations incl. PDF",
                seconds,
                "s",
                "≤ 60 s",
                seconds / 60,
                "of goal",
            ),
            Result("fieldwork: PDF letters written per second", letters / seconds, "letters/s"),
        ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
