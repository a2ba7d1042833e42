"""`borgerblik survey …`: create a survey round from a template and list the surveys in the database."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from borgerblik.cli.output import fail, out
from borgerblik.core import InstrumentError, template_names
from borgerblik.storage import Database, StorageError
from borgerblik.surveys import create_survey_from_template

group = typer.Typer(help="Undersøgelser: opret en runde fra en skabelon, og se dem, der findes.")

DATABASE_HELP = "Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} forventede en dato ÅÅÅÅ-MM-DD, fik {text!r}")


@group.command("create")
def create(
    name: str = typer.Option(..., "--name", help="Undersøgelsens navn, fx 'KL tværkommunal 2024'."),
    template: str = typer.Option("kl-2024", "--template", help="Skabelon: " + ", ".join(template_names())),
    period_start: str | None = typer.Option(
        None, "--period-start", help="Periodens første dag (ÅÅÅÅ-MM-DD)."
    ),
    period_end: str | None = typer.Option(None, "--period-end", help="Periodens sidste dag (ÅÅÅÅ-MM-DD)."),
    close_date: str | None = typer.Option(
        None, "--close-date", help="Lukkedato for indsamlingen; varighed regnes hertil (ÅÅÅÅ-MM-DD)."
    ),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Opret en undersøgelsesrunde fra en skabelon med skabelonens periode og regler som standard.

    Eksempel: borgerblik survey create --name "KL tværkommunal 2024" --template kl-2024
    """
    try:
        with Database(database) as db:
            survey_id = create_survey_from_template(
                db,
                name,
                template,
                period_start=_date(period_start, "--period-start"),
                period_end=_date(period_end, "--period-end"),
                reference_date=_date(close_date, "--close-date"),
            )
    except (StorageError, InstrumentError, KeyError) as exc:
        fail(str(exc))
    out.print(f"Undersøgelse {survey_id} oprettet: {name} (skabelon {template})")


@group.command("list")
def list_surveys(database: str | None = typer.Option(None, "--database", help=DATABASE_HELP)) -> None:
    """Vis undersøgelserne i databasen.

    Eksempel: borgerblik survey list
    """
    table = Table("id", "navn", "skabelon", "periode", "lukkedato")
    with Database(database) as db:
        for survey in db.surveys():
            period = f"{survey.period_start or ''} – {survey.period_end or ''}"
            table.add_row(
                str(survey.id), survey.name, survey.template_name, period, str(survey.reference_date or "")
            )
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="survey")
