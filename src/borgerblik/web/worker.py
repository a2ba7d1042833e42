"""The worker that runs the staff pages' long jobs (register import, sampling, invitation and reminder waves,
analysis, reports, data exports, purge) outside the web server.

``borgerblik worker`` (and ``serve``, which starts one beside its web workers) loops over the job table; the
web app only queues rows and shows them, so an import of a national extract never shares the event loop, nor
even the process, that serves citizens. Each runner calls the same stage functions as the command line.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from borgerblik.storage import Database, StorageError
from borgerblik.storage.audit import record_audit
from borgerblik.storage.jobs import JobRecord, claim_job, fail_job, finish_job, report_progress
from borgerblik.storage.purge import purge_survey

log = logging.getLogger("borgerblik.worker")
REJECTS_SHOWN = 200
Runner = Callable[[Database, JobRecord, bytes | None], tuple[dict[str, Any], str]]


# The runners import their stages when they run: the web app imports this module for JOB_NAMES, and the
# statistics stack (seconds on two cores) must not slow every web worker's start (issue 18).


def _import(db: Database, job: JobRecord, upload: bytes | None) -> tuple[dict[str, Any], str]:
    from borgerblik.registers.survey_import import find_survey, import_register
    from borgerblik.registers.validation import read_register

    survey = find_survey(db, str(job.survey_id))
    suffix = Path(str(job.params.get("filename", "udtraek.csv"))).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as folder:  # the extract holds CPR numbers: gone when the job ends
        path = Path(folder) / f"udtraek{suffix}"
        path.write_bytes(upload or b"")
        report_progress(db, job.id, 10, "Udtrækket kontrolleres")
        check = read_register(path, None, survey.period_end)
        report_progress(db, job.id, 50, "Populationsreglerne anvendes, og populationen gemmes")
        imported = import_register(db, survey, check)
    rejects = check.rejects.select("line", "column", "reason", "value").head(REJECTS_SHOWN)
    result = {
        "accepted": check.accepted,
        "rejected_rows": check.rejected_rows,
        "reasons": check.reason_counts(),
        "rejects": rejects.to_dicts(),
        "rejects_total": check.rejects.height,
        "exclusions": [
            {"rule": e.rule, "description": e.description, "excluded": e.excluded}
            for e in imported.population.exclusions
        ],
        "population": imported.population.size,
        "added": imported.added,
        "already_imported": imported.already_imported,
    }
    return result, f"{imported.added} borgere tilføjet, {check.rejected_rows} rækker afvist"


def _sample(db: Database, job: JobRecord, _upload: bytes | None) -> tuple[dict[str, Any], str]:
    from borgerblik.registers.survey_import import find_survey
    from borgerblik.sampling.survey_sample import sample_survey

    survey = find_survey(db, str(job.survey_id))
    seed = int(job.params.get("seed", 2024))
    report_progress(db, job.id, 20, "Stikprøven trækkes")
    sample = sample_survey(db, survey, seed)
    totals = sample.group_totals()
    groups = [
        {"group": str(row[totals.columns[0]]), "sample": row["stikproeve"], "population": row["population"]}
        for row in totals.iter_rows(named=True)
    ]
    result = {"size": sample.size, "seed": seed, "groups": groups}
    return result, f"Stikprøve på {sample.size} borgere trukket (seed {seed})"


RESULT_COLUMNS = {
    "breakdowns": (
        "question",
        "kommune",
        "by",
        "group",
        "n_valid",
        "n_dont_know",
        "mean",
        "pct_positive",
        "share_1",
        "share_2",
        "share_3",
        "share_4",
        "share_5",
        "suppressed",
        "suppression_note",
    ),
    "benchmark": (
        "question",
        "kommune",
        "n_valid",
        "mean",
        "pct_positive",
        "rank",
        "n_municipalities",
        "national_mean",
        "national_pct_positive",
        "difference",
        "p_value",
        "flag",
    ),
    "drivers": ("kommune", "outcome", "predictor", "rescaled_weight", "mean", "quadrant", "rank", "n_valid"),
}
"""What the results pages show of the analysis tables (all their rows, these columns)."""


def _analysis(db: Database, job: JobRecord, _upload: bytes | None) -> tuple[dict[str, Any], str]:
    """``borgerblik analyze --survey`` with its defaults: post-stratified on kommune × køn × alder ×
    målgruppe, on the drawn sample's stratified design. With the report's extras (``borgerblik report
    --survey``'s functions): the earlier stored waves as history, so the trends and each municipality's own,
    and the coded open answers' themes and quotes (:mod:`borgerblik.web.analysis_extras`)."""
    import polars as pl

    from borgerblik.analysis.answers import instrument_scales
    from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
    from borgerblik.reporting.from_database import (
        WAVE,
        municipal_trends,
        suppression_threshold,
        wave_history,
        wave_year,
    )
    from borgerblik.surveys import drawn_strata, stored_survey
    from borgerblik.web.analysis_extras import open_answer_rows, trend_rows
    from borgerblik.weighting import poststratify

    assert job.survey_id is not None
    scheme = "kl2024"
    report_progress(db, job.id, 10, "Svarene og populationen læses")
    stored = stored_survey(db, job.survey_id, (scheme,))
    cells = ["kommune", "koen", "aldersgruppe", f"maalgruppe_{scheme}"]
    weighting = poststratify(
        stored.respondents,
        stored.population_counts(cells),
        cells,
        design="stratified",
        drawn=drawn_strata(db, stored.record),
    )
    history = wave_history(db, stored.record)
    respondents = stored.respondents
    if history is not None:
        respondents = respondents.with_columns(pl.lit(wave_year(stored.record)).alias(WAVE))
    report_progress(db, job.id, 40, "Analysen kører")
    options = AnalysisOptions(
        bootstrap=int(job.params.get("bootstrap", 1000)),
        scheme=scheme,
        breakdown_columns=("aldersgruppe", "koen", "varighed", "tilknytning", f"maalgruppe_{scheme}"),
    )
    tables = analyze_survey(
        respondents,
        stored.instrument.scale_items(),
        stored.instrument.overall_question,
        design=weighting,
        options=options,
        history=history,
        scales=instrument_scales(stored.instrument),
    )
    if history is not None:
        tables.update(municipal_trends(respondents, weighting, history, stored.instrument))
    report_progress(db, job.id, 80, "Tendenser og åbne svar")
    threshold = suppression_threshold(stored.record)
    kept = {
        name: tables[name].select([c for c in columns if c in tables[name].columns]).to_dicts()
        for name, columns in RESULT_COLUMNS.items()
        if name in tables
    }
    questions = [
        {"id": q, "text": stored.instrument.question(q).text("da")} for q in stored.instrument.scale_items()
    ]
    result = {
        "tables": kept,
        "questions": questions,
        "respondents": stored.respondents.height,
        "trends": trend_rows(tables, threshold),
        "open_answers": open_answer_rows(db, stored, weighting, threshold),
    }
    return result, f"Analyse af {stored.respondents.height} besvarelser"


SPOOL_VARIABLE = "BORGERBLIK_SPOOL"
"""The folder a wave's PDF letters are written to before ``borgerblik fieldwork send`` (default udbakke)."""


def _wave(db: Database, job: JobRecord, _upload: bytes | None) -> tuple[dict[str, Any], str]:
    """``borgerblik fieldwork invite`` / ``remind`` from the survey's page: the same schedule functions.
    An invitation wave first gives every sampled citizen without one a link and a case code."""
    from datetime import datetime

    from borgerblik.fieldwork.pdf_letters import FontMissing
    from borgerblik.fieldwork.schedule import FieldworkPlan, queue_invitations, queue_reminder
    from borgerblik.storage.closing import CLOSED_AT

    assert job.survey_id is not None
    if db.survey(job.survey_id).settings.get(CLOSED_AT):
        raise StorageError("feltarbejdet er lukket; der sendes ikke flere breve")
    channels = tuple(job.params.get("channels") or ())
    at = datetime.fromisoformat(job.params["at"]) if job.params.get("at") else None
    spool = Path(os.environ.get(SPOOL_VARIABLE) or "udbakke")
    try:
        if job.kind == "invite":
            report_progress(db, job.id, 10, "Links og koder gives til de udtrukne")
            created = db.create_invitations(job.survey_id)
            report_progress(db, job.id, 30, "Invitationerne lægges i udbakken")
            plan = FieldworkPlan(invitation_channels=channels or FieldworkPlan().invitation_channels)
            summary = queue_invitations(db, job.survey_id, spool, at=at, plan=plan)
        else:
            created = 0
            number = int(job.params["number"])
            report_progress(db, job.id, 20, f"Påmindelse {number} lægges i udbakken")
            plan = FieldworkPlan(reminder_channels=channels or FieldworkPlan().reminder_channels)
            summary = queue_reminder(db, job.survey_id, spool, number, at=at, plan=plan)
    except FontMissing as exc:
        raise ValueError(str(exc)) from None
    result = {
        "wave": summary.wave,
        "links_created": created,
        "citizens": summary.citizens,
        "queued": dict(sorted(summary.queued.items())),
        "continue_where_left": summary.continue_where_left,
        "sms_segments": summary.sms_segments,
        "no_channel": len(summary.no_channel),
    }
    return (
        result,
        f"Bølge {summary.wave}: {summary.citizens} borgere, {sum(summary.queued.values())} beskeder i kø",
    )


REPORTS_VARIABLE = "BORGERBLIK_REPORTS"
"""The folder report sets are written to, one subfolder per survey and job (default rapporter)."""
REPORT_FORMATS = ("html", "pdf", "xlsx")


def _job_folder(variable: str, default: str, survey_id: int, job_id: int) -> Path:
    return Path(os.environ.get(variable) or default) / str(survey_id) / str(job_id)


def reports_folder(survey_id: int, job_id: int) -> Path:
    return _job_folder(REPORTS_VARIABLE, "rapporter", survey_id, job_id)


def _reports(db: Database, job: JobRecord, _upload: bytes | None) -> tuple[dict[str, Any], str]:
    """``borgerblik report --survey ID --municipality all``: the same functions, into the reports folder."""
    from borgerblik.reporting.from_database import analysed_survey
    from borgerblik.reporting.publish import choose_municipalities, write_reports
    from borgerblik.reporting.slugs import slug
    from borgerblik.reporting.tables import ReportInputError

    assert job.survey_id is not None
    formats = [f for f in job.params.get("formats", ["html", "xlsx"]) if f in REPORT_FORMATS]
    report_progress(db, job.id, 10, "Analysen køres")
    url = db.engine.url.render_as_string(hide_password=False)
    try:
        tables, instrument, title = analysed_survey(
            str(job.survey_id), url, int(job.params.get("bootstrap", 1000))
        )
        chosen, skipped = choose_municipalities(tables, instrument, "all")
        report_progress(db, job.id, 50, "Rapporterne skrives")
        out = reports_folder(job.survey_id, job.id)
        written = write_reports(tables, instrument, out, chosen, formats, "da", title, skipped=skipped)
    except ReportInputError as exc:
        raise ValueError(str(exc)) from None
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    result = {
        "formats": formats,
        "files": files,
        "municipalities": {name: slug(name) for name in chosen},
        "skipped": list(written.skipped),
        "reports": written.reports,
    }
    return result, f"{written.reports} rapporter skrevet ({', '.join(formats)})"


EXPORTS_VARIABLE = "BORGERBLIK_EXPORTS"
"""The folder data exports are written to, one subfolder per survey and job (default eksporter)."""
EXPORT_FORMATS = ("sav", "csv", "dta", "xlsx", "parquet")
EXPORT_LANGUAGES = ("da", "en")


def exports_folder(survey_id: int, job_id: int) -> Path:
    return _job_folder(EXPORTS_VARIABLE, "eksporter", survey_id, job_id)


def _export(db: Database, job: JobRecord, _upload: bytes | None) -> tuple[dict[str, Any], str]:
    """``borgerblik export --survey ID --format F --language L`` for each format asked, into the exports
    folder: the same function, which records each file in the audit log (who asked, format, rows)."""
    from borgerblik.interop.exports import default_path, export_survey
    from borgerblik.interop.writers import Format

    assert job.survey_id is not None
    formats = [f for f in job.params.get("formats", ["sav", "csv"]) if f in EXPORT_FORMATS]
    language = job.params.get("language", "da")
    if not formats or language not in EXPORT_LANGUAGES:
        raise ValueError("ukendt format eller sprog")
    out = exports_folder(job.survey_id, job.id)
    for number, fmt in enumerate(formats):
        report_progress(db, job.id, 10 + 80 * number // len(formats), f"{fmt} skrives")
        path = out / default_path(job.survey_id, Format(fmt), language).name
        done = export_survey(db, job.survey_id, fmt, language=language, out=path, actor=job.requested_by)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    result = {
        "formats": formats,
        "language": language,
        "files": files,
        "respondents": done.respondents,
        "variables": done.variables,
    }
    return result, f"{done.respondents} besvarelser, {done.variables} variable ({', '.join(formats)})"


def _purge(db: Database, job: JobRecord, _upload: bytes | None) -> tuple[dict[str, Any], str]:
    assert job.survey_id is not None
    result = purge_survey(db, job.survey_id, job.requested_by)
    return asdict(result), result.line()


RUNNERS: dict[str, Runner] = {
    "import_register": _import,
    "draw_sample": _sample,
    "purge": _purge,
    "analysis": _analysis,
    "invite": _wave,
    "remind": _wave,
    "reports": _reports,
    "export": _export,
}
JOB_NAMES = {
    "import_register": "Indlæsning af registerudtræk",
    "draw_sample": "Stikprøvetrækning",
    "purge": "Sletning af persondata",
    "analysis": "Analyse",
    "invite": "Invitationer",
    "remind": "Påmindelse",
    "reports": "Rapporter",
    "export": "Dataeksport",
}


def expected_errors() -> tuple[type[Exception], ...]:
    """The errors a job fails with as a message (bad input), not as a crash with a log entry."""
    from borgerblik.registers import TableError
    from borgerblik.sampling import DesignError

    return (StorageError, TableError, DesignError, ValueError)


def run_next_job(db: Database, worker: str | None = None) -> JobRecord | None:
    """Run the oldest queued job to its end; the job (as claimed) or None when there was none."""
    claimed = claim_job(db, worker or f"{socket.gethostname()}:{os.getpid()}")
    if claimed is None:
        return None
    job, upload = claimed
    try:
        result, message = RUNNERS[job.kind](db, job, upload)
    except expected_errors() as exc:
        fail_job(db, job.id, str(exc))
    except Exception as exc:  # noqa: BLE001 - the worker outlives a job's crash; the page says it failed
        log.exception("job %s (%s) fejlede", job.id, job.kind)
        fail_job(db, job.id, f"uventet fejl ({type(exc).__name__}); se workerens log")
    else:
        finish_job(db, job.id, result, message)
        if job.kind not in ("purge", "export"):  # these record themselves
            record_audit(db, job.requested_by, job.kind, f"undersøgelse {job.survey_id}: {message}")
    return job


def work(db: Database, stop: threading.Event, *, poll_seconds: float = 1.0) -> None:
    """Run jobs until ``stop`` is set, waiting ``poll_seconds`` whenever the queue is empty."""
    while not stop.is_set():
        if run_next_job(db) is None:
            stop.wait(poll_seconds)
