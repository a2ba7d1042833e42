"""`borgerblik drivers` and `borgerblik analyze`: thin over borgerblik.analysis.

Bad input is one clear line on stderr naming the file, line and column, with exit code 2; tables are
written only when the whole analysis succeeded, so a failure never leaves a half-written result.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl
import typer
from rich.table import Table as RichTable

from borgerblik.analysis import (
    AnalysisInputError,
    largest_differences,
    prepare_analysis_frame,
    relative_weights,
)
from borgerblik.analysis.answers import instrument_scales, parse_scale
from borgerblik.analysis.breakdowns import MUNICIPALITY
from borgerblik.analysis.casemix import CASEMIX_COLUMNS, casemix_scores
from borgerblik.analysis.funnel import funnel_curves, outside_statement
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey, write_tables
from borgerblik.cli.output import err, fail, out
from borgerblik.cli.weighting import DESIGN, Design
from borgerblik.core import Instrument, load_template
from borgerblik.core.errors import GroupingError, InstrumentError
from borgerblik.danish import decimal, integer
from borgerblik.registers.survey_import import find_survey
from borgerblik.storage import Database, StorageError
from borgerblik.surveys import drawn_strata, stored_survey
from borgerblik.text.analysis import open_answer_tables
from borgerblik.weighting import (
    RakingError,
    Weighting,
    WeightingInputError,
    fixed_weights,
    poststratify,
    read_csv,
)
from borgerblik.weighting.tables import ID_COLUMN, check_unique_ids, weights_column

DRIVER_COLUMNS = (
    "predictor",
    "raw_weight",
    "rescaled_weight",
    "raw_ci_low",
    "raw_ci_high",
    "rescaled_ci_low",
    "rescaled_ci_high",
    "mean",
    "n_valid",
    "quadrant",
    "rank",
)


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _read_csv(path: Path) -> pl.DataFrame:
    if not path.exists():
        fail(f"{path}: filen findes ikke")
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        reason = str(exc).splitlines()[0]
        fail(f"{path}: forventede en kommasepareret UTF-8-fil med overskriftslinje, fik {reason}")


def _load(
    responses: Path | None,
    survey: str | None,
    database: str | None,
    population: Path | None,
    strata: str | None,
    weights: Path | None,
    template: str,
    schemes: tuple[str, ...],
    design: Design,
) -> tuple[pl.DataFrame, Instrument, Weighting | None]:
    """The analysis frame, instrument and weighting of a stored survey or of files.

    A stored survey is post-stratified to its population in the cells of ``strata`` (default kommune, køn,
    aldersgruppe, målgruppe) on the design of the sample it drew; files are weighted only when given a
    population (post-stratified) or weights (fixed).
    """
    if (responses is None) == (survey is None):
        fail("angiv enten --responses (fil) eller --survey (database)")
    group = f"maalgruppe_{schemes[0]}"
    if survey is not None:
        with Database(database) as db:
            stored = stored_survey(db, find_survey(db, survey).id, schemes)
            drawn = None if design is Design.srs else drawn_strata(db, stored.record)
        cells = _columns(strata) if strata else ["kommune", "koen", "aldersgruppe", group]
        weighting = poststratify(
            stored.respondents, stored.population_counts(cells), cells, design=design.value, drawn=drawn
        )
        return stored.respondents, stored.instrument, weighting
    table = read_csv(responses)
    weighting = None
    if weights is not None:
        ids = check_unique_ids(table, ID_COLUMN)
        weighting = fixed_weights(ids, weights_column(read_csv(weights), ids, table))
    elif population is not None:
        if not strata:
            fail("--population kræver --strata (vægtningscellerne)")
        weighting = poststratify(table, read_csv(population), _columns(strata), design=design.value)
    return prepare_analysis_frame(table.frame, schemes=schemes), load_template(template), weighting


def drivers_command(
    data: Path = typer.Option(
        ..., "--data", help="Svarfil (CSV) med ét lukket spørgsmål pr. kolonne (1–5, 9)."
    ),
    outcome: str = typer.Option(..., "--outcome", help="Udfaldsspørgsmålet, fx samlet_tilfredshed."),
    predictors: str = typer.Option(..., "--predictors", help="Forklarende spørgsmål, kommasepareret."),
    scale: str = typer.Option(
        "1-5",
        "--scale",
        help="Svarenes skala: 1-5 (9 = ved ikke), 0-10 (99 = ved ikke), ja/nej, LAV-HØJ, eller numeric "
        "(ethvert tal, fx et kontinuert udfald).",
    ),
    dont_know: int = typer.Option(None, "--dont-know", help="Skalaens egen ved ikke-kode (fx 99)."),
    min_answered: float = typer.Option(
        0.5, "--min-answered", help="Mindste andel besvarede spørgsmål for at indgå (Rambøll: 0,5)."
    ),
    bootstrap: int = typer.Option(
        1000, "--bootstrap", help="Antal bootstrap-replikationer (0 = ingen intervaller)."
    ),
    seed: int = typer.Option(0, "--seed", help="Startværdi for bootstrap, så resultatet kan genskabes."),
    listwise: bool = typer.Option(
        False, "--listwise", help="Kun respondenter, der har besvaret alle spørgsmål (standard: parvis)."
    ),
    out_path: Path = typer.Option(None, "--out", help="Resultatfil (CSV); uden: kun tabellen på skærmen."),
) -> None:
    """Nøgledriveranalyse: relative vægte (Johnson 2000) af hvert spørgsmål på udfaldsspørgsmålet.

    Rå vægte summerer til R²; reskalerede vægte er i procent af R². Kvadranter efter middellinjerne:
    styrke, udfordring, svaghed, mulighed. Ved ikke-koden (1-5: 9) og tom er manglende; --scale numeric
    tager ethvert tal.

    Eksempel: borgerblik drivers --data svar.csv --outcome samlet_tilfredshed
    --predictors tillid,udgangspunkt,inddragelse --bootstrap 1000 --seed 1 --out drivere.csv
    """
    frame = _read_csv(data)
    try:
        result = relative_weights(
            frame,
            outcome,
            _columns(predictors),
            min_answered=min_answered,
            bootstrap=bootstrap,
            seed=seed,
            missing="listwise" if listwise else "pairwise",
            scale=parse_scale(scale, dont_know=dont_know),
        )
    except AnalysisInputError as exc:
        fail(f"{data}: {exc}")
    table = result.table.select(DRIVER_COLUMNS).sort("rank")
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        table.write_csv(out_path)
    view = RichTable(
        "Spørgsmål", "Rå vægt", "% af R²", "95 %-interval", "Gns.", "Kvadrant", title="Nøgledrivere"
    )
    for row in table.iter_rows(named=True):
        interval = (
            f"{decimal(row['rescaled_ci_low'], 1)}–{decimal(row['rescaled_ci_high'], 1)}"
            if row["rescaled_ci_low"] is not None and row["rescaled_ci_low"] == row["rescaled_ci_low"]
            else ""
        )
        view.add_row(
            row["predictor"],
            decimal(row["raw_weight"], 3),
            decimal(row["rescaled_weight"], 1),
            interval,
            decimal(row["mean"], 2),
            row["quadrant"],
        )
    out.print(view)
    out.print(
        f"R² = {decimal(result.r_squared, 3)} · {integer(result.n_included)} respondenter indgår, "
        f"{integer(result.n_excluded)} udeladt "
        f"(besvarede under {decimal(100 * min_answered, 0)} % af spørgsmålene)"
    )


def differences_command(
    data: Path = typer.Option(
        ..., "--data", help="Svarfil (CSV) med ét lukket spørgsmål pr. kolonne (1–5, 9)."
    ),
    outcome: str = typer.Option(
        ..., "--outcome", help="Spørgsmålet, der deler borgerne i høj (4–5) og lav (1–2)."
    ),
    questions: str = typer.Option(..., "--questions", help="Spørgsmål at sammenligne, kommasepareret."),
    top: int = typer.Option(8, "--top", help="Antal spørgsmål på skærmen (største forskelle først)."),
    out_path: Path = typer.Option(None, "--out", help="Resultatfil (CSV) med alle spørgsmål."),
) -> None:
    """Største forskelle: gennemsnit blandt borgere højt og lavt på et udfaldsspørgsmål, største først.

    Eksempel: borgerblik differences --data svar.csv --outcome jobmuligheder
    --questions tillid,udgangspunkt,inddragelse,klart_maal --out forskelle.csv
    """
    frame = _read_csv(data)
    try:
        table = largest_differences(frame, outcome, _columns(questions))
    except AnalysisInputError as exc:
        fail(f"{data}: {exc}")
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        table.write_csv(out_path)
    view = RichTable(
        "Spørgsmål", "Høj", "Lav", "Forskel", "n høj", "n lav", title=f"Største forskelle: {outcome}"
    )
    for row in table.head(top).iter_rows(named=True):
        view.add_row(
            row["question"],
            decimal(row["mean_high"]),
            decimal(row["mean_low"]),
            decimal(row["difference"]),
            integer(row["n_high"]),
            integer(row["n_low"]),
        )
    out.print(view)


def analyze_command(
    out_dir: Path = typer.Option(..., "--out", help="Mappe til tabellerne (Parquet + CSV og index.csv)."),
    responses: Path = typer.Option(
        None, "--responses", help="Svarfil (CSV) med respondent_id, registerfelter og svar."
    ),
    survey: str = typer.Option(
        None, "--survey", help="Undersøgelsens id eller navn i databasen (i stedet for --responses)."
    ),
    database: str = typer.Option(
        None, "--database", help="Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
    ),
    population: Path = typer.Option(None, "--population", help="Populationsfil (CSV) med strata og count."),
    strata: str = typer.Option(
        None, "--strata", help="Vægtningsceller, fx kommune,koen,aldersgruppe,maalgruppe_kl2024."
    ),
    weights: Path = typer.Option(
        None, "--weights", help="Vægtfil (respondent_id,weight) fra borgerblik weights."
    ),
    template: str = typer.Option(
        "kl-2024", "--template", help="Spørgeskemaskabelon med de lukkede spørgsmål."
    ),
    scheme: str = typer.Option(
        "kl2024",
        "--scheme",
        help="Målgruppegrupperinger til opdelinger, kommasepareret; den første bruges til test.",
    ),
    threshold: int = typer.Option(5, "--threshold", help="Mindste antal gyldige svar, før en gruppe vises."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap-replikationer i nøgledriveranalysen."),
    seed: int = typer.Option(0, "--seed", help="Startværdi for bootstrap."),
    differences_outcome: str = typer.Option(
        None,
        "--differences-outcome",
        help="Udfaldsspørgsmål for 'største forskelle' (standard: samlet tilfredshed).",
    ),
    history: Path = typer.Option(
        None, "--history", help="Tidligere bølger (CSV med kolonnen wave og evt. weight) til tendenser."
    ),
    design: Design = DESIGN,
) -> None:
    """Hele analysen af en undersøgelse: opdelinger, kommunesammenligning, test, tendenser og nøgledrivere.

    Fra en fil: uden --population/--weights er analysen uvægtet. Fra databasen (--survey) vægtes der altid
    efter populationen i databasen med cellerne i --strata (standard kommune, køn, aldersgruppe og målgruppe).
    Tabellerne er beskrevet i index.csv og docs/analysis.md.

    Med --history (tidligere bølger af samme undersøgelse) kommer tendenstabellerne med.

    Alle test er designbaserede (som R's svyttest/svyglm) på samme design som estimaterne. Fra databasen er
    stikprøvedesignet den udtrukne stikprøves egne strata og populationstal (med --design stratified).

    Eksempel: borgerblik analyze --responses svar.csv --population population.csv
    --strata kommune,koen,aldersgruppe,maalgruppe_kl2024 --out analyse/
    """
    schemes = tuple(_columns(scheme)) or ("kl2024",)
    source = str(responses) if responses is not None else f"undersøgelse {survey}"
    try:
        frame, instrument, weighting = _load(
            responses, survey, database, population, strata, weights, template, schemes, design
        )
        options = AnalysisOptions(
            threshold=threshold,
            bootstrap=bootstrap,
            seed=seed,
            scheme=schemes[0],
            differences_outcome=differences_outcome,
            breakdown_columns=(
                "aldersgruppe",
                "koen",
                "varighed",
                "tilknytning",
                *(f"maalgruppe_{name}" for name in schemes),
            ),
        )
        earlier = None
        if history is not None:
            earlier = prepare_analysis_frame(_read_csv(history), schemes=schemes)
        tables = analyze_survey(
            frame,
            instrument.scale_items(),
            instrument.overall_question,
            design=weighting,
            options=options,
            history=earlier,
            scales=instrument_scales(instrument),
        )
        tables.update(
            open_answer_tables(
                frame,
                instrument,
                weighting.weights if weighting is not None else None,
                threshold=threshold,
                seed=seed,
            )
        )
    except AnalysisInputError as exc:
        fail(f"{source}: {exc}")
    except (WeightingInputError, RakingError, InstrumentError, GroupingError, StorageError) as exc:
        fail(str(exc))
    staging = Path(
        tempfile.mkdtemp(prefix=".analyse-", dir=out_dir.parent if out_dir.parent.exists() else None)
    )
    try:
        write_tables(tables, staging)
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in staging.iterdir():
            path.replace(out_dir / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    statements = tables.get("statements")
    if statements is not None:
        for text in statements.filter(pl.col("question") == instrument.overall_question)["text"]:
            out.print(text)
    out.print(f"{len(tables)} tabeller skrevet til {out_dir} (se index.csv)")


def benchmark_command(
    survey: str = typer.Option(
        None, "--survey", help="Undersøgelsens id eller navn i databasen (i stedet for --responses)."
    ),
    question: str = typer.Option(
        None, "--question", help="Spørgsmålet (standard: skemaets samlede tilfredshed)."
    ),
    adjust: str = typer.Option(
        None,
        "--adjust",
        help="Borgersammensætningen der justeres for, kommasepareret (standard: målgruppe, aldersgruppe, "
        "køn, varighed og tilknytning, hvor de findes; tilføj mode for at justere for svarmåde).",
    ),
    database: str = typer.Option(
        None, "--database", help="Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
    ),
    responses: Path = typer.Option(
        None, "--responses", help="Svarfil (CSV) med respondent_id, kommune, baggrund og svar."
    ),
    population: Path = typer.Option(None, "--population", help="Populationsfil (CSV) med strata og count."),
    strata: str = typer.Option(None, "--strata", help="Vægtningsceller, kommasepareret."),
    weights: Path = typer.Option(None, "--weights", help="Vægtfil (respondent_id,weight)."),
    template: str = typer.Option("kl-2024", "--template", help="Spørgeskemaskabelon (ved --responses)."),
    scheme: str = typer.Option("kl2024", "--scheme", help="Målgruppegruppering til justeringen."),
    design: Design = DESIGN,
    threshold: int = typer.Option(5, "--threshold", help="Mindste antal gyldige svar, før en kommune vises."),
    out_path: Path = typer.Option(None, "--out", help="Resultatfil (CSV); uden: standard output."),
    funnel: Path = typer.Option(
        None, "--funnel", help="Tragtdiagrammets kontrolgrænser (CSV: n og grænserne ved 95 % og 99,8 %)."
    ),
) -> None:
    """Fair kommunesammenligning: observeret, forventet ud fra egne borgere og justeret score med interval.

    Forventet er landsmodellens score for kommunens egen sammensætning af borgere (designbaseret regression
    på alle kommuner); justeret = landstal + (observeret − forventet). Rang før og efter justering, og om
    kommunen ligger uden for tragtens kontrolgrænser (95 % og 99,8 %) omkring landstallet.

    Eksempel: borgerblik benchmark --survey "KL 2024" --question samlet_tilfredshed
    --adjust maalgruppe_kl2024,aldersgruppe,koen --out benchmark.csv
    """
    schemes = (scheme,)
    source = str(responses) if responses is not None else f"undersøgelse {survey}"
    try:
        frame, instrument, weighting = _load(
            responses, survey, database, population, strata, weights, template, schemes, design
        )
        scores = casemix_scores(
            frame,
            question or instrument.overall_question,
            adjust=_columns(adjust) if adjust else None,
            design=weighting,
            threshold=threshold,
        )
    except AnalysisInputError as exc:
        fail(f"{source}: {exc}")
    except (WeightingInputError, RakingError, InstrumentError, GroupingError, StorageError) as exc:
        fail(str(exc))
    table = scores.select(CASEMIX_COLUMNS).rename({MUNICIPALITY: "municipality"})  # the command's contract
    if out_path is None:
        sys.stdout.write(table.write_csv())
    else:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        table.write_csv(out_path)
    if funnel is not None:
        shown = scores.filter(pl.col("n").is_not_null())
        curves = funnel_curves(float(shown["national"][0]), float(shown["spread"][0]), int(shown["n"].max()))
        funnel.parent.mkdir(parents=True, exist_ok=True)
        curves.write_csv(funnel)
    err.print(f"Justeret for: {scores['adjusted_for'][0] or 'intet'}")
    err.print(outside_statement(scores))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("benchmark")(benchmark_command)
    app.command("drivers")(drivers_command)
    app.command("differences")(differences_command)
    app.command("analyze")(analyze_command)
