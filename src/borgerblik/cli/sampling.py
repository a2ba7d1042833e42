"""`borgerblik sample`: draw a survey's stratified sample, or draw from any frame with `sample draw`.

Thin over borgerblik.sampling. `sample draw` needs no database: a frame file and a sizes file in, the drawn
rows out. Bad input is one clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import typer

from borgerblik.cli.output import err, fail, out
from borgerblik.danish import decimal, integer, share
from borgerblik.registers import TableError, read_table
from borgerblik.registers.columns import fold_header
from borgerblik.registers.survey_import import find_survey
from borgerblik.registers.tabular import LINE, RawTable
from borgerblik.sampling import DesignError, SampleDesign, draw_sample, load_design, reachability_totals
from borgerblik.sampling.survey_sample import sample_survey, survey_channels
from borgerblik.storage import Database, StorageError

sample_app = typer.Typer(
    help="Stikprøver: træk en undersøgelses stratificerede stikprøve, eller træk fra en vilkårlig ramme.",
    invoke_without_command=True,
)



@sample_app.callback()
def sample_survey_command(
    ctx: typer.Context,
    survey: str | None = typer.Option(None, "--survey", help="Undersøgelsens id eller navn."),
    seed: int = typer.Option(
        2024, "--seed", help="Startværdi: samme seed og population giver samme stikprøve."
    ),
    design: str | None = typer.Option(
        None, "--design", help="Stikprøvedesign (kl2024, vive-kbh-2020, census); standard: undersøgelsens."
    ),
    database: str | None = typer.Option(
        None, "--database", help="Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Skriv stikprøverapporten (populations- og stikprøveandel pr. stratum) hertil."
    ),
) -> None:
    """Træk undersøgelsens stikprøve: pr. kommune proportionalt på køn × alder × målgruppe.

    Eksempel: borgerblik sample --survey kl-2024 --seed 2024
    """
    if ctx.invoked_subcommand is not None:
        return
    if survey is None:
        out.print(ctx.get_help())
        fail("angiv --survey ID (eller brug `borgerblik sample draw` uden database)")
    try:
        chosen = load_design(design) if design else None
        with Database(database) as db:
            record = find_survey(db, survey)
            sample = sample_survey(db, record, seed, chosen)
            channels = survey_channels(db, record.id, sample.frame)
    except (StorageError, DesignError) as exc:
        fail(str(exc))
    totals = sample.group_totals()
    out.print(
        f"Stikprøve for {record.name}: {integer(sample.size)} af {integer(int(totals['population'].sum()))} "
        f"borgere (seed {seed})"
    )
    for row in totals.iter_rows(named=True):
        out.print(f"  {row[totals.columns[0]]}: {integer(row['stikproeve'])} af {integer(row['population'])}")
    largest = float(sample.report()["afvigelse"].abs().max() or 0.0)
    out.print(f"Største afvigelse fra proportional fordeling: {decimal(largest, 3)} person")
    for row in reachability_totals(channels).iter_rows(named=True):
        out.print(f"  {row['beskrivelse']}: {integer(row['antal'])} ({share(row['andel'])})")
    if report is not None:
        sample.report().write_csv(report)
        out.print(f"Stikprøverapport skrevet til {report}")


def _column(table: RawTable, name: str, option: str) -> str:
    for header in table.headers:
        if header == name or fold_header(header) == fold_header(name):
            return header
    fail(f"{table.path}: {option} {name!r} er ikke en kolonne; kolonner: {', '.join(table.headers)}")


def _read(path: Path, what: str) -> RawTable:
    try:
        table = read_table(path)
    except TableError as exc:
        fail(str(exc))
    if table.ragged:
        first = table.ragged[0]
        fail(
            f"{path}: linje {first.line}: {first.fields} felter, forventede {len(table.headers)} "
            f"({len(table.ragged)} linjer i {what} har forkert antal felter)"
        )
    return table


def read_sizes(path: Path, within: str) -> dict[str, int]:
    """SIZES.csv: the group column and ``n`` — every value checked, each problem with its line."""
    table = _read(path, "størrelsesfilen")
    group = _column(table, within, "--within")
    n_column = _column(table, "n", "kolonnen")
    sizes: dict[str, int] = {}
    for line, name, value in table.frame.select(LINE, group, n_column).iter_rows():
        key = name or ""
        if value is None or not value.isdigit():
            fail(f"{path}: linje {line}, kolonne n: forventede et helt tal ≥ 0, fik {value!r}")
        if key in sizes:
            fail(f"{path}: linje {line}, kolonne {group}: gruppen {key!r} står to gange")
        sizes[key] = int(value)
    return sizes


@sample_app.command("draw")
def draw_command(
    frame_file: Path = typer.Option(..., "--frame", help="Rammen: CSV eller XLSX med en række pr. enhed."),
    within: str = typer.Option(..., "--within", help="Kolonnen stikprøvestørrelsen gælder inden for."),
    strata: str = typer.Option(..., "--strata", help="Stratakolonner adskilt af komma (koen,aldersgruppe)."),
    sizes_file: Path = typer.Option(
        ..., "--sizes", help="CSV med kolonnerne <within> og n; n større end gruppen giver hele gruppen."
    ),
    seed: int = typer.Option(..., "--seed", help="Startværdi: samme ramme og seed giver samme stikprøve."),
    out_file: Path | None = typer.Option(None, "--out", help="Fil til de udtrukne rækker (ellers stdout)."),
    report: Path | None = typer.Option(
        None, "--report", help="Skriv stikprøverapporten (populations- og stikprøveandel pr. stratum) hertil."
    ),
) -> None:
    """Træk en stratificeret stikprøve fra en vilkårlig ramme, proportionalt inden for hver gruppe.

    Inden for hver gruppe fordeles n på strata proportionalt med største-rest-afrunding, så n rammes
    præcist. Resultatet er rammens udtrukne rækker med de samme kolonner.

    Eksempel: borgerblik sample draw --frame f.csv --within kommune --strata koen,alder --sizes n.csv --seed 7
    """
    table = _read(frame_file, "rammen")
    within_column = _column(table, within, "--within")
    strata_columns = tuple(_column(table, s.strip(), "--strata") for s in strata.split(",") if s.strip())
    sizes = read_sizes(sizes_file, within)
    present = set(table.frame[within_column].fill_null("").unique().to_list())
    unused = sorted(set(sizes) - present)
    if unused:
        err.print(f"Bemærk: {sizes_file} nævner grupper, som ikke er i rammen: {', '.join(unused)}")
    design = SampleDesign(within=within_column, strata=strata_columns, mode="proportional", sizes=sizes)
    try:
        sample = draw_sample(table.frame, design, seed)
    except DesignError as exc:
        fail(f"{sizes_file}: {exc}")
    drawn = sample.frame.drop(LINE)
    delimiter = table.delimiter or ","
    if out_file is None:
        typer.echo(drawn.write_csv(separator=delimiter), nl=False)
        console = err
    else:
        drawn.write_csv(out_file, separator=delimiter)
        console = out
    console.print(
        f"Udtrak {integer(sample.size)} af {integer(table.frame.height)} rækker i "
        f"{integer(sample.group_totals().height)} grupper (seed {seed})"
        + (f" → {out_file}" if out_file else "")
    )
    if report is not None:
        sample.report().write_csv(report)
        console.print(f"Stikprøverapport skrevet til {report}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.add_typer(sample_app, name="sample")

