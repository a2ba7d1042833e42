"""`borgerblik instrument …`: check and list questionnaire instruments (thin over borgerblik.core)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from borgerblik.cli.output import err, out
from borgerblik.core import InstrumentError, check_instrument, load_template, template_names

group = typer.Typer(help="Spørgeskemaer (instrumenter): tjek en YAML-fil og se de medfølgende skabeloner.")


@group.command("check")
def check(file: Path = typer.Argument(..., help="Instrument-fil i YAML (se docs/instruments.md).")) -> None:
    """Tjek en instrument-fil: hver fejl med fil, linje, spørgsmål og felt; afslutningskode 2 ved fejl.

    Hvert tilbudt sprog skal have alle de tekster, borgeren ser (også datid og opfølgende spørgsmål).

    Eksempel: borgerblik instrument check mit-skema.yaml
    """
    try:
        instrument = check_instrument(file)
    except InstrumentError as exc:
        err.print(str(exc))
        raise typer.Exit(code=2) from None
    except OSError as exc:
        err.print(f"{file}: kan ikke læses ({exc.strerror})")
        raise typer.Exit(code=2) from None
    items = instrument.scale_items()
    out.print(f"{file}: i orden — {len(instrument.questions())} spørgsmål, {len(items)} skala-items, "
              f"samlet tilfredshed = {instrument.overall_question}")


@group.command("templates")
def templates() -> None:
    """Vis de medfølgende skabeloner med antal spørgsmål og sprog.

    Eksempel: borgerblik instrument templates
    """
    table = Table("skabelon", "spørgsmål", "skala-items", "sprog")
    for name in template_names():
        instrument = load_template(name)
        table.add_row(name, str(len(instrument.questions())), str(len(instrument.scale_items())),
                      ", ".join(instrument.language_codes()))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="instrument")
