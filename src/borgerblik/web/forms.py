"""Reading a submitted page: urlencoded bodies parsed with the standard library, size-capped.

A questionnaire page is a plain ``application/x-www-form-urlencoded`` form, so ``urllib.parse`` parses it
faster than a general multipart parser — this is the save path under load. The cap leaves room for two
5,000-character open answers in any script (up to 9 bytes per character once percent-encoded) and refuses
anything larger before reading it all.

Characters that change how *other* text is shown are taken out of every submitted value by the one rule of
:mod:`borgerblik.core.characters` (bidi overrides, control characters; a NUL is left for the save to refuse).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

from borgerblik.core.characters import neutralise
from borgerblik.core.errors import BorgerblikError

MAX_FORM_BYTES = 256 * 1024


class FormTooLarge(BorgerblikError, ValueError):
    """The body exceeds :data:`MAX_FORM_BYTES`."""


class FormUnreadable(BorgerblikError, ValueError):
    """Not a urlencoded UTF-8 form (a tampered request; browsers never send this for our pages)."""


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
