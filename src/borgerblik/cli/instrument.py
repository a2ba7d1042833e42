"""`borgerblik instrument …`: check and list questionnaire instruments (thin over borgerblik.core)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from borgerblik.cli.output import err, fail, out
from borgerblik.core import InstrumentError, check_instrument, load_template, template_names


def unreadable(file: Path | str, exc: OSError) -> str:
    """Why a file could not be opened, in Danish (the system's own words are English)."""
    if isinstance(exc, IsADirectoryError):
        return f"{file}: er en mappe, ikke en fil"
    if isinstance(exc, FileNotFoundError):
        return f"{file}: filen findes ikke"
    if isinstance(exc, PermissionError):
        return f"{file}: ingen adgang til at læse filen"
    return f"{file}: kan ikke læses ({exc.strerror or exc})"


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
        fail(str(exc))
    except OSError as exc:
        fail(unreadable(file, exc))
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


@group.command("export-xlsform")
def export_xlsform_command(
    template: str = typer.Argument(..., help="Skabelonens navn (fx kl-2024) eller en instrument-fil i YAML."),
    out_file: Path = typer.Option(..., "--out", help="XLSForm-filen der skrives (.xlsx)."),
) -> None:
    """Skriv et instrument som XLSForm (ODK/KoboToolbox): survey-, choices- og settings-ark.

    Eksempel: borgerblik instrument export-xlsform kl-2024 --out kl-2024.xlsx
    """
    from borgerblik.core import load_instrument
    from borgerblik.interop.xlsform import export_xlsform

    try:
        instrument = load_template(template) if template in template_names() else load_instrument(template)
        export_xlsform(instrument, out_file)
    except InstrumentError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(unreadable(exc.filename or template, exc))
    out.print(f"Skrev {out_file}")


@group.command("import-xlsform")
def import_xlsform_command(
    form: Path = typer.Argument(..., help="XLSForm (.xlsx, .xls, .csv eller .md)."),
    out_file: Path = typer.Option(..., "--out", help="Instrument-filen der skrives (YAML)."),
) -> None:
    """Læs en XLSForm som et nyt instrument (skala- og valgspørgsmål, lister, relevant, sprog) i YAML.

    Hvad der ikke kan oversættes, nævnes med ark og spørgsmål; afslutningskode 2.

    Eksempel: borgerblik instrument import-xlsform skema.xlsx --out skema.yaml
    """
    from borgerblik.core import dump_instrument
    from borgerblik.interop.xlsform import XlsformError, import_xlsform

    try:
        instrument, warnings = import_xlsform(form)
        out_file.write_text(dump_instrument(instrument), encoding="utf-8")
    except (XlsformError, OSError) as exc:
        err.print(str(exc))
        raise typer.Exit(code=2) from None
    for warning in warnings:
        err.print(f"Bemærk: {warning}")
    languages = ", ".join(instrument.language_codes())
    out.print(f"Skrev {out_file}: {len(instrument.questions())} spørgsmål, sprog {languages}")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="instrument")
