"""`borgerblik register check|population|import`: register extracts from file to survey population.

Thin over borgerblik.registers. `check` and `population` need no database, so an extract can be checked
before anything is stored. Bad input is one clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from borgerblik.cli.output import fail, out
from borgerblik.danish import integer
from borgerblik.registers import (
    REASONS,
    MappingError,
    PopulationRulesError,
    RegisterCheck,
    TableError,
    apply_population_rules,
    load_mapping,
    load_population_rules,
    read_register,
)
from borgerblik.registers.survey_import import find_survey, import_register
from borgerblik.storage import Database, StorageError

register_app = typer.Typer(
    help="Registerudtræk: kontrollér et udtræk, se populationen, og indlæs det i en undersøgelse.",
    no_args_is_help=True,
)



def _reference_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--reference-date: forventede en dato ÅÅÅÅ-MM-DD, fik {text!r}")


def read_checked(file: Path, mapping: Path | None, reference: date | None) -> RegisterCheck:
    """Read and check an extract, turning every input problem into a clear exit-2 message."""
    try:
        columns = load_mapping(mapping) if mapping is not None else None
        return read_register(file, columns, reference)
    except (TableError, MappingError) as exc:
        fail(str(exc))


def print_check(check: RegisterCheck) -> None:
    out.print(f"Godkendt: {integer(check.accepted)} rækker")
    out.print(f"Afvist: {integer(check.rejected_rows)} rækker")
    for reason, count in check.reason_counts().items():
        out.print(f"  {reason}: {integer(count)} — {REASONS.get(reason, '')}")
    if check.blank_lines:
        out.print(f"Tomme linjer sprunget over: {integer(check.blank_lines)}")
    if not check.accepted and not check.rejected_rows:
        out.print(f"Advarsel: {check.source} har ingen datarækker — kun overskriftslinjen")
    unknown = check.unknown_municipalities()
    if unknown:
        names = ", ".join(f"{name} ({integer(count)})" for name, count in list(unknown.items())[:10])
        more = f" og {integer(len(unknown) - 10)} flere" if len(unknown) > 10 else ""
        out.print(
            f"Advarsel: kommunenavne uden for Danmarks 98 kommuner (rækkerne er godkendt; tjek stavningen, "
            f"ellers bliver hver stavemåde sit eget stratum): {names}{more}"
        )
    encoding = ENCODINGS.get(check.encoding, check.encoding)
    delimiter = DELIMITERS.get(check.delimiter or "", "")
    out.print(f"Læst som {encoding}" + (f", {delimiter}" if delimiter else ""))


ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 med BOM", "cp1252": "Windows-1252", "xlsx": "Excel (XLSX)"}
DELIMITERS = {",": "kommasepareret", ";": "semikolonsepareret", "\t": "tabulatorsepareret"}
MAPPING_HELP = "YAML-fil der kortlægger registerfelt → kolonneoverskrift, fx 'cpr: Personnummer'."


@register_app.command("check")
def check_command(
    file: Path = typer.Argument(..., help="Registerudtræk: CSV (komma/semikolon, UTF-8/cp1252) eller XLSX."),
    reference_date: str | None = typer.Option(
        None, "--reference-date", help="Dato alder beregnes på (ÅÅÅÅ-MM-DD); standard er i dag."
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Skriv afviste værdier hertil: line, column, reason, value (CPR maskeret)."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help=MAPPING_HELP),
) -> None:
    """Kontrollér et registerudtræk uden at gemme noget: antal godkendte og afviste pr. årsag.

    Eksempel: borgerblik register check udtraek.csv --reference-date 2023-12-31 --rejects afviste.csv
    """
    check = read_checked(file, mapping, _reference_date(reference_date))
    print_check(check)
    if rejects is not None:
        check.rejects_for_check().write_csv(rejects)
        out.print(f"Afviste værdier skrevet til {rejects}")


@register_app.command("population")
def population_command(
    file: Path = typer.Argument(..., help="Registerudtræk: CSV eller XLSX."),
    rules: str = typer.Option("kl2024", "--rules", help="Navnet på populationsreglerne (fx kl2024)."),
    rules_file: Path | None = typer.Option(
        None, "--rules-file", help="YAML-fil med populationsregler (standard: de medfølgende)."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help=MAPPING_HELP),
    report: Path | None = typer.Option(
        None, "--report", help="Skriv antal pr. kommune × målgruppe × køn × aldersgruppe hertil (CSV)."
    ),
) -> None:
    """Anvend en undersøgelses populationsregler på et udtræk og vis, hvor mange hver regel udelukker.

    Eksempel: borgerblik register population udtraek.csv --rules kl2024 --report population.csv
    """
    try:
        chosen = load_population_rules(rules, rules_file)
    except PopulationRulesError as exc:
        fail(str(exc))
    check = read_checked(file, mapping, chosen.age_at)
    print_check(check)
    population = apply_population_rules(check.members, chosen)
    for exclusion in population.exclusions:
        out.print(f"Udelukket af {exclusion.rule} ({exclusion.description}): {integer(exclusion.excluded)}")
    out.print(f"Population: {integer(population.size)} borgere")
    if report is not None:
        population.report().write_csv(report)
        out.print(f"Populationsrapport skrevet til {report}")


@register_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Registerudtræk: CSV eller XLSX."),
    survey: str = typer.Option(..., "--survey", help="Undersøgelsens id eller navn."),
    mapping: Path | None = typer.Option(None, "--mapping", help=MAPPING_HELP),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Fil til afviste rækker (standard: <udtræk>.rejects.csv ved siden af)."
    ),
    database: str | None = typer.Option(
        None, "--database", help="Database-URL (standard: BORGERBLIK_DATABASE_URL eller borgerblik.sqlite)."
    ),
) -> None:
    """Indlæs et udtræk i en undersøgelse: kontrol, populationsregler, og populationen gemmes.

    Afviste rækker skrives ved siden af udtrækket med fil, linje, kolonne og årsag. At indlæse samme
    fil igen tilføjer ingen: borgere, hvis CPR-nummer allerede er i undersøgelsen, springes over.

    Eksempel: borgerblik register import udtraek.csv --survey kl-2024
    """
    try:
        with Database(database) as db:
            record = find_survey(db, survey)
            check = read_checked(file, mapping, record.period_end)
            print_check(check)
            target = rejects or file.with_name(file.name + ".rejects.csv")
            check.rejects.write_csv(target)
            out.print(f"Afviste rækker og værdier skrevet til {target}")
            result = import_register(db, record, check)
    except (StorageError, PopulationRulesError) as exc:
        fail(str(exc))
    for exclusion in result.population.exclusions:
        out.print(f"Udelukket af {exclusion.rule} ({exclusion.description}): {integer(exclusion.excluded)}")
    out.print(f"Population: {integer(result.population.size)} borgere")
    out.print(
        f"Tilføjet til {result.survey.name}: {integer(result.added)}; "
        f"allerede indlæst: {integer(result.already_imported)}"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.add_typer(register_app, name="register")
