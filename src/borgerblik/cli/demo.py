"""`borgerblik demo`: the whole pipeline on synthetic data in a fresh folder."""

from __future__ import annotations

from pathlib import Path

import typer

from borgerblik.cli import output
from borgerblik.demo import run_demo


def demo(
    out: Path = typer.Option(
        Path("demo-output"), "--out", help="Mappe til demoens database og filer (tømmes)."
    ),
    seed: int = typer.Option(2024, "--seed", help="Startværdi for de syntetiske data og stikprøven."),
    municipalities: str = typer.Option(
        "", "--municipalities", help="Kun disse kommuner, kommasepareret (en hurtigere, mindre kørsel)."
    ),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap-replikationer i nøgledriveranalysen."),
) -> None:
    """Kør hele kæden på syntetiske data i en ny SQLite-fil: register, stikprøve, feltarbejde, analyse.

    Eksempel: borgerblik demo --out demo-output --municipalities Lemvig,Odsherred
    """
    chosen = [name.strip() for name in municipalities.split(",") if name.strip()]
    try:
        run = run_demo(out, output.out, seed, chosen, bootstrap)
    except ValueError as exc:
        output.fail(str(exc))
    output.out.print(
        f"\nDemoen er færdig: database {run.database_url}, filer i {run.workdir}"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
