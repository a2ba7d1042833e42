"""Parsing the questions of an instrument: kinds, scales, options, matrix items and follow-ups.

Split from the loader so each stays readable: the loader handles the document (languages, scales,
themes, instrument-wide rules), this module one question at a time, sharing the :class:`ParseContext`.
"""

from __future__ import annotations

from dataclasses import replace

from borgerblik.core.model import Kind, Option, Question, Scale
from borgerblik.core.parse_context import QUESTION_ID, ParseContext, describe
from borgerblik.core.routing import AnswerIn
from borgerblik.core.yaml_source import Path

_QUESTION_KEYS = (
    "id",
    "kind",
    "text",
    "label",
    "note",
    "scale",
    "options",
    "items",
    "when",
    "follow_ups",
    "source",
)
_ITEM_KEYS = ("id", "text", "label", "source")
_FOLLOW_UP_KEYS = ("id", "when_answer", "text", "source")
_KIND_FIELDS = {
    Kind.SCALE: {"scale", "follow_ups"},
    Kind.MATRIX: {"scale", "items"},
    Kind.SINGLE: {"options"},
    Kind.MULTI: {"options"},
    Kind.YESNO: set(),
    Kind.OPEN: set(),
}


class QuestionParser:
    """Turns question mappings into :class:`Question` values, recording problems in the context."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.scales: dict[str, Scale] = {}
        self.broken_scales: set[str] = set()

    def question_id(self, path: Path, data: dict, label: str) -> str | None:
        question_id = data.get("id")
        if not isinstance(question_id, str) or not QUESTION_ID.match(question_id):
            self.ctx.problem(
                (*path, "id"),
                "id",
                f"et {label}-id med små bogstaver, cifre og _ (fx samlet_tilfredshed)",
                describe(question_id),
            )
            return None
        first = self.ctx.all_ids.get(question_id)
        if first is not None and first != (*path, "id"):
            self.ctx.problem(
                (*path, "id"),
                "id",
                "et id, der kun bruges én gang",
                f"'{question_id}' igen (første gang linje {self.ctx.source.line(first)})",
                "svar gemmes under id'et, så det skal være unikt",
                question_id,
            )
            return None
        return question_id

    def question(self, path: Path, data: object, theme: str, local_for: str | None = None) -> Question | None:
        ctx = self.ctx
        if not isinstance(data, dict):
            ctx.problem(path, "questions", "et spørgsmål {id, kind, text}", describe(data))
            return None
        question_id = self.question_id(path, data, "spørgsmåls")
        if question_id is None:
            return None
        ctx.check_keys(path, data, _QUESTION_KEYS, question_id)
        kind_value = data.get("kind")
        if kind_value not in set(Kind):
            ctx.problem(
                (*path, "kind"),
                "kind",
                "en af " + ", ".join(Kind),
                describe(kind_value),
                "baggrundsfelter (number, duration) hører under 'background'",
                question_id,
            )
            ctx.failed.add(question_id)
            return None
        kind = Kind(kind_value)
        for key in ("scale", "options", "items", "follow_ups"):
            if key in data and key not in _KIND_FIELDS[kind]:
                ctx.problem(
                    (*path, key),
                    key,
                    f"ingen '{key}' ved typen {kind}",
                    f"'{key}'",
                    _kind_hint(key),
                    question_id,
                )
        wording = ctx.text((*path, "text"), data.get("text"), "text", question_id)
        note = ctx.text((*path, "note"), data["note"], "note", question_id) if "note" in data else None
        label = (
            ctx.text((*path, "label"), data["label"], "label", question_id, citizen_facing=False)
            if "label" in data
            else None
        )
        when = ctx.condition((*path, "when"), data["when"], question_id) if "when" in data else None
        scale = self._scale_ref(path, data, question_id) if kind in (Kind.SCALE, Kind.MATRIX) else None
        options = self.options(path, data, question_id) if kind in (Kind.SINGLE, Kind.MULTI) else ()
        items = self._items(path, data, question_id, theme, scale) if kind is Kind.MATRIX else ()
        source = self.source(path, data, question_id)
        if wording is None or (kind in (Kind.SCALE, Kind.MATRIX) and scale is None):
            ctx.failed.add(question_id)
            return None
        question = Question(
            id=question_id,
            kind=kind,
            wording=wording,
            theme=theme,
            scale=scale,
            options=options,
            items=items,
            when=when,
            note=note,
            label=label,
            local_for=local_for,
            source=source,
        )
        ctx.earlier[question_id] = question
        if kind is Kind.SCALE and "follow_ups" in data:
            question = _replace_follow_ups(question, self._follow_ups(path, data["follow_ups"], question))
            ctx.earlier[question_id] = question
        return question

    def _scale_ref(self, path: Path, data: dict, question_id: str) -> Scale | None:
        name = data.get("scale")
        if name in self.broken_scales:
            return None  # the scale's own problem is already reported
        if name not in self.scales:
            self.ctx.problem(
                (*path, "scale"),
                "scale",
                "en skala defineret under 'scales' (" + ", ".join(self.scales) + ")",
                describe(name),
                question=question_id,
            )
            return None
        return self.scales[name]

    def options(self, path: Path, data: dict, question_id: str) -> tuple[Option, ...]:
        ctx = self.ctx
        options_data = data.get("options")
        if not isinstance(options_data, list) or len(options_data) < 2:
            ctx.problem(
                (*path, "options"),
                "options",
                "mindst 2 svarmuligheder {code, text}",
                describe(options_data),
                question=question_id,
            )
            return ()
        options = []
        codes: set[int] = set()
        for index, option in enumerate(options_data):
            where = (*path, "options", index)
            code = option.get("code") if isinstance(option, dict) else None
            if not isinstance(code, int) or isinstance(code, bool) or code < 1 or code in codes:
                ctx.problem(
                    (*where, "code"),
                    "options.code",
                    "en unik heltalskode 1, 2, 3 ...",
                    describe(code),
                    question=question_id,
                )
                continue
            ctx.check_keys(where, option, ("code", "text"), question_id)
            codes.add(code)
            text = ctx.text((*where, "text"), option.get("text"), f"options.{code}.text", question_id)
            if text is not None:
                options.append(Option(code, text))
        return tuple(options)

    def _items(
        self, path: Path, data: dict, question_id: str, theme: str, scale: Scale | None
    ) -> tuple[Question, ...]:
        ctx = self.ctx
        items_data = data.get("items")
        if not isinstance(items_data, list) or not items_data:
            ctx.problem(
                (*path, "items"),
                "items",
                "en ikke-tom liste af delspørgsmål {id, text}",
                describe(items_data),
                "en matrix uden items har intet at spørge om",
                question_id,
            )
            return ()
        items = []
        for index, item_data in enumerate(items_data):
            where = (*path, "items", index)
            if not isinstance(item_data, dict):
                ctx.problem(
                    where, "items", "et delspørgsmål {id, text}", describe(item_data), question=question_id
                )
                continue
            item_id = self.question_id(where, item_data, "item")
            if item_id is None:
                continue
            ctx.check_keys(where, item_data, _ITEM_KEYS, item_id)
            wording = ctx.text((*where, "text"), item_data.get("text"), "text", item_id)
            label = (
                ctx.text((*where, "label"), item_data["label"], "label", item_id, citizen_facing=False)
                if "label" in item_data
                else None
            )
            if wording is not None and scale is not None:
                items.append(
                    Question(
                        id=item_id,
                        kind=Kind.SCALE,
                        wording=wording,
                        theme=theme,
                        scale=scale,
                        label=label,
                        source=self.source(where, item_data, item_id),
                    )
                )
        return tuple(items)

    def _follow_ups(self, path: Path, data: object, parent: Question) -> tuple[Question, ...]:
        ctx = self.ctx
        if not isinstance(data, list) or not data:
            ctx.problem(
                (*path, "follow_ups"),
                "follow_ups",
                "en liste af opfølgende spørgsmål",
                describe(data),
                question=parent.id,
            )
            return ()
        follow_ups = []
        for index, body in enumerate(data):
            where = (*path, "follow_ups", index)
            if not isinstance(body, dict):
                ctx.problem(
                    where, "follow_ups", "{id, when_answer, text}", describe(body), question=parent.id
                )
                continue
            follow_id = self.question_id(where, body, "opfølgnings")
            if follow_id is None:
                continue
            ctx.check_keys(where, body, _FOLLOW_UP_KEYS, follow_id)
            codes = body.get("when_answer")
            if (
                not isinstance(codes, list)
                or not codes
                or not all(isinstance(c, int) and c in parent.codes for c in codes)
            ):
                ctx.problem(
                    (*where, "when_answer"),
                    "when_answer",
                    f"en liste af svarkoder for '{parent.id}' ({', '.join(map(str, sorted(parent.codes)))})",
                    describe(codes),
                    "fx [1, 2] for de utilfredse og [3, 4, 5] for de øvrige",
                    follow_id,
                )
                continue
            wording = ctx.text((*where, "text"), body.get("text"), "text", follow_id)
            if wording is None:
                continue
            follow_up = Question(
                id=follow_id,
                kind=Kind.OPEN,
                wording=wording,
                theme=parent.theme,
                when=AnswerIn(parent.id, tuple(codes)),
                follow_up_of=parent.id,
                local_for=parent.local_for,
                source=self.source(where, body, follow_id),
            )
            ctx.earlier[follow_id] = follow_up
            follow_ups.append(follow_up)
        return tuple(follow_ups)

    def source(self, path: Path, data: dict, question_id: str) -> str | None:
        source = data.get("source")
        if source is not None and not (isinstance(source, str) and source.strip()):
            self.ctx.problem(
                (*path, "source"),
                "source",
                "'assumed' eller en kildehenvisning",
                describe(source),
                question=question_id,
            )
            return None
        return source


def _replace_follow_ups(question: Question, follow_ups: tuple[Question, ...]) -> Question:
    return replace(question, follow_ups=follow_ups)


def _kind_hint(key: str) -> str:
    return {
        "scale": "kun scale og matrix har en skala",
        "options": "kun single og multi har svarmuligheder; yesno har faste koder 1 = ja, 2 = nej",
        "items": "kun matrix har items",
        "follow_ups": "opfølgende spørgsmål afhænger af et svar på en 1-5 skala, så de hører kun til scale",
    }[key]
