"""Positive, neutral and negative answers, as VIVE accounted for them (Jobcenter København 2020, section 2.5:
"hvilke uddybende besvarelser der er mest gennemgående for hhv. positive, negative og neutrale (hverken/eller)
besvarelser").

An answer's sentiment is its linked scale answer's where it has one, as VIVE's was: 4–5 positive, 3 neutral
("hverken eller"), 1–2 negative (:func:`scale_sentiment`). Where it has none (an open question without a
scale question, an imported note, a ``ved ikke``) the text decides (:func:`text_sentiment`): a Danish lexicon
over snowball stems with negation ("ikke god", "lytter ikke", "ingen klager"), intensifiers ("meget", "alt
for") and contrast — the clause after "men" weighs more, and praise and complaint of about equal weight are
"trækker i hver sin retning", VIVE's neutral; "hverken … eller" is neutral by its words. Its accuracy is
measured on ``tests/text/data/sentiment_set.txt`` (VIVE's own quotes labelled by VIVE's sections, and
sentences written before the lexicon), in the docs and ``make bench``.

:func:`sentiment_accounts` gives each code's (theme's) weighted shares of positive, neutral and negative per
area and nationally, with the same small-group suppression as the code accounts (primary and secondary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl
import snowballstemmer

from borgerblik.text.accounts import DEFAULT_THRESHOLD, NATIONAL, hidden_groups

POSITIVE = "positiv"
NEUTRAL = "neutral"
NEGATIVE = "negativ"
SENTIMENTS = (POSITIVE, NEUTRAL, NEGATIVE)

_POSITIVE_WORDS = """
    god godt gode bedre bedst bedste fin fint fine dejlig dejligt rar rart sød søde sødt venlig venlige
    venligt hjælpsom hjælpsomme hjælper hjalp hjulpet hjælpen lytter lyttede lyttet hørt hører forstår
    forstod forstået forståelse forstående tryg trygt tryghed tillid respekt respektfuld respektfuldt
    tilfreds tilfredse glad glade tak takket perfekt super fantastisk fantastiske dygtig dygtige kompetent
    kompetente engageret engagerede fleksibel fleksible imponerende effektiv effektive effektivt hurtig
    hurtigt klar klare mening meningsfuld meningsfulde lærerig lærerigt støtte støttende tålmodig
    tålmodighed motiverer motiverende motiveret positiv positivt anbefale anbefaler ordentlig ordentligt
    løsning løsninger trives saglig saglighed energisk energiske samarbejdsvillig samarbejdsvillige empatisk
    empatiske varm varme alvorligt fremgang fremdrift styr overraskende relevante relevant præmisser
    glæde
"""
_NEGATIVE_WORDS = """
    dårlig dårligt dårlige værre værst utilfreds utilfredse frustreret frustrerende frustration træt trætte
    stress stresset spild meningsløs meningsløse meningsløst ligegyldig ligegyldige ligegyldigt indholdsløst
    indholdsløs kaos kaotisk kontrol mistillid truer trussel trusler presser presset pres tvinger tvang
    ødelægger ødelagt nedbrudt stigmatiseret sygeliggjort urimelig urimelige urimeligt umulig umuligt
    uforskammet uforskammede afvisende elendig elendige forfærdelig forfærdeligt frygtelig frygteligt joke
    dum dumme ubehagelig ubehagelige uforstående firkantet firkantede kastet skubbet skubber trådt glemte
    glemt ventetid ventetiden klage klager klaget problem problemer uoverskuelig uoverskueligt lyver doven
    desperat umotiveret uinspireret hårdt hård usikker usikre ensformig ensformige gentager gentagelser
    skiftende sagsbehandlerskift bokse kasser ignoreret respektløs respektløst nedladende sur sure vred vrede
    ked skuffet skuffende ringe langsom langsomt besværlig besværligt
"""
_NEGATORS = frozenset(["ikke", "aldrig", "ingen", "intet", "ingenting", "hverken", "uden", "næppe"])
_INTENSIFIERS = frozenset(
    ["meget", "rigtig", "super", "virkelig", "utrolig", "utroligt", "ekstremt", "total", "totalt", "helt"]
)
_CONTRAST = frozenset(["men", "dog", "derimod", "alligevel"])
_TOKEN = re.compile(r"[^\W\d_]+|[.!?;:–—-]")
_CLAUSE_END = frozenset(".!?;:–—-")
NEGATION_REACH = 3
"""A negator turns the next sentiment word within this many words of its clause ("ikke særlig god")."""
MIXED_MARGIN = 1.0
"""Praise and complaint closer than this (and both there) make a mixed, neutral answer."""


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("danish")


@cache
def _lexicon() -> dict[str, float]:
    stemmer = _stemmer()
    words: dict[str, float] = {}
    for text, value in ((_NEGATIVE_WORDS, -1.0), (_POSITIVE_WORDS, 1.0)):
        for word in text.split():
            words[word] = value
    stems: dict[str, float] = {}
    for word, value in words.items():
        stem = stemmer.stemWord(word)
        # Short stems meet other words ("værre" and "været" are both "vær"); those match only as written.
        if len(stem) >= 4 and stem not in words:
            stems.setdefault(stem, value)
    return words | stems


@dataclass(frozen=True)
class Judgement:
    """The text's sentiment and the weights behind it (praise and complaint, after negation)."""

    sentiment: str
    positive: float
    negative: float


