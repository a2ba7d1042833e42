"""`borgerblik serve`: the citizen's questionnaire and the interviewer screen over HTTP.

Thin over borgerblik.web. uvicorn with httptools + uvloop; several workers may share one PostgreSQL
database because no state lives in the process.
"""

from __future__ import annotations

import os

import typer
from rich.console import Console

from borgerblik.storage import Database, StorageError, database_url

err = Console(stderr=True, highlight=False, soft_wrap=True)


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
) -> None:
    """Start spørgeskemaet på nettet: borgerens link /s/<token>, fravalg /s/<token>/fravalg, /interviewer/ og
    feltarbejdsmonitoren /analytiker/feltarbejde/<undersøgelses-id>.

    Eksempel: [bold]borgerblik serve --port 8000 --database sqlite:///borgerblik.sqlite[/]
    """
    import uvicorn

    url = database_url(database)
    if workers > 1 and url.startswith("sqlite"):
        err.print(
            "[bold red]Fejl:[/] --workers: forventede 1 med SQLite (én skrivelås), fik "
            f"{workers}. Tip: brug PostgreSQL via BORGERBLIK_DATABASE_URL til flere processer."
        )
        raise typer.Exit(code=2)
    try:
        Database(url).close()  # migrate once here, not in every worker at the same time
    except StorageError as exc:
        err.print(f"[bold red]Fejl:[/] {exc}")
        raise typer.Exit(code=2) from None
    except Exception as exc:  # noqa: BLE001 - an unreachable database or bad URL is a usage error, not a crash
        err.print(
            f"[bold red]Fejl:[/] kan ikke åbne databasen {url.split('@')[-1]!r} ({type(exc).__name__}). "
            "Tip: tjek --database eller BORGERBLIK_DATABASE_URL."
        )
        raise typer.Exit(code=2) from None
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


def register(app: typer.Typer) -> None:
    """Add `serve` to the top-level app."""
    app.command("serve")(serve)
