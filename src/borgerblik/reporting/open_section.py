"""Coded open answers in the quote layout: per open question and sentiment group (satisfied, "hverken eller",
less satisfied — the text stage's groups), the themes with their number of answers and weighted share, and
beside each theme one to three anonymised quotes.

Quotes come only from ``open_answers_quotes``, which the text stage chooses from redacted answers and never
from a suppressed group; the report redacts each once more (a quote the redaction would change is shown as
redacted) and shows no quote twice in a report — nor a near copy (most of its word triples in a quote already
shown), so two citizens writing the same sentence do not fill a theme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from borgerblik.reporting.model import Block, Section, Sentence, Table, Theme
from borgerblik.reporting.tables import ROW
from borgerblik.reporting.texts import SENTIMENT

if TYPE_CHECKING:
    from borgerblik.reporting.content import ContentBuilder

GROUP_ORDER = ("tilfreds", "hverken eller", "mindre tilfreds")
QUOTES_PER_THEME = 3
ACCOUNTS = "open_answers_accounts"
SENTIMENT_TABLE = "open_answers_sentiment"
ALL_CODES = "(alle koder)"
"""The text stage's row for the question as a whole."""
NEAR = 0.8
"""Share of a quote's word triples already in a shown quote above which it counts as the same quote."""
_WORDS = re.compile(r"[^\w\[\]]+")
_MASKS = re.compile(r"\[+XXX\]+")


def redacted(text: str) -> str:
    """The quote redacted once more around its masks (``[[XXX]]`` from two redactions becomes ``[XXX]``; a
    mask is never redacted again into ``[[[XXX]]]``)."""
    from borgerblik.text.redaction import MASK, redact

    return MASK.join(redact(piece).text if piece.strip() else piece for piece in _MASKS.split(text))


def _triples(text: str) -> set[str]:
    words = _WORDS.sub(" ", text.casefold()).split()
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


class QuotePicker:
    """Remembers every quote shown in one report so none is shown twice."""

    def __init__(self) -> None:
        self.shown: list[set[str]] = []

    def take(self, text: str) -> str | None:
        quote = redacted(text).strip()
        if not quote:
            return None
        triples = _triples(quote)
        if any(len(triples & seen) >= NEAR * min(len(triples), len(seen)) for seen in self.shown):
            return None
        self.shown.append(triples)
        return quote


def open_answers(b: ContentBuilder) -> Section:
    w = b.w
    section = Section("aabne", w["open"], sheet="Åbne svar")
    accounts = b.t.get(ACCOUNTS)
    if accounts is None:
        found = _plain_tables(b)
        section.blocks += found or [Sentence((w["open_none"],))]
        return section
    quotes = b.t.get("open_answers_quotes")
    picker = QuotePicker()
    place = place_accounts(accounts, b.place)
    questions = [q.id for q in b.instrument.questions() if q.id in set(place["question"].to_list())]
    for question in questions:
        blocks = _question(b, question, place.filter(pl.col("question") == question), quotes, picker)
        sentiment = _sentiment(b, question)
        if blocks and sentiment is not None:
            blocks.append(sentiment)
        section.blocks += blocks
    if not section.blocks:
        section.blocks.append(Sentence((w["open_none"],)))
    elif picker.shown:
        section.blocks.append(Sentence((w["quotes_note"],)))
    return section


@dataclass(frozen=True)
class GroupThemes:
    """One sentiment group's themes of an open question in one place: the accounts rows with a share, largest
    first, and beside each the quotes to show (``quotes[i]`` for ``themes[i]``)."""

    group: str
    themes: tuple[dict[str, Any], ...]
    quotes: tuple[tuple[str, ...], ...]


def place_accounts(accounts: pl.DataFrame, place: str) -> pl.DataFrame:
    """The accounts rows of ``place`` (a municipality or ``alle``) that may be shown (not suppressed)."""
    return accounts.filter((pl.col("kommune") == place) & ~pl.col("suppressed").fill_null(False))


def question_themes(
    rows: pl.DataFrame, quotes: pl.DataFrame | None, question: str, place: str, picker: QuotePicker
) -> list[GroupThemes]:
    """The groups of ``question`` in ``place`` (satisfied, "hverken eller", less satisfied) with their themes
    and quotes, as the report lays them out; ``rows``: :func:`place_accounts`. The staff pages call it with
    the report's order of questions and one picker per place, so they show the report's own quotes."""
    rows = rows.filter(pl.col("question") == question)
    groups = sorted(
        rows["group"].unique().to_list(), key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else 9
    )
    found = []
    for group in groups:
        themes = rows.filter((pl.col("group") == group) & pl.col("share").is_not_null()).sort(
            ["share", "label"], descending=[True, False]
        )
        if not themes.height:
            continue
        listed = tuple(themes.iter_rows(named=True))
        chosen = tuple(tuple(_quotes(quotes, question, place, group, r["code"], picker)) for r in listed)
        found.append(GroupThemes(group, listed, chosen))
    return found


