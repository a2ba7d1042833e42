"""The survey analysis on the instrument's own scales (issue 16): a 0–10 question with 99 = "ved ikke" and a
yes/no question beside a 1–5 one. % positive is 9–10 and "ja"; the mean is published where it means something
(0–10), and on yes/no every mean-based figure is the share answering "ja"."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borgerblik.analysis import AnalysisOptions, analyze_survey
from borgerblik.analysis.answers import AnswerScale, instrument_scales
from borgerblik.core import parse_instrument

INSTRUMENT = """\
id: skalaer
title: Skalaer
languages: {da: Dansk}
scales:
  grad:
    labels: {5: I meget høj grad, 4: I høj grad, 3: I nogen grad, 2: I lav grad, 1: I meget lav grad}
    dont_know: Ved ikke
  anbefal:
    type: 0-10
    labels: {0: Slet ikke sandsynligt, 10: Meget sandsynligt}
    dont_know: Ved ikke
  janej:
    type: yesno
    dont_know: Ved ikke
themes:
  - id: start
    title: Start
    questions:
      - {id: anbefale, kind: scale, scale: anbefal, text: Vil du anbefale jobcentret?}
      - {id: hjulpet, kind: scale, scale: janej, text: Er du blevet hjulpet?}
      - {id: samlet, kind: scale, scale: grad, text: Samlet?}
overall: samlet
"""

A, B = "Albertslund", "Brøndby"
ANBEFALE = [10, 9, 3, 99, 7, 0, 8, 10, 9, 5, None, 2]
HJULPET = [1, 1, 2, 9, 1, 2, 2, 1, None, 1, 2, 1]
SAMLET = [5, 4, 3, 2, 1, 5, 4, 9, 3, 4, 5, 2]


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "respondent_id": [f"r{i}" for i in range(12)],
            "kommune": [A] * 6 + [B] * 6,
            "koen": ["kvinde", "mand"] * 6,
            "anbefale": ANBEFALE,
            "hjulpet": HJULPET,
            "samlet": SAMLET,
        }
    )


def _tables() -> dict[str, pl.DataFrame]:
    instrument = parse_instrument(INSTRUMENT)
    scales = instrument_scales(instrument)
    return analyze_survey(
        _frame(),
        instrument.scale_items(),
        instrument.overall_question,
        options=AnalysisOptions(threshold=2, bootstrap=0, breakdown_columns=("koen",)),
        scales=scales,
    )


def test_the_instrument_gives_each_question_its_analysis_scale() -> None:
    scales = instrument_scales(parse_instrument(INSTRUMENT))
    assert scales["anbefale"] == AnswerScale(0, 10, 99, (9, 10), "anbefal")
    assert scales["hjulpet"] == AnswerScale(1, 2, 9, (1,), "janej", has_mean=False)
    assert scales["samlet"] == AnswerScale(1, 5, 9, (4, 5), "grad")


def _national(table: pl.DataFrame, question: str) -> dict[str, object]:
    return table.filter(
        (pl.col("question") == question) & (pl.col("kommune") == "alle") & (pl.col("by") == "alle")
    ).row(0, named=True)


def test_zero_to_ten_has_a_mean_and_nine_to_ten_positive() -> None:
    row = _national(_tables()["breakdowns"], "anbefale")
    valid = [v for v in ANBEFALE if v is not None and v != 99]
    assert (row["n_valid"], row["n_dont_know"]) == (10, 1)
    assert row["mean"] == pytest.approx(np.mean(valid), rel=1e-12)  # 6.3
    assert row["pct_positive"] == pytest.approx(4 / 10, rel=1e-12)
    assert row["share_1"] is None


def test_yes_no_has_no_mean_and_the_share_answering_ja() -> None:
    tables = _tables()
    row = _national(tables["breakdowns"], "hjulpet")
    assert (row["n_valid"], row["n_dont_know"]) == (10, 1)
    assert row["mean"] is None
    assert row["pct_positive"] == pytest.approx(6 / 10, rel=1e-12)
    bench = tables["benchmark"].filter(pl.col("question") == "hjulpet").sort("kommune")
    # Albertslund: ja, ja, nej, (ved ikke), ja, nej → 3/5; Brøndby: nej, ja, (tom), ja, nej, ja → 3/5
    assert bench["pct_positive"].to_list() == pytest.approx([3 / 5, 3 / 5], rel=1e-12)
    assert bench["mean"].to_list() == pytest.approx([3 / 5, 3 / 5], rel=1e-12)


def test_the_benchmark_on_zero_to_ten_counts_nine_and_ten_as_positive() -> None:
    bench = _tables()["benchmark"].filter(pl.col("question") == "anbefale").sort("kommune")
    # Albertslund: 10, 9, 3, 7, 0 → mean 5,8, positive 2/5; Brøndby: 8, 10, 9, 5, 2 → 6,8, positive 2/5
    assert bench["mean"].to_list() == pytest.approx([5.8, 6.8], rel=1e-12)
    assert bench["pct_positive"].to_list() == pytest.approx([0.4, 0.4], rel=1e-12)
    assert bench["rank"].to_list() == [2, 1]


def test_one_to_five_is_unchanged_beside_them() -> None:
    row = _national(_tables()["breakdowns"], "samlet")
    valid = [v for v in SAMLET if v != 9]
    assert row["mean"] == pytest.approx(np.mean(valid), rel=1e-12)
    assert row["share_5"] == pytest.approx(3 / 11, rel=1e-12)
