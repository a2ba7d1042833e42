"""The complete analysis of one survey as a set of tables, the input of reports and the web app.

``analyze_survey`` runs every analysis of the package over one analysis frame and returns named tables;
``write_tables`` writes each as Parquet and CSV plus ``index.csv`` describing them. Every table that shows a
group obeys the suppression threshold with complementary suppression: the breakdowns across groups and
municipalities, the per-municipality and per-subgroup tables by hiding a small row together with the next
smallest of its line (``hidden_rows``), so no hidden figure follows from the published ones by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from borgerblik.analysis.answers import (
    DESIGN_ROW,
    AnalysisInputError,
    AnswerScale,
    as_share,
    is_likert,
    scale_for,
    scale_values,
)
from borgerblik.analysis.benchmark import benchmark_statements, municipality_benchmark
from borgerblik.analysis.breakdowns import (
    DEFAULT_BREAKDOWNS,
    ID_COLUMN,
    MUNICIPALITY,
    breakdowns,
    published_breakdowns,
    with_respondent_ids,
)
from borgerblik.analysis.casemix import DEFAULT_CASE_MIX, casemix_scores
from borgerblik.analysis.differences import largest_differences
from borgerblik.analysis.drivers import DriverResult, relative_weights, relative_weights_by_group
from borgerblik.analysis.funnel import funnel_curves
from borgerblik.analysis.modes import mode_effects
from borgerblik.analysis.significance import comparisons_frame, correlation_with, subgroups_vs_rest
from borgerblik.analysis.suppression import DEFAULT_THRESHOLD, TOTAL, hidden_rows
from borgerblik.analysis.trends import trend_from_responses
from borgerblik.weighting import SurveyDesign, Weighting, fixed_weights
from borgerblik.weighting.estimates import QUESTION_THREADS

WEIGHT = "_vaegt"
WAVE = "wave"
ASKED_TO_ALL = 0.9
"""A question counts as asked to everyone (and so enters the key-driver analysis) when at least this share of
respondents has an answer or "ved ikke" — routed questions such as taettere_job fall below it."""

TABLE_DESCRIPTIONS = {
    "breakdowns": "Fordeling, gennemsnit og andel positive pr. spørgsmål, nationalt og pr. kommune, opdelt "
    "efter alder, køn, varighed, tilknytning og målgruppe; små grupper diskretioneret",
    "benchmark": "Kommunernes gennemsnit og andel positive pr. spørgsmål med rang, landstal og test "
    "mod øvrige",
    "statements": "Sætninger om mest og mindst tilfredse kommune pr. spørgsmål",
    "significance": "Hver gruppe mod de øvrige (designbaseret t-test som R's svyttest) og kontrolleret for "
    "køn, etnicitet og varighed (designbaseret regression som R's svyglm)",
    "subgroups": "Delmålgrupper (LAB-kode) mod resten af deres målgruppe, som VIVE",
    "correlations": "Parvis korrelation mellem svar og alder/varighed",
    "drivers": "Relative vægte (Johnson 2000) på den samlede tilfredshed med bootstrap-intervaller og "
    "kvadrant",
    "drivers_summary": "R², antal inkluderede og udeladte respondenter pr. kommune i nøgledriveranalysen",
    "differences": "Største forskelle mellem borgere højt og lavt på et udfaldsspørgsmål",
    "trends": "Andel positive og gennemsnit pr. spørgsmål, bølge og målgruppe med gennemsnitsrække",
    "trend_changes": "Test af ændringen fra bølge til bølge pr. spørgsmål og målgruppe",
    "casemix": "Kommunernes observerede, forventede (ud fra egne borgere) og justerede score pr. spørgsmål "
    "med interval, rang før og efter og placering i tragtdiagrammet",
    "funnel": "Tragtdiagrammets kontrolgrænser (95 % og 99,8 %) omkring landstallet pr. spørgsmål",
    "modes": "Forskel mellem svarmåder (telefon, ansigt til ansigt mod web) efter justering for borgerne",
}


@dataclass(frozen=True)
class AnalysisOptions:
    """Choices of one survey's analysis; the defaults are KL 2024's."""

    threshold: int = DEFAULT_THRESHOLD
    bootstrap: int = 1000
    seed: int = 0
    min_answered: float = 0.5
    scheme: str = "kl2024"
    differences_outcome: str | None = None
    breakdown_columns: Sequence[str] = DEFAULT_BREAKDOWNS


def _with_design_weights(frame: pl.DataFrame, design: SurveyDesign | Weighting | None) -> pl.DataFrame:
    if design is None:
        return frame.with_columns(pl.lit(1.0).alias(WEIGHT))
    if isinstance(design, Weighting):
        design = design.design
    weights = pl.DataFrame({ID_COLUMN: design.ids.astype(str), WEIGHT: design.weights})
    joined = frame.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8)).join(
        weights, on=ID_COLUMN, how="left", maintain_order="left"
    )
    if joined.get_column(WEIGHT).null_count():
        row = int(joined.get_column(WEIGHT).is_null().arg_true()[0])
        raise AnalysisInputError(
            f"kolonne '{ID_COLUMN}', linje {row + 2}: respondenten '{joined[row, ID_COLUMN]}' har ingen vægt"
        )
    return joined


def driver_predictors(frame: pl.DataFrame, questions: Sequence[str], outcome: str) -> list[str]:
    """The questions asked to (nearly) everyone, as Rambøll's analysis uses only those."""
    return [
        q
        for q in questions
        if q != outcome and q in frame.columns and frame.get_column(q).is_not_null().mean() >= ASKED_TO_ALL
    ]


