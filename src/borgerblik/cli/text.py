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
    "case": "sagsnumre",
    "workplace": "arbejdspladser",
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


codes_app = typer.Typer(
    help="Kodning af åbne svar: kodebog og kodede svar ind og ud som CSV.", no_args_is_help=True
)
DATABASE_HELP = "Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."


@codes_app.command("import")
def codes_import(
    file: Path = typer.Argument(..., help="CSV-fil: en kodebog (med --codebook) eller kodede svar."),
    survey: str = typer.Option(..., "--survey", help="Undersøgelsens id eller navn."),
    question: str = typer.Option(..., "--question", help="Det åbne spørgsmåls id, fx hvorfor_tilfreds."),
    coder: str = typer.Option("import", "--coder", help="Hvem der har kodet (to kodere giver kappa)."),
    codebook_file: bool = typer.Option(
        False,
        "--codebook",
        help="Filen er en kodebog (kode;etiket;beskrivelse;noegleord;eksempler;overkode).",
    ),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Læs en kodebog eller kodede svar (svar_id;koder, flere koder adskilt af |) ind i databasen.

    Kodede svar erstatter koderens tidligere koder for de samme svar.

    Eksempel: borgerblik codes import kodebog.csv --codebook --survey "KL 2024" --question hvorfor_tilfreds
    """
    from borgerblik.registers.survey_import import find_survey
    from borgerblik.registers.tabular import TableError
    from borgerblik.storage import Database, StorageError
    from borgerblik.storage.open_answers import Code, save_codebook, set_codes
    from borgerblik.text.code_files import CODEBOOK_COLUMNS, SEPARATOR, read_codes, read_rows

    try:
        with Database(database) as db:
            survey_id = find_survey(db, survey).id
            if codebook_file:
                rows = read_rows(file, CODEBOOK_COLUMNS[:2])
                codes = [
                    Code(
                        row["kode"],
                        row["etiket"],
                        row.get("beskrivelse", ""),
                        tuple(k for k in row.get("noegleord", "").split(SEPARATOR) if k),
                        tuple(k for k in row.get("eksempler", "").split(SEPARATOR) if k),
                        row.get("overkode") or None,
                    )
                    for _, row in rows
                ]
                count = save_codebook(db, survey_id, question, codes)
                out.print(f"Kodebog for {question}: {integer(count)} koder")
            else:
                count = set_codes(db, survey_id, question, read_codes(file), coder=coder, source="import")
                out.print(f"Kodet: {integer(count)} koder på {question} af {coder}")
    except (TableError, StorageError) as exc:
        fail(str(exc))


@codes_app.command("export")
def codes_export(
    out_file: Path = typer.Option(..., "--out", help="CSV-filen der skrives (semikolon, UTF-8 med BOM)."),
    survey: str = typer.Option(..., "--survey", help="Undersøgelsens id eller navn."),
    question: str = typer.Option(..., "--question", help="Det åbne spørgsmåls id, fx hvorfor_tilfreds."),
    codebook_file: bool = typer.Option(False, "--codebook", help="Skriv kodebogen i stedet for svarene."),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Skriv kodebogen eller de (anonymiserede) svar med deres koder, så de kan kodes i et regneark.

    Svarene skrives som svar_id;tekst;koder;kodet_af; filen kan læses ind igen med codes import.

    Eksempel: borgerblik codes export --survey "KL 2024" --question hvorfor_tilfreds --out svar.csv
    """
    import polars as pl

    from borgerblik.registers.survey_import import find_survey
    from borgerblik.storage import Database, StorageError
    from borgerblik.storage.open_answers import codebook, coded_answers
    from borgerblik.text.code_files import CODEBOOK_COLUMNS, SEPARATOR, write_rows
    from borgerblik.text.redaction import redact

    try:
        with Database(database) as db:
            survey_id = find_survey(db, survey).id
            if codebook_file:
                book = codebook(db, survey_id, question)
                rows = [
                    (
                        c.code,
                        c.label,
                        c.description,
                        SEPARATOR.join(c.keywords),
                        SEPARATOR.join(c.examples),
                        c.parent or "",
                    )
                    for c in book
                ]
                count = write_rows(out_file, CODEBOOK_COLUMNS, rows)
            else:
                answers = db.responses_frame(survey_id).filter(
                    (pl.col("question_id") == question) & pl.col("text").is_not_null()
                )
                coded = coded_answers(db, survey_id, question)
                by_answer = coded.group_by("invitation_id").agg(pl.col("code"), pl.col("coder").unique())
                joined = answers.join(by_answer, on="invitation_id", how="left").sort("invitation_id")
                rows = [
                    (
                        r["invitation_id"],
                        redact(r["text"]).text,
                        SEPARATOR.join(r["code"] or []),
                        SEPARATOR.join(r["coder"] or []),
                    )
                    for r in joined.iter_rows(named=True)
                ]
                count = write_rows(out_file, ("svar_id", "tekst", "koder", "kodet_af"), rows)
    except StorageError as exc:
        fail(str(exc))
    out.print(f"Skrevet: {integer(count)} rækker til {out_file}")


def register(app: typer.Typer) -> None:
    app.command("redact")(redact_command)
    app.add_typer(codes_app, name="codes")
