"""The export of a stored survey is streamed: storage hands the answers over in batches of whole invitations,
and the rows are exactly those the whole-table read gives (issue 17: memory flat in the respondents; the
peak memory at two sizes is printed by benchmarks/bench_export.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyreadstat

from borgerblik.interop.dataset import WEIGHT_COLUMN, analysis_dataset
from borgerblik.interop.exports import _paradata, survey_dataset
from borgerblik.interop.writers import write_dataset
from borgerblik.surveys import stored_survey
from borgerblik.weighting.tables import ID_COLUMN


def _whole_table(db: Any, survey_id: int) -> pl.DataFrame:
    """The export as it was built before streaming: the stored survey read whole, weighted, with paradata."""
    stored = stored_survey(db, survey_id, ("kl2024",))
    respondents = stored.respondents.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8))
    cells = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
    weights = (
        stored.poststratify(cells)
        .design.weights_frame()
        .select(pl.col(ID_COLUMN).cast(pl.Utf8), pl.col("weight").alias(WEIGHT_COLUMN))
    )
    respondents = respondents.join(weights, on=ID_COLUMN, how="left", maintain_order="left")
    respondents = respondents.join(
        _paradata(db.responses_frame(survey_id)), on=ID_COLUMN, how="left", maintain_order="left"
    )
    return analysis_dataset(respondents, stored.instrument, schemes=("kl2024",)).frame


def test_storage_hands_the_answers_over_in_batches_of_whole_invitations(
    answered_survey: tuple[Any, int],
) -> None:
    db, survey_id = answered_survey
    batches = list(db.response_batches(survey_id, invitations=2))
    whole = db.responses_frame(survey_id)
    assert len(batches) >= 2
    assert pl.concat(batches).equals(whole)
    invitations = [set(batch["invitation_id"].to_list()) for batch in batches]
    assert all(not (a & b) for i, a in enumerate(invitations) for b in invitations[i + 1 :])


def test_the_streamed_export_has_exactly_the_rows_of_the_whole_table(
    answered_survey: tuple[Any, int], tmp_path: Path
) -> None:
    db, survey_id = answered_survey
    expected = _whole_table(db, survey_id)
    for batch in (1, 2, 5_000):
        dataset = survey_dataset(db, survey_id, batch=batch)
        assert dataset.rows == 4
        assert dataset.frame.height == 0 and dataset.frame.columns == expected.columns
        assert dataset.collect().equals(expected), batch
    streamed = survey_dataset(db, survey_id, batch=1)
    read, _ = pyreadstat.read_sav(str(write_dataset(streamed, "sav", tmp_path / "s.sav")), user_missing=True)
    assert read["lbnr"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert read["tillid"].tolist() == expected.get_column("tillid").cast(float).to_list()
    csv = pl.read_csv(write_dataset(streamed, "csv", tmp_path / "s.csv"), try_parse_dates=True)
    assert csv.get_column("vaegt").to_list() == expected.get_column("vaegt").to_list()
