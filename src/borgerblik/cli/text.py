"""`borgerblik redact` and `borgerblik codes`: open answers from file, anonymised and coded.

Thin over borgerblik.text. `redact` needs no database: analysts run it on text from elsewhere before it
goes anywhere near a report.
"""

from __future__ import annotations

from pathlib import Path

import typer

from borgerblik.cli.output import fail, out
from borgerblik.danish import integer

KIND_LABELS = {
    "cpr": "CPR-numre",
    "phone": "telefonnumre",
    "email": "e-mailadresser",
    "address": "adresser",
    "name": "personnavne",
}


def redact_command(
    input_file: Path = typer.Option(..., "--input", help="CSV-fil (UTF-8 med eller uden BOM, ; eller ,)."),
    column: str = typer.Option(..., "--column", help="Kolonnen med de åbne svar, der skal anonymiseres."),
    out_file: Path | None = typer.Option(
        None, "--out", help="Den anonymiserede fil (standard: INPUT_anonymiseret.csv ved siden af)."
    ),
) -> None:
    """Anonymisér en kolonne med åbne svar: CPR-numre, telefonnumre, e-mail, adresser og navne bliver [XXX].

    Alle andre kolonner skrives uændret; tallene for hver slags erstattede oplysninger udskrives.

    Eksempel: borgerblik redact --input svar.csv --column begrundelse --out svar_anonymiseret.csv
    """
    from borgerblik.registers.tabular import TableError
    from borgerblik.text.files import redact_csv

    target = out_file or input_file.with_name(f"{input_file.stem}_anonymiseret{input_file.suffix or '.csv'}")
    try:
        result = redact_csv(input_file, column, target)
    except TableError as exc:
        fail(str(exc))
    changed, rows = integer(result.changed_rows), integer(result.rows)
    out.print(f"Anonymiseret: {changed} af {rows} svar i kolonnen {column}")
    for kind, label in KIND_LABELS.items():
        out.print(f"  {label} ({kind}): {integer(result.counts[kind])}")
    out.print(f"Skrevet: {target}")


def register(app: typer.Typer) -> None:
    app.command("redact")(redact_command)
