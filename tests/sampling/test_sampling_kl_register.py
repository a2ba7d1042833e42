"""The synthetic national register end to end: import, population rules, the KL sample, reachability.

Seed figures (kl-tvaerkommunal-2024.txt): population 198,877 in 44 municipalities; samples of 1,507–2,619 per
municipality, 86,965 in all; 262 (0.3 %) neither Digital Post nor SMS, 1,765 (2.0 %) SMS only, 5,195 (6.0 %)
Digital Post only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import pytest

from borgerblik.registers import (
    Population,
    RegisterCheck,
    apply_population_rules,
    load_population_rules,
    read_register,
)
from borgerblik.sampling import Sample, draw_sample, load_design, reachability, reachability_totals
from borgerblik.synth import generate_register

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Run:
    check: RegisterCheck
    population: Population
    sample: Sample


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    path = tmp_path_factory.mktemp("kl") / "register.csv"
    generate_register(2024, ineligible=400).write_csv(path)
    check = read_register(path, reference_date=date(2023, 12, 31))
    population = apply_population_rules(check.members, load_population_rules("kl2024"))
    return Run(check, population, draw_sample(population.frame, load_design("kl2024"), seed=2024))


def test_the_register_becomes_the_seed_population(run: Run) -> None:
    assert run.check.reason_counts()["ukendt-maalgruppe"] == 100  # the ineligible rows with codes 6.0 / 7.1
    assert run.check.accepted == 198_877 + 300
    assert run.population.size == 198_877
    assert run.population.exclusion_table().select("regel", "udelukket").rows() == [
        ("alder", 100), ("maalgruppe", 0), ("aktiv_i_perioden", 100), ("samtaletype", 100),
    ]
    assert run.population.frame["kommune"].n_unique() == 44


def test_the_sample_is_within_one_percent_of_the_seed(run: Run) -> None:
    assert run.sample.size == 86_956
    assert abs(run.sample.size - 86_965) / 86_965 < 0.01
    totals = run.sample.group_totals()
    assert (totals["stikproeve"].min(), totals["stikproeve"].max()) == (1_507, 2_619)


def test_every_municipality_is_proportional_in_every_stratum(run: Run) -> None:
    report = run.sample.report()
    assert report["afvigelse"].abs().max() < 1
    drawn = run.sample.frame.group_by(run.sample.keys).len("n")
    joined = report.join(drawn, on=run.sample.keys, how="left")
    assert (joined["n"].fill_null(0) == joined["stikproeve"]).all()


def test_same_seed_same_sample(run: Run) -> None:
    again = draw_sample(run.population.frame, load_design("kl2024"), seed=2024)
    assert again.frame["borger_id"].equals(run.sample.frame["borger_id"])


def test_reachability_matches_the_seeds_shares(run: Run) -> None:
    totals = reachability_totals(reachability(run.sample.frame, run.check.identities))
    shares = dict(totals.select("kategori", "andel").iter_rows())
    assert shares["hverken"] == pytest.approx(262 / 86_965, abs=0.001)
    assert shares["kun_sms"] == pytest.approx(1_765 / 86_965, abs=0.003)
    assert shares["kun_digital_post"] == pytest.approx(5_195 / 86_965, abs=0.005)
    assert totals["antal"].sum() == run.sample.size


def test_analysis_frames_carry_no_cpr_or_contact_data(run: Run) -> None:
    forbidden = {"cpr", "telefon", "email", "cpr_normaliseret"}
    for frame in (run.check.members, run.population.frame, run.sample.frame):
        assert forbidden.isdisjoint(frame.columns)
    looks_like_cpr = pl.any_horizontal(pl.col(pl.String).str.contains(r"\d{6}-?\d{4}").any())
    assert run.sample.frame.select(looks_like_cpr).item() is False
