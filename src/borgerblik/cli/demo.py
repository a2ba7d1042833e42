"""`borgerblik demo`: the whole pipeline on synthetic data in a fresh folder."""

from __future__ import annotations

from pathlib import Path

import typer

from borgerblik.cli import output
from borgerblik.demo import DEMO_MUNICIPALITIES, run_demo


def demo(
    out: Path = typer.Option(
        Path("demo-output"), "--out", help="Mappe til demoens database og filer (tømmes)."
    ),
    seed: int = typer.Option(2024, "--seed", help="Startværdi for de syntetiske data og stikprøven."),
    municipalities: str = typer.Option(
        ",".join(DEMO_MUNICIPALITIES),
        "--municipalities",
        help="Kun disse kommuner, kommasepareret (standard: seks kommuner, under to minutter).",
    ),
    national: bool = typer.Option(
        False, "--national", help="Hele det syntetiske landsregister: 44 kommuner, 198.877 borgere (længere)."
    ),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap-replikationer i nøgledriveranalysen."),
) -> None:
    """Kør hele kæden på syntetiske data i en ny SQLite-fil: register, stikprøve, feltarbejde, analyse.

    Eksempel: borgerblik demo --national --out demo-national
    """
    chosen = [name.strip() for name in municipalities.split(",") if name.strip()]
    if national and chosen != list(DEMO_MUNICIPALITIES):
        output.fail("vælg enten --national eller --municipalities, ikke begge")
    if national:
        chosen = []
    try:
        run = run_demo(out, output.out, seed, chosen, bootstrap)
    except ValueError as exc:
        output.fail(str(exc))
    output.out.print(
        f"\nDemoen er færdig: database {run.database_url}, filer i {run.workdir}"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
