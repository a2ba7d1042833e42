"""The demo's last step: the national report and every municipal report of the demo survey."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console

from borgerblik.reporting.facts import survey_facts
from borgerblik.reporting.publish import choose_municipalities, write_reports
from borgerblik.reporting.tables import OPEN_ANSWERS, AnalysisTables
from borgerblik.storage import Database
from borgerblik.surveys import stored_survey


def publish_demo_reports(
    db: Database, survey_id: int, facts: dict[str, Any], workdir: Path, console: Console
) -> Path:
    """Reports from the tables the demo's analysis produced, with the survey's fieldwork facts; returns the
    path of index.html."""
    console.rule("8. Rapporter")
    stored = stored_survey(db, survey_id)
    weighting = facts["weighted"].weighting
    extra = survey_facts(db, stored, weighting)
    days = extra["method"].filter(extra["method"]["key"] == "reminder_days")["label"][0] or ""
    threshold = int(stored.record.settings.get("suppression_threshold", 5))
    coded = {p.stem: pl.read_parquet(p) for p in (workdir / "analyse").glob(f"{OPEN_ANSWERS}*.parquet")}
    reminders = [int(d) for d in days.split(";") if d]
    tables = AnalysisTables({**facts["tables"], **coded, **extra}, threshold=threshold, reminders=reminders)
    chosen, skipped = choose_municipalities(tables, stored.instrument, "all")
    written = write_reports(
        tables,
        stored.instrument,
        workdir / "rapporter",
        chosen,
        survey_title=stored.record.name,
        skipped=skipped,
    )
    console.print(f"Landsrapport og {len(chosen)} kommunerapporter i HTML, PDF og Excel")
    console.print(f"Åbn {written.index}")
    return written.index
