"""The `borgerblik` command: a thin layer over the stage functions.

Each command group lives in its own module and adds itself through ``register(app)``.
"""

from __future__ import annotations

import typer

from borgerblik.cli import (
    analysis,
    demo,
    fieldwork,
    instrument,
    registers,
    sampling,
    survey,
    synth,
    web,
    weighting,
)
from borgerblik.cli.reference import render_reference

app = typer.Typer(
    name="borgerblik",
    help="Borgerblik — borgerundersøgelser på beskæftigelsesområdet, fra registerudtræk til rapport.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)

for module in (demo, survey, instrument, synth, registers, sampling, fieldwork, web, weighting, analysis):
    module.register(app)


@app.command("docs")
def docs() -> None:
    """Udskriv kommandoreferencen (Markdown), genereret fra kommandoerne selv.

    Eksempel: borgerblik docs > docs/cli.md
    """
    typer.echo(render_reference(app), nl=False)


def main() -> None:
    app()
