"""`borgerblik serve`: the citizen's questionnaire and the staff pages over HTTP; `borgerblik staff`: the
staff accounts (in the database) that may sign in to the staff pages, and their roles.

Thin over borgerblik.web. uvicorn with httptools + uvloop; several workers may share one PostgreSQL
database because no state lives in the process.

Start-up is kept short, since a restart during fieldwork is citizens waiting (issue 18: 8–17 s to the first
answered save with four workers, measured by ``reliability/restart.py``). This module imports only what
``serve`` needs (the job worker's statistics stack loads in the ``worker`` command); ``serve`` imports the app
once and its workers are forked from that process instead of each importing it afresh on two shared cores
(:func:`_fork_workers`); the job worker starts at a lower priority, so its own imports yield to the web
workers'.
"""

from __future__ import annotations

import getpass
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import threading

import typer

from borgerblik.cli.output import err, fail, out
from borgerblik.registers.survey_import import find_survey
from borgerblik.storage import Database, StorageError, database_url
from borgerblik.storage.audit import record_audit
from borgerblik.storage.health import check_writable
from borgerblik.storage.purge import purge_survey
from borgerblik.storage.staff import (
    active_account_count,
    add_staff_account,
    add_staff_token,
    disable_staff_account,
    revoke_staff_token,
    set_staff_password,
    staff_accounts,
    staff_tokens,
)
from borgerblik.storage.times import utcnow
from borgerblik.web.auth import ROLE_NAMES, SECRET_VARIABLE, new_api_token
from borgerblik.web.oidc import VARIABLES as OIDC_VARIABLES
from borgerblik.web.passwords import PasswordRefused, check_new_credentials, hash_password

JOB_WORKER_NICENESS = 10
"""How much lower the job worker's priority is than the web workers' (it imports the statistics stack)."""


def _fork_workers() -> bool:
    """Have uvicorn fork its worker processes from this one, which has imported the app, instead of spawning
    fresh interpreters that each import it again (four imports at once took 8–17 s on two cores).

    uvicorn spawns through the multiprocessing context in ``uvicorn._subprocess.spawn``; the fork context has
    the same ``Process`` interface. Safe here because the parent has started no thread and holds no open
    connection when it forks (the start-up check's engine is disposed); each worker builds its own app and
    engine in ``app_from_env``. False (and uvicorn's own spawn) if a uvicorn release renames the hook — a test
    pins it.
    """
    from uvicorn import _subprocess

    if not hasattr(_subprocess, "spawn") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    _subprocess.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]
    return True


