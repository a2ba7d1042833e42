"""`register import --survey` and `sample --survey` through the storage gateway (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.sampling import SizeRule
from borgerblik.storage import Database
from borgerblik.storage.schema import Identity, SampleEntry
from borgerblik.synth import generate_register

runner = CliRunner()


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two municipalities of the synthetic register (Assens' 2,300, Brøndby's first 1,200), 8 ineligible."""
    register = generate_register(2024, ineligible=8)
    frame = pl.concat([register.head(3_500), register.tail(8)])
    path = tmp_path_factory.mktemp("register") / "udtraek.csv"
    frame.write_csv(path)
    return path


def _survey(url: str, name: str) -> None:
    with Database(url) as db:
        db.create_survey(name, "kl-2024", "name: kl-2024\n", period_start=date(2023, 10, 1),
                         period_end=date(2023, 12, 31))


def _import_and_sample(url: str, extract: Path, name: str) -> list[str]:
    _survey(url, name)
    first = runner.invoke(app, ["register", "import", str(extract), "--survey", name, "--database", url])
    assert first.exit_code == 0, first.output
    assert "Population: 3.500 borgere" in first.output
    assert f"Tilføjet til {name}: 3.500; allerede indlæst: 0" in first.output
    rejects = Path(str(extract) + ".rejects.csv").read_text(encoding="utf-8")
    assert rejects.startswith("file,line,column,reason,value")
    again = runner.invoke(app, ["register", "import", str(extract), "--survey", name, "--database", url])
    assert again.exit_code == 0, again.output
    assert f"Tilføjet til {name}: 0; allerede indlæst: 3.500" in again.output
    drawn = runner.invoke(app, ["sample", "--survey", name, "--seed", "2024", "--database", url])
    assert drawn.exit_code == 0, drawn.output
    twice = runner.invoke(app, ["sample", "--survey", name, "--seed", "2024", "--database", url])
    assert twice.exit_code == 2
    assert "allerede en stikprøve" in twice.output
    with Database(url) as db:
        survey_id = db.survey_by_name(name).id
        members = db.members_frame(survey_id)
    assert members.height == 3_500
    sampled = members.filter(pl.col("sampled"))
    rule = SizeRule()
    per_kommune = dict(members.group_by("kommune").len().iter_rows())
    assert dict(sampled.group_by("kommune").len().iter_rows()) == {
        k: rule.size(n) for k, n in per_kommune.items()
    }
    assert per_kommune == {"Assens": 2_300, "Brøndby": 1_200}
    assert "cpr" not in members.columns
    with Database(url) as db, db.reading() as connection:
        rows = connection.execute(
            select(Identity.cpr).join(SampleEntry, SampleEntry.member_id == Identity.member_id)
        ).scalars()
        return sorted(rows)


def test_import_is_idempotent_and_the_sample_is_stored_once(extract: Path, tmp_path: Path) -> None:
    first = _import_and_sample(f"sqlite:///{tmp_path / 'a.sqlite'}", extract, "kl-a")
    second = _import_and_sample(f"sqlite:///{tmp_path / 'b.sqlite'}", extract, "kl-b")
    assert len(first) == 1_771 + 1_200  # Assens: 2619 − 1119·exp(−800/2880) = 1771.3; Brøndby under 1,500
    assert first == second  # same population and seed → the same citizens, whatever the random member ids


def test_unknown_survey_is_a_clear_error(extract: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    args = ["register", "import", str(extract), "--survey", "findes-ikke", "--database", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "findes-ikke" in result.output


@pytest.mark.postgres
def test_import_and_sample_on_postgresql(extract: Path, postgres_url: str) -> None:
    _import_and_sample(postgres_url, extract, "kl-pg")


def test_the_surveys_own_period_overrides_the_rules_period(tmp_path: Path) -> None:
    extract = tmp_path / "udtraek.csv"
    extract.write_text(
        "cpr;kommune;maalgruppe;ydelse_start;ydelse_slut;samtaler\n"
        "010190-1235;Vejen;6.1;2022-10-02;;jobsamtale\n"  # active in both periods
        "010190-1237;Vejen;6.1;2023-01-02;2023-03-31;jobsamtale\n"  # active only in 2023-Q1
        "311207-4239;Vejen;6.4;2023-01-02;;jobsamtale\n",  # 16 on 31 Dec 2023, 15 on 31 Mar 2023
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'q1.sqlite'}"
    with Database(url) as db:
        db.create_survey("q1", "kl-2024", "name: kl-2024\n", period_start=date(2023, 1, 1),
                         period_end=date(2023, 3, 31))
    result = runner.invoke(app, ["register", "import", str(extract), "--survey", "q1", "--database", url])
    assert result.exit_code == 0, result.output
    assert "Population: 2 borgere" in result.output
    assert "Udelukket af alder (alder 16–66 år den 2023-03-31): 1" in result.output
    assert "(aktivt forløb i perioden 2023-01-01–2023-03-31): 0" in result.output
