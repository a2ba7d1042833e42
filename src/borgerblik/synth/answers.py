"""Simulated answers in codes (shared contract 3), routed by the instrument itself.

Every citizen first gets an answer to every question; the instrument's own ``visible_questions``
then decides what was asked, so "not asked" is empty exactly as in the web questionnaire. Routing
depends only on a few register fields and earlier answers, so it is evaluated once per distinct
combination of them, not once per citizen.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from borgerblik.core import (
    DONT_KNOW,
    NO,
    YES,
    AllOf,
    AnswerIn,
    AnyOf,
    GroupIn,
    Instrument,
    Kind,
    Not,
    Question,
    RegisterIn,
    load_groupings,
)
from borgerblik.synth.open_answers import write_answers
from borgerblik.synth.satisfaction import (
    CUTPOINTS,
    DEFAULT_ITEM,
    ITEM_MODELS,
    OVERALL_DONT_KNOW,
    item_latent,
    to_scale,
)

STATUS_QUESTION = "status"
#: Codes of the status question: still in a course, or the course has ended (past-tense wording).
COURSE_ONGOING, COURSE_ENDED = 1, 2
#: Yes-shares of the KL status questions (assumed: the seed does not report them).
YES_SHARE = {"arbejdsgiver": 0.55, "andre_afdelinger": 0.45}
#: Share still in a course at answer time among those whose benefit had not ended in the register.
STILL_IN_COURSE = 0.85
ENDED_IN_REGISTER_STILL_IN_COURSE = 0.10
#: Shares of respondents who write something in the first and in later open questions.
WRITES_OPEN = (0.45, 0.40)


def simulate_answers(
    instrument: Instrument,
    strata: pl.DataFrame,
    latent: np.ndarray,
    status: pl.Series,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every question's answer for every citizen (before routing) and the open answers' truth.

    ``status`` (from :func:`draw_status`) is drawn before the latent satisfaction, which depends on it.
    """
    size = strata.height
    columns: dict[str, pl.Series] = {}
    truth: dict[str, pl.Series] = {}
    kommuner = sorted(set(strata["kommune"].to_list()))
    questions = _all_questions(instrument, kommuner)
    overall = to_scale(latent)
    satisfied = latent > CUTPOINTS[2]
    open_index = 0
    for question in questions:
        if question.kind is Kind.MATRIX:
            for item in question.items:
                columns[item.id] = _scale_answers(item.id, latent, rng)
        elif question.kind is Kind.SCALE:
            if question.id == instrument.overall_question:
                columns[question.id] = _with_dont_know(overall, OVERALL_DONT_KNOW, rng, question.id)
            else:
                columns[question.id] = _scale_answers(question.id, latent, rng)
        elif question.kind is Kind.YESNO:
            yes = rng.random(size) < YES_SHARE.get(question.id, 0.5)
            columns[question.id] = pl.Series(question.id, np.where(yes, YES, NO).astype(np.int8))
        elif question.kind is Kind.SINGLE and question.id == STATUS_QUESTION:
            columns[question.id] = status
        elif question.kind is Kind.SINGLE:
            codes = np.array(sorted(question.codes), dtype=np.int8)
            columns[question.id] = pl.Series(question.id, codes[rng.integers(0, codes.size, size)])
        elif question.kind is Kind.MULTI:
            codes = sorted(question.codes)
            chosen = rng.random((size, len(codes))) < 0.3
            columns[question.id] = pl.Series(
                question.id,
                [";".join(str(c) for c, on in zip(codes, row, strict=True) if on) or None for row in chosen],
            )
        elif question.kind is Kind.OPEN:
            writes = rng.random(size) < WRITES_OPEN[min(open_index, 1)]
            # A follow-up explains its parent's answer (VIVE: 1–2 "why dissatisfied", 3–5 "what helped");
            # free-standing open questions explain the overall verdict first, then suggest improvements.
            parent = columns.get(question.follow_up_of or "")
            reason_for = satisfied if parent is None else parent.is_between(3, 5).to_numpy()
            written = write_answers(reason_for, improvement=parent is None and open_index > 0, rng=rng)
            columns[question.id] = pl.Series(question.id, written.text).set(pl.Series(~writes), None)
            truth[f"{question.id}_tema"] = pl.Series(written.theme).set(pl.Series(~writes), None)
            truth[f"{question.id}_pii"] = pl.Series(
                np.where(
                    written.has_cpr,
                    "cpr",
                    np.where(written.has_phone, "telefon", np.where(written.has_name, "navn", "")),
                )
            ).set(pl.Series(~writes), None)
            open_index += parent is None
    return pl.DataFrame(columns), pl.DataFrame(truth)