def lower_priority() -> None:
    """Run this process at the job worker's niceness (at least): idempotent, so ``serve``'s child and the
    ``worker`` command itself may both call it. On two shared cores an analysis at the web workers' priority
    took half the CPU a citizen's save needed."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, max(current, JOB_WORKER_NICENESS))


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
    certfile: str = typer.Option(
        None, "--certfile", help="TLS-certifikat (PEM): serveren svarer over https og sender HSTS."
    ),
    keyfile: str = typer.Option(
        None, "--keyfile", help="Certifikatets private nøgle (PEM), hvis ikke i --certfile."
    ),
) -> None:
    """Start spørgeskemaet på nettet: borgerens link /s/<token>, fravalg /s/<token>/fravalg, /interviewer/ og
    feltarbejdsmonitoren /analytiker/feltarbejde/<undersøgelses-id>.

    Eksempel: [bold]borgerblik serve --port 8000 --database sqlite:///borgerblik.sqlite[/]
    Personalesiderne (/, /interviewer/, /analytiker/) kræver login med en konto fra borgerblik staff add.
    En database, der kan læses men ikke skrives, afvises, før serveren starter.
    """
    import uvicorn

    if not os.environ.get(SECRET_VARIABLE):  # shared by this run's workers; sessions end when it stops
        os.environ[SECRET_VARIABLE] = secrets.token_urlsafe(32)
    url = database_url(database)
    if workers > 1 and url.startswith("sqlite"):
        fail(
            f"--workers: forventede 1 med SQLite (én skrivelås), fik {workers}. "
            "Tip: brug PostgreSQL via BORGERBLIK_DATABASE_URL til flere processer."
        )
    if keyfile and not certfile:
        fail("--keyfile: forventede også --certfile (certifikatet), fik kun nøglen")
    for option, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if path and not os.path.isfile(path):
            fail(f"{option}: filen {path} findes ikke")
    try:
        with Database(url) as db:  # migrate once here, not in every worker at the same time
            check_writable(db)  # a read-only file or database would fail every save, not the start
            if active_account_count(db) == 0:
                err.print(
                    "Bemærk: ingen personalekonti, så personalesiderne er lukkede (borgerblik staff add)"
                )
    except StorageError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - an unreachable database or bad URL is a usage error, not a crash
        fail(
            f"kan ikke åbne databasen {url.split('@')[-1]!r} ({type(exc).__name__}). "
            "Tip: tjek --database eller BORGERBLIK_DATABASE_URL."
        )
    os.environ["BORGERBLIK_DATABASE_URL"] = url
    import borgerblik.web  # noqa: F401 - imported once here; the workers fork with it loaded

    if workers > 1:
        _fork_workers()
    # The staff pages' long jobs run in a process of their own, never in the citizens' event loop.
    job_worker = subprocess.Popen(
        [sys.executable, "-c", "from borgerblik.cli import main; main()", "worker", "--database", url],
        preexec_fn=lower_priority,  # noqa: PLW1509 - only os.nice, before exec; no thread runs yet
    )
    try:
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
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
        )
    finally:
        job_worker.terminate()
        job_worker.wait(timeout=30)


def worker(
    database: str = typer.Option(None, "--database", help="Database-URL (ellers BORGERBLIK_DATABASE_URL)."),
    poll: float = typer.Option(
        1.0, "--poll", min=0.1, max=60, help="Sekunder mellem kig i køen, når den er tom."
    ),
) -> None:
    """Kør personalesidernes lange kørsler (registerindlæsning, stikprøve) fra køen i databasen, til Ctrl-C.

    serve starter selv én; flere kan køre mod samme PostgreSQL-database.

    Eksempel: borgerblik worker --database postgresql+psycopg://borgerblik@db/borgerblik
    """
    lower_priority()  # started by hand or by a benchmark, it still yields the CPU to the web workers
    from borgerblik.web.worker import work  # the statistics stack: only this command needs it

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with _open(database) as db:
        try:
            work(db, stop, poll_seconds=poll)
        except KeyboardInterrupt:
            stop.set()


staff_app = typer.Typer(
    help="Personalets konti: hvem der må logge ind på personalesiderne, og med hvilken rolle."
)

ROLE_HELP = (
    "Rolle: administrator (alt), analyst (alle kommuners samlede resultater), "
    "municipal_analyst (egen kommune, kræver --kommune) eller interviewer (interviewerskærm og hotline)."
)
DATABASE_OPTION_HELP = "Database-URL (ellers BORGERBLIK_DATABASE_URL)."


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskoden")


def _open(database: str | None) -> Database:
    try:
        return Database(database_url(database))
    except StorageError as exc:
        fail(str(exc))


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@staff_app.command("add")
def add_staff(
    user: str = typer.Argument(..., help="Brugernavn (a–z, tal og . _ @ -)."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    kommune: str = typer.Option(None, "--kommune", help="Kommunen, en kommuneanalytiker ser resultater for."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Læs adgangskoden fra standard input i stedet for at spørge."
    ),
    oidc_subject: str = typer.Option(
        None,
        "--oidc-subject",
        help="Personens sub hos kommunens login (OpenID Connect); så spørges der ikke om adgangskode.",
    ),
    oidc_issuer: str = typer.Option(
        None,
        "--oidc-issuer",
        help=f"Udstederen (issuer-URL) for --oidc-subject (ellers {OIDC_VARIABLES['issuer']}).",
    ),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Opret en personalekonto (adgangskoden mindst 12 tegn, gemt som argon2-hash i databasen), eller en,
    der logger ind via kommunens login (--oidc-subject).

    Eksempel: borgerblik staff add mette --role municipal_analyst --kommune Aarhus
    """
    try:
        check_new_credentials(user, None)
    except PasswordRefused as exc:
        fail(str(exc))
    oidc = None
    if oidc_subject:
        issuer = (oidc_issuer or os.environ.get(OIDC_VARIABLES["issuer"], "")).strip().rstrip("/")
        if not issuer:
            fail(
                "--oidc-subject: udstederen mangler. "
                f"Tip: giv --oidc-issuer eller sæt {OIDC_VARIABLES['issuer']}"
            )
        oidc = (issuer, oidc_subject.strip()[:255])
    password = _password(password_stdin) if password_stdin or oidc is None else None
    try:
        check_new_credentials(user, password)
    except PasswordRefused as exc:
        fail(str(exc))
    with _open(database) as db:
        try:
            account = add_staff_account(
                db, user, hash_password(password) if password else None, role, kommune, oidc=oidc
            )
        except StorageError as exc:
            fail(str(exc))
        detail = f"{user}: {role}" + (f" ({kommune})" if kommune else "") + (" via OIDC" if oidc else "")
        record_audit(db, _actor(), "staff_add", detail)
    where = f" for {account.municipality}" if account.municipality else ""
    out.print(f"{user} kan nu logge ind som {ROLE_NAMES[account.role].lower()}{where}")