def text_sentiment(text: str | None) -> Judgement:
    """Positive, neutral or negative from the words of the (redacted) answer."""
    if not text:
        return Judgement(NEUTRAL, 0.0, 0.0)
    lexicon = _lexicon()
    stemmer = _stemmer()
    tokens = [t.casefold() for t in _TOKEN.findall(text)]
    positive = negative = 0.0
    negated_until = -1
    weight = 1.0
    boost = 1.0
    neither = False
    for i, token in enumerate(tokens):
        if token in _CLAUSE_END:
            negated_until, boost, neither = -1, 1.0, False
            continue
        if token in _CONTRAST:
            weight, negated_until, boost = 1.5, -1, 1.0  # what follows "men" is what the citizen means
            continue
        if token == "hverken":  # "hverken godt eller dårligt": the middle, whatever the words
            negated_until, neither = -1, True
            continue
        if neither:
            continue
        if token in _NEGATORS:
            negated_until = i + NEGATION_REACH
            continue
        if token in _INTENSIFIERS or token == "alt" and i + 1 < len(tokens) and tokens[i + 1] == "for":
            boost = 1.5
            continue
        value = lexicon.get(token)
        if value is None:
            value = lexicon.get(stemmer.stemWord(token))
        if value is None:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if i <= negated_until or following in _NEGATORS:  # "ikke god", "lytter ikke"
            value = -value * 0.8
            negated_until = -1
        value *= weight * boost
        boost = 1.0
        if value > 0:
            positive += value
        else:
            negative -= value
    if positive and negative and abs(positive - negative) < MIXED_MARGIN:
        return Judgement(NEUTRAL, positive, negative)
    score = positive - negative
    sentiment = POSITIVE if score >= 0.5 else NEGATIVE if score <= -0.5 else NEUTRAL
    return Judgement(sentiment, positive, negative)


def scale_sentiment(value: int | None, *, top: Sequence[int] = (4, 5), middle: int = 3) -> str | None:
    """VIVE's accounting by the linked scale answer: 4–5 positive, 3 neutral, 1–2 negative; ``ved ikke``
    (9) or no answer gives none."""
    if value is None or value not in (1, 2, 3, 4, 5):
        return None
    return POSITIVE if value in top else NEUTRAL if value == middle else NEGATIVE


def answer_sentiments(
    answers: pl.DataFrame, *, text: str = "text", scale: str | None = "scale"
) -> pl.DataFrame:
    """``answers`` with ``sentiment`` (the scale's where there is one, else the text's) and
    ``sentiment_source`` ("skala" or "tekst")."""
    scales = answers[scale].to_list() if scale and scale in answers.columns else [None] * answers.height
    sentiments, sources = [], []
    for value, body in zip(scales, answers[text].to_list(), strict=True):
        by_scale = scale_sentiment(value)
        sentiments.append(by_scale or text_sentiment(body).sentiment)
        sources.append("skala" if by_scale else "tekst")
    return answers.with_columns(
        pl.Series("sentiment", sentiments, dtype=pl.String), pl.Series("sentiment_source", sources)
    )


def sentiment_accounts(
    coded: pl.DataFrame,
    labels: dict[str, str],
    *,
    by: str = "kommune",
    weight: str = "weight",
    threshold: int = DEFAULT_THRESHOLD,
) -> pl.DataFrame:
    """Per area (and ``alle``) and code: the answers with the code, and the weighted shares positive, neutral
    and negative among them (VIVE's accounting per theme), plus one ``(alle koder)`` row per area for the
    question as a whole.

    A code with fewer than ``threshold`` answers in an area is suppressed, and so is its complement among
    the area's municipalities (national minus the others must not give it; :func:`hidden_groups`).
    ``coded``: a row per answer with ``by``, ``weight``, ``sentiment`` and ``codes`` (a list).
    """
    base = coded.filter(pl.col("sentiment").is_not_null()).with_columns(
        pl.col("codes").list.concat(pl.lit(["(alle koder)"])).alias("codes")
    )
    both = pl.concat([base, base.with_columns(pl.lit(NATIONAL).alias(by))], how="vertical_relaxed")
    exploded = both.explode("codes").filter(pl.col("codes").is_not_null()).rename({"codes": "code"})
    shares = [
        ((pl.col(weight) * (pl.col("sentiment") == s)).sum() / pl.col(weight).sum()).alias(f"share_{s}")
        for s in SENTIMENTS
    ]
    table = exploded.group_by(by, "code").agg(pl.len().alias("answers"), *shares)
    hidden = hidden_groups(table.rename({"code": "group"}), by=by, threshold=threshold).rename(
        {"group": "code"}
    )
    suppressed = pl.struct(by, "code").is_in(hidden.select(pl.struct(by, "code")).to_series().implode())
    values = ["answers", *(f"share_{s}" for s in SENTIMENTS)]
    return (
        table.with_columns(suppressed.alias("suppressed"))
        .with_columns(
            pl.col("code").replace_strict(labels, default=pl.col("code")).alias("label"),
            *(pl.when("suppressed").then(None).otherwise(pl.col(c)).alias(c) for c in values),
        )
        .select(by, "code", "label", *values, "suppressed")
        .sort([pl.col(by) != NATIONAL, by, "code"])
    )


def accuracy(rows: Iterable[tuple[str, str]]) -> tuple[float, dict[str, tuple[float, float]], int]:
    """(accuracy, per sentiment (precision, recall), answers) of :func:`text_sentiment` on (label, text)."""
    pairs = [(label, text_sentiment(text).sentiment) for label, text in rows]
    right = sum(label == guess for label, guess in pairs)
    per: dict[str, tuple[float, float]] = {}
    for s in SENTIMENTS:
        guessed = sum(guess == s for _, guess in pairs)
        actual = sum(label == s for label, _ in pairs)
        hit = sum(label == guess == s for label, guess in pairs)
        per[s] = (hit / guessed if guessed else 1.0, hit / actual if actual else 1.0)
    return right / len(pairs) if pairs else 1.0, per, len(pairs)
