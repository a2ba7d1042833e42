"""Routing conditions: who is asked a question, given register fields and earlier answers.

Conditions are pure values evaluated against a context (register fields of the citizen, e.g.
``maalgruppe``, ``kommune``, or a precomputed ``group:kl2024``) and the answers given so far, so
the web questionnaire and the synthetic fieldwork route citizens identically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from borgerblik.core.groupings import GroupingScheme

#: Register fields routing may use. CPR and contact data are deliberately absent: a questionnaire
#: never needs them, and they must not leak into answers or analysis data.
REGISTER_FIELDS: tuple[str, ...] = (
    "kommune",
    "maalgruppe",
    "ydelse",
    "koen",
    "alder",
    "aldersgruppe",
    "ydelse_start",
    "ydelse_slut",
    "samtaler",
    "digital_post_fritaget",
)


@dataclass(frozen=True)
class Situation:
    """What routing looks at: the citizen's register context and the answers shown so far."""

    context: Mapping[str, object]
    answers: Mapping[str, object]
    schemes: Mapping[str, GroupingScheme]
    _groups: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def group(self, scheme: str) -> str | None:
        if scheme not in self._groups:
            self._groups[scheme] = self._lookup_group(scheme)
        return self._groups[scheme]

    def _lookup_group(self, scheme: str) -> str | None:
        precomputed = self.context.get(f"group:{scheme}")
        if precomputed is not None:
            return str(precomputed)
        if scheme not in self.schemes:
            return None
        return self.schemes[scheme].group_of(self.context.get("maalgruppe"), self.context.get("ydelse"))


def answer_codes(value: object) -> set[int]:
    """The codes in an answer: one code, a list or ``"1;3"`` string of codes (multiple choice), or none."""
    if isinstance(value, str):
        value = value.split(";")
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    codes: set[int] = set()
    for item in values:
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            codes.add(item)
        elif isinstance(item, str) and item.strip().isdigit():
            codes.add(int(item.strip()))
    return codes


@dataclass(frozen=True)
class AnswerIn:
    """The earlier question ``question`` was answered with one of ``codes``."""

    question: str
    codes: tuple[int, ...]

    def holds(self, situation: Situation) -> bool:
        return bool(answer_codes(situation.answers.get(self.question)) & set(self.codes))

    def to_data(self) -> dict[str, object]:
        return {"answer": {"question": self.question, "in": list(self.codes)}}


@dataclass(frozen=True)
class RegisterIn:
    """A register field of the citizen has one of ``values`` (compared as trimmed text)."""

    field: str
    values: tuple[str, ...]

    def holds(self, situation: Situation) -> bool:
        value = situation.context.get(self.field)
        if value is None:
            return False
        wanted = {v.casefold() for v in self.values}
        return str(value).strip().casefold() in wanted

    def to_data(self) -> dict[str, object]:
        return {"register": {"field": self.field, "in": list(self.values)}}


@dataclass(frozen=True)
class GroupIn:
    """The citizen's target group in grouping scheme ``scheme`` is one of ``groups``."""

    scheme: str
    groups: tuple[str, ...]

    def holds(self, situation: Situation) -> bool:
        return situation.group(self.scheme) in self.groups

    def to_data(self) -> dict[str, object]:
        return {"group": {"scheme": self.scheme, "in": list(self.groups)}}


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def holds(self, situation: Situation) -> bool:
        return all(condition.holds(situation) for condition in self.conditions)

    def to_data(self) -> dict[str, object]:
        return {"all": [condition.to_data() for condition in self.conditions]}


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def holds(self, situation: Situation) -> bool:
        return any(condition.holds(situation) for condition in self.conditions)

    def to_data(self) -> dict[str, object]:
        return {"any": [condition.to_data() for condition in self.conditions]}


@dataclass(frozen=True)
class Not:
    condition: Condition

    def holds(self, situation: Situation) -> bool:
        return not self.condition.holds(situation)

    def to_data(self) -> dict[str, object]:
        return {"not": self.condition.to_data()}


Condition = AnswerIn | RegisterIn | GroupIn | AllOf | AnyOf | Not
