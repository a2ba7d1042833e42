"""``borgerblik responses import``: answers collected elsewhere (paper forms typed in, another tool's export).

A mapping file (YAML) says which column identifies the citizen (the case code printed on the letter, or the
questionnaire link's token), which column holds which question, how a column's values become the question's
codes, and the mode the answers were collected in::

    identify: {column: Kode, by: case_code}     # or by: token
    mode: phone                                 # web, phone or in_person; or mode_column: Svarform
    language: da
    state: complete                             # or partial
    columns:
      Spm1: tillid                              # the values are the codes
      Spm2: {question: samlet_tilfredshed, codes: {Meget tilfreds: 5, Tilfreds: 4, Ved ikke: 9}}
      Kanaler: {question: kanaler, separator: ";"}  # a multi question

Every row is checked before anything is written, as the register importer does: each fault is a reject with
file, line, column and reason (an unknown code, a value outside the question's codes, a citizen the survey
does not know, one who opted out or has already answered, a second row for the same citizen); a row with a
fault is not imported at all, the others are. An open answer loses the characters the web form takes out of
a typed one (:func:`borgerblik.core.characters.neutralise`: control characters, bidi overrides as U+202E)
and has its CR LF stored as LF; a NUL byte makes the whole file unreadable (refused with its line). Each
accepted row is saved through the storage gateway's one save path
(:meth:`borgerblik.storage.Database.save_answers`), one transaction per citizen, so a row is either
stored whole or not at all; a rerun after a crash refuses the rows already stored as "already answered".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from borgerblik.core import Instrument, parse_instrument
from borgerblik.core.characters import neutralise  # the web form's rule too, so both paths store the same
from borgerblik.core.errors import BorgerblikError, InstrumentError
from borgerblik.core.yaml_source import read_yaml_file
from borgerblik.registers.tabular import LINE, RawTable, read_table
from borgerblik.storage import MODES, Database, StorageError
from borgerblik.storage.answers import AnswerRefused, AnswerRules, check_answers
from borgerblik.storage.outcomes import outcome_of

REJECT_SCHEMA = {"file": pl.String, "line": pl.Int64, "column": pl.String, "reason": pl.String,
                 "value": pl.String}
STATES = ("complete", "partial")
_CODE_DIGITS = 9


class MappingError(BorgerblikError, ValueError):
    """The mapping file itself is wrong (a question the survey lacks, a column the file lacks, ...)."""


@dataclass(frozen=True)
class ColumnRule:
    column: str
    question: str
    codes: Mapping[str, int] | None = None
    separator: str | None = None


@dataclass(frozen=True)
class ResponseMapping:
    identify_column: str
    identify_by: str
    columns: tuple[ColumnRule, ...]
    mode: str | None = None
    mode_column: str | None = None
    language: str = "da"
    state: str = "complete"


@dataclass(frozen=True)
class Citizen:
    """What the check needs to know about an invited citizen."""

    invitation_id: int
    answered: bool
    opted_out: bool


@dataclass
class ResponseCheck:
    """Accepted rows (line, invitation, answers, mode) and every reject."""

    source: Path
    accepted: list[tuple[int, int, dict[str, Any], str]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)

    def rejects_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rejects, schema=REJECT_SCHEMA)

    @property
    def rejected_rows(self) -> int:
        return len({reject["line"] for reject in self.rejects})


def read_mapping(path: Path, instrument: Instrument) -> ResponseMapping:
    """The mapping file, checked against the survey's instrument.

    Read as defensively as an instrument (aliases, deep nesting, non-UTF-8 bytes refused with the line);
    every value that must be a text is checked to be one, so a list where a column name belongs is a
    message, not a ``TypeError``.
    """
    try:
        data = read_yaml_file(path).data
    except OSError as exc:
        raise MappingError(f"{path}: kan ikke læses ({exc.strerror or exc})") from None
    except InstrumentError as exc:
        raise MappingError(f"{path}: kan ikke læses: " + "; ".join(map(str, exc.problems))) from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict) or not data["columns"]:
        raise MappingError(f"{path}: forventede 'identify' og 'columns' (kolonne: spørgsmål)")
    identify = data.get("identify") or {}
    if not isinstance(identify, dict) or not _is_text(identify.get("column")):
        raise MappingError(f"{path}: 'identify' skal angive 'column' (kolonnen med borgerens kode)")
    by = str(identify.get("by", "case_code"))
    if by not in ("case_code", "token"):
        raise MappingError(f"{path}: identify.by skal være case_code eller token, fik '{by}'")
    known = _answer_ids(instrument)
    rules: list[ColumnRule] = []
    for column, rule in data["columns"].items():
        spec = {"question": rule} if isinstance(rule, str) else rule
        if not isinstance(spec, dict) or not _is_text(spec.get("question")) or spec["question"] not in known:
            raise MappingError(f"{path}: kolonnen '{column}' peger på '{spec}', som ikke er et spørgsmål i "
                               f"undersøgelsens skema")
        codes = spec.get("codes")
        integers = isinstance(codes, dict) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in codes.values()
        )
        if codes is not None and not integers:
            raise MappingError(f"{path}: 'codes' under '{column}' skal være værdi: kode (heltal)")
        separator = spec.get("separator")
        if separator is not None and not (isinstance(separator, str) and separator):
            raise MappingError(f"{path}: 'separator' under '{column}' skal være et tegn, fx \";\"")
        rules.append(ColumnRule(str(column), str(spec["question"]),
                                {str(k).strip().casefold(): v for k, v in codes.items()} if codes else None,
                                separator))
    mode, mode_column = data.get("mode"), data.get("mode_column")
    if (mode is None) == (mode_column is None):
        raise MappingError(f"{path}: angiv enten 'mode' ({', '.join(MODES)}) eller 'mode_column'")
    if mode is not None and mode not in MODES:
        raise MappingError(f"{path}: mode skal være en af {', '.join(MODES)}, fik '{mode}'")
    if mode_column is not None and not _is_text(mode_column):
        raise MappingError(f"{path}: mode_column skal være navnet på en kolonne, fik '{mode_column}'")
    state = str(data.get("state", "complete"))
    if state not in STATES:
        raise MappingError(f"{path}: state skal være complete eller partial, fik '{state}'")
    language = str(data.get("language", "da"))
    if language not in instrument.language_codes():
        raise MappingError(f"{path}: sproget '{language}' tilbydes ikke i skemaet")
    return ResponseMapping(str(identify["column"]), by, tuple(rules), mode, mode_column, language, state)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _answer_ids(instrument: Instrument) -> set[str]:
    ids: set[str] = set()
    for question in instrument.questions():
        ids.update(question.answer_ids)
        ids.update(f.id for f in question.follow_ups)
    ids.update(b.id for b in instrument.background)
    return ids


def check_responses(raw: RawTable, mapping: ResponseMapping, instrument: Instrument,
                    citizens: Mapping[str, Citizen]) -> ResponseCheck:
    """Every row of ``raw`` checked; ``citizens`` are the survey's invited, by case code or token."""
    missing = [c for c in [mapping.identify_column, *(r.column for r in mapping.columns),
                           *([mapping.mode_column] if mapping.mode_column else [])] if c not in raw.headers]
    if missing:
        raise MappingError(f"{raw.path}: kolonnerne {', '.join(missing)} findes ikke i filen "
                           f"(filen har {', '.join(raw.headers)})")
    rules = AnswerRules.of(instrument)
    check = ResponseCheck(raw.path)
    file = str(raw.path)
    seen: dict[str, int] = {}
    for ragged in raw.ragged:
        check.rejects.append({"file": file, "line": ragged.line, "column": "",
                              "reason": "forkert-antal-felter",
                              "value": f"{ragged.fields} felter, forventede {len(raw.headers)}"})
    for row in raw.frame.iter_rows(named=True):
        line = int(row[LINE])
        faults: list[dict[str, Any]] = []

        def fault(column: str, reason: str, value: object, line: int = line, faults: list = faults) -> None:
            faults.append({"file": file, "line": line, "column": column, "reason": reason,
                           "value": "" if value is None else str(value)})

        key = (row.get(mapping.identify_column) or "").strip()
        citizen = citizens.get(key)
        if not key:
            fault(mapping.identify_column, "mangler-kode", key)
        elif citizen is None:
            fault(mapping.identify_column, "ukendt-kode", key)
        elif citizen.opted_out:
            fault(mapping.identify_column, "frameldt", key)
        elif citizen.answered:
            fault(mapping.identify_column, "har-allerede-svaret", key)
        elif key in seen:
            fault(mapping.identify_column, f"samme-borger-som-linje-{seen[key]}", key)
        if key and key not in seen:
            seen[key] = line
        mode = mapping.mode or _mode_code(row.get(mapping.mode_column or ""))
        if mode not in MODES:
            fault(mapping.mode_column or "mode", "ukendt-svarform", mode)
        answers: dict[str, Any] = {}
        for rule in mapping.columns:
            value = _answer(row.get(rule.column), rule, rules)
            if isinstance(value, _Bad):
                fault(rule.column, value.reason, row.get(rule.column))
            elif value is not None:
                answers[rule.question] = value
        for question, value in answers.items():
            try:
                check_answers({question: value}, rules)
            except AnswerRefused as refused:
                column = next(r.column for r in mapping.columns if r.question == question)
                fault(column, f"ugyldigt-svar ({refused.reason})", row.get(column))
        if not answers and not faults:
            fault("", "ingen-svar", "")
        if faults:
            check.rejects.extend(faults)
        else:
            check.accepted.append((line, citizen.invitation_id, answers, mode))  # type: ignore[union-attr]
    check.rejects.sort(key=lambda r: (r["line"], r["column"]))
    return check


