"""A citizen answering page by page through the same functions the web pages call — for the demo's
simulated fieldwork and for tests, so simulated data pass the same routing, validation and storage as real.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from borgerblik.collection.form import AnswerValue
from borgerblik.collection.pages import page_by_key, questionnaire_pages
from borgerblik.collection.service import open_session, save_page
from borgerblik.storage import Database

MAX_SAVES = 50


def answer_questionnaire(
    db: Database,
    token: str,
    intended: Mapping[str, AnswerValue],
    *,
    stop_after_pages: int | None = None,
    lang: str = "da",
    mode: str = "web",
    interviewer_id: str | None = None,
) -> Literal["complete", "partial", "closed", "unknown"]:
    """Answer the questionnaire behind ``token`` with ``intended`` (answer id → code or text), page by page.

    Each page gets the intended answers of the questions routing shows on it, exactly as a citizen clicking
    them would; questions not in ``intended`` are skipped. ``stop_after_pages`` leaves a partial answer
    (the citizen closes the browser), as 2.3 % did in the KL seed.
    """
    questionnaire = open_session(db, token)
    if questionnaire is None:
        return "unknown"
    if questionnaire.closed:
        return "closed"
    instrument, context = questionnaire.instrument, questionnaire.context
    so_far: dict[str, object] = dict(questionnaire.answers)
    key = questionnaire.resume().key
    pages_done = 0
    for _ in range(MAX_SAVES):
        page = page_by_key(questionnaire_pages(instrument, context, so_far), key)
        if page is None:
            raise ValueError(f"siden {key!r} vises ikke for denne borger")
        given = {answer_id: intended[answer_id] for answer_id in page.answer_ids() if answer_id in intended}
        result = save_page(db, token, key, given, lang=lang, mode=mode, interviewer_id=interviewer_id)
        if result.outcome == "completed":
            return "complete"
        if result.outcome != "saved":
            problems = ", ".join(f"{p.answer_id}: {p.message}" for p in result.problems)
            raise ValueError(f"siden {key!r} blev ikke gemt ({result.outcome}; {problems})")
        so_far.update(given)
        if not result.revealed:
            pages_done += 1
            if stop_after_pages is not None and pages_done >= stop_after_pages:
                return "partial"
        key = result.next_page or key
    raise RuntimeError(f"spørgeskemaet sluttede ikke efter {MAX_SAVES} gemte sider")