def _scale_answers(item_id: str, latent: np.ndarray, rng: np.random.Generator) -> pl.Series:
    model = ITEM_MODELS.get(item_id, DEFAULT_ITEM)
    codes = to_scale(item_latent(latent, model, rng))
    return _with_dont_know(codes, model.dont_know, rng, item_id)


def _with_dont_know(codes: np.ndarray, share: float, rng: np.random.Generator, name: str) -> pl.Series:
    return pl.Series(name, np.where(rng.random(codes.size) < share, DONT_KNOW, codes).astype(np.int8))


def draw_status(strata: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
    """Still in a course (1) or ended (2), mostly as the register's end date says."""
    ended_in_register = (strata["ydelse_slut"].fill_null("") != "").to_numpy()
    still = np.where(
        ended_in_register,
        rng.random(strata.height) < ENDED_IN_REGISTER_STILL_IN_COURSE,
        rng.random(strata.height) < STILL_IN_COURSE,
    )
    return pl.Series(STATUS_QUESTION, np.where(still, COURSE_ONGOING, COURSE_ENDED).astype(np.int8))


def _all_questions(instrument: Instrument, kommuner: list[str]) -> list[Question]:
    """Questions in order, each municipality's local ones included once."""
    seen: dict[str, Question] = {}
    for kommune in [None, *kommuner]:
        for question in instrument.questions(kommune):
            seen.setdefault(question.id, question)
    return list(seen.values())


def route(instrument: Instrument, strata: pl.DataFrame, answers: pl.DataFrame) -> dict[str, np.ndarray]:
    """Which answer ids each citizen was asked, as a row mask per answer id in instrument order."""
    kommuner = sorted(set(strata["kommune"].to_list()))
    questions = _all_questions(instrument, kommuner)
    fields, schemes, asked_about = _routing_inputs(questions)
    context = strata.select(["kommune", *sorted(f for f in fields if f in strata.columns and f != "kommune")])
    all_schemes = load_groupings()
    for scheme in sorted(schemes):
        groups = {
            code: all_schemes[scheme].group_of(code) for code in strata["maalgruppe"].unique().to_list()
        }
        context = context.with_columns(
            strata["maalgruppe"].replace_strict(groups, return_dtype=pl.Utf8).alias(f"group:{scheme}")
        )
    key_frame = pl.concat([context, answers.select(sorted(asked_about))], how="horizontal")
    unique, inverse = _unique_rows(key_frame)
    order = {answer_id: i for i, answer_id in enumerate(a for q in questions for a in q.answer_ids)}
    visible_per_key: list[set[str]] = []
    for row in unique.iter_rows(named=True):
        row_context = {k: v for k, v in row.items() if k not in asked_about}
        row_answers: Mapping[str, object] = {
            k: v for k, v in row.items() if k in asked_about and v is not None
        }
        shown = instrument.visible_questions(row_context, row_answers, all_schemes)
        visible_per_key.append({answer_id for question in shown for answer_id in question.answer_ids})
    masks = {
        answer_id: np.array([answer_id in ids for ids in visible_per_key], dtype=bool)[inverse]
        for answer_id in answers.columns
    }
    return dict(sorted(masks.items(), key=lambda kv: order.get(kv[0], len(order))))


def _unique_rows(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    indexed = frame.with_row_index("_row")
    keys = frame.columns
    unique = frame.unique(maintain_order=True).with_row_index("_key")
    joined = indexed.join(unique, on=keys, how="left", nulls_equal=True).sort("_row")
    return unique.drop("_key"), joined["_key"].to_numpy()


def _routing_inputs(questions: list[Question]) -> tuple[set[str], set[str], set[str]]:
    """Register fields, grouping schemes and earlier questions the routing conditions look at."""
    fields: set[str] = set()
    schemes: set[str] = set()
    asked_about: set[str] = set()

    def walk(condition: object) -> None:
        if isinstance(condition, AnswerIn):
            asked_about.add(condition.question)
        elif isinstance(condition, RegisterIn):
            fields.add(condition.field)
        elif isinstance(condition, GroupIn):
            schemes.add(condition.scheme)
        elif isinstance(condition, AllOf | AnyOf):
            for part in condition.conditions:
                walk(part)
        elif isinstance(condition, Not):
            walk(condition.condition)

    for question in questions:
        for candidate in (question, *question.items, *question.follow_ups):
            if candidate.when is not None:
                walk(candidate.when)
    return fields, schemes, asked_about
