"""Parsing the questions of an instrument: kinds, scales, options, matrix items and follow-ups.

Split from the loader so each stays readable: the loader handles the document (languages, scales,
themes, instrument-wide rules), this module one question at a time, sharing the :class:`ParseContext`.
"""

from __future__ import annotations

from dataclasses import replace

from borgerblik.core.model import (
    DEFAULT_DONT_KNOW_CODE,
    DEFAULT_POSITIVE,
    SCALE_RANGES,
    YES_NO_LABELS,
    Kind,
    Option,
    Question,
    Scale,
    ScaleKind,
)
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
SCALE_KEYS = ("type", "labels", "dont_know", "dont_know_code", "order", "source", "positive")
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
        if not isinstance(kind_value, str) or kind_value not in set(Kind):
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

    def scale(self, path: Path, name: str, body: dict) -> Scale | None:
        """One entry under ``scales``: its type (1-5, 0-10, yesno), labels, "ved ikke" and positive codes.

        Every problem of the entry is reported; a scale with a problem is None, so questions on it are not
        reported again."""
        ctx = self.ctx
        ctx.check_keys(path, body, SCALE_KEYS)
        type_value = str(body.get("type", ScaleKind.LIKERT_5))
        if type_value not in set(ScaleKind):
            ctx.problem(
                (*path, "type"),
                f"scales.{name}.type",
                "en af " + ", ".join(ScaleKind),
                describe(body.get("type")),
                "1-5 er standard; 0-10 som anbefalingsspørgsmål; yesno for ja/nej",
            )
            return None
        kind = ScaleKind(type_value)
        low, high = SCALE_RANGES[kind]
        labels = self._scale_labels(path, name, body, kind)
        if labels is None:
            return None
        dont_know = None
        if "dont_know" in body:
            dont_know = ctx.text((*path, "dont_know"), body["dont_know"], f"scales.{name}.dont_know")
        dont_know_code = body.get("dont_know_code", DEFAULT_DONT_KNOW_CODE[kind])
        if (
            not isinstance(dont_know_code, int)
            or isinstance(dont_know_code, bool)
            or low <= dont_know_code <= high
            or dont_know_code < 0
        ):
            ctx.problem(
                (*path, "dont_know_code"),
                f"scales.{name}.dont_know_code",
                f"en heltalskode uden for skalaen {low}-{high} (fx {DEFAULT_DONT_KNOW_CODE[kind]})",
                describe(dont_know_code),
                "på en 0-10 skala er 9 et svar, så 'ved ikke' har koden 99",
            )
            return None
        descending = kind is ScaleKind.LIKERT_5
        order = body.get("order", "descending" if descending else "ascending")
        if order not in ("descending", "ascending"):
            ctx.problem(
                (*path, "order"),
                f"scales.{name}.order",
                "descending (højeste først) eller ascending (laveste først)",
                f"'{order}'",
            )
        positive = body.get("positive", list(DEFAULT_POSITIVE[kind]))
        if (
            not isinstance(positive, list)
            or not positive
            or not all(isinstance(code, int) and not isinstance(code, bool) for code in positive)
            or not set(positive) <= set(range(low, high + 1))
        ):
            ctx.problem(
                (*path, "positive"),
                f"scales.{name}.positive",
                f"en liste af de koder {low}–{high}, der tæller som positive "
                f"(fx {list(DEFAULT_POSITIVE[kind])})",
                describe(positive),
            )
            return None
        if any(label is None for label in labels.values()) or (dont_know is None and "dont_know" in body):
            return None
        return Scale(
            name=name,
            labels=labels,  # type: ignore[arg-type]
            dont_know=dont_know,
            descending=order == "descending",
            source=body.get("source"),
            positive=tuple(sorted(positive)),
            kind=kind,
            dont_know_code=dont_know_code,
        )

    def _scale_labels(self, path: Path, name: str, body: dict, kind: ScaleKind) -> dict[int, object] | None:
        """The labels of a scale by code, highest first; a yes/no scale without labels says Ja/Nej."""
        ctx = self.ctx
        labels_data = body.get("labels")
        low, high = SCALE_RANGES[kind]
        if kind is ScaleKind.YESNO and labels_data is None:
            return dict(YES_NO_LABELS)
        if kind is ScaleKind.ZERO_TEN:
            wanted = "labels for mindst endepunkterne 0 og 10 (koder 0–10)"
            fits = (
                isinstance(labels_data, dict)
                and {0, 10} <= set(labels_data)
                and set(labels_data) <= set(range(0, 11))
            )
            hint = "punkterne imellem vises som tal; 'ved ikke' (kode 99) skrives under dont_know"
        else:
            codes = list(range(high, low - 1, -1))
            wanted = f"præcis {len(codes)} labels med koderne {', '.join(map(str, codes))}"
            fits = isinstance(labels_data, dict) and set(labels_data) == set(codes)
            hint = (
                "5 er den mest positive; 'ved ikke' (kode 9) skrives under dont_know"
                if kind is ScaleKind.LIKERT_5
                else "1 = ja, 2 = nej; udelad labels for Ja/Nej"
            )
        if not fits:
            got = (
                "ingen labels"
                if not isinstance(labels_data, dict)
                else f"{len(labels_data)} labels (koder {', '.join(map(str, labels_data))})"
            )
            ctx.problem((*path, "labels"), f"scales.{name}.labels", wanted, got, hint)
            return None
        assert isinstance(labels_data, dict)
        return {
            code: ctx.text((*path, "labels", code), labels_data[code], f"scales.{name}.labels.{code}")
            for code in sorted(labels_data, reverse=True)
        }

    def _scale_ref(self, path: Path, data: dict, question_id: str) -> Scale | None:
        name = data.get("scale")
        if isinstance(name, str) and name in self.broken_scales:
            return None  # the scale's own problem is already reported
        if not isinstance(name, str) or name not in self.scales:  # a list there is unknown, never hashed
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
