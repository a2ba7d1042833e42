"""Shared state of one instrument parse: problems found so far, ids seen, texts and conditions.

The loader reads a file top to bottom; keeping "which questions came earlier" here is what makes a
routing reference to a later question (or to itself) detectable as a forward or cyclic reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from borgerblik.core.errors import Problem
from borgerblik.core.groupings import GroupingScheme
from borgerblik.core.model import Kind, Question
from borgerblik.core.routing import (
    REGISTER_FIELDS,
    AllOf,
    AnswerIn,
    AnyOf,
    Condition,
    GroupIn,
    Not,
    RegisterIn,
)
from borgerblik.core.texts import BASE_LANGUAGE, LocalText, Tense, is_language_code
from borgerblik.core.yaml_source import Path, YamlSource

QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CONDITION_KEYS = ("answer", "register", "group", "all", "any", "not")


def describe(value: object) -> str:
    """A short rendering of a value for "got ..." in messages."""
    if value is None:
        return "ingenting"
    if isinstance(value, dict):
        return "en ordbog med " + (", ".join(f"'{k}'" for k in list(value)[:6]) or "ingen nøgler")
    if isinstance(value, list):
        if len(value) <= 8 and all(not isinstance(v, dict | list) for v in value):
            return "[" + ", ".join(map(repr, value)) + "]"
        return f"en liste med {len(value)} elementer"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


@dataclass
class ParseContext:
    source: YamlSource
    schemes: Mapping[str, GroupingScheme]
    languages: tuple[str, ...] = (BASE_LANGUAGE,)
    default_scheme: str | None = None
    all_ids: dict[str, Path] = field(default_factory=dict)
    earlier: dict[str, Question] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    #: texts a citizen sees that lack an offered language (or its past tense): `instrument check` refuses them
    gaps: list[Problem] = field(default_factory=list)
    #: False while parsing what only staff read (the interviewer's background fields)
    citizen_facing: bool = True

    # -- reporting -------------------------------------------------------------------------------
    def problem(
        self,
        path: Path,
        field_name: str,
        expected: str,
        got: object,
        hint: str = "",
        question: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                file=self.source.file,
                line=self.source.line(path),
                question=question,
                field=field_name,
                expected=expected,
                got=got if isinstance(got, str) else describe(got),
                hint=hint,
            )
        )

    def check_keys(
        self, path: Path, data: dict, allowed: tuple[str, ...], question: str | None = None
    ) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    (*path, key),
                    str(key),
                    "en af nøglerne " + ", ".join(allowed),
                    f"den ukendte nøgle '{key}'",
                    "stavefejl? Ukendte nøgler afvises, så intet ignoreres i stilhed",
                    question,
                )

    # -- texts ---------------------------------------------------------------------------------
    def text(
        self,
        path: Path,
        data: object,
        field_name: str,
        question: str | None = None,
        *,
        citizen_facing: bool = True,
    ) -> LocalText | None:
        """A wording: Danish string, or ``{da: ..., en: ...}`` with ``{present, past}`` per language.

        A text a citizen sees that lacks an offered language is a gap (see :meth:`note_gaps`)."""
        if isinstance(data, str) and data.strip():
            return LocalText({BASE_LANGUAGE: data})
        if not isinstance(data, dict) or not data:
            self.problem(
                path,
                field_name,
                "en tekst (streng eller {da: ..., en: ...})",
                describe(data),
                "dansk tekst er påkrævet",
                question,
            )
            return None
        present: dict[str, str] = {}
        past: dict[str, str] = {}
        for lang, value in data.items():
            where = (*path, lang)
            name = f"{field_name}.{lang}"
            if not is_language_code(lang):
                self.problem(
                    where,
                    name,
                    "en sprogkode som da, en eller ar",
                    f"sprogkoden '{lang}'",
                    "brug ISO 639-1-koder med små bogstaver",
                    question,
                )
                continue
            if lang not in self.languages:
                self.problem(
                    where,
                    name,
                    "et sprog erklæret under 'languages' (" + ", ".join(self.languages) + ")",
                    f"'{lang}'",
                    f"tilføj {lang} under 'languages' eller fjern teksten",
                    question,
                )
                continue
            if isinstance(value, str) and value.strip():
                present[lang] = value
            elif (
                isinstance(value, dict)
                and set(value) <= {Tense.PRESENT, Tense.PAST}
                and Tense.PRESENT in value
            ):
                if not all(isinstance(v, str) and v.strip() for v in value.values()):
                    self.problem(
                        where, name, "ikke-tomme tekster i present/past", describe(value), question=question
                    )
                    continue
                present[lang] = value[Tense.PRESENT]
                if Tense.PAST in value:
                    past[lang] = value[Tense.PAST]
            else:
                self.problem(
                    where,
                    name,
                    "en ikke-tom tekst eller {present: ..., past: ...}",
                    describe(value),
                    question=question,
                )
        if BASE_LANGUAGE not in present:
            if not any(p.field.startswith(f"{field_name}.da") for p in self.problems):
                self.problem(
                    path,
                    f"{field_name}.da",
                    "en dansk tekst (da)",
                    "kun " + ", ".join(map(str, data)),
                    "dansk er undersøgelsens sprog og altid påkrævet",
                    question,
                )
            return None
        if citizen_facing and self.citizen_facing:
            self.note_gaps(path, field_name, question, present, past)
        return LocalText(present, past)

    def note_gaps(
        self, path: Path, field_name: str, question: str | None, present: dict[str, str], past: dict[str, str]
    ) -> None:
        """Offered languages missing from a citizen's text: it would be shown in Danish on their page."""
        def gap(expected: str, got: str, hint: str) -> None:
            self.gaps.append(
                Problem(
                    file=self.source.file,
                    line=self.source.line(path),
                    question=question,
                    field=field_name,
                    expected=expected,
                    got=got,
                    hint=hint,
                )
            )

        missing = [lang for lang in self.languages if lang not in present]
        if missing:
            gap(
                "en tekst på hvert tilbudt sprog (" + ", ".join(self.languages) + ")",
                "ingen tekst på " + ", ".join(missing),
                "oversæt teksten, eller tilbyd ikke sproget under 'languages'",
            )
        no_past = [lang for lang in present if past and lang not in past]
        if no_past:
            gap(
                "datidsformen (past) på hvert sprog, da den danske har en",
                "ingen past på " + ", ".join(no_past),
                "borgere hvis forløb er afsluttet, får ellers nutid på deres sprog",
            )

    # -- routing -------------------------------------------------------------------------------
    def condition(self, path: Path, data: object, question: str) -> Condition | None:
        if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in _CONDITION_KEYS:
            self.problem(
                path,
                "when",
                "præcis én af " + ", ".join(_CONDITION_KEYS),
                describe(data),
                "fx when: {group: {in: [dagpenge]}}",
                question,
            )
            return None
        kind, body = next(iter(data.items()))
        where = (*path, kind)
        if kind in ("all", "any"):
            if not isinstance(body, list) or not body:
                self.problem(
                    where,
                    f"when.{kind}",
                    "en ikke-tom liste af betingelser",
                    describe(body),
                    question=question,
                )
                return None
            parts = [self.condition((*where, i), part, question) for i, part in enumerate(body)]
            if any(part is None for part in parts):
                return None
            return (AllOf if kind == "all" else AnyOf)(tuple(p for p in parts if p is not None))
        if kind == "not":
            inner = self.condition(where, body, question)
            return None if inner is None else Not(inner)
        if not isinstance(body, dict):
            self.problem(where, f"when.{kind}", "en ordbog", describe(body), question=question)
            return None
        if kind == "answer":
            return self._answer_condition(where, body, question)
        if kind == "register":
            return self._register_condition(where, body, question)
        return self._group_condition(where, body, question)

    def _values(self, path: Path, body: dict, field_name: str, question: str) -> list | None:
        values = body.get("in")
        if not isinstance(values, list) or not values:
            self.problem(
                (*path, "in"), f"{field_name}.in", "en ikke-tom liste", describe(values), question=question
            )
            return None
        return values

    def _answer_condition(self, path: Path, body: dict, question: str) -> Condition | None:
        self.check_keys(path, body, ("question", "in"), question)
        target = body.get("question")
        codes = self._values(path, body, "when.answer", question)
        if not isinstance(target, str):
            self.problem(
                (*path, "question"),
                "when.answer.question",
                "id på et tidligere spørgsmål",
                describe(target),
                question=question,
            )
            return None
        if target == question:
            self.problem(
                (*path, "question"),
                "when.answer.question",
                "et tidligere spørgsmål",
                f"'{target}' (spørgsmålet selv)",
                "routing kan ikke afhænge af sit eget svar (cyklus)",
                question,
            )
            return None
        if target in self.failed:
            return None  # already reported where that question is defined
        if target not in self.earlier:
            if target in self.all_ids:
                self.problem(
                    (*path, "question"),
                    "when.answer.question",
                    "et spørgsmål, der kommer før",
                    f"'{target}', som kommer senere (linje {self.source.line(self.all_ids[target])})",
                    "flyt spørgsmålet op, eller betingelsen ned; fremadrettede og cykliske henvisninger "
                    "kan ikke besvares",
                    question,
                )
            else:
                self.problem(
                    (*path, "question"),
                    "when.answer.question",
                    "id på et tidligere spørgsmål",
                    f"det ukendte spørgsmål '{target}'",
                    "tjek stavningen af id'et",
                    question,
                )
            return None
        referenced = self.earlier[target]
        if referenced.kind in (Kind.OPEN, Kind.MATRIX):
            self.problem(
                (*path, "question"),
                "when.answer.question",
                "et lukket spørgsmål (scale, yesno, single, multi)",
                f"'{target}' af typen {referenced.kind}",
                question=question,
            )
            return None
        if codes is None:
            return None
        bad = [code for code in codes if not isinstance(code, int) or code not in referenced.codes]
        if bad:
            self.problem(
                (*path, "in"),
                "when.answer.in",
                f"svarkoder for '{target}' ({', '.join(map(str, sorted(referenced.codes)))})",
                f"{', '.join(map(repr, bad))}",
                question=question,
            )
            return None
        return AnswerIn(target, tuple(codes))

    def _register_condition(self, path: Path, body: dict, question: str) -> Condition | None:
        self.check_keys(path, body, ("field", "in"), question)
        name = body.get("field")
        values = self._values(path, body, "when.register", question)
        if name not in REGISTER_FIELDS:
            self.problem(
                (*path, "field"),
                "when.register.field",
                "et registerfelt (" + ", ".join(REGISTER_FIELDS) + ")",
                f"'{name}'",
                "CPR og kontaktdata kan aldrig bruges til routing",
                question,
            )
            return None
        if values is None:
            return None
        if not all(isinstance(value, str) for value in values):
            self.problem(
                (*path, "in"),
                "when.register.in",
                "tekster i citationstegn",
                ", ".join(repr(v) for v in values),
                'skriv fx "6.1" - uden citationstegn er det et tal',
                question,
            )
            return None
        return RegisterIn(str(name), tuple(values))

    def _group_condition(self, path: Path, body: dict, question: str) -> Condition | None:
        self.check_keys(path, body, ("scheme", "in"), question)
        scheme = body.get("scheme", self.default_scheme)
        groups = self._values(path, body, "when.group", question)
        if not isinstance(scheme, str) or scheme not in self.schemes:
            self.problem(
                (*path, "scheme"),
                "when.group.scheme",
                "en gruppering fra groupings.yaml (" + ", ".join(self.schemes) + ")",
                f"'{scheme}'",
                "angiv 'scheme' eller 'grouping' øverst i instrumentet",
                question,
            )
            return None
        if groups is None:
            return None
        known = self.schemes[str(scheme)].group_names
        unknown = [g for g in groups if g not in known]
        if unknown:
            self.problem(
                (*path, "in"),
                "when.group.in",
                f"grupper i '{scheme}' ({', '.join(known)})",
                ", ".join(repr(g) for g in unknown),
                question=question,
            )
            return None
        return GroupIn(str(scheme), tuple(groups))
