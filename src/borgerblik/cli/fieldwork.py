"""`borgerblik fieldwork …`: queue invitations and reminders, send them, watch the status, log hotline calls.

Thin over borgerblik.fieldwork. Bad input is one clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from borgerblik.cli.output import fail, out
from borgerblik.core import parse_instrument
from borgerblik.danish import integer, share
from borgerblik.fieldwork import (
    TOPICS,
    Channel,
    DigitalPostFolder,
    FieldworkPlan,
    FontMissing,
    HotlineError,
    SmsGateway,
    SmsSink,
    SmtpChannel,
    WaveSummary,
    fieldwork_status,
    monitor_html,
    phone_follow_up,
    queue_invitations,
    queue_reminder,
    record_call,
    run_simulated_fieldwork,
    send_due,
    unreachable_list,
)
from borgerblik.progress import fieldwork_days
from borgerblik.storage import Database, StorageError, SurveyRecord
from borgerblik.synth.behaviour import simulated_citizens

fieldwork_app = typer.Typer(
    help="Feltarbejde: invitationer, påmindelser, afsendelse, status og hotline.", no_args_is_help=True
)
DATABASE_HELP = "Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
SURVEY_HELP = "Undersøgelsens id eller navn."
AT_HELP = "Tidspunkt i dansk tid, ÅÅÅÅ-MM-DDTHH:MM (standard: nu)."
CHANNEL_NAMES = ("digital_post", "sms", "email")



def _survey(db: Database, reference: str) -> SurveyRecord:
    text = reference.strip()
    return db.survey(int(text)) if text.isdigit() else db.survey_by_name(text)


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at: forventede ÅÅÅÅ-MM-DDTHH:MM, fik {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/Copenhagen"))


def _channels(text: str, option: str) -> tuple[str, ...]:
    chosen = tuple(c.strip() for c in text.split(",") if c.strip())
    unknown = [c for c in chosen if c not in CHANNEL_NAMES]
    if unknown or not chosen:
        fail(
            f"{option}: ukendt kanal {', '.join(unknown) or '(ingen)'}; forventede {', '.join(CHANNEL_NAMES)}"
        )
    return chosen


def _print_wave(summary: WaveSummary) -> None:
    queued = ", ".join(f"{channel}: {integer(n)}" for channel, n in sorted(summary.queued.items()))
    out.print(
        f"Bølge {summary.wave}: {integer(summary.citizens)} borgere; "
        f"beskeder i kø — {queued or 'ingen'}"
    )
    if summary.continue_where_left:
        out.print(f"  heraf 'fortsæt hvor du slap': {integer(summary.continue_where_left)}")
    if summary.queued.get("sms"):
        out.print(f"  SMS-dele i alt: {integer(summary.sms_segments)}")
    if summary.no_channel:
        out.print(f"  Uden kanal (til hotlinelisten): {integer(len(summary.no_channel))}")


@fieldwork_app.command("invite")
def invite_command(
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    spool: Path = typer.Option(Path("udbakke"), "--spool", help="Mappe til PDF-brevene før afsendelse."),
    channels: str = typer.Option("digital_post", "--channels", help="Kanaler, kommasepareret."),
    at: str | None = typer.Option(None, "--at", help=AT_HELP),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Læg invitationer i udbakken til alle udtrukne, der ikke er inviteret endnu (PDF-breve skrives nu).

    Eksempel: borgerblik fieldwork invite --survey "KL 2024" --spool udbakke --at 2024-03-11T10:00
    """
    plan = FieldworkPlan(invitation_channels=_channels(channels, "--channels"))
    try:
        with Database(database) as db:
            _print_wave(queue_invitations(db, _survey(db, survey).id, spool, at=_moment(at), plan=plan))
    except (StorageError, FontMissing, OSError) as exc:
        fail(str(exc))