def analyze_survey(
    frame: pl.DataFrame,
    questions: Sequence[str],
    outcome: str,
    *,
    design: SurveyDesign | Weighting | None = None,
    options: AnalysisOptions | None = None,
    history: pl.DataFrame | None = None,
    scales: Mapping[str, AnswerScale] | None = None,
) -> dict[str, pl.DataFrame]:
    """All tables of the analysis (names as in TABLE_DESCRIPTIONS) for one wave's analysis frame.

    ``scales`` gives each question's scale (``analysis.answers.instrument_scales(instrument)``); a question
    not in it is 1–5. On 0–10 the figures are means and % positive by the scale's positive codes; on yes/no
    every mean-based figure (benchmark, tests, case mix) is the share answering positively ("ja"). The key
    drivers, largest differences and trends use the 1–5 questions (their rules are 1–5 rules).

    ``history`` holds earlier waves of the same survey (analysis frames with a ``wave`` column and, to be
    weighted, a ``weight`` column); with it the trend tables compare every wave with the next.
    """
    # hundreds of small tall-skinny products: BLAS threads only contend with each other on them
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyze(frame, questions, outcome, design, options or AnalysisOptions(), history, scales)


def _analyze(
    frame: pl.DataFrame,
    questions: Sequence[str],
    outcome: str,
    design: SurveyDesign | Weighting | None,
    options: AnalysisOptions,
    history: pl.DataFrame | None,
    given_scales: Mapping[str, AnswerScale] | None = None,
) -> dict[str, pl.DataFrame]:
    if WAVE in frame.columns and frame.get_column(WAVE).n_unique() > 1:
        waves = ", ".join(map(str, frame[WAVE].unique().sort()))
        raise AnalysisInputError(
            f"kolonne '{WAVE}': svarene rummer flere bølger ({waves}); "
            "analysér den seneste og giv de tidligere som historik (--history)"
        )
    frame = _with_design_weights(with_respondent_ids(frame), design)
    weight = WEIGHT if design is not None else None
    # every test runs in the survey's design (equal weights when unweighted); a filtered frame keeps its rows'
    # places in it, so a subgroup is a domain of the whole design as in R's subset
    tested = (design.design if isinstance(design, Weighting) else design) or fixed_weights(
        frame.get_column(ID_COLUMN).cast(pl.Utf8).to_numpy(), np.ones(frame.height)
    ).design
    frame = frame.with_columns(_design_positions(frame, tested))
    present = [q for q in questions if q in frame.columns]
    missing = [q for q in questions if q not in frame.columns]
    if missing:
        raise AnalysisInputError(f"svarfilen mangler spørgsmålene: {', '.join(missing)}")
    scales = {q: scale_for(given_scales, q) for q in present}
    for question in present:  # every answer code checked before any figure is computed
        scale_values(frame, question, scales[question])
    frame, scales = _shares_for_yes_no(frame, scales)
    likert = [q for q in present if is_likert(scales[q])]
    by = [b for b in options.breakdown_columns if b in frame.columns]
    tables: dict[str, pl.DataFrame] = {}
    raw = breakdowns(frame, present, design=design, by=by, scales=scales)
    tables["breakdowns"] = published_breakdowns(raw, threshold=options.threshold)
    if MUNICIPALITY in frame.columns:
        bench = municipality_benchmark(
            frame, present, threshold=options.threshold, design=tested, scales=scales
        )
        tables["benchmark"] = bench
        tables["statements"] = pl.DataFrame(
            [
                {"question": q, "kind": kind, "text": text}
                for q in present
                for kind, text in zip(
                    ("mest", "mindst", "alle"),
                    benchmark_statements(bench, q, satisfaction=q == outcome),
                    strict=False,
                )
            ],
            schema={"question": pl.Utf8, "kind": pl.Utf8, "text": pl.Utf8},
        )
    with ThreadPoolExecutor(QUESTION_THREADS) as pool:  # each breakdown's tests on their own
        significance = list(
            pool.map(
                lambda b: subgroups_vs_rest(
                    frame, present, b, min_n=options.threshold, design=tested, scales=scales
                ),
                by,
            )
        )
    tables["significance"] = pl.concat(significance or [comparisons_frame([])])
    tables["subgroups"] = _subgroups_within(frame, present, options, tested, scales)
    tables["correlations"] = _correlations(frame, present, tested, options.threshold, scales)
    drivers, summary = _drivers(frame, likert if outcome in likert else [], outcome, options)
    tables["drivers"], tables["drivers_summary"] = drivers, summary
    compared = options.differences_outcome or outcome
    tables["differences"] = _differences(frame, likert if compared in likert else [], compared, options)
    if MUNICIPALITY in frame.columns:
        tables["casemix"], tables["funnel"] = _casemix(frame, present, tested, options, scales)
    if "mode" in frame.columns and frame.get_column("mode").drop_nulls().n_unique() > 1:
        tables["modes"] = pl.concat(
            [
                mode_effects(frame, same, adjust=_mix(frame, options), design=tested, scale=scale)
                for scale, same in _by_scale(present, scales)
            ]
        )
    if history is not None:
        tables["trends"], tables["trend_changes"] = _trends(
            frame.drop(DESIGN_ROW), history, likert, options, weighted=weight
        )
    return tables


