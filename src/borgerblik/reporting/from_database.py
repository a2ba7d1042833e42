"""A stored survey's analysis tables and fieldwork facts, computed as `borgerblik analyze --survey` does.

Earlier waves are the other stored surveys of the same template with an earlier year (the year of the close
date, else of the period's end): their respondents, each wave weighted as the survey itself, are the
analysis's history, so the report's trend table and "largest changes since the previous wave" come from
answers actually collected.
"""

from __future__ import annotations

import polars as pl

from borgerblik.analysis import AnalysisInputError
from borgerblik.analysis.answers import instrument_scales
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
from borgerblik.core import Instrument
from borgerblik.registers.survey_import import find_survey
from borgerblik.reporting.facts import survey_facts
from borgerblik.reporting.measures import DISTRIBUTION, scale_distribution
from borgerblik.reporting.slugs import closest
from borgerblik.reporting.tables import AnalysisTables, ReportInputError
from borgerblik.storage import Database, StorageError, SurveyRecord
from borgerblik.surveys import StoredSurvey, stored_survey
from borgerblik.weighting import Weighting, poststratify
from borgerblik.weighting.tables import ID_COLUMN

CELLS = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
WAVE = "wave"


def wave_year(record: SurveyRecord) -> int | None:
    """The year a survey round is known by: its close date's, else its period end's."""
    when = record.reference_date or record.period_end
    return when.year if when else None


def earlier_waves(db: Database, record: SurveyRecord) -> list[SurveyRecord]:
    """Stored rounds of the same template from earlier years, oldest first (one per year: the latest made)."""
    year = wave_year(record)
    if year is None:
        return []
    found: dict[int, SurveyRecord] = {}
    for other in db.surveys():
        other_year = wave_year(other)
        if other.template_name == record.template_name and other_year is not None and other_year < year:
            found[other_year] = other
    return [found[y] for y in sorted(found)]


def _weighting(db: Database, stored: StoredSurvey) -> Weighting:
    from borgerblik.surveys import drawn_strata

    drawn = drawn_strata(db, stored.record)
    return poststratify(
        stored.respondents,
        stored.population_counts(CELLS),
        CELLS,
        design="stratified" if drawn else "srs",
        drawn=drawn,
    )


def suppression_threshold(record: SurveyRecord) -> int:
    """The survey's own threshold for small groups (its settings), else 5."""
    return int(record.settings.get("suppression_threshold", 5))


def wave_history(db: Database, record: SurveyRecord) -> pl.DataFrame | None:
    """The earlier waves' respondents with ``wave`` (the year) and ``weight`` (their own weighting): the
    ``history`` of :func:`~borgerblik.analysis.survey.analyze_survey`, for the report and the analysis job."""
    frames = []
    for earlier in earlier_waves(db, record):
        stored = stored_survey(db, earlier.id)
        if not stored.respondents.height:
            continue
        weights = _weighting(db, stored).weights.select(pl.col(ID_COLUMN).cast(pl.Utf8), "weight")
        year = pl.lit(wave_year(earlier)).alias(WAVE)
        answers = stored.respondents.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8), year)
        frames.append(answers.join(weights, on=ID_COLUMN, how="left"))
    return pl.concat(frames, how="diagonal_relaxed") if frames else None