@fieldwork_app.command("remind")
def remind_command(
    number: int = typer.Option(..., "--number", min=1, help="Påmindelsens nummer (1, 2, …)."),
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    spool: Path = typer.Option(Path("udbakke"), "--spool", help="Mappe til PDF-brevene før afsendelse."),
    channels: str = typer.Option("digital_post,sms", "--channels", help="Kanaler, kommasepareret."),
    at: str | None = typer.Option(None, "--at", help=AT_HELP),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Læg en påmindelse i udbakken til dem, der hverken har gennemført eller fravalgt.

    Eksempel: borgerblik fieldwork remind --number 1 --survey "KL 2024" --at 2024-03-18T10:00
    """
    plan = FieldworkPlan(reminder_channels=_channels(channels, "--channels"))
    try:
        with Database(database) as db:
            _print_wave(queue_reminder(db, _survey(db, survey).id, spool, number, at=_moment(at), plan=plan))
    except (StorageError, FontMissing, OSError) as exc:
        fail(str(exc))


@fieldwork_app.command("send")
def send_command(
    digital_post: Path | None = typer.Option(None, "--digital-post", help="Mappe til Digital Post-batchen."),
    digital_post_format: str = typer.Option(
        "pdf", "--digital-post-format", help="pdf: PDF-breve og manifest; memo: også MeMo 1.1-beskeder."
    ),
    memo_sender: str | None = typer.Option(
        None, "--memo-sender", help="Afsenderens MyndighedsID (CVR) i MeMo-beskederne (kræves med memo)."
    ),
    memo_sender_name: str = typer.Option("Jobcentret", "--memo-sender-name", help="Afsenderens navn i MeMo."),
    sms_url: str | None = typer.Option(None, "--sms-url", help="SMS-gatewayens URL (GatewayAPI-stil)."),
    sms_token: str = typer.Option("", "--sms-token", envvar="BORGERBLIK_SMS_TOKEN", help="Gatewayens token."),
    sms_sender: str = typer.Option("Jobcentret", "--sms-sender", help="Afsendernavn (højst 11 tegn)."),
    smtp_host: str | None = typer.Option(None, "--smtp-host", help="SMTP-server (STARTTLS)."),
    smtp_port: int = typer.Option(587, "--smtp-port", help="SMTP-port."),
    smtp_from: str = typer.Option("undersoegelse@example.dk", "--smtp-from", help="Afsenderadresse."),
    smtp_plain: bool = typer.Option(
        False, "--smtp-plain", help="Uden STARTTLS — kun til en lokal test-SMTP-server på 127.0.0.1."
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        help="Afsendelsens start i dansk tid, ÅÅÅÅ-MM-DDTHH:MM[:SS]; uret går videre derfra (standard: nu).",
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Højst så mange beskeder."),
    lease: float = typer.Option(
        30.0,
        "--lease",
        min=1.0,
        help="Sekunder en afsender holder sine hentede beskeder uden at forny dem; "
        "en stoppet afsenders beskeder overtages derefter.",
    ),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Send de beskeder i udbakken, der er forfaldne — hver højst én gang, også efter et nedbrud.

    Eksempel: borgerblik fieldwork send --digital-post dp-batch --sms-url http://127.0.0.1:8025/rest/mtsms
    """
    channels: dict[str, Channel] = {}
    if digital_post_format not in ("pdf", "memo"):
        fail(f"--digital-post-format skal være pdf eller memo, fik '{digital_post_format}'")
    memo = None
    if digital_post_format == "memo":
        from borgerblik.fieldwork.memo import MemoSender

        if not memo_sender:
            fail("--digital-post-format memo kræver --memo-sender (afsenderens MyndighedsID)")
        memo = MemoSender(memo_sender, memo_sender_name)
    if digital_post is not None:
        channels["digital_post"] = DigitalPostFolder(digital_post, memo=memo)
    if sms_url:
        channels["sms"] = SmsGateway(sms_url, sms_token, sms_sender)
    if smtp_host:
        if smtp_plain and smtp_host not in ("127.0.0.1", "localhost", "::1"):
            fail(f"--smtp-plain er kun tilladt mod en lokal server, ikke {smtp_host}")
        channels["email"] = SmtpChannel(smtp_host, smtp_port, smtp_from, starttls=not smtp_plain)
    if not channels:
        fail("angiv mindst én kanal: --digital-post, --sms-url eller --smtp-host")
    start = _moment(at)
    try:
        with Database(database) as db:
            if start is not None:
                # --at is when sending starts and the clock runs on from it, so claim leases lapse and are
                # renewed as in real time (a fixed moment would never let a killed sender's claims go).
                begun = time.monotonic()
                origin = start.astimezone(UTC)
                db = db.with_clock(lambda: origin + timedelta(seconds=time.monotonic() - begun))
            report = send_due(db, channels, limit=limit, lease=timedelta(seconds=lease))
    except StorageError as exc:
        fail(str(exc))
    finally:
        for channel in channels.values():
            channel.close()
    sent = ", ".join(f"{c}: {integer(n)}" for c, n in sorted(report.sent.items())) or "ingen"
    out.print(f"Sendt — {sent}")
    out.print(
        f"Venter (stille timer/kanal mangler): {integer(report.deferred)}; prøves igen: "
        f"{integer(report.retrying)}; fejlet: {integer(report.failed)}; "
        f"annulleret (svaret/fravalgt): {integer(report.cancelled)}"
    )


def _status_table(db: Database, survey_id: int) -> Table:
    status = fieldwork_status(db, survey_id)
    table = Table(title=f"Feltarbejde: {status.survey}")
    for heading in (
        "Kommune",
        "Inviteret",
        "Digital Post",
        "SMS",
        "E-mail",
        "Ingen kanal",
        "Åbnet",
        "Delvist",
        "Gennemført",
        "Tom",
        "Fravalgt",
        "Svarprocent",
    ):
        table.add_column(heading, justify="left" if heading == "Kommune" else "right")
    for row in [*status.municipalities, status.overall]:
        counts = (
            row.invited,
            row.digital_post,
            row.sms,
            row.email,
            row.no_channel,
            row.opened,
            row.partial,
            row.complete,
            row.blank,
            row.opted_out,
        )
        table.add_row(
            row.kommune,
            *map(integer, counts),
            share(row.response_rate),
            end_section=row is status.municipalities[-1] if status.municipalities else False,
        )
    if status.reminder_days:
        table.caption = "Påmindelser: " + ", ".join(d.strftime("%d-%m-%Y") for d in status.reminder_days)
    return table


@fieldwork_app.command("status")
def status_command(
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    html: Path | None = typer.Option(None, "--html", help="Skriv også monitorsiden (HTML) hertil."),
    watch: int = typer.Option(0, "--watch", min=0, help="Opdatér hvert N. sekund (0 = vis én gang)."),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Vis feltarbejdets status: inviteret, nåelig pr. kanal, åbnet, delvist, gennemført, fravalgt.

    Eksempel: borgerblik fieldwork status --survey "KL 2024" --html monitor.html --watch 30
    """
    try:
        with Database(database) as db:
            survey_id = _survey(db, survey).id
            while True:
                wide = Console(highlight=False, width=max(out.width, 140))  # eleven columns need the room
                wide.print(_status_table(db, survey_id))
                if html is not None:
                    html.write_text(
                        monitor_html(fieldwork_status(db, survey_id), refresh=watch or 30), encoding="utf-8"
                    )
                if not watch:
                    break
                time.sleep(watch)
    except StorageError as exc:
        fail(str(exc))


@fieldwork_app.command("calls")
def calls_command(
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    which: str = typer.Option(
        "follow-up", "--list", help="follow-up (ikke-besvarede med telefon) eller unreachable (uden kanal)."
    ),
    out_file: Path = typer.Option(..., "--out", help="CSV-fil til interviewerne."),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Skriv en ringeliste: ikke-besvarede til telefonopfølgning, eller borgere uden kanal til hotlinen.

    Eksempel: borgerblik fieldwork calls --survey "KL 2024" --list follow-up --out ringeliste.csv
    """
    if which not in ("follow-up", "unreachable"):
        fail(f"--list: forventede follow-up eller unreachable, fik {which!r}")
    try:
        with Database(database) as db:
            survey_id = _survey(db, survey).id
            entries = (
                phone_follow_up(db, survey_id) if which == "follow-up" else unreachable_list(db, survey_id)
            )
    except StorageError as exc:
        fail(str(exc))
    with open(out_file, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kode", "kommune", "maalgruppe", "telefon", "status"])
        writer.writerows((e.case_code, e.kommune, e.maalgruppe, e.phone or "", e.status) for e in entries)
    out.print(f"{integer(len(entries))} borgere skrevet til {out_file}")


@fieldwork_app.command("hotline")
def hotline_command(
    topic: str = typer.Option(..., "--topic", help="question, opt_out eller interview."),
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    code: str | None = typer.Option(None, "--code", help="Borgerens kode fra brevet, fx K7QM-3XPA."),
    note: str | None = typer.Option(None, "--note", help="Kort note (ingen CPR-numre)."),
    handled_by: str | None = typer.Option(None, "--by", help="Interviewerens initialer."),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Registrér et opkald til hotlinen; fravalg stopper påmindelserne med det samme.

    Eksempel: borgerblik fieldwork hotline --survey "KL 2024" --topic opt_out --code K7QM-3XPA --by AB
    """
    try:
        with Database(database) as db:
            record_call(db, _survey(db, survey).id, topic, case_code=code, note=note, handled_by=handled_by)
    except (HotlineError, StorageError) as exc:
        fail(str(exc))
    out.print(f"Opkald registreret: {TOPICS[topic]}")


@fieldwork_app.command("simulate")
def simulate_command(
    survey: str = typer.Option(..., "--survey", help=SURVEY_HELP),
    workdir: Path = typer.Option(
        Path("feltarbejde"), "--workdir", help="Mappe til Digital Post-batch og SMS-log."
    ),
    start: str = typer.Option("2024-03-11T10:00", "--start", help="Invitationens tidspunkt (dansk tid)."),
    days: int = typer.Option(21, "--days", min=1, help="Feltperiodens længde i dage."),
    seed: int = typer.Option(2024, "--seed", help="Frø for de simulerede borgeres adfærd."),
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Kør et simuleret tre-ugers feltarbejde med to påmindelser, hvor brev og SMS sendes for alvor (lokalt).

    Borgerne opfører sig som i demoen: den syntetiske model kalibreret til KL 2024 (borgerblik.synth).

    Eksempel: borgerblik fieldwork simulate --survey "KL 2024" --workdir feltarbejde --start 2024-03-11T10:00
    """
    moment = _moment(start)
    try:
        with Database(database) as db:
            record = _survey(db, survey)
            citizens = simulated_citizens(db, record.id, parse_instrument(record.instrument_yaml), seed)
            with fieldwork_days(out, days) as on_day:
                result = run_simulated_fieldwork(
                    db, record.id, workdir, start=moment, actions=citizens.actions, days=days, seed=seed,
                    on_day=on_day,
                )
    except (StorageError, FontMissing, OSError, ValueError) as exc:
        fail(str(exc))
    for line in result.lines():
        out.print(line)


@fieldwork_app.command("sms-sink")
def sms_sink_command(
    port: int = typer.Option(8025, "--port", help="Port på 127.0.0.1."),
    log: Path = typer.Option(Path("sms-sink.jsonl"), "--log", help="Modtagne SMS (JSON-linjer)."),
) -> None:
    """Start en lokal SMS-gateway til demo og test; den gemmer hver besked én gang pr. reference.

    Eksempel: borgerblik fieldwork sms-sink --port 8025 --log sms.jsonl
    """
    try:
        sink = SmsSink(port=port, log=log).start()
    except OSError as exc:
        fail(f"kan ikke lytte på port {port}: {exc}")
    out.print(f"SMS-sink lytter på {sink.url} — stop med Ctrl-C")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.add_typer(fieldwork_app, name="fieldwork")
