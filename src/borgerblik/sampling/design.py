"""Sample designs as configuration: where the sample size is set, the strata, and the sizing mode.

The KL municipal size rule is a saturating curve: the whole population under 1,500, otherwise from 1,500
rising towards 2,619 as the municipality grows (see ``designs.yaml`` for how its scale was fitted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from borgerblik.core.errors import BorgerblikError

DEFAULT_DESIGNS = Path(__file__).with_name("designs.yaml")
Mode = Literal["proportional", "census", "fixed_per_group"]
MODES: tuple[str, ...] = ("proportional", "census", "fixed_per_group")


class DesignError(BorgerblikError, ValueError):
    """A design that cannot be used as given."""


@dataclass(frozen=True)
class SizeRule:
    """Sample size of a group (municipality) from its population size."""

    census_below: int = 1500
    start: int = 1500
    ceiling: int = 2619
    scale: float = 2880.0

    def size(self, population: int) -> int:
        if population < self.census_below:
            return population
        grown = self.ceiling - (self.ceiling - self.start) * math.exp(
            -(population - self.census_below) / self.scale
        )
        return min(population, round(grown))


@dataclass(frozen=True)
class SampleDesign:
    within: str | None = "kommune"
    strata: tuple[str, ...] = ("koen", "aldersgruppe", "maalgruppe")
    mode: Mode = "proportional"
    size_rule: SizeRule = field(default_factory=SizeRule)
    #: explicit sample size per `within` group (overrides the size rule)
    sizes: Mapping[str, int] | None = None
    per_group: int = 40
    per_group_sizes: Mapping[str, int] = field(default_factory=dict)
    title: str = ""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise DesignError(f"ukendt stikprøvetype {self.mode!r}; forventede {', '.join(MODES)}")


def design_from_mapping(data: Mapping[str, object], where: str = "design") -> SampleDesign:
    rule = data.get("size_rule") or {}
    if not isinstance(rule, Mapping):
        raise DesignError(f"{where}.size_rule: forventede en mapping, fik {rule!r}")
    strata = data.get("strata") or []
    if isinstance(strata, str) or not isinstance(strata, list):
        raise DesignError(f"{where}.strata: forventede en liste af kolonner, fik {strata!r}")
    per_group_sizes = data.get("per_group_sizes") or {}
    if not isinstance(per_group_sizes, Mapping):
        raise DesignError(f"{where}.per_group_sizes: forventede en mapping, fik {per_group_sizes!r}")
    try:
        return SampleDesign(
            within=None if data.get("within") is None else str(data["within"]),
            strata=tuple(str(column) for column in strata),
            mode=str(data.get("mode", "proportional")),  # type: ignore[arg-type]
            size_rule=SizeRule(**{str(k): v for k, v in rule.items()}),
            per_group=int(data.get("per_group", 40)),  # type: ignore[call-overload]
            per_group_sizes={str(k): int(v) for k, v in per_group_sizes.items()},
            title=str(data.get("title", "")),
        )
    except TypeError as exc:
        raise DesignError(f"{where}: {exc}") from exc


def load_design(name: str = "kl2024", path: Path | str | None = None) -> SampleDesign:
    """A named design from ``path`` (default: packaged ``designs.yaml``: kl2024, vive-kbh-2020, census)."""
    source = Path(path) if path is not None else DEFAULT_DESIGNS
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DesignError(f"{source}: kan ikke læse stikprøvedesignet ({exc})") from exc
    if not isinstance(data, Mapping) or name not in data or not isinstance(data[name], Mapping):
        known = ", ".join(sorted(data)) if isinstance(data, Mapping) else "ingen"
        raise DesignError(f"{source}: intet stikprøvedesign ved navn {name!r} (kendte: {known})")
    return design_from_mapping(data[name], f"{source}: {name}")