def municipal_trends(
    respondents: pl.DataFrame, weighting: Weighting, history: pl.DataFrame, instrument: Instrument
) -> dict[str, pl.DataFrame]:
    """Each municipality's own trend table: the analysis's trend function with the municipality as the
    group (the same weighted % positive and mean per wave, and the same design-based tests of each change
    with the waves as strata), on the 1–5 questions as the national trends. The report suppresses them
    across municipalities as it does the target groups (``trends_section.published_trends``)."""
    from borgerblik.analysis.answers import is_likert
    from borgerblik.analysis.trends import trend_from_responses
    from borgerblik.reporting.trends_section import MUNICIPAL_CHANGES, MUNICIPAL_TRENDS

    scales = instrument_scales(instrument)
    questions = [q for q in instrument.scale_items() if is_likert(scales[q]) and q in respondents.columns]
    weights = weighting.weights.select(pl.col(ID_COLUMN).cast(pl.Utf8), "weight")
    current = respondents.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8)).join(
        weights, on=ID_COLUMN, how="left"
    )
    waves = pl.concat([history, current], how="diagonal_relaxed").with_columns(pl.col(WAVE).cast(pl.Int64))
    weight = "weight" if history.get_column("weight").null_count() == 0 else None
    trend, changes = trend_from_responses(
        waves, questions, wave_column=WAVE, group_column="kommune", weight=weight
    )
    return {MUNICIPAL_TRENDS: trend, MUNICIPAL_CHANGES: changes}


def analysed_survey(
    survey: str, database: str | None, bootstrap: int = 1000
) -> tuple[AnalysisTables, Instrument, str]:
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
        threshold = suppression_threshold(record)
        weighting = _weighting(db, stored)
        history = wave_history(db, record)
        respondents = stored.respondents
        if history is not None:
            respondents = respondents.with_columns(pl.lit(wave_year(record)).alias(WAVE))
        try:
            tables = analyze_survey(
                respondents,
                stored.instrument.scale_items(),
                stored.instrument.overall_question,
                design=weighting,
                options=AnalysisOptions(threshold=threshold, bootstrap=bootstrap),
                history=history,
                scales=instrument_scales(stored.instrument),
            )
        except AnalysisInputError as exc:
            raise ReportInputError(f"undersøgelse {record.id}: {exc}") from exc
        if history is not None:
            tables.update(municipal_trends(respondents, weighting, history, stored.instrument))
        # a 0–10 question's answers point by point (the breakdowns have the five shares of 1–5 only)
        tables[DISTRIBUTION] = scale_distribution(
            stored.respondents, weighting, stored.instrument, tables["breakdowns"]
        )
        facts = survey_facts(db, stored, weighting)
        facts.update(open_answers_of(db, stored, weighting, threshold))
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


def open_answers_of(
    db: Database, stored: StoredSurvey, weighting: Weighting, threshold: int, *, coded_only: bool = False
) -> dict:
    """The open-answer tables of the stored (redacted) answers: the analysts' codes where a question has
    been coded, else the themes the text stage finds (:func:`borgerblik.text.analysis.open_answer_tables`);
    ``coded_only``: the coded questions alone (the staff pages show the analysts' coding, and finding themes
    in the others would cost the analysis job time for nothing). Each question's tables are its own, so a
    coded question's rows are the same either way."""
    from borgerblik.storage.open_answers import codebook, coded_answers
    from borgerblik.text.analysis import open_answer_tables

    member_of = {i.id: i.member_id for i in db.invitations(stored.record.id)}
    codes: dict[str, dict[str, list[str]]] = {}
    labels: dict[str, dict[str, str]] = {}
    for question in stored.instrument.questions():
        if question.kind.value != "open":
            continue
        given = coded_answers(db, stored.record.id, question.id)
        if not given.height:
            continue
        by_member: dict[str, list[str]] = {}
        for invitation_id, code in given.select("invitation_id", "code").iter_rows():
            by_member.setdefault(str(member_of.get(invitation_id)), []).append(code)
        codes[question.id] = by_member
        labels[question.id] = {c.code: c.label for c in codebook(db, stored.record.id, question.id)}
    weights = weighting.weights.select(pl.col(ID_COLUMN).cast(pl.Utf8), "weight")
    respondents = stored.respondents
    if coded_only:
        uncoded = [
            q.id
            for q in stored.instrument.questions()
            if q.kind.value == "open" and q.id not in codes and q.id in respondents.columns
        ]
        respondents = respondents.drop(uncoded)
    return open_answer_tables(
        respondents, stored.instrument, weights, threshold=threshold, codes=codes, labels=labels
    )
