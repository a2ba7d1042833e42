"""The open-answer tables `borgerblik analyze` writes beside the others: per open question its themes, the
themes' (or the analysts' codes') weighted shares by sentiment group per municipality and nationally, each
theme's shares positive / neutral / negative (VIVE's accounting), and the quotes that may be shown.

Texts are redacted again here, whatever their source: answers read from a file never went through the save
path, and a second pass over redacted text changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from borgerblik.core import Instrument
from borgerblik.text.accounts import DEFAULT_THRESHOLD, choose_quotes, code_accounts, sentiment_groups
from borgerblik.text.redaction import redact
from borgerblik.text.sentiment import answer_sentiments, sentiment_accounts
from borgerblik.text.themes import Themes, discover_themes

RESPONDENT = "respondent_id"
MUNICIPALITY = "kommune"
#: Fewer written answers than this give no themes (NMF over a handful of sentences finds nothing to seed).
FEWEST_FOR_THEMES = 30


def open_answer_tables(
    frame: pl.DataFrame,
    instrument: Instrument,
    weights: pl.DataFrame | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    seed: int = 0,
    codes: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, pl.DataFrame]:
    """``open_answers_themes``, ``open_answers_accounts``, ``open_answers_sentiment`` and
    ``open_answers_quotes`` for every open
    question with answers. ``codes`` (question → respondent id → codes) replaces the discovered themes by the
    analysts' coding where given; ``labels`` names those codes."""
    themes_rows, accounts, quotes, sentiments = [], [], [], []
    for question in instrument.questions():
        if question.kind.value != "open" or question.id not in frame.columns:
            continue
        scale = question.follow_up_of or instrument.overall_question
        answered = _answers(frame, question.id, scale, weights)
        if answered.height == 0:
            continue
        given = (codes or {}).get(question.id)
        if given is not None:
            names = dict((labels or {}).get(question.id, {}))
            answered = answered.with_columns(
                pl.col(RESPONDENT)
                .replace_strict(
                    {k: list(v) for k, v in given.items()}, default=[], return_dtype=pl.List(pl.String)
                )
                .alias("codes")
            )
        elif answered.height >= FEWEST_FOR_THEMES:
            found = discover_themes(answered["text"].to_list(), seed=seed)
            names = _theme_labels(found)
            themes_rows += [
                (
                    question.id,
                    t.number,
                    names[_code(t.number)],
                    t.size,
                    ", ".join(t.terms),
                    "\n".join(t.typical),
                )
                for t in found.themes
            ]
            answered = answered.with_columns(
                pl.Series("codes", [[_code(a + 1)] if a >= 0 else [] for a in found.assignment])
            )
        else:
            continue
        grouped = sentiment_groups(answered)
        table = code_accounts(grouped, names, threshold=threshold)
        accounts.append(table.with_columns(pl.lit(question.id).alias("question")))
        quotes.append(choose_quotes(grouped, table).with_columns(pl.lit(question.id).alias("question")))
        judged = sentiment_accounts(answer_sentiments(grouped), names, threshold=threshold)
        sentiments.append(judged.with_columns(pl.lit(question.id).alias("question")))
    out: dict[str, pl.DataFrame] = {}
    if themes_rows:
        out["open_answers_themes"] = pl.DataFrame(
            themes_rows,
            schema=["question", "theme", "label", "answers", "terms", "typical"],
            orient="row",
        )
    if accounts:
        out["open_answers_accounts"] = _first(pl.concat(accounts, how="vertical_relaxed"), "question")
        out["open_answers_sentiment"] = _first(pl.concat(sentiments, how="vertical_relaxed"), "question")
        out["open_answers_quotes"] = _first(pl.concat(quotes, how="vertical_relaxed"), "question")
    return out


def _code(number: int) -> str:
    return f"tema_{number}"


def _theme_labels(found: Themes) -> dict[str, str]:
    return {_code(t.number): f"Tema {t.number}: {', '.join(t.terms[:3])}" for t in found.themes}


def _first(table: pl.DataFrame, column: str) -> pl.DataFrame:
    return table.select(column, *(c for c in table.columns if c != column))


def _answers(frame: pl.DataFrame, question: str, scale: str, weights: pl.DataFrame | None) -> pl.DataFrame:
    columns = [RESPONDENT, MUNICIPALITY, question, scale]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        return pl.DataFrame()
    answered = frame.select(
        pl.col(RESPONDENT).cast(pl.String),
        pl.col(MUNICIPALITY).cast(pl.String),
        pl.col(question).cast(pl.String).str.strip_chars().alias("text"),
        pl.col(scale).cast(pl.Int64, strict=False).alias("scale"),
    ).filter(pl.col("text").is_not_null() & (pl.col("text") != ""))
    answered = answered.with_columns(pl.col("text").map_elements(lambda t: redact(t).text, pl.String))
    if weights is None:
        return answered.with_columns(pl.lit(1.0).alias("weight"))
    w = weights.select(pl.col(RESPONDENT).cast(pl.String), pl.col("weight").cast(pl.Float64))
    return answered.join(w, on=RESPONDENT, how="left").with_columns(pl.col("weight").fill_null(0.0))
