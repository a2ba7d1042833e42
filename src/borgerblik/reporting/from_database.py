"""A stored survey's analysis tables and fieldwork facts, computed as `borgerblik analyze --survey` does."""

from __future__ import annotations

from borgerblik.analysis import AnalysisInputError
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
from borgerblik.core import Instrument
from borgerblik.registers.survey_import import find_survey
from borgerblik.reporting.facts import survey_facts
from borgerblik.reporting.slugs import closest
from borgerblik.reporting.tables import AnalysisTables, ReportInputError
from borgerblik.storage import Database, StorageError
from borgerblik.surveys import stored_survey
from borgerblik.weighting import poststratify

CELLS = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]


def analysed_survey(
    survey: str, database: str | None, bootstrap: int = 1000
) -> tuple[AnalysisTables, Instrument, str]:
    from borgerblik.surveys import drawn_strata

    with Database(database) as db:
        try:
            record = find_survey(db, survey)
        except StorageError as exc:
            names = [s.name for s in db.surveys()]
            guess = closest(survey, names)
            hint = f" — mente du '{guess}'?" if guess else ""
            raise ReportInputError(f"{exc}{hint}") from exc
        stored = stored_survey(db, record.id)
        if not stored.respondents.height:
            raise ReportInputError(f"undersøgelse {record.id} ({record.name}) har ingen respondenter endnu")
        threshold = int(record.settings.get("suppression_threshold", 5))
        drawn = drawn_strata(db, stored.record)
        weighting = poststratify(
            stored.respondents,
            stored.population_counts(CELLS),
            CELLS,
            design="stratified" if drawn else "srs",
            drawn=drawn,
        )
        try:
            tables = analyze_survey(
                stored.respondents,
                stored.instrument.scale_items(),
                stored.instrument.overall_question,
                design=weighting,
                options=AnalysisOptions(threshold=threshold, bootstrap=bootstrap),
            )
        except AnalysisInputError as exc:
            raise ReportInputError(f"undersøgelse {record.id}: {exc}") from exc
        facts = survey_facts(db, stored, weighting)
    reminders = [
        int(d)
        for d in (facts["method"].filter(facts["method"]["key"] == "reminder_days")["label"][0] or "").split(
            ";"
        )
        if d
    ]
    return (
        AnalysisTables({**tables, **facts}, threshold=threshold, reminders=reminders),
        stored.instrument,
        record.name,
    )