def _by_scale(
    questions: Sequence[str], scales: Mapping[str, AnswerScale]
) -> list[tuple[AnswerScale, list[str]]]:
    """The questions grouped by their scale, in order of first appearance."""
    groups: dict[AnswerScale, list[str]] = {}
    for question in questions:
        groups.setdefault(scales[question], []).append(question)
    return list(groups.items())


def _shares_for_yes_no(
    frame: pl.DataFrame, scales: dict[str, AnswerScale]
) -> tuple[pl.DataFrame, dict[str, AnswerScale]]:
    """Questions without a meaningful mean (yes/no) as 1 = positive, 0 = not, so every mean is a share."""
    shares = {q: as_share(frame, q, scale) for q, scale in scales.items() if not scale.has_mean}
    if not shares:
        return frame, scales
    frame = frame.with_columns(series for series, _ in shares.values())
    return frame, {**scales, **{q: scale for q, (_, scale) in shares.items()}}


def _mix(frame: pl.DataFrame, options: AnalysisOptions) -> list[str]:
    others = (c for c in DEFAULT_CASE_MIX if not c.startswith("maalgruppe"))
    wanted = [f"maalgruppe_{options.scheme}", *others]
    return [c for c in wanted if c in frame.columns]


def _casemix(
    frame: pl.DataFrame,
    questions: Sequence[str],
    design: SurveyDesign,
    options: AnalysisOptions,
    scales: Mapping[str, AnswerScale],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Case-mix adjusted scores and funnel limits for every question the model can be fitted for.

    The questions are independent and numpy releases the GIL in their large array operations, so they run
    on the machine's cores (as the estimate table's do); the order of the tables is the questions'."""
    mix = _mix(frame, options)

    def one(question: str) -> pl.DataFrame | None:
        try:
            return casemix_scores(
                frame,
                question,
                adjust=mix,
                design=design,
                threshold=options.threshold,
                scale=scales[question],
            )
        except AnalysisInputError:
            return None

    with ThreadPoolExecutor(QUESTION_THREADS) as pool:
        found = list(pool.map(one, questions))
    scores, curves = [], []
    for question, table in zip(questions, found, strict=True):
        if table is None:
            continue
        shown = table.filter(pl.col("n").is_not_null())
        if shown.height == 0:
            continue
        scores.append(table)
        curve = funnel_curves(float(shown["national"][0]), float(shown["spread"][0]), int(shown["n"].max()))
        curves.append(curve.select(pl.lit(question).alias("question"), pl.all()))
    return (pl.concat(scores) if scores else pl.DataFrame(), pl.concat(curves) if curves else pl.DataFrame())