MODE_WORDS = {"papir": "paper", "telefon": "phone", "personligt": "in_person"}
"""Danish words a mode column may hold for storage's modes; a paper questionnaire keyed in is ``paper``."""


def _mode_code(cell: str | None) -> str:
    text = (cell or "").strip()
    return MODE_WORDS.get(text.casefold(), text)


@dataclass(frozen=True)
class _Bad:
    reason: str


def _answer(cell: str | None, rule: ColumnRule, rules: AnswerRules) -> int | str | list[int] | _Bad | None:
    if cell is None or not cell.strip():
        return None
    text = cell.strip()
    if rule.question in rules.texts:  # stored as the web stores a typed answer: the same characters out
        return neutralise(text).replace("\r\n", "\n").replace("\r", "\n")
    parts = [p.strip() for p in text.split(rule.separator)] if rule.separator else [text]
    codes: list[int] = []
    for part in parts:
        if rule.codes is not None:
            if part.casefold() not in rule.codes:
                return _Bad("ukendt-værdi")
            codes.append(rule.codes[part.casefold()])
        elif part.isascii() and part.isdigit() and len(part) <= _CODE_DIGITS:  # not '²' nor 5.000 digits
            codes.append(int(part))
        else:
            return _Bad("ikke-en-kode")
    return codes if rule.separator or rule.question in rules.multi else codes[0]