@staff_app.command("list")
def list_staff(database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP)) -> None:
    """Vis personalekontiene: rolle, kommune, aktiv og låst.

    Eksempel: borgerblik staff list
    """
    with _open(database) as db:
        accounts = staff_accounts(db)
        now = utcnow()
    if not accounts:
        out.print("Ingen personalekonti; personalesiderne er lukkede. Opret en med borgerblik staff add")
        return
    typer.echo("bruger\trolle\tkommune\taktiv\tlåst")  # tab-separated for scripts; Rich would expand tabs
    for account in accounts:
        typer.echo(
            "\t".join(
                (
                    account.username,
                    account.role,
                    account.municipality or "",
                    "ja" if account.active else "nej",
                    "ja" if account.locked(now) else "nej",
                )
            )
        )


@staff_app.command("disable")
def disable_staff(
    user: str = typer.Argument(..., help="Brugernavn."),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Luk en konto: den kan ikke længere logge ind, og dens åbne sessioner slutter straks.

    Eksempel: borgerblik staff disable hotline1
    """
    with _open(database) as db:
        try:
            disable_staff_account(db, user)
        except StorageError as exc:
            fail(str(exc))
        record_audit(db, _actor(), "staff_disable", user)
    out.print(f"{user} kan ikke længere logge ind")


@staff_app.command("reset")
def reset_staff(
    user: str = typer.Argument(..., help="Brugernavn."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Læs den nye adgangskode fra standard input i stedet for at spørge."
    ),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Giv en konto en ny adgangskode; en låst eller lukket konto åbnes igen, og gamle sessioner slutter.

    Eksempel: borgerblik staff reset hotline1
    """
    password = _password(password_stdin)
    try:
        check_new_credentials(user, password)
    except PasswordRefused as exc:
        fail(str(exc))
    with _open(database) as db:
        try:
            set_staff_password(db, user, hash_password(password))
        except StorageError as exc:
            fail(str(exc))
        record_audit(db, _actor(), "staff_reset", user)
    out.print(f"{user} har fået en ny adgangskode")


token_app = typer.Typer(help="API-tokens til scripts (Authorization: Bearer), knyttet til en konto.")


@token_app.command("add")
def add_token(
    user: str = typer.Argument(..., help="Kontoen, tokenet hører til."),
    name: str = typer.Option(..., "--name", help="Hvad tokenet bruges til (fx natlig-eksport)."),
    role: str = typer.Option(
        None, "--role", help="Tokenets rolle (ellers kontoens; kun en administrator kan give en smallere)."
    ),
    kommune: str = typer.Option(
        None, "--kommune", help="Kommunen for et token med rollen municipal_analyst."
    ),
    days: int = typer.Option(90, "--days", min=1, max=3650, help="Dage, tokenet virker."),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Lav et API-token; det vises kun denne ene gang (databasen gemmer kun dets SHA-256).

    Eksempel: borgerblik staff token add mette --name natlig-eksport --role analyst --days 30
    """
    from datetime import timedelta

    token, digest, prefix = new_api_token()
    with _open(database) as db:
        try:
            record = add_staff_token(
                db,
                user,
                name,
                digest,
                prefix,
                role=role,
                municipality=kommune,
                expires_at=utcnow() + timedelta(days=days),
            )
        except StorageError as exc:
            fail(str(exc))
        scope = record.role + (f" ({record.municipality})" if record.municipality else "")
        record_audit(db, _actor(), "token_add", f"token {record.id} ({name}) til {user}: {scope}")
    err.print(f"Token {record.id} til {user} som {scope}, gyldigt til {record.expires_at:%d-%m-%Y}:")
    typer.echo(token)


@token_app.command("list")
def list_tokens(
    user: str = typer.Argument(None, help="Kun denne kontos tokens."),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Vis tokens (aldrig selve tokenet): nr., konto, navn, start, rolle, kommune, udløb, sidst brugt, status.

    Eksempel: borgerblik staff token list mette
    """
    with _open(database) as db:
        tokens = staff_tokens(db, username=user)
    now = utcnow()
    typer.echo("nr\tbruger\tnavn\tstart\trolle\tkommune\tudløber\tsidst brugt\tstatus")
    for t in tokens:
        status = "trukket tilbage" if t.revoked_at else ("aktiv" if t.usable(now) else "udløbet")
        typer.echo(
            "\t".join(
                (
                    str(t.id),
                    t.username,
                    t.name,
                    t.prefix,
                    t.role,
                    t.municipality or "",
                    f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "",
                    f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
                    status,
                )
            )
        )


@token_app.command("revoke")
def revoke_token(
    token_id: int = typer.Argument(..., help="Tokenets nummer (se borgerblik staff token list)."),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Træk et token tilbage: det holder op med at virke straks, i alle processer.

    Eksempel: borgerblik staff token revoke 3
    """
    with _open(database) as db:
        try:
            record = revoke_staff_token(db, token_id)
        except StorageError as exc:
            fail(str(exc))
        record_audit(db, _actor(), "token_revoke", f"token {record.id} ({record.name}) til {record.username}")
    out.print(f"Token {record.id} ({record.name}) virker ikke længere")


staff_app.add_typer(token_app, name="token")


def purge(
    survey: str = typer.Option(..., "--survey", help="Undersøgelsens id eller navn."),
    yes: bool = typer.Option(False, "--yes", help="Spørg ikke om bekræftelse."),
    database: str = typer.Option(None, "--database", help=DATABASE_OPTION_HELP),
) -> None:
    """Slet undersøgelsens CPR-numre, kontaktdata og oprindelige fritekstsvar efter feltarbejdet.

    De pseudonymiserede analysedata (strata, stikprøve, svar) bliver; sletningen skrives i revisionsloggen.

    Eksempel: borgerblik purge --survey "KL tværkommunal 2024" --yes
    """
    with _open(database) as db:
        try:
            record = find_survey(db, survey)
        except StorageError as exc:
            fail(str(exc))
        if not yes and not typer.confirm(f"Slet persondata i {record.name} (kan ikke fortrydes)?"):
            fail("intet slettet")
        result = purge_survey(db, record.id, _actor())
    out.print(f"{record.name}: {result.line()}")


def register(app: typer.Typer) -> None:
    """Add `serve`, `worker`, `purge` and `staff` to the top-level app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("purge")(purge)
    app.add_typer(staff_app, name="staff")
