"""`borgerblik weights`, `borgerblik estimate` and `borgerblik nonresponse`: thin over borgerblik.weighting.

Analysts script these, so bad input is one clear line on stderr (file, line, column, expected, got, hint)
and exit code 2; output files are written to a temporary name and renamed, so nothing is half-written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import polars as pl
import typer

from borgerblik.cli.output import err, fail
from borgerblik.weighting import (
    RakingError,
    Weighting,
    WeightingInputError,
    estimate,
    fixed_weights,
    poststratify,
    rake,
    read_csv,
    trim_weights,
)
from borgerblik.weighting.estimates import scale_estimate
from borgerblik.weighting.nonresponse import mean_age, nonresponse_table, optout_ratio
from borgerblik.weighting.report import weights_report
from borgerblik.weighting.tables import ID_COLUMN, Table, check_unique_ids, weights_column


class Method(StrEnum):
    poststratify = "poststratify"
    rake = "rake"


class Design(StrEnum):
    """The sampling design, as R users state it (see weighting/design.py)."""

    stratified = "stratified"
    stratified_nofpc = "stratified-nofpc"
    srs = "srs"


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]



def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside ``path`` and rename, so a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_table(frame: pl.DataFrame, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(frame.write_csv())
        return
    if out.suffix.lower() == ".parquet":
        _write_atomically(out, lambda p: frame.write_parquet(p))
    else:
        _write_atomically(out, lambda p: frame.write_csv(p))


def _weighting(
    responses: Table,
    population: Path | None,
    strata: str | None,
    method: Method,
    min_cell: int,
    max_iterations: int,
    trim_upper: float | None,
    trim_lower: float | None,
    design_strata: str | None,
    design: Design = Design.stratified,
) -> Weighting:
    if population is None or not strata:
        fail("angiv --population og --strata (eller --weights til estimate)")
    columns = _columns(strata or "")
    table = read_csv(population)  # type: ignore[arg-type]
    sampling = _columns(design_strata) if design_strata else None
    if method is Method.rake and min_cell:
        fail("--min-cell gælder efterstratificering; raking samler ikke celler (brug --method poststratify)")
    if method is Method.rake:
        weighting = rake(
            responses, table, columns, max_iterations=max_iterations, design_strata=sampling,
            design=design.value,
        )
    else:
        weighting = poststratify(
            responses, table, columns, min_cell=min_cell, design_strata=sampling, design=design.value
        )
    if trim_upper is not None or trim_lower is not None:
        weighting = trim_weights(
            weighting,
            upper=trim_upper if trim_upper is not None else float("inf"),
            lower=trim_lower if trim_lower is not None else float("-inf"),
        )
    return weighting


RESPONSES = typer.Option(..., "--responses", help="Svarfil (CSV) med respondent_id, strata og svar.")
POPULATION = typer.Option(None, "--population", help="Populationsfil (CSV) med strata og count.")
STRATA = typer.Option(None, "--strata", help="Vægtningsvariable, kommasepareret, fx kommune,koen,alder.")
METHOD = typer.Option(Method.poststratify, "--method", help="poststratify (celler) eller rake (marginaler).")
MIN_CELL = typer.Option(0, "--min-cell", help="Slå celler med færre svar sammen med en nabocelle (0 = fra).")
MAX_ITER = typer.Option(100, "--max-iterations", help="Højeste antal raking-iterationer.")
TRIM_UPPER = typer.Option(None, "--trim-upper", help="Trim vægte over denne værdi (R: trimWeights).")
TRIM_LOWER = typer.Option(None, "--trim-lower", help="Trim vægte under denne værdi (R: trimWeights).")
DESIGN_STRATA = typer.Option(
    None, "--design-strata", help="Stikprøvens strata, hvis grovere end --strata (fx kommune)."
)
DESIGN = typer.Option(
    Design.stratified,
    "--design",
    help="Stikprøvedesign: stratified (uden tilbagelægning, fpc), stratified-nofpc (med tilbagelægning) "
    "eller srs (R's svydesign(ids=~1): ingen strata, ingen fpc). Raking kræver srs eller --design-strata.",
)


def weights_command(
    responses: Path = RESPONSES,
    population: Path = POPULATION,
    strata: str = STRATA,
    method: Method = METHOD,
    min_cell: int = MIN_CELL,
    max_iterations: int = MAX_ITER,
    trim_upper: float = TRIM_UPPER,
    trim_lower: float = TRIM_LOWER,
    design_strata: str = DESIGN_STRATA,
    design: Design = DESIGN,
    out: Path = typer.Option(None, "--out", help="Vægtfil (respondent_id,weight); uden: standard output."),
) -> None:
    """Beregn vægte ved efterstratificering (population / komplette svar pr. celle) eller raking.

    Eksempel: borgerblik weights --responses svar.csv --population population.csv
    --strata kommune,koen,alder,maalgruppe --out vaegte.csv
    """
    try:
        table = read_csv(responses)
        weighting = _weighting(
            table, population, strata, method, min_cell, max_iterations, trim_upper, trim_lower,
            design_strata, design,
        )
    except (WeightingInputError, RakingError) as exc:
        fail(str(exc))
        return
    _write_table(weighting.weights, out)
    for line in weights_report(weighting).lines():
        err.print(line)


def estimate_command(
    responses: Path = RESPONSES,
    questions: str = typer.Option(..., "--questions", help="Lukkede spørgsmål (1–5, 9), kommasepareret."),
    by: str = typer.Option("", "--by", help="Baggrundsvariable at opdele på, kommasepareret."),
    weights: Path = typer.Option(None, "--weights", help="Vægtfil fra borgerblik weights (faste vægte)."),
    population: Path = POPULATION,
    strata: str = STRATA,
    method: Method = METHOD,
    min_cell: int = MIN_CELL,
    max_iterations: int = MAX_ITER,
    trim_upper: float = TRIM_UPPER,
    trim_lower: float = TRIM_LOWER,
    design_strata: str = DESIGN_STRATA,
    design: Design = DESIGN,
    scale: str = typer.Option(
        "1-5",
        "--scale",
        help="Svarskala: 1-5 (fuld tabel med fordelinger), eller 0-10, ja/nej, LAV-HØJ, numeric (gennemsnit "
        "og andel positive med designbaserede SE).",
    ),
    dont_know: int = typer.Option(None, "--dont-know", help="Skalaens ved ikke-kode (1-5: 9; 0-10: 99)."),
    out: Path = typer.Option(None, "--out", help="Estimattabel, .csv eller .parquet; uden: standard output."),
) -> None:
    """Vægtede fordelinger, gennemsnit og andel positive med designbaserede standardfejl og 95 %-intervaller.

    Med --population og --strata kalibrerer kommandoen selv, og standardfejlene er det kalibrerede designs
    (som R's postStratify/rake + svyby). Med --weights bruges vægtene som faste.

    Eksempel: borgerblik estimate --responses svar.csv --population population.csv
    --strata kommune,koen,alder,maalgruppe --questions tillid,samlet_tilfredshed --by alder,koen
    --out estimater.csv
    """
    try:
        table = read_csv(responses)
        if weights is not None and (population is not None or strata):
            fail("brug enten --weights eller --population og --strata, ikke begge")
        if weights is not None:
            ids = check_unique_ids(table, ID_COLUMN)
            weighting = fixed_weights(ids, weights_column(read_csv(weights), ids, table))
        else:
            weighting = _weighting(
                table, population, strata, method, min_cell, max_iterations, trim_upper, trim_lower,
                design_strata, design,
            )
        if scale == "1-5" and dont_know in (None, 9):
            result = estimate(table, weighting, _columns(questions), _columns(by))
        else:
            from borgerblik.analysis.answers import parse_scale  # the analysis stack only when asked for

            chosen = parse_scale(scale, dont_know=dont_know)
            result = scale_estimate(
                table, weighting, _columns(questions), _columns(by), low=chosen.low, high=chosen.high,
                dont_know=chosen.dont_know, positive=chosen.positive,
            )
    except (WeightingInputError, RakingError, ValueError) as exc:
        fail(str(exc))
        return
    _write_table(result, out)


def nonresponse_command(
    sample: Path = typer.Option(..., "--sample", help="Stikprøven (CSV) med respondent_id og baggrund."),
    respondents: Path = typer.Option(..., "--respondents", help="respondent_id på dem, der svarede (CSV)."),
    by: str = typer.Option(..., "--by", help="Variable at sammenligne på, fx koen,aldersgruppe,maalgruppe."),
    optouts: Path = typer.Option(None, "--optouts", help="CSV med respondent_id for dem, der frameldte sig."),
    weights: Path = typer.Option(None, "--weights", help="Vægtfil, for fordelingen efter vægtning."),
    age_column: str = typer.Option("", "--age-column", help="Kolonne med alder i år, for gennemsnitsalder."),
    out: Path = typer.Option(None, "--out", help="Bortfaldstabel (CSV); uden: standard output."),
) -> None:
    """Bortfaldsanalyse: stikprøve mod respondenter (før og efter vægtning) og forholdet svar/framelding.

    Eksempel: borgerblik nonresponse --sample stikproeve.csv --respondents svar.csv
    --optouts frameldte.csv --by koen,aldersgruppe,maalgruppe,kommune --weights vaegte.csv
    """
    try:
        sample_table = read_csv(sample)
        answered = check_unique_ids(read_csv(respondents)).tolist()
        weight_frame = read_csv(weights).frame if weights is not None else None
        columns = _columns(by)
        table = nonresponse_table(sample_table, answered, columns, weights=weight_frame)
        if optouts is not None:
            opted = check_unique_ids(read_csv(optouts)).tolist()
            ratio = optout_ratio(sample_table, answered, opted, columns)
            table = table.join(ratio.select("variable", "group", "optout_n", "ratio"),
                               on=["variable", "group"], how="left")
        if age_column:
            ages = mean_age(sample_table, answered, age_column=age_column, weights=weight_frame)
            err.print(
                "Gennemsnitsalder: "
                + "; ".join(f"{k} {v:.1f}".replace(".", ",") for k, v in ages.items())
            )
    except WeightingInputError as exc:
        fail(str(exc))
        return
    _write_table(table, out)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("weights")(weights_command)
    app.command("estimate")(estimate_command)
    app.command("nonresponse")(nonresponse_command)
