"""Collecting answers: the functions every questionnaire page calls — web, interviewer, simulated fieldwork.

Open a personal link, save a page (one transaction, routing re-evaluated), complete, opt out, and start an
interviewer-led interview. Pure page logic lives in :mod:`pages` and :mod:`form`; SQL in :mod:`store`.
"""

from borgerblik.collection.form import OPEN_ANSWER_LIMIT, Problem, check_page_answers
from borgerblik.collection.interview import find_by_case_code, start_anonymous_interview
from borgerblik.collection.pages import Page, questionnaire_pages
from borgerblik.collection.service import (
    Questionnaire,
    SaveResult,
    complete,
    open_session,
    opt_out,
    page_nonce,
    save_page,
    start,
)
from borgerblik.collection.simulate import answer_questionnaire

__all__ = [
    "OPEN_ANSWER_LIMIT",
    "Page",
    "Problem",
    "Questionnaire",
    "SaveResult",
    "answer_questionnaire",
    "check_page_answers",
    "complete",
    "find_by_case_code",
    "open_session",
    "opt_out",
    "page_nonce",
    "questionnaire_pages",
    "save_page",
    "start",
    "start_anonymous_interview",
]
