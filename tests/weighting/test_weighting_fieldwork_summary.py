"""weigh_fieldwork: the demo's one call from a fieldwork (one row per sampled citizen with its outcome) to
the non-response table, mean ages, opt-out ratio and the weighted overall satisfaction — on eight sampled
citizens worked by hand. Population 100 women and 300 men; respondents two women (answers 5, 4) and two
men (2, 9): women weigh 50, men 150, so the weighted mean of the valid answers is (5·50 + 4·50 + 2·150)/250
= 3,0 and the share positive 100/250 = 40 %. Weighted mean age (60·50 + 50·50 + 40·150 + 20·150)/400 = 36,25
(printed 36,2: Babel rounds half to even)."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.weighting import weigh_fieldwork

PERSONS = pl.DataFrame(
    {
        "respondent_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "koen": ["kvinde", "kvinde", "kvinde", "mand", "mand", "mand", "mand", "kvinde"],
        "alder": [60, 50, 30, 40, 20, 30, 25, 45],
        "outcome": ["complete", "partial", "opted_out", "complete", "complete", "opted_out", "no_response",
                    "no_response"],
        "samlet_tilfredshed": [5, 4, None, 2, 9, None, None, None],
    }
)
POPULATION = pl.DataFrame({"koen": ["kvinde", "mand"], "count": [100, 300]})


def test_weigh_fieldwork_by_hand() -> None:
    summary = weigh_fieldwork(PERSONS, POPULATION, ["koen"], groups=["koen"])
    assert summary.weighting.design.weights.tolist() == [50.0, 50.0, 150.0, 150.0]
    assert summary.overall["mean"] == pytest.approx(3.0)
    assert summary.overall["pct_positive"] == pytest.approx(0.4)
    assert (summary.overall["n_valid"], summary.overall["n_dont_know"]) == (3, 1)
    assert summary.nonresponse["weighted_share"].to_list() == pytest.approx([0.25, 0.75])
    assert summary.ages == pytest.approx({"sample": 37.5, "respondents": 42.5, "respondents_weighted": 36.25})
    assert summary.optout["ratio"].to_list() == [2.0, 2.0]
    lines = summary.lines()
    assert lines[0] == "Bortfald (stikprøve / respondenter / respondenter vægtet):"
    assert lines[1] == "  koen kvinde: 50,0 % / 50,0 % / 25,0 %"
    assert "Gennemsnitsalder: stikprøve 37,5 år, respondenter 42,5 år, vægtet 36,2 år" in lines
    assert lines[-2].startswith("Samlet tilfredshed, vægtet (n = 3): Meget tilfreds 20,0 %; Tilfreds 20,0 %")
    assert lines[-1].startswith("  gennemsnit 3,00 (95 %-interval")
