"""Weighting a finished fieldwork in one call: what the demo and a method section print.

From one row per sampled citizen (with its outcome) and the population cells it weights the complete and
partial answers, compares sample and respondents before and after weighting (KL's non-response figures),
and estimates the weighted overall satisfaction with its standard error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from borgerblik.danish import decimal, integer, share
from borgerblik.weighting.design import Weighting, poststratify
from borgerblik.weighting.estimates import estimate
from borgerblik.weighting.nonresponse import mean_age, nonresponse_table, optout_ratio
from borgerblik.weighting.report import WeightsReport, weights_report
from borgerblik.weighting.tables import ID_COLUMN

SATISFACTION_LABELS = ("Meget utilfreds", "Utilfreds", "Hverken tilfreds eller utilfreds", "Tilfreds",
                       "Meget tilfreds")


@dataclass(frozen=True)
class WeightedFieldwork:
    weighting: Weighting
    report: WeightsReport
    nonresponse: pl.DataFrame
    optout: pl.DataFrame
    ages: dict[str, float]
    overall: dict[str, object]
    """The estimate row of the overall question (all respondents)."""

    def lines(self) -> list[str]:
        """Danish text: non-response table, mean ages, opt-out ratio and the weighted overall satisfaction."""

        def pct(value: float | None) -> str:
            return "–" if value is None else share(value)

        out = ["Bortfald (stikprøve / respondenter / respondenter vægtet):"]
        for row in self.nonresponse.iter_rows(named=True):
            out.append(
                f"  {row['variable']} {row['group']}: {pct(row['sample_share'])} / "
                f"{pct(row['respondents_share'])} / {pct(row['weighted_share'])}"
            )
        age = {k: decimal(v, 1) for k, v in self.ages.items()}
        out.append(
            f"Gennemsnitsalder: stikprøve {age['sample']} år, respondenter {age['respondents']} år, "
            f"vægtet {age.get('respondents_weighted', '–')} år"
        )
        ratios = [
            f"{r['group']} {decimal(r['ratio'], 1)}"
            for r in self.optout.iter_rows(named=True) if r["ratio"] is not None
        ]
        out.append("Besvaret pr. frameldt: " + "; ".join(ratios))
        row = self.overall
        labelled = reversed(list(enumerate(SATISFACTION_LABELS, 1)))
        shares = "; ".join(f"{label} {pct(row[f'share_{code}'])}" for code, label in labelled)
        mean, low, high = (decimal(row[k]) for k in ("mean", "mean_ci_low", "mean_ci_high"))
        n = integer(row["n_valid"])
        out.append(f"Samlet tilfredshed, vægtet (n = {n}): {shares}")
        positive = pct(row["pct_positive"])
        out.append(f"  gennemsnit {mean} (95 %-interval {low}–{high}); andel positive {positive}")
        return out


def weigh_fieldwork(
    persons: pl.DataFrame,
    population: pl.DataFrame,
    strata: Sequence[str],
    *,
    overall_question: str = "samlet_tilfredshed",
    groups: Sequence[str] = ("koen", "aldersgruppe", "maalgruppe_kl2024", "kommune"),
    outcome_column: str = "outcome",
    answered: Sequence[str] = ("complete", "partial"),
    opted_out: str = "opted_out",
    age_column: str = "alder",
    id_column: str = ID_COLUMN,
) -> WeightedFieldwork:
    """Post-stratify the answered rows of ``persons`` to ``population`` and summarise the non-response."""
    persons = persons.with_columns(pl.col(id_column).cast(pl.Utf8))
    respondents = persons.filter(pl.col(outcome_column).is_in(list(answered)))
    answered_ids = respondents.get_column(id_column).to_list()
    optout_ids = persons.filter(pl.col(outcome_column) == opted_out).get_column(id_column).to_list()
    weighting = poststratify(respondents, population, strata, id_column=id_column)
    weights = weighting.weights.rename({ID_COLUMN: id_column} if id_column != ID_COLUMN else {})
    table = estimate(respondents, weighting, [overall_question], id_column=id_column)
    return WeightedFieldwork(
        weighting=weighting,
        report=weights_report(weighting),
        nonresponse=nonresponse_table(persons, answered_ids, groups, weights=weights, id_column=id_column),
        optout=optout_ratio(persons, answered_ids, optout_ids, groups, id_column=id_column),
        ages=mean_age(persons, answered_ids, age_column=age_column, weights=weights, id_column=id_column),
        overall=table.row(0, named=True),
    )