def _question(
    b: ContentBuilder, question: str, rows: pl.DataFrame, quotes: pl.DataFrame | None, picker: QuotePicker
) -> list[Block]:
    w = b.w
    q = b.instrument.question(question)
    text = q.text(b.lang) if b.lang in q.wording.present else q.text()
    blocks: list[Block] = [Sentence((w["open_question"].format(q=text),))]
    for found in question_themes(rows, quotes, question, b.place, picker):
        name = SENTIMENT[b.lang].get(found.group, found.group)
        first = found.themes[0]
        table = Table(
            w["open_themes"].format(g=name, q=b.heading(question) if q.label else question),
            [w["theme"], w["with_theme"], w["of_answers"]],
            [
                [
                    r["label"],
                    b.fig(ACCOUNTS, r, "with_code", "count"),
                    b.fig(ACCOUNTS, r, "share"),
                ]
                for r in found.themes
            ],
            sheet="Åbne svar",
        )
        count = b.fig(ACCOUNTS, first, "answers", "count")
        note = w["open_answers_n"].split("{n}")
        blocks += [Sentence((w["open_group"].format(g=name) + ": ", note[0], count, note[1])), table]
        for r, chosen in zip(found.themes, found.quotes, strict=True):
            if chosen:
                blocks.append(
                    Theme(
                        r["label"],
                        b.fig(ACCOUNTS, r, "with_code", "count"),
                        b.fig(ACCOUNTS, r, "share"),
                        chosen,
                        w["answers_unit"],
                    )
                )
    return blocks if len(blocks) > 1 else []


def _sentiment(b: ContentBuilder, question: str) -> Table | None:
    """VIVE's accounting per theme: of the answers with each theme, the weighted shares positive, neutral
    and negative (the text stage's ``open_answers_sentiment``); the question as a whole first, then the
    themes by their number of answers. A row the text stage suppressed (too few answers, or the one it
    would give away) is left out."""
    table = b.t.get(SENTIMENT_TABLE)
    if table is None:
        return None
    items = place_sentiments(table, question, b.place)
    if not items:
        return None
    w = b.w
    q = b.instrument.question(question)
    return Table(
        w["sentiment_table"].format(q=b.heading(question) if q.label else question),
        [
            w["theme"],
            w["with_theme"],
            w["sentiment_positive"],
            w["sentiment_neutral"],
            w["sentiment_negative"],
        ],
        [
            [
                w["all_answers"] if r["code"] == ALL_CODES else r["label"],
                b.fig(SENTIMENT_TABLE, r, "answers", "count"),
                b.fig(SENTIMENT_TABLE, r, "share_positiv"),
                b.fig(SENTIMENT_TABLE, r, "share_neutral"),
                b.fig(SENTIMENT_TABLE, r, "share_negativ"),
            ]
            for r in items
        ],
        sheet="Åbne svar",
    )


def place_sentiments(table: pl.DataFrame, question: str, place: str) -> list[dict[str, Any]]:
    """The rows of ``open_answers_sentiment`` the report shows for ``question`` in ``place``: the question as
    a whole (code ``ALL_CODES``) first, then the themes by their number of answers; suppressed rows left
    out."""
    rows = table.filter(
        (pl.col("question") == question)
        & (pl.col("kommune") == place)
        & ~pl.col("suppressed").fill_null(False)
        & pl.col("answers").is_not_null()
    )
    return sorted(
        rows.iter_rows(named=True), key=lambda r: (r["code"] != ALL_CODES, -r["answers"], r["label"] or "")
    )


def _quotes(
    quotes: pl.DataFrame | None, question: str, place: str, group: str, code: str, picker: QuotePicker
) -> list[str]:
    if quotes is None:
        return []
    pool = quotes.filter(
        (pl.col("question") == question)
        & (pl.col("kommune") == place)
        & (pl.col("group") == group)
        & (pl.col("code") == code)
    )
    chosen: list[str] = []
    for text in pool["quote"].to_list():
        quote = picker.take(text)
        if quote is not None:
            chosen.append(quote)
        if len(chosen) == QUOTES_PER_THEME:
            break
    return chosen


def _plain_tables(b: ContentBuilder) -> list[Block]:
    """Open-answer tables of another shape (no accounts): shown as they are, the place's rows only."""
    blocks: list[Block] = []
    for name, frame in b.t.open_answers().items():
        if name == "open_answers_quotes":
            continue  # quotes only beside their themes
        if "kommune" in frame.columns:
            frame = frame.filter(pl.col("kommune") == b.place)
        if "suppressed" in frame.columns:
            frame = frame.filter(~pl.col("suppressed").fill_null(False))
        if not frame.height:
            continue
        columns = [c for c in frame.columns if c not in (ROW, "suppressed", "kommune")]
        rows: list[list[Any]] = [
            [
                b.fig(name, r, c)
                if isinstance(r[c], int | float) and not isinstance(r[c], bool)
                else ("" if r[c] is None else str(r[c]))
                for c in columns
            ]
            for r in frame.head(200).iter_rows(named=True)
        ]
        blocks.append(Table(name.replace("_", " "), columns, rows, sheet="Åbne svar"))
    return blocks
