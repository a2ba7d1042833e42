"""`borgerblik export` and `borgerblik responses import`: thin over borgerblik.interop."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from borgerblik.cli.output import fail, out
from borgerblik.danish import integer
from borgerblik.interop.writers import Format
from borgerblik.storage import Database, StorageError
from borgerblik.weighting import WeightingInputError

DATABASE_HELP = "Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
SURVEY_HELP = "Undersøgelsens id eller navn."
LANGUAGES = ("da", "en")


def export_command(
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    fmt: Format = typer.Option(
        ..., "--format", help="Filformat: sav (SPSS), dta (Stata), xlsx, csv, parquet."
    ),
    language: str = typer.Option("da", "--language", help="Sproget for variabel- og værdilabels (da, en)."),
    out_file: Path | None = typer.Option(
        None, "--out", help="Filen der skrives (standard: undersoegelse-ID-SPROG.FORMAT)."
    ),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Eksportér analysedata (pseudonymiseret, én række pr. besvarelse) med labels og en kodebog i HTML.

    Baggrundsvariable, vægt og hvert svar som kode; 9 = "Ved ikke/ikke relevant" er erklæret manglende.
    Ingen CPR-numre, kontaktdata eller fritekst. Hver eksport logges.

    Eksempel: borgerblik export --survey "KL 2024" --format sav --language da --out kl2024.sav
    """
    from borgerblik.interop.exports import export_survey
    from borgerblik.registers.survey_import import find_survey

    if language not in LANGUAGES:
        fail(f"--language skal være en af {', '.join(LANGUAGES)}, fik '{language}'")
    try:
        with Database(database) as db:
            actor = f"cli:{getpass.getuser()}"
            survey_id = find_survey(db, survey).id
            done = export_survey(db, survey_id, fmt, language=language, out=out_file, actor=actor)
    except (StorageError, WeightingInputError, OSError) as exc:
        fail(str(exc))
    out.print(
        f"Skrev {done.path} ({integer(done.respondents)} besvarelser, {done.variables} variable) "
        f"og kodebogen {done.codebook}"
    )


responses_app = typer.Typer(help="Svar indsamlet andetsteds: papirskemaer, andre værktøjers eksport.")


@responses_app.command("import")
def responses_import_command(
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    file: Path = typer.Option(..., "--file", help="Svarfilen (CSV eller XLSX), én række pr. borger."),
    mapping: Path = typer.Option(..., "--mapping", help="Kortlægning (YAML): kolonne → spørgsmål og koder."),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Fil til afviste rækker (standard: <svarfil>.rejects.csv ved siden af)."
    ),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Indlæs svar fra en fil: hver række tjekkes (fil, linje, kolonne, årsag); fejlrækker gemmes ikke.

    En borger, der allerede har svaret eller har frameldt sig, afvises. Svarformen registreres.

    Eksempel: borgerblik responses import --survey "KL 2024" --file papir.csv --mapping papir.yaml
    """
    from borgerblik.interop.responses_import import MappingError, import_responses
    from borgerblik.registers.survey_import import find_survey
    from borgerblik.registers.tabular import TableError

    try:
        with Database(database) as db:
            done = import_responses(db, find_survey(db, survey).id, file, mapping)
    except (StorageError, MappingError, TableError, OSError) as exc:
        fail(str(exc))
    target = rejects or file.with_name(file.name + ".rejects.csv")
    if done.rejects.height:
        done.rejects.write_csv(target)
    out.print(f"Indlæst: {integer(done.imported)} borgere; afvist: {integer(done.rejected_rows)} rækker"
              + (f" (se {target})" if done.rejects.height else ""))
    for reason, count in done.rejects.group_by("reason").len().sort("len", descending=True).iter_rows():
        out.print(f"  {reason}: {integer(count)}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("export")(export_command)
    app.add_typer(responses_app, name="responses")
