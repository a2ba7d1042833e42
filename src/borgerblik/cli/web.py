"""`borgerblik serve`: the citizen's questionnaire and the staff pages over HTTP; `borgerblik staff`: who
may sign in to the staff pages.

Thin over borgerblik.web. uvicorn with httptools + uvloop; several workers may share one PostgreSQL
database because no state lives in the process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from borgerblik.cli.output import fail, out
from borgerblik.storage import Database, StorageError, database_url
from borgerblik.web.staff import STAFF_FILE_VARIABLE, StaffFileError, StaffUsers, add_staff_user


def serve(
    host: str = typer.Option("127.0.0.1", help="Adressen serveren lytter på."),
    port: int = typer.Option(8000, min=1, max=65535, help="Porten serveren lytter på."),
    database: str = typer.Option(None, "--database", help="Database-URL (ellers BORGERBLIK_DATABASE_URL)."),
    workers: int = typer.Option(
        1,
        min=1,
        max=32,
        help=(
            "Antal processer (kun med PostgreSQL, fx 4 på to kerner: hver proces gemmer én side ad gangen; "
            "SQLite: 1)."
        ),
    ),
    staff_file: Path = typer.Option(
        None,
        "--staff-file",
        help="Personalefil fra borgerblik staff add: /interviewer/ og /analytiker/ kræver så login.",
    ),
) -> None:
    """Start spørgeskemaet på nettet: borgerens link /s/<token>, fravalg /s/<token>/fravalg, /interviewer/ og
    feltarbejdsmonitoren /analytiker/feltarbejde/<undersøgelses-id>.

    Eksempel: [bold]borgerblik serve --port 8000 --database sqlite:///borgerblik.sqlite[/]
    (med login på personalesiderne: tilføj --staff-file personale.txt)
    """
    import uvicorn

    if staff_file is not None:
        try:
            StaffUsers.read(staff_file)
        except StaffFileError as exc:
            fail(str(exc))
        os.environ[STAFF_FILE_VARIABLE] = str(staff_file.resolve())
    url = database_url(database)
    if workers > 1 and url.startswith("sqlite"):
        fail(
            f"--workers: forventede 1 med SQLite (én skrivelås), fik {workers}. "
            "Tip: brug PostgreSQL via BORGERBLIK_DATABASE_URL til flere processer."
        )
    try:
        Database(url).close()  # migrate once here, not in every worker at the same time
    except StorageError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - an unreachable database or bad URL is a usage error, not a crash
        fail(
            f"kan ikke åbne databasen {url.split('@')[-1]!r} ({type(exc).__name__}). "
            "Tip: tjek --database eller BORGERBLIK_DATABASE_URL."
        )
    os.environ["BORGERBLIK_DATABASE_URL"] = url
    uvicorn.run(
        "borgerblik.web:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


staff_app = typer.Typer(help="Personale, der må logge ind på interviewerskærmen og feltarbejdsmonitoren.")


@staff_app.command("add")
def add_staff(
    user: str = typer.Argument(..., help="Brugernavn (a–z, tal og . _ @ -)."),
    file: Path = typer.Option(
        Path("personale.txt"), "--file", help="Personalefilen (oprettes om nødvendigt)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Læs adgangskoden fra standard input i stedet for at spørge."
    ),
) -> None:
    """Tilføj en bruger til personalefilen, eller giv en bruger en ny adgangskode (mindst 12 tegn).

    Eksempel: borgerblik staff add hotline1 --file personale.txt
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskoden")
    try:
        add_staff_user(file, user, password)
    except StaffFileError as exc:
        fail(str(exc))
    out.print(f"{user} kan nu logge ind (adgangskoden er gemt som hash i {file})")


def register(app: typer.Typer) -> None:
    """Add `serve` and `staff` to the top-level app."""
    app.command("serve")(serve)
    app.add_typer(staff_app, name="staff")
