"""Population rules: which accepted register rows are in a survey's population, and why the others are not.

The rules are configuration (``population_rules.yaml``, one entry per survey) because every survey draws the
line differently; KL 2024 takes ages 16–66, all LAB target groups, an active course in 2023-Q4 and at least
one jobsamtale, opfølgningssamtale or fællessamtale med a-kasse in the quarter. Each exclusion is counted so
the method section can say how the register became the population.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from borgerblik.core.errors import BorgerblikError, InstrumentError
from borgerblik.core.yaml_source import read_yaml_file
from borgerblik.registers.cpr import age_expr, age_group_expr

DEFAULT_RULES = Path(__file__).with_name("population_rules.yaml")
STRATUM_COLUMNS: tuple[str, ...] = ("kommune", "maalgruppe", "koen", "aldersgruppe")


class PopulationRulesError(BorgerblikError, ValueError):
    """A population-rules file that does not say what a rule needs."""


@dataclass(frozen=True)
class PopulationRules:
    name: str
    title: str
    period_start: date
    period_end: date
    age_min: int
    age_max: int
    age_at: date
    target_groups: tuple[str, ...]
    conversation_types: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    rule: str
    description: str
    excluded: int


@dataclass(frozen=True)
class Population:
    """The members in the population (no CPR, no contact data) and the exclusions on the way."""

    rules: PopulationRules
    frame: pl.DataFrame
    register_count: int
    exclusions: tuple[Exclusion, ...]

    @property
    def size(self) -> int:
        return self.frame.height

    def report(self) -> pl.DataFrame:
        """Counts per municipality × target group × gender × age group."""
        return self.frame.group_by(list(STRATUM_COLUMNS)).len("antal").sort(list(STRATUM_COLUMNS))

    def exclusion_table(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "regel": [e.rule for e in self.exclusions],
                "beskrivelse": [e.description for e in self.exclusions],
                "udelukket": [e.excluded for e in self.exclusions],
            },
            schema={"regel": pl.String, "beskrivelse": pl.String, "udelukket": pl.Int64},
        )


def _date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise PopulationRulesError(f"{where}: forventede en dato ÅÅÅÅ-MM-DD, fik {value!r}") from exc


def _rules_from_mapping(name: str, data: Mapping[str, object], source: str) -> PopulationRules:
    where = f"{source}: {name}"
    try:
        period = data["period"]
        age = data["age"]
        if not isinstance(period, Mapping) or not isinstance(age, Mapping):
            raise PopulationRulesError(f"{where}: period og age skal være mappings med start/end og min/max")
        return PopulationRules(
            name=name,
            title=str(data.get("title", name)),
            period_start=_date(period["start"], f"{where}.period.start"),
            period_end=_date(period["end"], f"{where}.period.end"),
            age_min=int(age["min"]),
            age_max=int(age["max"]),
            age_at=_date(age.get("at", period["end"]), f"{where}.age.at"),
            target_groups=tuple(str(code) for code in data.get("target_groups", ())),  # type: ignore[union-attr]
            conversation_types=tuple(
                str(kind).strip().lower() for kind in data.get("conversation_types", ())  # type: ignore[union-attr]
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, PopulationRulesError):
            raise
        raise PopulationRulesError(
            f"{where}: populationsreglerne skal have period.start, period.end, age.min og age.max ({exc!r})"
        ) from exc


def load_population_rules(name: str = "kl2024", path: Path | str | None = None) -> PopulationRules:
    """The named survey's rules from ``path`` (default: the packaged ``population_rules.yaml``)."""
    source = Path(path) if path is not None else DEFAULT_RULES
    try:
        data = read_yaml_file(source).data
    except OSError as exc:
        raise PopulationRulesError(
            f"{source}: kan ikke læse populationsreglerne ({exc.strerror or exc})"
        ) from None
    except InstrumentError as exc:
        raise PopulationRulesError(
            "kan ikke læse populationsreglerne: " + "; ".join(map(str, exc.problems))
        ) from None
    if not isinstance(data, Mapping) or name not in data:
        known = ", ".join(sorted(data)) if isinstance(data, Mapping) else "ingen"
        raise PopulationRulesError(f"{source}: ingen populationsregler ved navn {name!r} (kendte: {known})")
    return _rules_from_mapping(name, data[name], str(source))


def _qualifying(samtaler: pl.Series, required: tuple[str, ...]) -> list[str]:
    """The distinct ``;``-joined conversation lists holding at least one required type."""
    wanted = set(required)
    return [
        value
        for value in samtaler.unique().to_list()
        if value is not None and wanted.intersection(value.split(";"))
    ]


def apply_population_rules(members: pl.DataFrame, rules: PopulationRules) -> Population:
    """Keep the members the rules admit; ages and age groups are recomputed at the rules' age date."""
    frame = members.with_columns(alder=age_expr(pl.col("foedselsdato"), rules.age_at)).with_columns(
        aldersgruppe=age_group_expr(pl.col("alder"))
    )
    steps: list[tuple[str, str, pl.Expr]] = [
        (
            "alder",
            f"alder {rules.age_min}–{rules.age_max} år den {rules.age_at.isoformat()}",
            pl.col("alder").is_between(rules.age_min, rules.age_max),
        ),
        (
            "maalgruppe",
            f"målgruppe blandt {', '.join(rules.target_groups)}",
            pl.col("maalgruppe").is_in(list(rules.target_groups)),
        ),
        (
            "aktiv_i_perioden",
            f"aktivt forløb i perioden {rules.period_start.isoformat()}–{rules.period_end.isoformat()}",
            (pl.col("ydelse_start") <= rules.period_end)
            & (pl.col("ydelse_slut").is_null() | (pl.col("ydelse_slut") >= rules.period_start)),
        ),
    ]
    if rules.conversation_types:
        steps.append(
            (
                "samtaletype",
                f"mindst én samtale af typen {', '.join(rules.conversation_types)}",
                pl.col("samtaler").is_in(_qualifying(frame["samtaler"], rules.conversation_types)),
            )
        )
    exclusions: list[Exclusion] = []
    for rule, description, keep in steps:
        before = frame.height
        frame = frame.filter(keep.fill_null(False))
        exclusions.append(Exclusion(rule, description, before - frame.height))
    return Population(rules, frame.drop("foedselsdato"), members.height, tuple(exclusions))
