"""Writing a set of reports into the folder layout scripts rely on::

    DIR/index.html                       every report with its response figures
    DIR/landsrapport.html|.pdf|.xlsx
    DIR/kommuner/<slug>.html|.pdf|.xlsx

Everything is written into a temporary folder beside DIR first and moved into place only when every file
is done, so a failure never leaves half a report set.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from borgerblik.core import Instrument
from borgerblik.reporting.content import build_report
from borgerblik.reporting.excel import write_workbook
from borgerblik.reporting.html import render_html, render_index
from borgerblik.reporting.pdf import compile_many, typst_source
from borgerblik.reporting.slugs import closest
from borgerblik.reporting.tables import AnalysisTables, ReportInputError

FORMATS = ("html", "pdf", "xlsx")
NATIONAL_NAME = "landsrapport"
MUNICIPAL_DIR = "kommuner"


@dataclass(frozen=True)
class Written:
    index: Path
    reports: int
    skipped: tuple[str, ...]
    """Municipalities asked for by ``all`` with too few answers for any published figure."""
    untagged: tuple[tuple[str, str], ...] = ()
    """(PDF path within DIR, typst's reason) for each PDF typst would not make PDF/UA-1."""


def choose_municipalities(
    tables: AnalysisTables, instrument: Instrument, wanted: str | None
) -> tuple[list[str], list[str]]:
    """The municipalities of ``--municipality`` (names, comma-separated, or ``all``) and those left out."""
    if not wanted:
        return [], []
    shown = tables.municipalities(instrument.overall_question)
    if wanted.strip().lower() == "all":
        return shown, [m for m in tables.all_municipalities() if m not in shown]
    chosen = []
    known = {m.lower(): m for m in tables.all_municipalities()}
    for name in (n.strip() for n in wanted.split(",") if n.strip()):
        if name.lower() not in known:
            guess = closest(name, list(known.values()))
            hint = f" — mente du {guess}?" if guess else ""
            raise ReportInputError(f"kommunen '{name}' findes ikke i undersøgelsen{hint}")
        name = known[name.lower()]
        if name not in shown:
            raise ReportInputError(
                f"kommunen '{name}' har for få svar til en rapport (under {tables.threshold} gyldige svar)"
            )
        chosen.append(name)
    return chosen, []


def write_reports(
    tables: AnalysisTables,
    instrument: Instrument,
    out: Path,
    municipalities: Sequence[str] = (),
    formats: Sequence[str] = FORMATS,
    language: str = "da",
    survey_title: str | None = None,
    workers: int = 2,
    on_report: Callable[[str], None] | None = None,
    skipped: Sequence[str] = (),
    on_warning: Callable[[str], None] | None = None,
) -> Written:
    """Every report of ``municipalities`` (and the national one) in ``formats`` into ``out``; a PDF that typst
    would not make PDF/UA-1 is written untagged-as-UA and said so: through ``on_warning`` (default: stderr)
    and beside the report in index.html."""
    warn = on_warning or (lambda text: print(text, file=sys.stderr))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportInputError(
            f"--format: ukendt format {', '.join(unknown)} (kan være {', '.join(FORMATS)})"
        )
    if not tables.municipalities(instrument.overall_question) and tables.get("breakdowns") is None:
        raise ReportInputError("undersøgelsen har ingen respondenter")
    staging = _staging(out)
    try:
        (staging / MUNICIPAL_DIR).mkdir()
        entries, pdf_jobs = [], []
        for place in [None, *municipalities]:
            report = build_report(tables, instrument, place, language, survey_title)
            stem = staging / (f"{MUNICIPAL_DIR}/{report.slug}" if place else NATIONAL_NAME)
            rel = stem.relative_to(staging).as_posix()
            if "html" in formats:
                stem.with_suffix(".html").write_text(render_html(report), encoding="utf-8")
            if "xlsx" in formats:
                write_workbook(report, stem.with_suffix(".xlsx"))
            if "pdf" in formats:
                pdf_jobs.append((typst_source(report), stem.with_suffix(".pdf")))
            entries.append(
                {
                    "name": report.title,
                    "figures": [f for _, f in report.headline[:3]],
                    "files": [(f, f"{rel}.{f}") for f in formats],
                }
            )
            if on_report:
                on_report(report.title)
        untagged = [
            (c.path.relative_to(staging).as_posix(), c.untagged)
            for c in compile_many(pdf_jobs, workers=workers)
            if c.untagged
        ]
        for rel, reason in untagged:
            warn(f"advarsel: {rel} er ikke PDF/UA-mærket (typst: {reason}); PDF'en er skrevet uden")
        notes = dict(untagged)
        for entry in entries:
            entry["note"] = next((notes[h] for f, h in entry["files"] if f == "pdf" and h in notes), "")
        title = survey_title or instrument.title.present.get(language) or instrument.title.present["da"]
        (staging / "index.html").write_text(render_index(language, title, entries), encoding="utf-8")
        _move_into(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(out / "index.html", len(entries), tuple(skipped), tuple(untagged))


def _staging(out: Path) -> Path:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists() and not out.is_dir():
            raise ReportInputError(f"{out}: findes og er ikke en mappe")
        staging = Path(tempfile.mkdtemp(prefix=".rapporter-", dir=out.parent))
    except OSError as exc:
        raise ReportInputError(f"{out}: mappen kan ikke skrives ({exc.strerror})") from exc
    if out.exists():
        probe = out / ".borgerblik-probe"
        try:
            probe.touch()
            probe.unlink()
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ReportInputError(f"{out}: mappen kan ikke skrives ({exc.strerror})") from exc
    return staging


def _move_into(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    for path in sorted(staging.rglob("*")):
        target = out / path.relative_to(staging)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            path.replace(target)
