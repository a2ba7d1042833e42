"""The one phone rule, as the SMS client applies it — and import, reachability and sampling reports too."""

from __future__ import annotations

import pytest

from borgerblik.core.phone import can_text, danish_number, national_digits
from borgerblik.fieldwork.sms import normalise_phone
from borgerblik.registers.validation import _phone_numbers

CASES = [
    ("22334455", "+4522334455"),
    ("+4522334455", "+4522334455"),
    ("+45 22 33 44 55", "+4522334455"),
    ("0045 22334455", "+4522334455"),
    ("004522334455", "+4522334455"),
    ("4522334455", "+4522334455"),
    ("22-33-44-55", "+4522334455"),
    (" (22) 33.44/55 ", "+4522334455"),
    ("12345678", None),  # 8 digits starting with 1: a service code range, no subscriber number
    ("+45 12345678", None),
    ("01234567", None),
    ("2233445", None),  # seven digits
    ("223344556", None),  # nine digits
    ("+46701234567", None),  # Swedish
    ("+4915112345678", None),  # German mobile
    ("0046701234567", None),
    ("２２３３４４５５", None),  # full-width digits are not digits a gateway takes
    ("ukendt", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_one_rule_for_every_use(raw: str | None, expected: str | None) -> None:
    assert danish_number(raw) == expected
    assert normalise_phone(raw) == expected  # the SMS client
    assert can_text(raw) is (expected is not None)  # reachability, the sampling report, the monitor
    assert national_digits(raw) == (expected[3:] if expected else None)  # the register import


def test_the_register_import_keeps_exactly_the_numbers_the_sms_client_can_text() -> None:
    import polars as pl

    raws = [raw for raw, _ in CASES]
    imported = _phone_numbers(pl.Series(raws, dtype=pl.String)).to_list()
    assert imported == [expected[3:] if expected else None for _, expected in CASES]
