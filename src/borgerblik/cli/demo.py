"""`borgerblik demo`: the whole pipeline on synthetic data in a fresh folder."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from borgerblik.demo import run_demo


def demo(
    out: Path = typer.Option(
        Path("demo-output"), "--out", help="Mappe til demoens database og filer (tømmes)."
    ),
    seed: int = typer.Option(2024, "--seed", help="Startværdi for de syntetiske data og stikprøven."),
) -> None:
    """Run the end-to-end demo on the embedded SQLite default: survey, register, sample, fieldwork, analysis.

    Example: borgerblik demo --out demo-output
    """
    run = run_demo(out, Console(highlight=False), seed)
    Console(highlight=False).print(f"\nDemoen er færdig: database {run.database_url}, filer i {run.workdir}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
