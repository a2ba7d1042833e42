"""What became of each sampled citizen — complete, partial, blank, opted out or no response — defined once.

The monitor, the non-response analysis, ``analyze`` (the stored survey read back for weighting), the reports
and the command line all count with these definitions (docs/outcomes.md says the same in words):

- **complete** — submitted (the last page's "Næste"/"Afslut", or an interviewer closing the interview) with
  at least one closed question answered.
- **partial** — at least one answer saved, not submitted: the citizen left on the way (KL counts them).
- **blank** — submitted without a single closed question answered (pressing "Næste" through every page). The
  questionnaire is closed and no reminders follow, but it is no answer: not complete, not a respondent,
  reported on its own line.
- **opted out** — the citizen declined ("Jeg ønsker ikke at deltage", the hotline, the letter's link).
  Opting out withdraws the answers given so far: they are deleted, the deletion is counted in the opt-out
  log (``answers_withdrawn``), and the citizen is no respondent whatever they had answered.
- **no response** — everyone else sampled and invited: never opened the link, or opened it and answered
  nothing.

*Respondents* are complete plus partial (KL 2024's response rate); weighting and estimates use them.
"""

from __future__ import annotations

import polars as pl

OUTCOMES = ("complete", "partial", "blank", "opted_out", "no_response")
RESPONDED = ("complete", "partial")
"""The outcomes that make a respondent (a partial answer counts, as in the KL seed)."""
SUBMITTED = ("complete", "blank")
"""The session states of a submitted questionnaire: closed, no further reminders."""
LABELS = {
    "complete": "Gennemført",
    "partial": "Delvist besvaret",
    "blank": "Tom besvarelse",
    "opted_out": "Frameldt",
    "no_response": "Ikke besvaret",
}
_OF_SESSION = {"complete": "complete", "partial": "partial", "blank": "blank", "started": "no_response"}


def outcome_of(session_state: str | None, opted_out: bool) -> str:
    """A citizen's outcome from their response session's state and whether they opted out."""
    if opted_out:
        return "opted_out"
    return _OF_SESSION.get(session_state or "", "no_response")


def outcome_expression(session_state: str = "response_state", opted_out: str = "opted_out") -> pl.Expr:
    """:func:`outcome_of` as a polars expression over a frame's columns (named ``outcome``)."""
    return (
        pl.when(pl.col(opted_out).fill_null(False))
        .then(pl.lit("opted_out"))
        .otherwise(
            pl.col(session_state).replace_strict(_OF_SESSION, default="no_response", return_dtype=pl.String)
        )
        .alias("outcome")
    )


def is_respondent(outcome: str) -> bool:
    return outcome in RESPONDED
