"""Fuzzing `borgerblik responses import`: any answer file with any mapping file ends in exit 0 or exit 2 —
never a traceback; exit 2 leaves every table as it was; what is stored is what the one save path allows
(:func:`borgerblik.storage.answers.check_answers`), control characters included."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from hostile_data import clean_files, delimited_files, fuzz, mutated, nasty_text, note, table_counts
from hypothesis import strategies as st
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.collection.form import normalise_text
from borgerblik.core import parse_instrument
from borgerblik.core.characters import neutralise
from borgerblik.storage import Database
from borgerblik.storage.answers import AnswerRefused, AnswerRules, check_answers

runner = CliRunner()
MAPPING = """\
identify: {column: Kode, by: case_code}
mode_column: Svarform
columns:
  Status: status
  Tillid: tillid
  Samlet:
    question: samlet_tilfredshed
    codes: {Meget tilfreds: 5, Tilfreds: 4, Hverken eller: 3, Utilfreds: 2, Meget utilfreds: 1, Ved ikke: 9}
  Hvorfor: hvorfor_tilfreds
"""
HEADERS = ("Kode", "Svarform", "Status", "Tillid", "Samlet", "Hvorfor", "Ekstra")
CITIZENS = 50
FUZZED = 36  # the fuzz answers as the first 36 citizens (the first opted out); the plain tests as the rest


@dataclass
class Store:
    url: str
    file: Path
    case_codes: tuple[str, ...]
    rules: AnswerRules


def _member(number: int) -> dict[str, object]:
    return {
        "cpr": f"{60 + number % 28:02d}0385-{4000 + number:04d}",
        "kommune": "Rødovre",
        "maalgruppe": "6.1",
        "gender": "mand",
        "birth_date": "1985-03-01",
        "age": 38,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "nej",
        "telefon": f"2{number:07d}",
        "email": "",
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-responses")


@pytest.fixture(scope="module")
def store(folder: Path) -> Iterator[Store]:
    """The KL 2024 survey with 50 invited citizens, one of whom opted out, in a SQLite file."""
    file = folder / "borgerblik.sqlite"
    url = f"sqlite:///{file}"
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    with Database(url) as db:
        survey_id = db.create_survey("KL 2024", "kl-2024", yaml_text)
        members = db.add_members(survey_id, [_member(n) for n in range(1, CITIZENS + 1)])
        db.save_sample(survey_id, dict.fromkeys(members, "stratum"), draw_seed=2024)
        db.create_invitations(survey_id)
        invitations = db.invitations(survey_id)
        db.record_opt_out(invitations[0].id, "hotline")
        codes = tuple(invitation.case_code for invitation in invitations)
    yield Store(url, file, codes, AnswerRules.of(parse_instrument(yaml_text)))


def answer_values(store_codes: tuple[str, ...]) -> tuple[str, ...]:
    """Cell values: the survey's case codes, modes, codes, labels, and hostile text."""
    return (
        *store_codes[:8],
        "ZZ",
        "web",
        "phone",
        "in_person",
        "fax",
        "1",
        "2",
        "5",
        "7",
        "9",
        "0",
        "-1",
        "99999999999",
        "²",
        "١",
        "Tilfreds",
        "tilfreds ",
        "Ved ikke",
        "1;2",
        "1;;9",
        "Godt mødt",
        "\u202eevil",
        "a\x00b",
        "x\x07y",
        "<script>alert(1)</script>",
        "'; drop table responses; --",
        "æ" * 6000,
        "",
    )


@st.composite
def answer_files(draw: st.DrawFn, codes: tuple[str, ...]) -> bytes:
    good = {
        "Kode": codes[1:FUZZED],
        "Svarform": ("web", "phone", "in_person"),
        "Status": ("1", "2"),
        "Tillid": ("1", "3", "5", "9"),
        "Samlet": ("Tilfreds", "Ved ikke", "meget utilfreds"),
        "Hvorfor": ("Godt mødt", "", "Sagsbehandleren lyttede \u202eikke"),
    }
    return draw(
        delimited_files(HEADERS, answer_values(codes), max_rows=8, required=HEADERS[:6], good=good)
        | clean_files(HEADERS[:6], good, answer_values(codes))
    )


@st.composite
def mapping_files(draw: st.DrawFn) -> bytes:
    """The real mapping, the real one mutated, or a generated document with the mapping's keys."""
    kind = draw(st.sampled_from(["real", "real", "real", "mutated", "generated"]))
    if kind == "real":
        return MAPPING.encode()
    if kind == "mutated":
        return draw(mutated(MAPPING.encode()))
    keys = st.sampled_from(
        [
            "identify",
            "column",
            "by",
            "mode",
            "mode_column",
            "language",
            "state",
            "columns",
            "question",
            "codes",
            "separator",
            *HEADERS,
            "tillid",
            "status",
            "kanaler",
        ]
    )
    values = st.recursive(
        st.none() | st.booleans() | st.integers(-3, 12) | nasty_text | keys,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=20,
    )
    document = draw(st.dictionaries(keys, values, max_size=7))
    return yaml.safe_dump(document, allow_unicode=True).encode()


