"""The one rule for Danish phone numbers: import, reachability, sampling reports and the SMS client use it.

A Danish subscriber number is eight digits; numbers starting with 0 or 1 are not subscriber numbers (1xx are
service codes such as 112 and 114, 0 is never a first digit), so no SMS can reach them. ``+45`` and ``0045``
(and a bare ``45`` before eight digits) are the country code; spaces, dashes, dots, slashes and brackets are
how people write numbers. A foreign number (another country code) is not one this system can text: the SMS
gateway is contracted for Danish numbers only.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-.()/]")
COUNTRY_CODE = "+45"


@lru_cache(maxsize=65_536)
def danish_number(raw: str | None) -> str | None:
    """The number as ``+45XXXXXXXX``, or None if it is not a Danish subscriber number."""
    if not raw:
        return None
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+45"):
        digits = digits[3:]
    elif digits.startswith("0045"):
        digits = digits[4:]
    elif len(digits) == 10 and digits.startswith("45"):
        digits = digits[2:]
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit() or digits[0] in "01":
        return None
    return f"{COUNTRY_CODE}{digits}"


def national_digits(raw: str | None) -> str | None:
    """The eight national digits of a Danish number (how the register stores it), or None."""
    number = danish_number(raw)
    return None if number is None else number[len(COUNTRY_CODE) :]


def can_text(raw: str | None) -> bool:
    """Whether an SMS can go to this number."""
    return danish_number(raw) is not None
