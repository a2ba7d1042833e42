"""A stored survey's design is the sample it drew: the stored strata and their population counts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borgerblik.storage import Database
from borgerblik.surveys import create_survey_from_template, drawn_strata
from borgerblik.weighting import poststratify, weights_report


def member(i: int) -> dict[str, str | int]:
    return {
        "cpr": f"{1 + i % 28:02d}0190-{1000 + i:04d}",
        "kommune": "Albertslund" if i % 3 else "Ballerup",
        "maalgruppe": "6.1" if i % 2 else "6.6",
        "gender": "mand" if i % 2 else "kvinde",
        "birth_date": f"1990-01-{1 + i % 28:02d}",
        "age": 34,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "nej",
        "telefon": "",
        "email": "",
    }


def label(row: dict) -> str:
    return f"{row['kommune']} × {row['gender']} × {row['age_group']} × {row['maalgruppe']}"


def test_the_drawn_strata_and_their_population_make_the_design(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    rows = [member(i) for i in range(1, 61)]
    with Database(url) as db:
        survey_id = create_survey_from_template(db, "KL test", "kl-2024")
        ids = db.add_members(survey_id, rows)
        drawn = {m: label(r) for m, r, i in zip(ids, rows, range(60), strict=True) if i % 2 == 0}
        db.save_sample(survey_id, drawn, draw_seed=1)
        strata = drawn_strata(db, db.survey(survey_id))
    assert strata is not None
    population = pl.DataFrame({"label": [label(r) for r in rows]}).group_by("label").len()
    assert strata.population == dict(zip(population["label"], population["len"], strict=True))
    assert strata.of_respondent == drawn
    respondents = pl.DataFrame(
        {"respondent_id": list(drawn), "kommune": [drawn[m].split(" × ")[0] for m in drawn]}
    )
    cells = respondents.group_by("kommune").len("count").with_columns(pl.col("count") * 2)
    weighting = poststratify(respondents, cells, ["kommune"], drawn=strata)
    design = weighting.design
    n_h = np.bincount(design.strata)
    assert design.population_sizes[design.strata].tolist() == [
        strata.population[drawn[m]] for m in respondents["respondent_id"]
    ]
    assert n_h.sum() == 30
    report = "\\n".join(weights_report(weighting).lines())
    assert "Stikprøvedesign: stratificeret uden tilbagelægning efter den udtrukne stikprøves strata" in report


def test_a_respondent_outside_the_drawn_sample_is_an_error(tmp_path):
    from borgerblik.weighting import DrawnStrata, WeightingInputError

    respondents = pl.DataFrame({"respondent_id": ["a", "b"], "kommune": ["X", "X"]})
    cells = pl.DataFrame({"kommune": ["X"], "count": [4]})
    with pytest.raises(WeightingInputError, match="intet stikprøvestratum"):
        poststratify(respondents, cells, ["kommune"], drawn=DrawnStrata({"a": "s"}, {"s": 4}))
