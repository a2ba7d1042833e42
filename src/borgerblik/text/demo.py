"""The demo's open-answer step: the stored answers (redacted on arrival) are given themes, a classifier is
trained on a seeded coded subset, and the top themes of satisfied and less satisfied citizens are printed —
with how well the discovered themes recover the ones the generator planted (its truth, which the stored
answers do not carry: they are composed, not fixed sentences)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl
from rich.console import Console

from borgerblik.core import Instrument, load_template
from borgerblik.danish import decimal, integer, share
from borgerblik.synth.open_themes import (
    IMPROVE_LESS_SATISFIED,
    IMPROVE_SATISFIED,
    WHY_LESS_SATISFIED,
    WHY_SATISFIED,
)
from borgerblik.text.accounts import LESS_SATISFIED, NATIONAL, SATISFIED, code_accounts, sentiment_groups
from borgerblik.text.analysis import open_answer_tables
from borgerblik.text.coding import train_suggester
from borgerblik.text.redaction import MASK, redact_all
from borgerblik.text.themes import agreement, discover_themes

QUESTION = "hvorfor_tilfreds"
CODED_SUBSET = 400
LABELS = {
    theme.code: theme.label
    for pool in (WHY_SATISFIED, WHY_LESS_SATISFIED, IMPROVE_SATISFIED, IMPROVE_LESS_SATISFIED)
    for theme in pool
}


def national_answers(seed: int) -> tuple[list[str], list[str]]:
    """The demo's answers to :data:`QUESTION` without the database: the national KL sample's simulated
    respondents, redacted as on arrival, with the theme the generator planted in each (for the tests and the
    benchmark to score theme discovery on the data the demo shows)."""
    from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork

    sample = proportional_sample(generate_register(seed=seed), seed=seed)
    fieldwork = simulate_fieldwork(sample, load_template("kl-2024"), seed=seed)
    answered = (
        fieldwork.respondents()
        .select("respondent_id", QUESTION)
        .join(fieldwork.truth.select("respondent_id", f"{QUESTION}_tema"), on="respondent_id")
        .filter(pl.col(QUESTION).is_not_null())
    )
    texts, _ = redact_all(answered[QUESTION].to_list())
    return texts, answered[f"{QUESTION}_tema"].to_list()


def open_answers_step(
    respondents: pl.DataFrame,
    instrument: Instrument,
    weights: pl.DataFrame,
    out_dir: Path,
    console: Console,
    planted: Mapping[str, str],
) -> dict[str, pl.DataFrame]:
    """Print the step and write the open-answer tables (``open_answers_*``) into ``out_dir``; ``planted`` is
    the generator's theme of each respondent's answer (respondent id → theme code)."""
    console.rule("7. Åbne svar")
    overall = instrument.overall_question
    if QUESTION not in respondents.columns:
        console.print(f"Ingen svar på {QUESTION}")
        return {}
    answers = respondents.select("respondent_id", "kommune", overall, QUESTION).filter(
        pl.col(QUESTION).is_not_null() & (pl.col(QUESTION) != "")
    )
    texts = answers[QUESTION].to_list()
    masked = sum(MASK in text for text in texts)
    console.print(
        f"{integer(len(texts))} svar på {QUESTION}; {integer(masked)} med navne, telefon- eller CPR-numre, "
        f"anonymiseret ved modtagelsen ({MASK})"
    )
    truth = [planted.get(str(r)) for r in answers["respondent_id"]]
    known = [i for i, theme in enumerate(truth) if theme is not None]
    found = discover_themes(texts, seed=2024)
    purity, ari = agreement(found.assignment[known], [truth[i] for i in known])
    console.print(
        f"Temaer fundet uden kodebog (NMF over ordstammer og ordpar, {len(found.themes)} temaer, det antal "
        f"der var mest stabilt mellem {min(found.stability)} og {max(found.stability)}): renhed "
        f"{decimal(purity)} og justeret Rand-indeks {decimal(ari)} mod generatorens "
        f"{len({truth[i] for i in known})} temaer"
    )
    coded = known[:CODED_SUBSET]
    suggester = train_suggester([texts[i] for i in coded], [[truth[i]] for i in coded], seed=2024)
    measured = [q for q in suggester.quality if q.precision == q.precision]
    console.print(
        f"Forslag trænet på {integer(len(coded))} kodede svar: krydsvalideret præcision "
        f"{decimal(min(q.precision for q in measured))}–{decimal(max(q.precision for q in measured))}, "
        f"genkaldelse {decimal(min(q.recall for q in measured))}–{decimal(max(q.recall for q in measured))}"
    )
    suggested = suggester.suggest(texts)
    codes = [[s[0][0]] if s else [] for s in suggested]
    for i in coded:
        codes[i] = [truth[i]]
    labels = LABELS
    frame = answers.rename({overall: "scale", QUESTION: "text"}).with_columns(
        pl.col("scale").cast(pl.Int64, strict=False), pl.Series("codes", codes, dtype=pl.List(pl.String))
    )
    frame = frame.join(
        weights.select(pl.col("respondent_id").cast(pl.String), "weight"), on="respondent_id", how="left"
    ).with_columns(pl.col("weight").fill_null(0.0))
    accounts = code_accounts(sentiment_groups(frame), labels)
    national = accounts.filter((pl.col("kommune") == NATIONAL) & ~pl.col("suppressed"))
    for group in (SATISFIED, LESS_SATISFIED):
        top = national.filter(pl.col("group") == group).sort("share", descending=True).head(3)
        listed = "; ".join(f"{r['label']} ({share(r['share'])})" for r in top.iter_rows(named=True))
        console.print(f"Hyppigste temaer blandt {group}e: {listed}")
    tables = open_answer_tables(
        respondents,
        instrument,
        weights,
        codes={QUESTION: dict(zip(frame["respondent_id"], codes, strict=True))},
        labels={QUESTION: labels},
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.write_parquet(out_dir / f"{name}.parquet")
        table.write_csv(out_dir / f"{name}.csv")
    console.print(f"{len(tables)} tabeller om åbne svar skrevet til {out_dir}")
    return tables
