"""dump_instrument keeps any wording intact: quotes, colons, '#', YAML keywords, Arabic, leading spaces."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from borgerblik.core import dump_instrument, parse_instrument

wording = st.text(
    alphabet=st.sampled_from(list("abcæøåÆØÅ 0123456789:#?,'\"-{}[]&*!|>%@`") + ["ي", "ع", "\n"]),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")
tricky = st.sampled_from(["yes", "no", "on", "off", "null", "~", "6.1", "1e3", "0x1F", "2024-04-07", "- x"])


def instrument_data(danish: str, english: str, past: str) -> dict:
    return {
        "id": "egenskab",
        "title": danish,
        "languages": {"da": "Dansk", "en": "English"},
        "scales": {"s": {"labels": {5: danish, 4: "b", 3: english, 2: "d", 1: "e"}, "dont_know": past}},
        "themes": [
            {
                "id": "t",
                "title": english,
                "questions": [
                    {
                        "id": "q",
                        "kind": "scale",
                        "scale": "s",
                        "text": {"da": {"present": danish, "past": past}, "en": english},
                    },
                    {
                        "id": "o",
                        "kind": "single",
                        "text": danish,
                        "options": [{"code": 1, "text": english}, {"code": 2, "text": past}],
                    },
                ],
            }
        ],
        "overall": "q",
    }


@settings(max_examples=60, deadline=None)
@given(danish=st.one_of(wording, tricky), english=st.one_of(wording, tricky), past=wording)
def test_any_wording_survives_dump_and_load(danish, english, past):
    original = parse_instrument(yaml.safe_dump(instrument_data(danish, english, past), allow_unicode=True))
    assert original.question("q").text("da", "past") == past
    assert original.question("o").choices("da")[0] == (1, english)
    assert parse_instrument(dump_instrument(original)) == original
