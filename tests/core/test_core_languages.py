"""A language is complete or not offered: every text a citizen sees exists in every offered language."""

from __future__ import annotations

import pytest

from borgerblik.core import InstrumentError, check_instrument, load_template, parse_instrument, template_names
from borgerblik.core.loader import TEMPLATE_DIR
from borgerblik.core.texts import LocalText

HEAD = """\
format: borgerblik-instrument/1
id: lille
title: {da: Lille, en: Small, ar: صغير}
languages: {da: Dansk, en: English, ar: العربية}
scales:
  grad:
    labels:
      5: {da: Meget, en: Very, ar: جدا}
      4: {da: Noget, en: Some, ar: بعض}
      3: {da: Lidt, en: A little, ar: قليلا}
      2: {da: Næsten ikke, en: Hardly, ar: بالكاد}
      1: {da: Slet ikke, en: Not at all, ar: إطلاقا}
themes:
  - id: tema
    title: {da: Tema, en: Theme, ar: موضوع}
    questions:
      - id: samlet
        label: {da: Samlet}
        kind: scale
        scale: grad
        text:
"""


def write(tmp_path, text_block: str):
    path = tmp_path / "lille.yaml"
    path.write_text(HEAD + text_block + "overall: samlet\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", template_names())
def test_every_shipped_template_is_complete_in_danish_english_and_arabic(name: str) -> None:
    instrument = check_instrument(TEMPLATE_DIR / f"{name}.yaml")
    assert instrument == load_template(name)
    assert instrument.language_codes() == ("da", "en", "ar")
    assert "review:" in (TEMPLATE_DIR / f"{name}.yaml").read_text(encoding="utf-8")  # Arabic awaits review


def test_kl_2024_offers_danish_english_and_arabic_with_every_page_title_translated() -> None:
    kl = check_instrument(TEMPLATE_DIR / "kl-2024.yaml")
    assert kl.language_codes() == ("da", "en", "ar")
    assert all(theme.title.languages == {"da", "en", "ar"} for theme in kl.themes)


def test_a_missing_arabic_wording_is_a_gap_with_file_line_and_question(tmp_path) -> None:
    path = write(tmp_path, "          da: Hvor tilfreds?\n          en: How satisfied?\n")
    with pytest.raises(InstrumentError) as caught:
        check_instrument(path)
    (gap,) = caught.value.problems
    assert (gap.file, gap.line, gap.question, gap.field) == ("lille.yaml", 21, "samlet", "text")
    assert gap.got == "ingen tekst på ar"


def test_a_missing_past_tense_in_one_language_is_a_gap(tmp_path) -> None:
    block = (
        "          da: {present: Hvor tilfreds er du?, past: Hvor tilfreds var du?}\n"
        "          en: {present: How satisfied are you?, past: How satisfied were you?}\n"
        "          ar: ما مدى رضاك؟\n"
    )
    with pytest.raises(InstrumentError) as caught:
        check_instrument(write(tmp_path, block))
    (gap,) = caught.value.problems
    assert gap.got == "ingen past på ar"


def test_a_gap_still_loads_for_the_stages_that_only_read_danish(tmp_path) -> None:
    """Loading stays lenient (a stored survey keeps working); the check is what refuses to offer it."""
    path = write(tmp_path, "          da: Hvor tilfreds?\n")
    loaded = parse_instrument(path.read_text(encoding="utf-8"))
    assert loaded.question("samlet").text("ar") == "Hvor tilfreds?"


def test_staff_only_texts_need_no_translation(tmp_path) -> None:
    """The question's report label (here Danish only) is never shown to the citizen."""
    complete = "          da: Hvor tilfreds?\n          en: How satisfied?\n          ar: ما مدى رضاك؟\n"
    path = write(tmp_path, complete)
    assert check_instrument(path).question("samlet").label == LocalText({"da": "Samlet"})


def test_shown_language_says_when_a_text_falls_back_to_danish() -> None:
    text = LocalText({"da": "Ja", "en": "Yes"})
    assert (text.shown_language("en"), text.shown_language("ar")) == ("en", "da")