def import_any(store: Store, folder: Path, table: bytes, mapping: bytes) -> None:
    answers, mapping_file = folder / "svar.csv", folder / "svar.yaml"
    answers.write_bytes(table)
    mapping_file.write_bytes(mapping)
    before = table_counts(store.file)
    result = runner.invoke(
        app,
        [
            "responses",
            "import",
            "--survey",
            "KL 2024",
            "--file",
            str(answers),
            "--mapping",
            str(mapping_file),
            "--database",
            store.url,
        ],
    )
    after = table_counts(store.file)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        note("refused (exit 2)")
        assert result.output.startswith("Fejl: "), result.output
        assert after == before  # nothing half-written
        return
    imported = int(re.search(r"Indlæst: ([\d.]+) borgere", result.output).group(1).replace(".", ""))
    note("imported rows" if imported else "read, every row rejected")
    assert after["response_sessions"] - before["response_sessions"] == imported
    assert_stored_answers_allowed(store)


def assert_stored_answers_allowed(store: Store) -> None:
    """Every stored answer passes the save path's own check; no NUL, control character or bidi override
    reached the database."""
    with Database(store.url) as db:
        for invitation in db.invitations(db.survey_by_name("KL 2024").id):
            stored = db.answers(invitation.id)
            check_answers(stored, store.rules)
            texts = [v for v in stored.values() if isinstance(v, str)]
            assert all("\x00" not in v and neutralise(v) == v for v in texts)  # as the web form leaves them


@st.composite
def imports(draw: st.DrawFn) -> tuple[bytes, bytes]:
    return draw(answer_files(_codes_for_generation)), draw(mapping_files())


#: the case codes are drawn from the store's at run time; generation uses placeholders replaced below
_codes_for_generation = tuple(f"@{n:02d}@" for n in range(FUZZED))


def _with_codes(table: bytes, codes: tuple[str, ...]) -> bytes:
    for n, code in enumerate(codes[:FUZZED]):
        table = table.replace(f"@{n:02d}@".encode(), code.encode())
    return table


def import_property(store: Store, folder: Path, files_: tuple[bytes, bytes]) -> None:
    table, mapping = files_
    import_any(store, folder, _with_codes(table, store.case_codes), mapping)


test_responses_import_is_all_or_nothing, test_responses_import_full = fuzz(15, files_=imports())(
    import_property
)


# -- control characters: the importer does what the web's save path does -------------------------------


OPEN_TEXTS = ["Godt \u202emødt", "a\x07b", "linje\r\nto", "\u2066isoleret\u2069", "<b>fed</b>", "æ" * 10_001]
STORED = ["Godt mødt", "ab", "linje\nto", "isoleret", "<b>fed</b>", None]


@pytest.mark.parametrize(
    ("text", "stored_as"),
    list(zip(OPEN_TEXTS, STORED, strict=True)),
    ids=["rlo", "bel", "crlf", "isolate", "markup", "too-long"],
)
def test_an_open_answer_is_stored_as_the_web_stores_a_typed_one(
    store: Store, folder: Path, text: str, stored_as: str | None
) -> None:
    """The web form takes control characters and bidi overrides out of a typed answer
    (:func:`borgerblik.web.forms.neutralise`) and stores CR LF as LF; the save path (check_answers) refuses
    NUL and over-long texts. An imported answer goes the same way: neutralised, or the row refused."""
    code = store.case_codes[FUZZED + OPEN_TEXTS.index(text)]
    quoted = text.replace('"', '""')
    table = f'Kode;Svarform;Status;Hvorfor\n{code};phone;1;"{quoted}"\n'.encode()
    mapping = (
        b"identify: {column: Kode}\nmode_column: Svarform\n"
        b"columns: {Status: status, Hvorfor: hvorfor_tilfreds}\n"
    )
    web = normalise_text(neutralise(text))
    try:
        check_answers({"status": 1, "hvorfor_tilfreds": web}, store.rules)
        expected = {"status": 1, "hvorfor_tilfreds": web}
    except AnswerRefused:
        expected = {}
    import_any(store, folder, table, mapping)
    with Database(store.url) as db:
        survey_id = db.survey_by_name("KL 2024").id
        stored = db.answers(db.invitation_by_case_code(survey_id, code).id)
    assert stored == expected
    assert stored.get("hvorfor_tilfreds") == stored_as


def test_a_nul_byte_in_an_answer_file_is_refused_with_its_line_and_nothing_stored(
    store: Store, folder: Path
) -> None:
    table = f"Kode;Svarform;Status;Hvorfor\n{store.case_codes[-1]};phone;1;a\x00b\n".encode()
    answers, mapping_file = folder / "nul.csv", folder / "nul.yaml"
    answers.write_bytes(table)
    mapping_file.write_text("identify: {column: Kode}\nmode_column: Svarform\ncolumns: {Status: status}\n")
    before = table_counts(store.file)
    result = runner.invoke(
        app,
        [
            "responses",
            "import",
            "--survey",
            "KL 2024",
            "--file",
            str(answers),
            "--mapping",
            str(mapping_file),
            "--database",
            store.url,
        ],
    )
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        f"Fejl: {answers}: linje 2: forventede tekst (CSV), fik et nul-tegn (byte 0x00) — filen er binær. "
        "Tip: gem udtrækket som CSV (UTF-8) eller XLSX"
    )
    assert table_counts(store.file) == before
