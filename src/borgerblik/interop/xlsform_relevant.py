"""Routing ↔ XLSForm ``relevant`` expressions (the ODK XPath subset XLSForms use for skip logic).

Out: an answer condition becomes ``${q} = '1'`` (``selected(${q}, '1')`` for multiple choice); a target
group or register field is compared with a preloaded (hidden) field of that name. In: the same subset —
``=``, ``!=``, ``and``, ``or``, ``not()``, ``selected()`` and brackets — parsed back; anything else is an
:class:`ExpressionError` naming what could not be read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from borgerblik.core.errors import BorgerblikError
from borgerblik.core.routing import AllOf, AnswerIn, AnyOf, Condition, GroupIn, Not, RegisterIn

GROUP_FIELD = "maalgruppe_{scheme}"
_GROUP_FIELD = re.compile(r"^maalgruppe_(?P<scheme>[a-z0-9_]+)$")
_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{(?P<name>[A-Za-z_][\w.-]*)\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|=|\(|\)|,)|(?P<word>[A-Za-z_][\w-]*))"
)


class ExpressionError(BorgerblikError, ValueError):
    """A relevant expression outside the subset Borgerblik routing can hold."""


def group_field(scheme: str) -> str:
    return GROUP_FIELD.format(scheme=scheme)


def to_relevant(condition: Condition, multiple: Callable[[str], bool]) -> str:
    """``condition`` as an XLSForm expression; ``multiple(q)``: is q a multiple-choice question."""
    match condition:
        case AnswerIn(question=question, codes=codes):
            if multiple(question):
                parts = [f"selected(${{{question}}}, '{code}')" for code in codes]
            else:
                parts = [f"${{{question}}} = '{code}'" for code in codes]
            return _joined(parts, "or")
        case GroupIn(scheme=scheme, groups=groups):
            return _joined([f"${{{group_field(scheme)}}} = '{group}'" for group in groups], "or")
        case RegisterIn(field=name, values=values):
            return _joined([f"${{{name}}} = '{value}'" for value in values], "or")
        case AllOf(conditions=parts):
            return " and ".join(f"({to_relevant(part, multiple)})" for part in parts)
        case AnyOf(conditions=parts):
            return " or ".join(f"({to_relevant(part, multiple)})" for part in parts)
        case Not(condition=inner):
            return f"not({to_relevant(inner, multiple)})"
    raise TypeError(f"ukendt betingelse {condition!r}")


def _joined(parts: list[str], word: str) -> str:
    return parts[0] if len(parts) == 1 else f"({f' {word} '.join(parts)})"


@dataclass(frozen=True)
class Fields:
    """What a ``${name}`` in an expression refers to: a question (with its choice name → code) or a field."""

    questions: Mapping[str, Mapping[str, int]]
    preloaded: frozenset[str]


def from_relevant(text: str, fields: Fields) -> Condition:
    tokens = _tokens(text)
    parser = _Parser(tokens, fields, text)
    condition = parser.disjunction()
    if parser.position != len(tokens):
        raise ExpressionError(f"uventet '{tokens[parser.position][1]}' i '{text}'")
    return condition


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"kan ikke læse '{text[position:]}' i '{text}'")
        kind = next(k for k in ("ref", "str", "num", "op", "word") if match.group(k) is not None)
        value = match.group("name") if kind == "ref" else match.group(kind)
        if kind == "str":
            value = value[1:-1]
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], fields: Fields, text: str) -> None:
        self.tokens, self.fields, self.text, self.position = tokens, fields, text, 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, kind: str, value: str | None = None) -> str:
        token = self._peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            got = "slutningen" if token is None else f"'{token[1]}'"
            raise ExpressionError(f"forventede {value or kind}, fik {got} i '{self.text}'")
        self.position += 1
        return token[1]

    def disjunction(self) -> Condition:
        parts = [self.conjunction()]
        while self._peek() == ("word", "or"):
            self.position += 1
            parts.append(self.conjunction())
        return _merged(parts) if len(parts) > 1 else parts[0]

    def conjunction(self) -> Condition:
        parts = [self.unary()]
        while self._peek() == ("word", "and"):
            self.position += 1
            parts.append(self.unary())
        return AllOf(tuple(parts)) if len(parts) > 1 else parts[0]

    def unary(self) -> Condition:
        token = self._peek()
        if token == ("op", "("):
            self.position += 1
            inner = self.disjunction()
            self._take("op", ")")
            return inner
        if token == ("word", "not"):
            self.position += 1
            self._take("op", "(")
            inner = self.disjunction()
            self._take("op", ")")
            return Not(inner)
        if token == ("word", "selected"):
            self.position += 1
            self._take("op", "(")
            name = self._take("ref")
            self._take("op", ",")
            value = self._literal()
            self._take("op", ")")
            return self._compare(name, value)
        if token is not None and token[0] == "ref":
            name = self._take("ref")
            operator = self._take("op")
            if operator not in ("=", "!="):
                raise ExpressionError(f"kun = og != kan oversættes, fik '{operator}' i '{self.text}'")
            condition = self._compare(name, self._literal())
            return condition if operator == "=" else Not(condition)
        got = "slutningen" if token is None else f"'{token[1]}'"
        raise ExpressionError(f"kan ikke oversætte {got} i '{self.text}'")

    def _literal(self) -> str:
        token = self._peek()
        if token is None or token[0] not in ("str", "num"):
            raise ExpressionError(f"forventede en værdi i '{self.text}'")
        self.position += 1
        return token[1]

    def _compare(self, name: str, value: str) -> Condition:
        if name in self.fields.questions:
            codes = self.fields.questions[name]
            if value not in codes:
                raise ExpressionError(f"'{value}' er ikke et svar på '{name}' i '{self.text}'")
            return AnswerIn(name, (codes[value],))
        if name in self.fields.preloaded:
            group = _GROUP_FIELD.match(name)
            return GroupIn(group["scheme"], (value,)) if group else RegisterIn(name, (value,))
        raise ExpressionError(f"'${{{name}}}' er hverken et tidligere spørgsmål eller et forudfyldt felt")


def _merged(parts: list[Condition]) -> Condition:
    """``a = 1 or a = 2`` back into one condition with two codes, as our routing writes it."""
    first = parts[0]
    if all(isinstance(p, AnswerIn) for p in parts) and len({p.question for p in parts}) == 1:  # type: ignore[union-attr]
        return AnswerIn(first.question, tuple(c for p in parts for c in p.codes))  # type: ignore[union-attr]
    if all(isinstance(p, GroupIn) for p in parts) and len({p.scheme for p in parts}) == 1:  # type: ignore[union-attr]
        return GroupIn(first.scheme, tuple(g for p in parts for g in p.groups))  # type: ignore[union-attr]
    if all(isinstance(p, RegisterIn) for p in parts) and len({p.field for p in parts}) == 1:  # type: ignore[union-attr]
        return RegisterIn(first.field, tuple(v for p in parts for v in p.values))  # type: ignore[union-attr]
    return AnyOf(tuple(parts))