def survey_citizens(db: Database, survey_id: int, by: str) -> dict[str, Citizen]:
    """The survey's invited citizens by case code or token, with whether they answered or opted out."""
    states = db.session_states(survey_id)
    opted_out = db.opted_out(survey_id)
    return {
        (invitation.case_code if by == "case_code" else invitation.token): Citizen(
            invitation.id,
            outcome_of(states.get(invitation.id), opted_out=False) != "no_response",
            invitation.id in opted_out,
        )
        for invitation in db.invitations(survey_id)
    }


@dataclass(frozen=True)
class ResponseImport:
    imported: int
    rejected_rows: int
    rejects: pl.DataFrame


def import_responses(db: Database, survey_id: int, table: Path, mapping_file: Path) -> ResponseImport:
    """Check the whole file, then save each accepted citizen's answers through the gateway."""
    record = db.survey(survey_id)
    instrument = parse_instrument(record.instrument_yaml, f"undersøgelse {record.id}")
    mapping = read_mapping(mapping_file, instrument)
    check = check_responses(read_table(table), mapping, instrument,
                            survey_citizens(db, survey_id, mapping.identify_by))
    imported = 0
    for line, invitation_id, answers, mode in check.accepted:
        try:
            db.save_answers(invitation_id, answers, mode=mode, language=mapping.language, state=mapping.state)
        except StorageError as exc:  # e.g. answered on the web meanwhile: the row is refused whole
            check.rejects.append({"file": str(table), "line": line, "column": mapping.identify_column,
                                  "reason": "afvist-ved-gem", "value": str(exc)})
            continue
        imported += 1
    return ResponseImport(imported, check.rejected_rows, check.rejects_frame())