def _design_positions(frame: pl.DataFrame, design: SurveyDesign) -> pl.Series:
    position = {str(rid): i for i, rid in enumerate(design.ids.tolist())}
    ids = frame.get_column(ID_COLUMN).cast(pl.Utf8).to_list()
    return pl.Series(DESIGN_ROW, [position[rid] for rid in ids], dtype=pl.Int64)


def _trends(
    frame: pl.DataFrame,
    history: pl.DataFrame,
    questions: Sequence[str],
    options: AnalysisOptions,
    weighted: str | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """This wave and the earlier ones, for everyone ("alle") and per target group; weighted only when every
    wave carries weights."""
    for name, part in (("svarene", frame), ("historikken", history)):
        if WAVE not in part.columns:
            raise AnalysisInputError(
                f"{name}: kolonne '{WAVE}' mangler (bølgens år) — den kræves for tendenser"
            )
    use_weights = weighted is not None and "weight" in history.columns
    earlier = history.with_columns(
        (pl.col("weight").cast(pl.Float64) if use_weights else pl.lit(1.0)).alias(WEIGHT)
    )
    waves = pl.concat([earlier, frame], how="diagonal_relaxed").with_columns(pl.col(WAVE).cast(pl.Int64))
    group = f"maalgruppe_{options.scheme}"
    weight = WEIGHT if use_weights else None
    trend, changes = trend_from_responses(waves, questions, wave_column=WAVE, weight=weight)
    if group in waves.columns:
        by_group = trend_from_responses(waves, questions, wave_column=WAVE, group_column=group, weight=weight)
        trend, changes = pl.concat([trend, by_group[0]]), pl.concat([changes, by_group[1]])
    return trend, changes


def _subgroups_within(
    frame: pl.DataFrame,
    questions: Sequence[str],
    options: AnalysisOptions,
    design: SurveyDesign,
    scales: Mapping[str, AnswerScale],
) -> pl.DataFrame:
    """VIVE's "delmålgruppe mod resten af målgruppen": LAB codes within each group of the scheme."""
    group = f"maalgruppe_{options.scheme}"
    if group not in frame.columns or "maalgruppe" not in frame.columns:
        return comparisons_frame([]).with_columns(pl.lit(None, dtype=pl.Utf8).alias("within"))
    parts = []
    for name in sorted(frame.get_column(group).drop_nulls().unique().to_list()):
        part = frame.filter(pl.col(group) == name)
        if part.get_column("maalgruppe").n_unique() < 2:
            continue
        table = subgroups_vs_rest(
            part, questions, "maalgruppe", min_n=options.threshold, design=design, scales=scales
        )
        parts.append(table.with_columns(pl.lit(name).alias("within")))
    if not parts:
        return comparisons_frame([]).with_columns(pl.lit(None, dtype=pl.Utf8).alias("within"))
    return pl.concat(parts)


def _correlations(
    frame: pl.DataFrame,
    questions: Sequence[str],
    design: SurveyDesign,
    threshold: int,
    scales: Mapping[str, AnswerScale],
) -> pl.DataFrame:
    rows = []
    for variable in ("alder", "varighed_uger"):
        if variable not in frame.columns:
            continue
        for question in questions:
            try:
                row = correlation_with(frame, question, variable, design=design, scale=scales[question])
            except AnalysisInputError:
                continue
            if row["n"] >= threshold:
                rows.append(row)
    schema = {
        "question": pl.Utf8,
        "variable": pl.Utf8,
        "n": pl.Int64,
        "correlation": pl.Float64,
        "test": pl.Utf8,
        "p_value": pl.Float64,
        "flag": pl.Utf8,
    }
    return pl.DataFrame(rows, schema=schema)


def _places(frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    places = [(TOTAL, frame)]
    if MUNICIPALITY in frame.columns:
        for name, part in sorted(frame.group_by(MUNICIPALITY), key=lambda item: str(item[0][0])):
            places.append((str(name[0]), part))
    return places


def _drivers(
    frame: pl.DataFrame, questions: Sequence[str], outcome: str, options: AnalysisOptions
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drivers nationally (bootstrap stratified by municipality) and per municipality.

    The predictors' means are published per municipality and nationally, so one hidden municipality could be
    recovered by subtraction; ``hidden_rows`` hides the next smallest as well.
    """
    predictors = driver_predictors(frame, questions, outcome)
    settings = {"min_answered": options.min_answered, "bootstrap": options.bootstrap, "seed": options.seed}
    found: dict[str, DriverResult | AnalysisInputError]
    try:
        if MUNICIPALITY in frame.columns:
            found = relative_weights_by_group(
                frame, outcome, predictors, MUNICIPALITY, total=TOTAL, **settings
            )
        else:
            found = {TOTAL: relative_weights(frame, outcome, predictors, **settings)}
    except AnalysisInputError as error:
        found = {TOTAL: error}
    results: list[tuple[str, DriverResult | None, str]] = [
        (place, None, str(result)) if isinstance(result, Exception) else (place, result, "")
        for place, result in found.items()
    ]
    # a municipality whose analysis failed is hidden anyway: it enters the line as a primary hidden cell
    sizes = np.array([0 if p == TOTAL else (r.n_included if r is not None else 1) for p, r, _ in results])
    hidden = hidden_rows(sizes, options.threshold) & (sizes > 0)
    tables, summary = [], []
    for (place, result, note), is_hidden in zip(results, hidden, strict=True):
        if is_hidden:
            result, note = (
                None,
                f"Færre end {options.threshold} respondenter her eller i en anden lille kommune",
            )
        if result is None:
            empty = {"r_squared": None, "n_included": None, "n_excluded": None}
            summary.append({MUNICIPALITY: place, **empty, "note": note})
            continue
        tables.append(
            result.table.with_columns(pl.lit(place).alias(MUNICIPALITY), pl.lit(outcome).alias("outcome"))
        )
        summary.append(
            {
                MUNICIPALITY: place,
                "r_squared": result.r_squared,
                "n_included": result.n_included,
                "n_excluded": result.n_excluded,
                "note": note,
            }
        )
    drivers = pl.concat(tables) if tables else pl.DataFrame()
    if tables:
        drivers = drivers.select(
            MUNICIPALITY, "outcome", *[c for c in drivers.columns if c not in (MUNICIPALITY, "outcome")]
        )
    summary_schema = {
        MUNICIPALITY: pl.Utf8,
        "r_squared": pl.Float64,
        "n_included": pl.Int64,
        "n_excluded": pl.Int64,
        "note": pl.Utf8,
    }
    return drivers, pl.DataFrame(summary, schema=summary_schema)


def _differences(
    frame: pl.DataFrame, questions: Sequence[str], outcome: str, options: AnalysisOptions
) -> pl.DataFrame:
    """Largest differences nationally and per municipality, hiding small ones as the drivers do."""
    parts, places = [], []
    for place, part in _places(frame):
        places.append(place)
        try:
            table = largest_differences(part, outcome, questions)
        except AnalysisInputError:
            continue
        parts.append(table.with_columns(pl.lit(place).alias(MUNICIPALITY)))
    if not parts:
        return pl.DataFrame()
    found = pl.concat(parts)
    # every municipality gets a row per question; one that could not be computed counts as a hidden cell
    grid = pl.DataFrame({MUNICIPALITY: places}).join(found.select("question").unique(), how="cross")
    table = grid.join(found, on=[MUNICIPALITY, "question"], how="left", maintain_order="left").with_columns(
        pl.col("n_high", "n_low").fill_null(1)
    )
    table = table.with_row_index("_row").with_columns(pl.lit(outcome).alias("outcome"))
    national = table.filter(pl.col(MUNICIPALITY) == TOTAL)
    local = table.filter(pl.col(MUNICIPALITY) != TOTAL)
    hidden: list[int] = []
    for _, line in local.group_by("question"):
        counts = line.select("n_high", "n_low").to_numpy()
        hidden += line.filter(pl.Series(hidden_rows(counts, options.threshold)))["_row"].to_list()
    small = (pl.col("n_high") < options.threshold) | (pl.col("n_low") < options.threshold)
    table = pl.concat([national.filter(~small), local.filter(~pl.col("_row").is_in(hidden))]).drop("_row")
    table = table.sort(
        pl.col(MUNICIPALITY) != TOTAL, MUNICIPALITY, pl.col("difference"), descending=[False, False, True]
    )
    return table.select(
        MUNICIPALITY, "outcome", *[c for c in table.columns if c not in (MUNICIPALITY, "outcome")]
    )


def write_tables(tables: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Each table as ``<name>.parquet`` and ``<name>.csv``, and ``index.csv`` naming and describing them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    index = []
    for name, table in tables.items():
        parquet, csv = out_dir / f"{name}.parquet", out_dir / f"{name}.csv"
        table.write_parquet(parquet)
        table.write_csv(csv)
        written += [parquet, csv]
        index.append({"table": name, "rows": table.height, "description": TABLE_DESCRIPTIONS.get(name, "")})
    index_path = out_dir / "index.csv"
    pl.DataFrame(index, schema={"table": pl.Utf8, "rows": pl.Int64, "description": pl.Utf8}).write_csv(
        index_path
    )
    return [*written, index_path]
