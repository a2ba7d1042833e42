"""Interop fixtures: a small analysis dataset with every kind of value, and a stored survey with answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import pytest

from borgerblik.core import load_template
from borgerblik.interop.dataset import Dataset, analysis_dataset

#: six respondents: 9 ("ved ikke") answers, routed-out (null) answers, æøå in texts, both tenses of status
RESPONDENTS = {
    "respondent_id": ["11", "12", "13", "14", "15", "16"],
    "cpr": ["610385-4001", "620385-4002", "630385-4003", "640385-4004", "650385-4005", "660385-4006"],
    "telefon": ["20000001", None, "20000003", None, "20000005", "20000006"],
    "kommune": ["Høje-Taastrup", "Rødovre", "Rødovre", "Aabenraa", "Høje-Taastrup", "Rødovre"],
    "koen": ["mand", "kvinde", "kvinde", "mand", "kvinde", None],
    "aldersgruppe": ["30-49", "16-29", "50-66", "30-49", "50-66", "16-29"],
    "maalgruppe": ["6.6", "6.1", "6.3", "6.2", "6.6", "6.7"],
    "maalgruppe_kl2024": [
        "sygedagpenge",
        "dagpenge",
        "aktivitetsparate",
        "job_udd_parate",
        "sygedagpenge",
        "jobafklaring",
    ],
    "mode": ["web", "web", "phone", "web", "face_to_face", "web"],
    "language": ["da", "en", "da", "ar", "da", "da"],
    "outcome": ["complete", "complete", "partial", "complete", "complete", "partial"],
    "started_on": [
        date(2024, 3, 11),
        date(2024, 3, 12),
        date(2024, 3, 18),
        date(2024, 3, 11),
        date(2024, 3, 25),
        date(2024, 3, 26),
    ],
    "finished_on": [
        date(2024, 3, 11),
        date(2024, 3, 14),
        date(2024, 3, 18),
        date(2024, 3, 12),
        date(2024, 3, 25),
        None,
    ],
    "weight": [2.5, 3.125, 1.0, 4.75, 2.5, 10.0],
    "status": [1, 2, 1, 1, 2, 1],
    "arbejdsgiver": [1, None, None, None, 2, None],
    "tillid": [5, 9, 1, 3, 4, None],
    "udgangspunkt": [4, 4, 9, 2, 5, 3],
    "samlet_tilfredshed": [5, 9, 2, 3, 4, None],
    "plan_maal": [3, 9, None, 1, 5, 2],
    "hvorfor_tilfreds": ["Min sagsbehandler Jens var god", None, None, "Fint", None, None],
}


@pytest.fixture
def respondents() -> pl.DataFrame:
    return pl.DataFrame(RESPONDENTS)


@pytest.fixture
def dataset(respondents: pl.DataFrame) -> Dataset:
    return analysis_dataset(respondents, load_template("kl-2024"), schemes=("kl2024",))


@pytest.fixture
def answered_survey(
    db: Any, kl_invited: Callable[[Any, dict[str, str]], tuple[int, dict[str, Any]]]
) -> tuple[Any, int]:
    """The KL survey in a database: four of five citizens answered (one partly), with 9s and routing."""
    survey_id, invited = kl_invited(
        db, {"anna": "6.6", "bo": "6.1", "cai": "6.3", "dina": "6.2", "eva": "6.1"}
    )
    answers = {
        "anna": (
            {
                "status": 1,
                "arbejdsgiver": 1,
                "tillid": 5,
                "udgangspunkt": 9,
                "samlet_tilfredshed": 4,
                "hvorfor_tilfreds": "Jens Hansen på 2011 1234 hjalp mig",
            },
            "complete",
        ),
        "bo": ({"status": 2, "tillid": 9, "plan_maal": 3, "samlet_tilfredshed": 9}, "complete"),
        "cai": ({"status": 1, "tillid": 2, "andre_afdelinger": 1, "samarbejde": 1}, "partial"),
        "dina": ({"status": 1, "tillid": 4, "samlet_tilfredshed": 5}, "complete"),
    }
    for name, (given, state) in answers.items():
        db.save_answers(invited[name].id, given, state=state, mode="phone" if name == "cai" else "web")
    return db, survey_id
