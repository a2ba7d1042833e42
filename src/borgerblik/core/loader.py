"""Reading and validating instrument YAML files (format documented in docs/instruments.md).

Validation happens once, on load, and reports every problem with file, line, question id and
field, so the rest of the system can trust an :class:`Instrument` without checking it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path as FilePath

from borgerblik.core.errors import InstrumentError, Problem
from borgerblik.core.groupings import GroupingScheme, load_groupings
from borgerblik.core.model import (
    BackgroundField,
    BackgroundKind,
    Instrument,
    Kind,
    Language,
    Question,
    Scale,
    TenseRule,
    Theme,
)
from borgerblik.core.parse_context import QUESTION_ID, ParseContext, describe
from borgerblik.core.question_parser import QuestionParser
from borgerblik.core.texts import BASE_LANGUAGE, LocalText, is_language_code
from borgerblik.core.yaml_source import Path, YamlSource, read_yaml, read_yaml_file

FORMAT = "borgerblik-instrument/1"
TEMPLATE_DIR = FilePath(__file__).with_name("templates")

_TOP_KEYS = (
    "format",
    "id",
    "title",
    "description",
    "source",
    "languages",
    "grouping",
    "scales",
    "texts",
    "tense",
    "overall",
    "themes",
    "local_questions",
    "background",
)
_THEME_KEYS = ("id", "title", "intro", "local", "questions")
_BACKGROUND_KEYS = ("id", "kind", "text", "options", "min", "max", "unit", "source")


def load_instrument(path: str | FilePath, schemes: Mapping[str, GroupingScheme] | None = None) -> Instrument:
    """Read and validate an instrument file; raises :class:`InstrumentError` listing every problem."""
    file = FilePath(path)
    instrument = _parse(read_yaml_file(file, file.name), schemes)[0]
    return _with_file(instrument, str(file))


def parse_instrument(
    text: str, file: str = "<instrument>", schemes: Mapping[str, GroupingScheme] | None = None
) -> Instrument:
    """Validate instrument YAML given as text; ``file`` names it in error messages."""
    return _parse(read_yaml(text, file), schemes)[0]


def check_instrument(path: str | FilePath, schemes: Mapping[str, GroupingScheme] | None = None) -> Instrument:
    """:func:`load_instrument`, and every offered language complete: `instrument check`'s rule.

    A text a citizen sees (question, item, option, scale label, page title, intro, follow-up, note, past-tense
    variant, welcome and thank-you text) without an offered language would be shown in Danish on that
    citizen's page; each such gap is a problem with its line, so a language is complete or not offered.
    """
    file = FilePath(path)
    instrument, gaps = _parse(read_yaml_file(file, file.name), schemes)
    if gaps:
        raise InstrumentError(gaps)
    return _with_file(instrument, str(file))


def _parse(
    source: YamlSource, schemes: Mapping[str, GroupingScheme] | None
) -> tuple[Instrument, list[Problem]]:
    """The instrument and its translation gaps; raises :class:`InstrumentError` for anything else wrong."""
    ctx = ParseContext(source=source, schemes=schemes if schemes is not None else load_groupings())
    instrument = _InstrumentParser(ctx).parse()
    if ctx.problems or instrument is None:
        raise InstrumentError(ctx.problems)
    return instrument, ctx.gaps


def template_names() -> list[str]:
    """The shipped templates: kl-2024, rodovre-2023, vive-kbh-2020."""
    return sorted(path.stem for path in TEMPLATE_DIR.glob("*.yaml"))


def load_template(name: str) -> Instrument:
    """A shipped template by name, e.g. ``load_template("kl-2024")``."""
    path = TEMPLATE_DIR / f"{name}.yaml"
    if not path.exists():
        raise KeyError(f"ukendt skabelon '{name}' (findes: {', '.join(template_names())})")
    return load_instrument(path)


def _list(value: object) -> list:
    """``value`` when it is a list, else nothing: this pass only looks ahead; the parse reports the type."""
    return value if isinstance(value, list) else []


def _with_file(instrument: Instrument, file: str) -> Instrument:
    return replace(instrument, file=file)


class _InstrumentParser:
    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.questions = QuestionParser(ctx)

    def parse(self) -> Instrument | None:
        ctx = self.ctx
        data = ctx.source.data
        if not isinstance(data, dict):
            ctx.problem((), "(dokument)", "en ordbog med id, languages, themes, overall ...", describe(data))
            return None
        ctx.check_keys((), data, _TOP_KEYS)
        if data.get("format", FORMAT) != FORMAT:
            ctx.problem(("format",), "format", f"'{FORMAT}'", f"'{data.get('format')}'")
        instrument_id = data.get("id")
        if not isinstance(instrument_id, str) or not instrument_id.strip():
            ctx.problem(("id",), "id", "et navn som kl-2024", describe(instrument_id))
        languages = self._languages(data.get("languages"))
        ctx.languages = tuple(language.code for language in languages)
        grouping = data.get("grouping")
        if grouping is not None and (not isinstance(grouping, str) or grouping not in ctx.schemes):
            ctx.problem(
                ("grouping",),
                "grouping",
                "en gruppering fra groupings.yaml (" + ", ".join(ctx.schemes) + ")",
                f"'{grouping}'",
            )
            grouping = None
        ctx.default_scheme = grouping
        title = ctx.text(("title",), data.get("title"), "title")
        self.questions.scales = self._scales(data.get("scales"))
        texts = self._texts(data.get("texts", {}))
        self._collect_ids(data)
        themes = self._themes(data.get("themes"))
        local_questions = self._local_questions(data.get("local_questions", {}), themes)
        tense_rule = self._tense(data.get("tense"))
        overall = self._overall(data.get("overall"))
        ctx.citizen_facing = False  # the background fields are the interviewer's, in Danish
        background = self._background(data.get("background", []))
        ctx.citizen_facing = True
        for key in ("description", "source"):
            if key in data and not isinstance(data[key], str):
                ctx.problem((key,), key, "en tekst", describe(data[key]))
        if ctx.problems or title is None or overall is None:
            return None
        return Instrument(
            id=str(instrument_id),
            title=title,
            languages=languages,
            themes=themes,
            overall=overall,
            scales=self.questions.scales,
            grouping=grouping,
            texts=texts,
            tense_rule=tense_rule,
            local_questions=local_questions,
            background=background,
            description=data.get("description"),
            source=data.get("source"),
        )

    # -- header ----------------------------------------------------------------------------------
    def _languages(self, data: object) -> tuple[Language, ...]:
        if not isinstance(data, dict) or not data:
            self.ctx.problem(
                ("languages",), "languages", "en ordbog som {da: Dansk, en: English}", describe(data)
            )
            return (Language(BASE_LANGUAGE, "Dansk"),)
        languages = []
        for code, name in data.items():
            if not is_language_code(code):
                self.ctx.problem(
                    ("languages", code),
                    f"languages.{code}",
                    "en sprogkode som da, en eller ar",
                    f"sprogkoden '{code}'",
                    "brug ISO 639-1-koder med små bogstaver",
                )
                continue
            languages.append(Language(str(code), str(name)))
        if BASE_LANGUAGE not in data:
            self.ctx.problem(
                ("languages",),
                "languages",
                "dansk (da) blandt sprogene",
                ", ".join(map(str, data)),
                "dansk er altid påkrævet",
            )
            languages.insert(0, Language(BASE_LANGUAGE, "Dansk"))
        return tuple(languages)

    def _scales(self, data: object) -> dict[str, Scale]:
        ctx = self.ctx
        if data is None:
            return {}
        if not isinstance(data, dict):
            ctx.problem(("scales",), "scales", "en ordbog af navngivne skalaer", describe(data))
            return {}
        scales: dict[str, Scale] = {}
        for name, body in data.items():
            path: Path = ("scales", name)
            if not isinstance(body, dict):
                ctx.problem(path, f"scales.{name}", "{labels: {5: ..., ..., 1: ...}}", describe(body))
                continue
            scale = self.questions.scale(path, str(name), body)
            if scale is not None:
                scales[str(name)] = scale
        self.questions.broken_scales = {str(name) for name in data} - set(scales)
        return scales

    def _texts(self, data: object) -> dict[str, LocalText]:
        if not isinstance(data, dict):
            self.ctx.problem(
                ("texts",), "texts", "en ordbog af tekster (welcome, thanks, ...)", describe(data)
            )
            return {}
        texts = {}
        for key, value in data.items():
            text = self.ctx.text(("texts", key), value, f"texts.{key}")
            if text is not None:
                texts[str(key)] = text
        return texts

    def _collect_ids(self, data: dict) -> None:
        """All question ids up front, so a reference to a later question is told apart from a typo."""

        def visit(question: object, path: Path) -> None:
            if not isinstance(question, dict):
                return
            if isinstance(question.get("id"), str):
                self.ctx.all_ids.setdefault(question["id"], (*path, "id"))
            for key in ("items", "follow_ups"):
                for index, sub in enumerate(_list(question.get(key))):
                    visit(sub, (*path, key, index))

        for t_index, theme in enumerate(_list(data.get("themes"))):
            if isinstance(theme, dict):
                for q_index, question in enumerate(_list(theme.get("questions"))):
                    visit(question, ("themes", t_index, "questions", q_index))
        local = data.get("local_questions")
        if isinstance(local, dict):
            for kommune, questions in local.items():
                for q_index, question in enumerate(_list(questions)):
                    visit(question, ("local_questions", kommune, q_index))
        for index, field in enumerate(_list(data.get("background"))):
            visit(field, ("background", index))

    # -- themes and questions --------------------------------------------------------------------
    def _themes(self, data: object) -> tuple[Theme, ...]:
        ctx = self.ctx
        if not isinstance(data, list) or not data:
            ctx.problem(("themes",), "themes", "en ikke-tom liste af temaer", describe(data))
            return ()
        themes = []
        seen: set[str] = set()
        for index, body in enumerate(data):
            path: Path = ("themes", index)
            if not isinstance(body, dict):
                ctx.problem(path, "themes", "et tema {id, title, questions}", describe(body))
                continue
            ctx.check_keys(path, body, _THEME_KEYS)
            theme_id = body.get("id")
            if not isinstance(theme_id, str) or not QUESTION_ID.match(theme_id) or theme_id in seen:
                ctx.problem(
                    (*path, "id"),
                    "themes.id",
                    "et unikt id med små bogstaver, cifre og _",
                    describe(theme_id),
                )
                theme_id = f"tema_{index + 1}"
            seen.add(theme_id)
            title = ctx.text((*path, "title"), body.get("title"), f"themes.{theme_id}.title")
            intro = (
                ctx.text((*path, "intro"), body["intro"], f"themes.{theme_id}.intro")
                if "intro" in body
                else None
            )
            local = body.get("local", False)
            if not isinstance(local, bool):
                ctx.problem((*path, "local"), "local", "true eller false", describe(local))
            questions_data = body.get("questions", [])
            if not isinstance(questions_data, list):
                ctx.problem(
                    (*path, "questions"), "questions", "en liste af spørgsmål", describe(questions_data)
                )
                questions_data = []
            questions = tuple(
                q
                for i, q_data in enumerate(questions_data)
                if (q := self.questions.question((*path, "questions", i), q_data, theme_id)) is not None
            )
            if title is not None:
                themes.append(Theme(theme_id, title, questions, intro, bool(local)))
        return tuple(themes)

    def _local_questions(self, data: object, themes: tuple[Theme, ...]) -> dict[str, tuple[Question, ...]]:
        ctx = self.ctx
        if not isinstance(data, dict):
            ctx.problem(
                ("local_questions",), "local_questions", "en ordbog {kommune: [spørgsmål]}", describe(data)
            )
            return {}
        if not data:
            return {}
        local_themes = [theme for theme in themes if theme.local]
        if not local_themes:
            ctx.problem(
                ("local_questions",),
                "local_questions",
                "et tema med local: true at placere dem i",
                "intet lokalt tema",
                "tilføj fx {id: lokale, local: true, title: Lokale spørgsmål}",
            )
            return {}
        earlier_global = dict(ctx.earlier)
        result: dict[str, tuple[Question, ...]] = {}
        for kommune, questions_data in data.items():
            ctx.earlier = dict(earlier_global)
            if not isinstance(questions_data, list):
                ctx.problem(
                    ("local_questions", kommune),
                    f"local_questions.{kommune}",
                    "en liste af spørgsmål",
                    describe(questions_data),
                )
                continue
            questions = []
            for index, q_data in enumerate(questions_data):
                question = self.questions.question(
                    ("local_questions", kommune, index), q_data, local_themes[0].id, local_for=str(kommune)
                )
                if question is not None:
                    questions.append(question)
            result[str(kommune)] = tuple(questions)
        ctx.earlier = earlier_global
        return result

    # -- instrument-wide rules ---------------------------------------------------------------------
    def _tense(self, data: object) -> TenseRule | None:
        ctx = self.ctx
        if data is None:
            return None
        if not isinstance(data, dict):
            ctx.problem(("tense",), "tense", "{question: status, past: [2]}", describe(data))
            return None
        ctx.check_keys(("tense",), data, ("question", "past"))
        named = data.get("question")
        named = named if isinstance(named, str) else None  # a list there is reported below, not hashed
        question = ctx.earlier.get(named) if named is not None else None
        if question is None and named in ctx.failed:
            return None  # the status question's own problem is already reported
        if question is None or question.kind not in (Kind.SINGLE, Kind.YESNO):
            ctx.problem(
                ("tense", "question"),
                "tense.question",
                "et single- eller yesno-spørgsmål om status",
                describe(data.get("question")),
            )
            return None
        past = data.get("past")
        if not isinstance(past, list) or not past or not all(
            isinstance(code, int) and code in question.codes for code in past
        ):
            ctx.problem(
                ("tense", "past"),
                "tense.past",
                f"svarkoder for '{question.id}' der betyder afsluttet forløb",
                describe(past),
            )
            return None
        return TenseRule(question.id, tuple(past))

    def _overall(self, data: object) -> str | None:
        ctx = self.ctx
        if not isinstance(data, str) or not data:
            ctx.problem(
                ("overall",),
                "overall",
                "id på spørgsmålet om samlet tilfredshed",
                describe(data),
                "hvert instrument skal udpege sit overordnede tilfredshedsspørgsmål",
            )
            return None
        question = ctx.earlier.get(data)
        if question is None and data in ctx.failed:
            return None  # the question's own problem is already reported
        if question is None:
            ctx.problem(
                ("overall",),
                "overall",
                "id på et spørgsmål i instrumentet",
                f"det ukendte spørgsmål '{data}'",
            )
            return None
        if question.kind is not Kind.SCALE or question.local_for is not None:
            ctx.problem(
                ("overall",),
                "overall",
                "et fælles spørgsmål af typen scale",
                f"'{data}' af typen {question.kind}",
                "nøgledriveranalysen kræver en 1-5 skala",
            )
            return None
        return data

    def _background(self, data: object) -> tuple[BackgroundField, ...]:
        ctx = self.ctx
        if not isinstance(data, list):
            ctx.problem(("background",), "background", "en liste af baggrundsfelter", describe(data))
            return ()
        fields = []
        for index, body in enumerate(data):
            path: Path = ("background", index)
            if not isinstance(body, dict):
                ctx.problem(path, "background", "et felt {id, kind, text}", describe(body))
                continue
            field_id = self.questions.question_id(path, body, "baggrunds")
            if field_id is None:
                continue
            ctx.check_keys(path, body, _BACKGROUND_KEYS, field_id)
            kind = body.get("kind")
            if not isinstance(kind, str) or kind not in set(BackgroundKind):
                ctx.problem(
                    (*path, "kind"),
                    "kind",
                    "en af " + ", ".join(BackgroundKind),
                    describe(kind),
                    question=field_id,
                )
                continue
            wording = ctx.text((*path, "text"), body.get("text"), "text", field_id)
            options = self.questions.options(path, body, field_id) if kind == BackgroundKind.SINGLE else ()
            bounds = [body.get("min"), body.get("max")]
            if any(b is not None and not isinstance(b, int) for b in bounds):
                ctx.problem((*path, "min"), "min/max", "heltal", describe(bounds), question=field_id)
            if wording is not None:
                fields.append(
                    BackgroundField(
                        id=field_id,
                        kind=BackgroundKind(kind),
                        wording=wording,
                        options=options,
                        minimum=body.get("min"),
                        maximum=body.get("max"),
                        unit=body.get("unit"),
                        source=self.questions.source(path, body, field_id),
                    )
                )
        return tuple(fields)
