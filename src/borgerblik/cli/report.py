"""`borgerblik report`: the publishable reports of a survey — national and per municipality, HTML, PDF, Excel.

Thin over borgerblik.reporting. From the database (``--survey``) the analysis is run first (as `borgerblik
analyze --survey` does) and the survey's fieldwork facts are added; from a folder (``--analysis``) the tables
`borgerblik analyze` wrote are used as they are. Errors: one line on stderr, exit code 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import typer

from borgerblik.cli.output import fail, out
from borgerblik.core import load_template
from borgerblik.core.errors import GroupingError, InstrumentError
from borgerblik.storage import StorageError
from borgerblik.weighting import RakingError, WeightingInputError


def report_command(
    survey: str = typer.Option(None, "--survey", help="Undersøgelsens id eller navn i databasen."),
    analysis: Path = typer.Option(
        None, "--analysis", help="Mappe med tabeller fra borgerblik analyze (i stedet for --survey)."
    ),
    municipality: str = typer.Option(
        None, "--municipality", help="Kommuner med egen rapport, kommasepareret, eller 'all' for alle."
    ),
    formats: str = typer.Option(
        "html,pdf,xlsx", "--format", help="Formater: html, pdf, xlsx (kommasepareret)."
    ),
    language: str = typer.Option("da", "--language", help="Sprog: da eller en."),
    out_dir: Path = typer.Option(Path("rapporter"), "--out", help="Mappe til rapporterne (index.html m.m.)."),
    database: str = typer.Option(
        None, "--database", help="Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
    ),
    template: str = typer.Option(
        "kl-2024", "--template", help="Spørgeskemaskabelon for --analysis (spørgsmålstekster og skalaer)."
    ),
    threshold: int = typer.Option(5, "--threshold", help="Diskretioneringsgrænsen for --analysis."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap-replikationer, når analysen køres."),
) -> None:
    """Rapporter, en kommune kan offentliggøre: landsrapport og kommunerapporter i HTML, PDF og Excel.

    Mappen får index.html (alle rapporter med svartal), landsrapport.html|.pdf|.xlsx og
    kommuner/<slug>.html|.pdf|.xlsx (fx kommuner/hoeje-taastrup.html).

    Eksempel: borgerblik report --survey 1 --municipality all --format html,pdf,xlsx --out rapporter/
    """
    from borgerblik.reporting.publish import choose_municipalities, write_reports
    from borgerblik.reporting.tables import ReportInputError, read_tables

    if (survey is None) == (analysis is None):
        fail("angiv enten --survey (database) eller --analysis (mappe fra borgerblik analyze)")
    if language not in ("da", "en"):
        fail(f"--language: '{language}' er ikke da eller en")
    chosen_formats = [f.strip().lower() for f in formats.split(",") if f.strip()]
    try:
        if analysis is not None:
            tables = read_tables(analysis, threshold=threshold)
            instrument, title = load_template(template), None
        else:
            from borgerblik.reporting.from_database import analysed_survey

            out.print(f"Analysen af undersøgelse {survey} er ikke gemt; den køres nu …")
            tables, instrument, title = analysed_survey(survey, database, bootstrap)
        chosen, skipped = choose_municipalities(tables, instrument, municipality)
        written = write_reports(
            tables, instrument, out_dir, chosen, chosen_formats, language, title, skipped=skipped
        )
    except ReportInputError as exc:
        fail(str(exc))
    except (WeightingInputError, RakingError, InstrumentError, GroupingError, StorageError) as exc:
        fail(str(exc))
    for name in written.skipped:
        out.print(f"{name}: for få svar til en kommunerapport — udeladt")
    out.print(f"{written.reports} rapporter skrevet; oversigten: {written.index}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("report")(report_command)
