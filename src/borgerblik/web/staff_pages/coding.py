"""The analysts' coding pages: the codebook of an open question, its answers to code (redacted text only) with
suggested codes, one answer's coding form, and the coders' agreement (Cohen's kappa per code).

Server-rendered and usable without JavaScript: a code is toggled by its number (the checkbox's
``accesskey``), "Gem og næste" has the focus, so Enter saves and opens the next uncoded answer. Only analysts
code: an interviewer or hotline worker (the caseworker's side) never sees an individual answer, and a
municipal analyst sees and codes only their own municipality's answers. Only the cross-municipal analyst
edits a codebook, since one codebook serves every municipality of the survey.

The texts shown come from ``responses`` (redacted on arrival) and are redacted once more on the way out, so a
row written before the redactor learnt a name does not show it; the protected originals are never read.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.core import InstrumentError, parse_instrument
from borgerblik.danish import decimal, integer
from borgerblik.storage import Database, StorageError
from borgerblik.storage.audit import record_audit
from borgerblik.storage.open_answers import (
    Code,
    OpenAnswer,
    codebook,
    coded_answers,
    open_answers,
    save_codebook,
    set_codes,
)
from borgerblik.text.coding import Suggester, kappa_per_code, train_suggester
from borgerblik.text.redaction import redact
from borgerblik.web.auth import Auth, StaffUser, read_form
from borgerblik.web.lookup import LARGEST_ID

CODERS = ("analyst", "municipal_analyst")
"""Who codes. Not the administrator (sets surveys up) nor the interviewer/hotline (the caseworker's side)."""
EDITORS = ("analyst",)
PAGE_SIZE = 50
BLANK_ROWS = 3
"""Empty rows under the codebook's codes, for new ones (a row whose code is emptied is removed)."""
KEYS = "1234567890"
_CODE = re.compile(r"[a-z0-9æøå_-]{1,60}")
_FIELDS = ("kode", "etiket", "beskrivelse", "noegleord", "eksempler", "overkode")
_SUGGESTERS: OrderedDict[tuple[Any, ...], tuple[int, Suggester | str]] = OrderedDict()
_CACHED = 16


@dataclass(frozen=True)
class Question:
    survey: Any
    id: str
    text: str


@dataclass(frozen=True)
class ShownCode:
    """A codebook code as the pages show it: its number key and indentation under its parent."""

    code: str
    label: str
    description: str
    key: str
    child: bool


def shown_codes(book: list[Code]) -> list[ShownCode]:
    """First-level codes, each followed by its subcodes, numbered 1–9, 0 in that order."""
    order = [c for c in book if c.parent is None]
    ordered: list[Code] = []
    for top in order:
        ordered.append(top)
        ordered.extend(c for c in book if c.parent == top.code)
    ordered.extend(c for c in book if c not in ordered)
    return [
        ShownCode(c.code, c.label, c.description, KEYS[i] if i < len(KEYS) else "", c.parent is not None)
        for i, c in enumerate(ordered)
    ]


def training_set(
    coded: pl.DataFrame, texts: Mapping[int, str], coder: str
) -> tuple[list[str], list[list[str]]]:
    """The answers already coded by hand or file, with their codes: the signed-in coder's where they coded
    the answer, else the first other coder's (by name), so two coders' codes never mix on one answer."""
    coded = coded.filter(
        pl.col("source").is_in(["manual", "import"]) & pl.col("invitation_id").is_in(list(texts))
    )
    chosen: dict[int, tuple[bool, str]] = {}
    for invitation, who in coded.select("invitation_id", "coder").unique().iter_rows():
        rank = (who != coder, who)
        if invitation not in chosen or rank < chosen[invitation]:
            chosen[invitation] = rank
    by_answer: dict[int, list[str]] = {}
    for invitation, code, who in coded.select("invitation_id", "code", "coder").iter_rows():
        if chosen[invitation][1] == who:
            by_answer.setdefault(invitation, []).append(code)
    ids = sorted(by_answer)
    return [texts[i] for i in ids], [by_answer[i] for i in ids]


def suggester_for(key: tuple[Any, ...], texts: list[str], codes: list[list[str]]) -> Suggester | str:
    """The suggester for these coded answers, or why there is none. Training cross-validates, so it takes
    seconds on a large question: a model is kept until a tenth more answers (at least 10) are coded, not
    retrained after every save."""
    kept = _SUGGESTERS.get(key)
    if kept is not None:
        _SUGGESTERS.move_to_end(key)
        coded_then, found = kept
        if coded_then <= len(texts) < coded_then + max(10, coded_then // 10):
            return found
    if len(texts) < 10:
        found = "Kod mindst 10 svar, så kan Borgerblik foreslå koder."
    else:
        try:
            found = train_suggester(texts, codes)
        except ValueError:
            found = "Ingen kode er givet mindst 5 gange endnu; kod flere svar for at få forslag."
    _SUGGESTERS[key] = (len(texts), found)
    while len(_SUGGESTERS) > _CACHED:
        _SUGGESTERS.popitem(last=False)
    return found


def quality_rows(suggester: Suggester, labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Each code's cross-validated precision and recall, in Danish format ("–" where not measurable)."""
    return [
        {
            "label": labels.get(q.code, q.code),
            "coded": integer(q.coded),
            "precision": decimal(q.precision) if q.precision == q.precision else "–",
            "recall": decimal(q.recall) if q.recall == q.recall else "–",
        }
        for q in suggester.quality
    ]


def agreement_rows(
    coded: pl.DataFrame, first: str, second: str, book: list[Code]
) -> tuple[int, list[dict[str, str]]]:
    """(answers both coded, per code: label, how often each gave it, kappa) for two coders."""
    by: dict[str, dict[int, set[str]]] = {first: {}, second: {}}
    for invitation, code, who in coded.select("invitation_id", "code", "coder").iter_rows():
        if who in by:
            by[who].setdefault(invitation, set()).add(code)
    shared = sorted(set(by[first]) & set(by[second]))
    if not shared:
        return 0, []
    names = [c.code for c in book]
    kappas = kappa_per_code(by[first], by[second], names)
    rows = []
    for c in book:
        rows.append(
            {
                "label": c.label,
                "first": integer(sum(c.code in by[first][i] for i in shared)),
                "second": integer(sum(c.code in by[second][i] for i in shared)),
                "kappa": decimal(kappas[c.code]),
            }
        )
    return len(shared), rows


def form_rows(fields: Mapping[str, list[str]]) -> list[dict[str, str]]:
    """The codebook form's rows (``kode_0``, ``etiket_0``, …) as typed, to save or to show again."""
    rows: list[dict[str, str]] = []
    index = 0
    while f"kode_{index}" in fields and index < 500:
        rows.append({name: (fields.get(f"{name}_{index}") or [""])[0].strip() for name in _FIELDS})
        index += 1
    return rows


def parse_codebook_form(rows: list[dict[str, str]]) -> list[Code]:
    """The codes of the form's rows; a row without a code is left out (that removes a code). Raises
    ValueError with a Danish message naming the row for a malformed one."""
    codes: list[Code] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, 1):
        if not row["kode"]:
            continue
        if not _CODE.fullmatch(row["kode"]):
            raise ValueError(
                f"Række {number}: koden {row['kode'][:60]!r} må kun have små bogstaver, tal, - og _ "
                "(højst 60 tegn)."
            )
        if row["kode"] in seen:
            raise ValueError(f"Række {number}: koden {row['kode']!r} står to gange.")
        if not row["etiket"] or len(row["etiket"]) > 200:
            raise ValueError(f"Række {number}: giv koden {row['kode']!r} en etiket (højst 200 tegn).")
        seen.add(row["kode"])
        codes.append(
            Code(
                row["kode"],
                row["etiket"],
                row["beskrivelse"],
                tuple(k.strip() for k in re.split(r"[|;]", row["noegleord"]) if k.strip()),
                tuple(line.strip() for line in row["eksempler"].splitlines() if line.strip()),
                row["overkode"] or None,
            )
        )
    return codes


def _form_rows(book: list[Code]) -> list[dict[str, str]]:
    rows = [
        {
            "kode": c.code,
            "etiket": c.label,
            "beskrivelse": c.description,
            "noegleord": " | ".join(c.keywords),
            "eksempler": "\n".join(c.examples),
            "overkode": c.parent or "",
        }
        for c in book
    ]
    return rows + [dict.fromkeys(_FIELDS, "") for _ in range(BLANK_ROWS)]


def coding_routes(db: Database, auth: Auth, page: Callable[..., Response]) -> list[BaseRoute]:
    """``page(request, template, status_code=…, **values)`` renders a staff template."""

    def refuse_missing(request: Request) -> Response:
        return auth.refuse(request, 404, "Findes ikke", "Undersøgelsen har ikke det åbne spørgsmål.")

    def find_question(survey_id: int, question_id: str) -> Question | None:
        if survey_id > LARGEST_ID:
            return None
        try:
            survey = db.survey(survey_id)
            instrument = parse_instrument(survey.instrument_yaml, f"undersøgelse {survey.id}")
        except (StorageError, InstrumentError):
            return None
        open_ids = {q.id: q for q in instrument.questions() if q.kind.value == "open"}
        if question_id not in open_ids:
            return None
        return Question(survey, question_id, open_ids[question_id].text())

    async def load(request: Request) -> Question | None:
        return await auth.call(
            find_question, request.path_params["survey_id"], request.path_params["question"]
        )

    def model_key(user: StaffUser, question: Question, book: list[Code]) -> tuple[Any, ...]:
        """Whose suggester: this database, question and codebook, and the coder and the answers they see."""
        kommune = user.municipality if user.role == "municipal_analyst" else None
        codes = tuple(c.code for c in book)
        return (str(db.engine.url), question.survey.id, question.id, kommune, user.username, codes)

    def visible(user: StaffUser, survey_id: int, question_id: str) -> list[OpenAnswer]:
        kommune = user.municipality if user.role == "municipal_analyst" else None
        return open_answers(db, survey_id, question_id, kommune=kommune)

    def overview_data(user: StaffUser) -> list[dict[str, Any]]:
        rows = []
        for survey in db.surveys():
            try:
                instrument = parse_instrument(survey.instrument_yaml, f"undersøgelse {survey.id}")
            except InstrumentError:
                continue
            for question in instrument.questions():
                if question.kind.value != "open":
                    continue
                answers = visible(user, survey.id, question.id)
                rows.append(
                    {
                        "survey": survey,
                        "question": question.id,
                        "text": question.text(),
                        "answers": integer(len(answers)),
                    }
                )
        return rows

    async def index(request: Request) -> Response:
        rows = await auth.call(overview_data, request.state.staff)
        return page(request, "staff/coding/index.html", rows=rows)

    def answer_list_data(
        user: StaffUser, question: Question, only_uncoded: bool, side: int
    ) -> dict[str, Any]:
        answers = visible(user, question.survey.id, question.id)
        texts = {a.invitation_id: redact(a.text).text for a in answers}
        book = codebook(db, question.survey.id, question.id)
        labels = {c.code: c.label for c in book}
        coded = coded_answers(db, question.survey.id, question.id)
        mine: dict[int, list[str]] = {}
        for invitation, code, who in coded.select("invitation_id", "code", "coder").iter_rows():
            if who == user.username and invitation in texts:
                mine.setdefault(invitation, []).append(code)
        suggester = suggester_for(model_key(user, question, book), *training_set(coded, texts, user.username))
        listed = [a for a in answers if not (only_uncoded and a.invitation_id in mine)]
        pages = max(1, -(-len(listed) // PAGE_SIZE))
        side = min(max(side, 1), pages)
        shown = listed[(side - 1) * PAGE_SIZE : side * PAGE_SIZE]
        suggestions: list[list[tuple[str, float]]] = [[] for _ in shown]
        if isinstance(suggester, Suggester) and shown:
            suggestions = suggester.suggest([texts[a.invitation_id] for a in shown])
        rows = [
            {
                "id": a.invitation_id,
                "kommune": a.kommune,
                "text": texts[a.invitation_id],
                "codes": [labels.get(c, c) for c in mine.get(a.invitation_id, [])],
                "suggested": [f"{labels.get(c, c)} ({decimal(p * 100, 0)} %)" for c, p in s],
            }
            for a, s in zip(shown, suggestions, strict=True)
        ]
        return {
            "rows": rows,
            "total": integer(len(answers)),
            "uncoded": integer(sum(1 for a in answers if a.invitation_id not in mine)),
            "side": side,
            "pages": pages,
            "has_codebook": bool(book),
            "quality": quality_rows(suggester, labels) if isinstance(suggester, Suggester) else [],
            "no_suggestions": suggester if isinstance(suggester, str) else None,
            "first_uncoded": next((a.invitation_id for a in answers if a.invitation_id not in mine), None),
        }

    async def answer_list(request: Request) -> Response:
        question = await load(request)
        if question is None:
            return refuse_missing(request)
        only_uncoded = request.query_params.get("vis") == "ukodede"
        side_text = request.query_params.get("side", "1")
        side = int(side_text) if side_text.isascii() and side_text.isdigit() and len(side_text) < 7 else 1
        data = await auth.call(answer_list_data, request.state.staff, question, only_uncoded, side)
        return page(
            request, "staff/coding/answers.html", question=question, only_uncoded=only_uncoded, **data
        )

    def one_answer_data(user: StaffUser, question: Question, invitation_id: int) -> dict[str, Any] | str:
        answers = open_answers(db, question.survey.id, question.id)
        found = next((a for a in answers if a.invitation_id == invitation_id), None)
        if found is None:
            return "missing"
        if user.role == "municipal_analyst" and found.kommune != user.municipality:
            return "forbidden"
        mine_all = visible(user, question.survey.id, question.id)
        texts = {a.invitation_id: redact(a.text).text for a in mine_all}
        book = codebook(db, question.survey.id, question.id)
        coded = coded_answers(db, question.survey.id, question.id)
        given = set(
            coded.filter((pl.col("invitation_id") == invitation_id) & (pl.col("coder") == user.username))[
                "code"
            ]
        )
        suggester = suggester_for(model_key(user, question, book), *training_set(coded, texts, user.username))
        suggested: dict[str, str] = {}
        if isinstance(suggester, Suggester):
            suggested = {
                c: f"{decimal(p * 100, 0)} %" for c, p in suggester.suggest([texts[invitation_id]])[0]
            }
        ids = [a.invitation_id for a in mine_all]
        position = ids.index(invitation_id)
        return {
            "answer": {"id": invitation_id, "kommune": found.kommune, "text": texts[invitation_id]},
            "codes": shown_codes(book),
            "given": given,
            "suggested": suggested,
            "position": integer(position + 1),
            "count": integer(len(ids)),
            "previous": ids[position - 1] if position else None,
            "next": ids[position + 1] if position + 1 < len(ids) else None,
        }

    async def one_answer(request: Request) -> Response:
        question = await load(request)
        if question is None:
            return refuse_missing(request)
        data = await auth.call(
            one_answer_data, request.state.staff, question, request.path_params["invitation_id"]
        )
        if data == "missing":
            return auth.refuse(request, 404, "Findes ikke", "Spørgsmålet har intet svar med det nummer.")
        if data == "forbidden":
            return auth.refuse(request, 403, "Ingen adgang", "Du kan kode svarene fra din egen kommune.")
        return page(request, "staff/coding/answer.html", question=question, **data)

    def save_answer_codes(
        user: StaffUser, question: Question, invitation_id: int, chosen: list[str]
    ) -> int | str:
        answers = visible(user, question.survey.id, question.id)
        ids = [a.invitation_id for a in answers]
        if invitation_id not in ids:
            every = {a.invitation_id for a in open_answers(db, question.survey.id, question.id)}
            return "forbidden" if invitation_id in every else "missing"
        known = {c.code for c in codebook(db, question.survey.id, question.id)}
        unknown = [c for c in chosen if c not in known]
        if unknown:
            return "unknown"
        pairs = [(invitation_id, c) for c in chosen]
        set_codes(db, question.survey.id, question.id, pairs, coder=user.username, answers=[invitation_id])
        coded = coded_answers(db, question.survey.id, question.id)
        mine = set(coded.filter(pl.col("coder") == user.username)["invitation_id"])
        after = ids[ids.index(invitation_id) + 1 :] + ids[: ids.index(invitation_id)]
        return next((i for i in after if i not in mine), -1)

    async def save_codes(request: Request) -> Response:
        question = await load(request)
        if question is None:
            return refuse_missing(request)
        fields = await read_form(request)
        chosen = list(dict.fromkeys(v for v in fields.get("kode", []) if v))[:100]
        invitation_id = request.path_params["invitation_id"]
        user: StaffUser = request.state.staff
        following = await auth.call(save_answer_codes, user, question, invitation_id, chosen)
        if following == "missing":
            return auth.refuse(request, 404, "Findes ikke", "Spørgsmålet har intet svar med det nummer.")
        if following == "forbidden":
            return auth.refuse(request, 403, "Ingen adgang", "Du kan kode svarene fra din egen kommune.")
        if following == "unknown":
            return auth.refuse(
                request, 400, "Ukendt kode", "En af koderne findes ikke i kodebogen. Genindlæs siden."
            )
        base = f"/kodning/{question.survey.id}/{question.id}"
        if following == -1:
            return RedirectResponse(f"{base}?vis=alle&gemt=ja", 303)
        return RedirectResponse(f"{base}/svar/{following}", 303)

    def codebook_page(
        request: Request,
        question: Question,
        book: list[Code],
        *,
        rows: list[dict[str, str]] | None = None,
        error: str | None = None,
        saved: bool = False,
        status_code: int = 200,
    ) -> Response:
        return page(
            request,
            "staff/coding/codebook.html",
            status_code=status_code,
            question=question,
            codes=shown_codes(book),
            book={c.code: c for c in book},
            rows=rows if rows is not None else _form_rows(book),
            can_edit=request.state.staff.role in EDITORS,
            error=error,
            saved=saved,
        )

    async def show_codebook(request: Request) -> Response:
        question = await load(request)
        if question is None:
            return refuse_missing(request)
        book = await auth.call(codebook, db, question.survey.id, question.id)
        return codebook_page(request, question, book, saved=request.query_params.get("gemt") == "ja")

    async def edit_codebook(request: Request) -> Response:
        question = await load(request)
        if question is None:
            return refuse_missing(request)
        fields = await read_form(request)
        book = await auth.call(codebook, db, question.survey.id, question.id)
        rows = form_rows(fields)
        try:
            codes = parse_codebook_form(rows)
            count = await auth.call(save_codebook, db, question.survey.id, question.id, codes)
        except (ValueError, StorageError) as exc:
            return codebook_page(request, question, book, rows=rows, error=str(exc), status_code=422)
        detail = f"undersøgelse {question.survey.id}, {question.id}: {count} koder"
        await auth.call(record_audit, db, request.state.staff.username, "codebook_save", detail)
        return RedirectResponse(f"/kodning/{question.survey.id}/{question.id}/kodebog?gemt=ja", 303)

    def agreement_data(user: StaffUser, question: Question, first: str, second: str) -> dict[str, Any]:
        ids = {a.invitation_id for a in visible(user, question.survey.id, question.id)}
        coded = coded_answers(db, question.survey.id, question.id).filter(
            pl.col("invitation_id").is_in(list(ids))
        )
        coders = sorted(set(coded["coder"]))
        if first not in coders or second not in coders or first == second:
            first, second = (coders + ["", ""])[:2]
        book = codebook(db, question.survey.id, question.id)
        shared, rows = (0, [])
        if first and second:
            shared, rows = agreement_rows(coded, first, second, book)
        return {"coders": coders, "first": first, "second": second, "shared": integer(shared), "rows": rows}

    async def agreement(request: Request) -> Response:
        question = await load(request)
        if question is None:
            return refuse_missing(request)
        first = request.query_params.get("a", "")[:64]
        second = request.query_params.get("b", "")[:64]
        data = await auth.call(agreement_data, request.state.staff, question, first, second)
        return page(request, "staff/coding/agreement.html", question=question, **data)

    base = "/kodning/{survey_id:int}/{question}"
    return [
        auth.route("/kodning", index, roles=CODERS),
        auth.route(base, answer_list, roles=CODERS),
        auth.route(f"{base}/svar/{{invitation_id:int}}", one_answer, roles=CODERS),
        auth.route(f"{base}/svar/{{invitation_id:int}}", save_codes, roles=CODERS, methods=["POST"]),
        auth.route(f"{base}/kodebog", show_codebook, roles=CODERS),
        auth.route(f"{base}/kodebog", edit_codebook, roles=EDITORS, methods=["POST"]),
        auth.route(f"{base}/enighed", agreement, roles=CODERS),
    ]
