"""Population rules: who is in the KL 2024 population, and how many each rule excluded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from borgerblik.registers import (
    PopulationRulesError,
    apply_population_rules,
    load_population_rules,
    read_register,
)

ROWS = [
    "cpr;kommune;maalgruppe;ydelse_start;ydelse_slut;samtaler",
    "010190-1235;Assens;6.1;2023-10-02;;jobsamtale",  # 2 in: 33 years
    "311207-4236;Assens;6.4;2023-06-01;;opfølgningssamtale",  # 3 in: 16 on 31 Dec 2023
    "010108-4237;Assens;6.4;2023-06-01;;jobsamtale",  # 4 out: 15
    "010157-1238;Vejen;6.6;2023-06-01;;jobsamtale",  # 5 in: 66
    "311256-1239;Vejen;6.6;2023-06-01;;jobsamtale",  # 6 out: 67
    "010190-1240;Vejen;6.1;2023-01-01;2023-09-30;jobsamtale",  # 7 out: ended before the quarter
    "010190-1241;Vejen;6.1;2024-01-02;;jobsamtale",  # 8 out: started after it
    "010190-1242;Vejen;6.3;2023-01-01;;rådighedssamtale",  # 9 out: no qualifying conversation
    "010190-1243;Vejen;6.3;2023-01-01;;",  # 10 out: no conversation at all
    '010190-1244;Vejen;6.7;2023-01-01;2023-10-01;"Fællessamtale med  a-kasse;rådighedssamtale"',  # 11 in
]


@pytest.fixture
def members(write_extract: Callable[..., Path]):
    return read_register(write_extract(ROWS), reference_date=date(2024, 4, 7)).members


def test_kl2024_rules_keep_the_eligible_and_count_each_exclusion(members) -> None:
    rules = load_population_rules("kl2024")
    assert (rules.period_start, rules.period_end, rules.age_at) == (
        date(2023, 10, 1), date(2023, 12, 31), date(2023, 12, 31),
    )
    population = apply_population_rules(members, rules)
    assert population.register_count == 10
    assert population.size == 4
    assert sorted(population.frame["alder"].to_list()) == [16, 33, 33, 66]
    assert population.exclusion_table().select("regel", "udelukket").rows() == [
        ("alder", 2),
        ("maalgruppe", 0),
        ("aktiv_i_perioden", 2),
        ("samtaletype", 2),
    ]
    assert "foedselsdato" not in population.frame.columns
    assert "cpr" not in population.frame.columns


def test_population_report_counts_per_municipality_group_gender_and_age(members) -> None:
    population = apply_population_rules(members, load_population_rules("kl2024"))
    assert population.report().rows() == [
        ("Assens", "6.1", "mand", "30-49", 1),
        ("Assens", "6.4", "kvinde", "16-29", 1),
        ("Vejen", "6.6", "kvinde", "50-66", 1),
        ("Vejen", "6.7", "kvinde", "30-49", 1),
    ]


def test_rules_are_configuration(members, tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(
        "kun_dagpenge:\n"
        "  period: {start: 2023-10-01, end: 2023-12-31}\n"
        "  age: {min: 18, max: 64}\n"
        '  target_groups: ["6.1"]\n'
        "  conversation_types: []\n",
        encoding="utf-8",
    )
    population = apply_population_rules(members, load_population_rules("kun_dagpenge", path))
    assert population.frame["maalgruppe"].to_list() == ["6.1"]
    assert population.exclusion_table()["udelukket"].to_list() == [4, 3, 2]


def test_unknown_or_incomplete_rules_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(PopulationRulesError, match="kendte: kl2024"):
        load_population_rules("kl2025")
    path = tmp_path / "regler.yaml"
    path.write_text("x:\n  period: {start: 2023-10-01}\n  age: {min: 16, max: 66}\n", encoding="utf-8")
    with pytest.raises(PopulationRulesError, match="period.end"):
        load_population_rules("x", path)


def test_the_synthetic_municipalities_are_real_ones() -> None:
    from borgerblik.registers.municipalities import DANISH_MUNICIPALITIES, is_danish_municipality
    from borgerblik.synth.municipalities import MUNICIPALITIES

    assert len(DANISH_MUNICIPALITIES) == 98
    assert [m.name for m in MUNICIPALITIES if m.name not in DANISH_MUNICIPALITIES] == []
    assert is_danish_municipality("Nordfyns Kommune") and is_danish_municipality(" AARHUS ")
    assert not is_danish_municipality("Christiansø")
