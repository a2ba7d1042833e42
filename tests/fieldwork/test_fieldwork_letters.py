"""Letters: Danish and English wording, the personal and opt-out links, and PDFs whose text survives æøå."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from borgerblik.fieldwork import LetterPress, SurveyContact, render_message

CONTACT = SurveyContact(
    sender="KL og Jobcenter Høje-Taastrup",
    base_url="https://borgerblik.example.dk",
    hotline_phone="70 20 30 40",
    hotline_hours="hverdage kl. 9-15",
)
TOKEN = "AbC-def_0123456789abcdefghijklmnopqrstuvwxy"  # 43 characters, like storage.new_token()
CODE = "K7QM-3XPA"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_invitation_carries_sender_links_hotline_and_the_anonymity_promise() -> None:
    message = render_message("invitation", CONTACT, "Høje-Taastrup", TOKEN, CODE)
    assert message.subject == "Hvad synes du om jobcentret i Høje-Taastrup?"
    assert f"Svar her: https://borgerblik.example.dk/s/{TOKEN}\n" in message.body
    assert f"https://borgerblik.example.dk/s/{TOKEN}/fravalg" in message.body
    assert "hotline på 70 20 30 40 (hverdage kl. 9-15). Oplys koden K7QM-3XPA" in message.body
    assert (
        "Dine svar er anonyme. Din sagsbehandler og jobcentret ser aldrig, hvad du har svaret" in message.body
    )
    assert message.body.endswith("Venlig hilsen\nKL og Jobcenter Høje-Taastrup")
    assert message.sms == (
        "KL og Jobcenter Høje-Taastrup: Hvad synes du om jobcentret i Høje-Taastrup? Dine svar er anonyme. "
        f"Svar her: https://borgerblik.example.dk/s/{TOKEN} "
        f"Meld fra: https://borgerblik.example.dk/s/{TOKEN}/fravalg"
    )


def test_english_alternative_and_unknown_language_falls_back_to_danish() -> None:
    english = render_message("reminder", CONTACT, "Rødovre", TOKEN, CODE, language="en")
    assert english.subject == "Reminder: What do you think of the job centre in Rødovre?"
    assert "Your answers are anonymous." in english.body
    assert render_message("reminder", CONTACT, "Rødovre", TOKEN, CODE, language="xx").subject == (
        "Påmindelse: Hvad synes du om jobcentret i Rødovre?"
    )


def test_partial_respondents_are_asked_to_continue_where_they_left_off() -> None:
    message = render_message("reminder_partial", CONTACT, "Rødovre", TOKEN, CODE)
    assert message.subject == "Fortsæt, hvor du slap: Hvad synes du om jobcentret i Rødovre?"
    assert f"Fortsæt her: https://borgerblik.example.dk/s/{TOKEN}" in message.body


@pytest.mark.parametrize("kind", ["invitation", "reminder", "reminder_partial"])
def test_pdf_letter_text_equals_the_message_with_danish_letters_intact(kind: str) -> None:
    press = LetterPress(CONTACT, date(2024, 3, 11))
    text = pdf_text(press.letter(kind, "Høje-Taastrup", TOKEN, CODE))
    message = render_message(kind, CONTACT, "Høje-Taastrup", TOKEN, CODE)
    flowed = " ".join(text.split())
    assert flowed.startswith(f"KL og Jobcenter Høje-Taastrup 11. marts 2024 {message.subject} Kære borger")
    for paragraph in message.body.split("\n\n"):
        assert " ".join(paragraph.split()) in flowed
    assert "æ" in flowed and "ø" in flowed and "å" in flowed


def test_merged_letters_equal_a_full_render_and_link_to_each_citizens_token() -> None:
    press = LetterPress(CONTACT, date(2024, 3, 11))
    other = "Zz9_-" + TOKEN[5:]
    first = press.letter("invitation", "Høje-Taastrup", TOKEN, CODE)
    second = press.letter("invitation", "Høje-Taastrup", other, "ABCD-2345")
    assert len(first) == len(second)  # same layout, merged values of the same length
    full = press._render("invitation", "da", "Høje-Taastrup", other, "ABCD-2345")[0]
    assert pdf_text(second) == pdf_text(full)
    page = PdfReader(io.BytesIO(second)).pages[0]
    uris = [annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]]
    assert uris == [
        f"https://borgerblik.example.dk/s/{other}",
        f"https://borgerblik.example.dk/s/{other}/fravalg",
    ]
    assert TOKEN not in pdf_text(second) and "ABCD-2345" in pdf_text(second)


def test_a_token_outside_the_merge_alphabet_still_gets_a_correct_letter() -> None:
    press = LetterPress(CONTACT, date(2024, 3, 11))
    odd = "tøken~with.odd+chars"
    assert f"/s/{odd}" in pdf_text(press.letter("invitation", "Rødovre", odd, CODE)).replace("\n", "")


def test_english_letter_date_and_text() -> None:
    press = LetterPress(CONTACT, date(2024, 3, 11))
    text = pdf_text(press.letter("invitation", "Rødovre", TOKEN, CODE, language="en"))
    assert "11 March 2024" in text
    assert "What do you think of the job centre in Rødovre?" in text


def test_text_beyond_latin_falls_back_to_the_full_font() -> None:
    contact = SurveyContact("Jobcenter Ærø – Ελλάδα", "https://x.dk", "70 20 30 40", "kl. 9-15")
    text = pdf_text(LetterPress(contact, date(2024, 3, 11)).letter("invitation", "Ærø", TOKEN, CODE))
    assert text.startswith("Jobcenter Ærø – Ελλάδα")
    assert f"https://x.dk/s/{TOKEN}" in text
