"""The words of invitations and reminders, rendered from per-survey Jinja2 templates (Danish first, English
too).

One template file per message kind and language holds three blocks — ``subject``, ``body`` (the letter and the
e-mail) and ``sms`` — so a change of wording reaches every channel at once. The personal link and the opt-out
link follow the collection stage's paths (``/s/<token>`` and ``/s/<token>/fravalg``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import jinja2

MessageKind = Literal["invitation", "reminder", "reminder_partial"]
MESSAGE_KINDS: tuple[MessageKind, ...] = ("invitation", "reminder", "reminder_partial")
LETTER_LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class SurveyContact:
    """Who the letter is from and how the citizen reaches a person; the same for every letter of a survey."""

    sender: str
    base_url: str
    hotline_phone: str
    hotline_hours: str
    language: str = "da"

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> SurveyContact:
        """Read the ``fieldwork`` section of a survey's settings, with KL 2024's letter as the default."""
        section = dict(settings.get("fieldwork", {}) or {})  # type: ignore[call-overload]
        return cls(
            sender=str(section.get("sender", "KL og jobcentret")),
            base_url=str(section.get("base_url", "http://127.0.0.1:8000")),
            hotline_phone=str(section.get("hotline_phone", "70 20 30 40")),
            hotline_hours=str(section.get("hotline_hours", "hverdage kl. 9-15")),
            language=str(section.get("language", "da")),
        )


def personal_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def opt_out_link(base_url: str, token: str) -> str:
    return f"{personal_link(base_url, token)}/fravalg"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    sms: str


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("borgerblik.fieldwork", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


_TOKEN_SLOT = "\x00token\x00"
_CODE_SLOT = "\x00case_code\x00"


@lru_cache(maxsize=1024)
def _rendered_with_slots(
    kind: MessageKind, contact: SurveyContact, kommune: str, lang: str
) -> RenderedMessage:
    """The template filled once per kind, survey, municipality and language, with slots for the citizen's
    values — a string replace per citizen is a hundred times cheaper than a Jinja2 render.
    """
    template = environment().get_template(f"{kind}.{lang}.j2")
    values = {
        "sender": contact.sender,
        "kommune": kommune,
        "hotline_phone": contact.hotline_phone,
        "hotline_hours": contact.hotline_hours,
        "case_code": _CODE_SLOT,
        "link": personal_link(contact.base_url, _TOKEN_SLOT),
        "opt_out_link": opt_out_link(contact.base_url, _TOKEN_SLOT),
    }
    context = template.new_context(values)
    blocks = {name: "".join(block(context)).strip() for name, block in template.blocks.items()}
    return RenderedMessage(subject=blocks["subject"], body=blocks["body"], sms=blocks["sms"])


def render_message(
    kind: MessageKind,
    contact: SurveyContact,
    kommune: str,
    token: str,
    case_code: str,
    language: str | None = None,
) -> RenderedMessage:
    """Fill the survey's template for one citizen; an unknown language falls back to Danish, never nothing."""
    lang = language or contact.language
    lang = lang if lang in LETTER_LANGUAGES else "da"
    slotted = _rendered_with_slots(kind, contact, kommune, lang)

    def fill(text: str) -> str:
        return text.replace(_TOKEN_SLOT, token).replace(_CODE_SLOT, case_code)

    return RenderedMessage(subject=fill(slotted.subject), body=fill(slotted.body), sms=fill(slotted.sms))
