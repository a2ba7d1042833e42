"""Target-group grouping schemes (LAB 6.1–6.9 → a survey's reporting groups), read from YAML.

KL reports five groups, Copenhagen two and Rødovre seven benefit groups over the same register
field; keeping the mapping in ``groupings.yaml`` lets a new survey define its own without code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from borgerblik.core.errors import GroupingError, InstrumentError, Problem
from borgerblik.core.yaml_source import YamlSource, read_yaml

DEFAULT_GROUPINGS = Path(__file__).with_name("groupings.yaml")


@dataclass(frozen=True)
class Group:
    """One reporting group: the LAB codes (and benefit names) it gathers."""

    name: str
    label: str
    codes: tuple[str, ...]
    ydelser: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupingScheme:
    """A partition of the LAB target groups into named reporting groups."""

    name: str
    title: str
    groups: tuple[Group, ...]

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.groups)

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise GroupingError(
            f"gruppen '{name}' findes ikke i grupperingen '{self.name}' "
            f"(kendte grupper: {', '.join(self.group_names)})"
        )

    def group_of(self, maalgruppe: object, ydelse: object = None) -> str | None:
        """The group of a citizen, or None when neither benefit name nor LAB code is in the scheme.

        A benefit name (register field ``ydelse``) decides first, because it is finer than the
        LAB code (Rødovre's kontanthjælp vs uddannelseshjælp both contain aktivitetsparate).
        """
        if isinstance(ydelse, str) and ydelse.strip():
            wanted = ydelse.strip().casefold()
            for group in self.groups:
                if any(name.casefold() == wanted for name in group.ydelser):
                    return group.name
        code = normalise_lab_code(maalgruppe)
        for group in self.groups:
            if code in group.codes:
                return group.name
        return None


def normalise_lab_code(value: object) -> str | None:
    """'6.1', ' 6.1 ' and 6.1 all mean LAB target group 6.1."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@functools.cache
def _load_default() -> Mapping[str, GroupingScheme]:
    return _load(DEFAULT_GROUPINGS)


def load_groupings(path: str | Path | None = None) -> Mapping[str, GroupingScheme]:
    """All grouping schemes by name (``kl2024``, ``kbh``, ``rodovre`` ship with the package)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


def lab_group(code: object, scheme: str = "kl2024") -> str:
    """The group a LAB code belongs to in ``scheme``; unknown codes are an error, never dropped."""
    schemes = load_groupings()
    if scheme not in schemes:
        raise GroupingError(f"ukendt gruppering '{scheme}' (kendte: {', '.join(schemes)})")
    group = schemes[scheme].group_of(code)
    if group is None:
        raise GroupingError(
            f"målgruppe '{code}' hører ikke til nogen gruppe i grupperingen '{scheme}' "
            f"(forventede en LAB-kode 6.1-6.9)"
        )
    return group


def _load(path: Path) -> Mapping[str, GroupingScheme]:
    source = read_yaml(path.read_text(encoding="utf-8"), path.name)
    problems: list[Problem] = []
    data = source.data if isinstance(source.data, dict) else {}
    lab_codes = data.get("lab_codes")
    known = {str(code) for code in lab_codes} if isinstance(lab_codes, dict) else set()
    schemes_data = data.get("schemes")
    if not isinstance(schemes_data, dict) or not schemes_data:
        problems.append(_problem(source, ("schemes",), "schemes", "en ordbog af grupperinger", schemes_data))
        raise InstrumentError(problems)
    schemes: dict[str, GroupingScheme] = {}
    for name, scheme_data in schemes_data.items():
        scheme = _parse_scheme(source, str(name), scheme_data, known, problems)
        if scheme is not None:
            schemes[scheme.name] = scheme
    if problems:
        raise InstrumentError(problems)
    return MappingProxyType(schemes)


def _parse_scheme(
    source: YamlSource, name: str, data: object, known: set[str], problems: list[Problem]
) -> GroupingScheme | None:
    path = ("schemes", name)
    groups_data = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups_data, dict) or not groups_data:
        problems.append(_problem(source, (*path, "groups"), "groups", "mindst én gruppe", groups_data))
        return None
    owner: dict[str, str] = {}
    groups = []
    for group_name, group_data in groups_data.items():
        group_path = (*path, "groups", group_name)
        if not isinstance(group_data, dict):
            problems.append(_problem(source, group_path, str(group_name), "{label, codes}", group_data))
            continue
        codes = group_data.get("codes")
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            problems.append(
                _problem(
                    source,
                    (*group_path, "codes"),
                    "codes",
                    'en liste af LAB-koder i citationstegn ("6.1")',
                    codes,
                )
            )
            continue
        for code in codes:
            if code not in known:
                problems.append(
                    _problem(source, (*group_path, "codes"), "codes", "en LAB-kode 6.1-6.9", code)
                )
            elif code in owner:
                problems.append(
                    _problem(
                        source,
                        (*group_path, "codes"),
                        "codes",
                        f"hver LAB-kode i én gruppe (står også i '{owner[code]}')",
                        code,
                    )
                )
            owner[code] = str(group_name)
        ydelser = group_data.get("ydelser", [])
        groups.append(
            Group(
                name=str(group_name),
                label=str(group_data.get("label", group_name)),
                codes=tuple(codes),
                ydelser=tuple(str(y) for y in ydelser) if isinstance(ydelser, list) else (),
            )
        )
    return GroupingScheme(name=name, title=str(data.get("title", name)), groups=tuple(groups))


def _problem(
    source: YamlSource, path: tuple[str | int, ...], field: str, expected: str, got: object
) -> Problem:
    return Problem(
        file=source.file, line=source.line(path), question=None, field=field, expected=expected, got=repr(got)
    )
