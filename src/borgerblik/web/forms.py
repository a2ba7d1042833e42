"""Reading a submitted page: urlencoded bodies parsed with the standard library, size-capped.

A questionnaire page is a plain ``application/x-www-form-urlencoded`` form, so ``urllib.parse`` parses it
faster than a general multipart parser — this is the save path under load. The cap leaves room for two
5,000-character open answers in any script (up to 9 bytes per character once percent-encoded) and refuses
anything larger before reading it all.

Characters that change how *other* text is shown are taken out of every submitted value
(:func:`neutralise`): the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069 —
an U+202E in an open answer would turn the rest of a staff table's row around) and the C0/C1 control
characters other than tab and line breaks. The marks Arabic text needs (U+200E/U+200F/U+061C) and the joiners
stay. A NUL byte is left in, so the save refuses it with its own message (storage never stores one).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from starlette.requests import Request

from borgerblik.core.errors import BorgerblikError

MAX_FORM_BYTES = 256 * 1024
DISPLAY_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What :func:`neutralise` takes out: control characters but NUL, tab, LF, CR; bidi embeddings, isolates."""


class FormTooLarge(BorgerblikError, ValueError):
    """The body exceeds :data:`MAX_FORM_BYTES`."""


class FormUnreadable(BorgerblikError, ValueError):
    """Not a urlencoded UTF-8 form (a tampered request; browsers never send this for our pages)."""


def neutralise(value: str) -> str:
    """``value`` without :data:`DISPLAY_CONTROLS` (a plain answer comes back unchanged and uncopied)."""
    return DISPLAY_CONTROLS.sub("", value) if DISPLAY_CONTROLS.search(value) else value


async def form_fields(request: Request) -> dict[str, list[str]]:
    """Field name → submitted values, in order, :func:`neutralise`-d; blank values kept (an emptied text box
    clears the answer)."""
    return {
        name: [neutralise(value) for value in values] for name, values in (await _raw_fields(request)).items()
    }


async def _raw_fields(request: Request) -> dict[str, list[str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormTooLarge(declared)
    if content_type == "multipart/form-data":
        form = await request.form(max_files=0, max_fields=200, max_part_size=MAX_FORM_BYTES)
        return {name: [str(value) for value in form.getlist(name)] for name in form}
    if content_type not in ("", "application/x-www-form-urlencoded"):
        raise FormUnreadable(content_type)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge(str(len(body)))
    try:
        return parse_qs(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=200
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormUnreadable(str(exc)) from None
