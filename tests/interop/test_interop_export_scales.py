"""Exports of questions on a 0–10 and a yes/no scale (issue 16): value labels are the scale's own — the
labelled ends and "ved ikke" on 0–10 (99, declared missing; 9 is an answer there), Ja/Nej on yes/no."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyreadstat

from borgerblik.core import parse_instrument
from borgerblik.interop.dataset import Dataset, analysis_dataset
from borgerblik.interop.variables import Measure
from borgerblik.interop.writers import write_dataset

INSTRUMENT = """\
id: skalaer
title: Skalaer
languages: {da: Dansk, en: English}
scales:
  grad:
    labels:
      5: {da: I meget høj grad, en: To a very high degree}
      4: {da: I høj grad, en: To a high degree}
      3: {da: I nogen grad, en: To some degree}
      2: {da: I lav grad, en: To a low degree}
      1: {da: I meget lav grad, en: To a very low degree}
  anbefal:
    type: 0-10
    labels:
      0: {da: Slet ikke sandsynligt, en: Not at all likely}
      10: {da: Meget sandsynligt, en: Very likely}
    dont_know: {da: Ved ikke, en: Don't know}
  janej:
    type: yesno
themes:
  - id: start
    title: {da: Start, en: Start}
    questions:
      - {id: anbefale, kind: scale, scale: anbefal, text: {da: Vil du anbefale os?, en: Recommend us?}}
      - {id: hjulpet, kind: scale, scale: janej, text: {da: Blev du hjulpet?, en: Were you helped?}}
      - {id: samlet, kind: scale, scale: grad, text: {da: Samlet?, en: Overall?}}
overall: samlet
"""


def _dataset() -> Dataset:
    respondents = pl.DataFrame(
        {
            "respondent_id": ["1", "2", "3", "4"],
            "kommune": ["Rødovre"] * 4,
            "anbefale": [10, 9, 99, None],
            "hjulpet": [1, 2, 1, None],
            "samlet": [5, 4, 3, 1],
        }
    )
    return analysis_dataset(respondents, parse_instrument(INSTRUMENT))


def test_the_variables_carry_each_scale_s_labels_and_missing_code() -> None:
    dataset = _dataset()
    anbefale = dataset.variable("anbefale")
    labels = {0: "Slet ikke sandsynligt", 10: "Meget sandsynligt", 99: "Ved ikke"}
    assert anbefale.value_labels("da") == labels
    assert (anbefale.missing, anbefale.measure) == ((99,), Measure.ORDINAL)
    hjulpet = dataset.variable("hjulpet")
    assert hjulpet.value_labels("en") == {1: "Yes", 2: "No"}
    assert (hjulpet.missing, hjulpet.measure) == ((), Measure.NOMINAL)


def test_spss_and_stata_keep_9_as_an_answer_and_99_as_missing_on_0_to_10(tmp_path: Path) -> None:
    dataset = _dataset()
    read, meta = pyreadstat.read_sav(
        str(write_dataset(dataset, "sav", tmp_path / "s.sav")), user_missing=True
    )
    assert read["anbefale"].tolist()[:3] == [10.0, 9.0, 99.0]
    assert meta.missing_ranges["anbefale"] == [{"lo": 99.0, "hi": 99.0}]
    assert meta.variable_value_labels["anbefale"] == {
        0.0: "Slet ikke sandsynligt",
        10.0: "Meget sandsynligt",
        99.0: "Ved ikke",
    }
    assert meta.variable_value_labels["hjulpet"] == {1.0: "Ja", 2.0: "Nej"}
    stata, stata_meta = pyreadstat.read_dta(
        str(write_dataset(dataset, "dta", tmp_path / "s.dta")),
        user_missing=True,
    )
    assert stata["anbefale"].tolist()[:3] == [10.0, 9.0, "a"]
    assert stata_meta.variable_value_labels["anbefale"]["a"] == "Ved ikke"


def test_a_question_unasked_in_the_first_rows_stays_numeric_in_stata(tmp_path: Path) -> None:
    """pyreadstat sniffs an object column's type from its first 100 rows: 150 citizens not asked (a local
    question) followed by answers and a "ved ikke" must still be a numeric variable with .a."""
    rows = 153
    respondents = pl.DataFrame(
        {
            "respondent_id": [str(i) for i in range(rows)],
            "anbefale": [None] * 150 + [10, 99, 3],
            "hjulpet": [1] * rows,
            "samlet": [None] * 150 + [5, 4, 2],
        }
    )
    dataset = analysis_dataset(respondents, parse_instrument(INSTRUMENT))
    path = write_dataset(dataset, "dta", tmp_path / "late.dta")
    read, _ = pyreadstat.read_dta(str(path), user_missing=True)
    assert read["anbefale"].tolist()[150:] == [10.0, "a", 3.0]
    assert read["samlet"].tolist()[150:] == [5.0, 4.0, 2.0]
