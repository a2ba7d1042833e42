"""VIVE's positive / neutral / negative accounting: by the linked scale answer where there is one, else by the
text (measured on VIVE's own quotes and on sentences written before the lexicon), per answer and per theme,
weighted and suppressed like the code accounts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from borgerblik.text.evaluation import read_sentiment_set
from borgerblik.text.sentiment import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    accuracy,
    answer_sentiments,
    scale_sentiment,
    sentiment_accounts,
    text_sentiment,
)

SET = Path(__file__).with_name("data") / "sentiment_set.txt"


def test_the_labelled_set_has_vives_quotes_and_our_own_sentences():
    rows = read_sentiment_set(SET)
    assert len(rows) == 133
    assert sum(source.startswith("vive:") for _, _, source in rows) == 53
    assert {label for label, _, _ in rows} == {POSITIVE, NEUTRAL, NEGATIVE}


@pytest.mark.parametrize(
    ("part", "answers", "right", "per"),
    [
        ("alle", 133, 105, {POSITIVE: (0.84, 0.894), NEUTRAL: (0.59, 0.742), NEGATIVE: (0.909, 0.727)}),
        ("vive", 53, 35, {POSITIVE: (0.824, 0.824), NEUTRAL: (0.389, 0.636), NEGATIVE: (0.778, 0.56)}),
        ("egen", 80, 70, {POSITIVE: (0.848, 0.933), NEUTRAL: (0.762, 0.8), NEGATIVE: (1.0, 0.867)}),
    ],
)
def test_measured_accuracy_on_the_labelled_set(part, answers, right, per):
    rows = [
        (label, text)
        for label, text, source in read_sentiment_set(SET)
        if part == "alle" or source.startswith(part)
    ]
    share, measured, n = accuracy(rows)
    assert n == answers
    assert share == pytest.approx(right / answers)
    for sentiment, (precision, recall) in per.items():
        assert measured[sentiment] == pytest.approx((precision, recall), abs=5e-4), sentiment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Min rådgiver er super sød og hjælpsom.", POSITIVE),
        ("Min sagsbehandler lytter ikke.", NEGATIVE),
        ("Det er ikke godt nok.", NEGATIVE),
        ("Fin behandling, ikke noget at klage over.", POSITIVE),
        ("Hverken godt eller dårligt.", NEUTRAL),
        ("Jeg føler mig godt behandlet, men systemet er dårligt og firkantet.", NEGATIVE),
        ("Nogle er søde, andre er ubehagelige.", NEUTRAL),
        ("Jeg har været ledig i et halvt år.", NEUTRAL),
        ("", NEUTRAL),
    ],
)
def test_text_sentiment_reads_negation_contrast_and_the_middle(text, expected):
    assert text_sentiment(text).sentiment == expected


def test_the_scale_decides_where_there_is_one_as_vive_did():
    assert [scale_sentiment(v) for v in (1, 2, 3, 4, 5, 9, None)] == [
        NEGATIVE,
        NEGATIVE,
        NEUTRAL,
        POSITIVE,
        POSITIVE,
        None,
        None,
    ]
    frame = pl.DataFrame(
        {"text": ["Elendig service.", "Elendig service.", "Tak for hjælpen."], "scale": [5, 9, None]}
    )
    judged = answer_sentiments(frame)
    assert judged["sentiment"].to_list() == [POSITIVE, NEGATIVE, POSITIVE]
    assert judged["sentiment_source"].to_list() == ["skala", "tekst", "tekst"]


def _rows(kommune: str, n: int, sentiment: str, codes: list[str], weight: float = 1.0) -> list[tuple]:
    return [(kommune, weight, sentiment, codes) for _ in range(n)]


def test_sentiment_per_theme_is_weighted_and_small_themes_suppressed_twice():
    rows = (
        _rows("Aarhus", 6, POSITIVE, ["lyttet"], 2.0)
        + _rows("Aarhus", 4, NEGATIVE, ["lyttet"])
        + _rows("Aarhus", 3, NEGATIVE, ["ventetid"])
        + _rows("Billund", 7, NEUTRAL, ["ventetid"])
        + _rows("Esbjerg", 20, NEGATIVE, ["ventetid"])
        + _rows("Esbjerg", 5, POSITIVE, ["lyttet"])
    )
    frame = pl.DataFrame(rows, schema=["kommune", "weight", "sentiment", "codes"], orient="row")
    table = sentiment_accounts(frame, {"lyttet": "Lyttet til mig"}, threshold=5)
    aarhus = table.filter((pl.col("kommune") == "Aarhus") & (pl.col("code") == "lyttet")).row(0, named=True)
    assert aarhus["label"] == "Lyttet til mig" and aarhus["answers"] == 10
    assert aarhus["share_positiv"] == pytest.approx(12 / 16)
    assert aarhus["share_negativ"] == pytest.approx(4 / 16)
    assert aarhus["share_neutral"] == 0.0
    waiting = table.filter(pl.col("code") == "ventetid")
    hidden = sorted(waiting.filter(pl.col("suppressed"))["kommune"].to_list())
    assert hidden == ["Aarhus", "Billund"], (
        "Aarhus has 3; Billund hides with it so national − Esbjerg says nothing"
    )
    national = waiting.filter(pl.col("kommune") == "alle").row(0, named=True)
    assert national["answers"] == 30 and national["share_neutral"] == pytest.approx(7 / 30)
    whole = table.filter((pl.col("kommune") == "alle") & (pl.col("code") == "(alle koder)")).row(
        0, named=True
    )
    assert whole["answers"] == 45
