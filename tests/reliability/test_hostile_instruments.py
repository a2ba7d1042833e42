"""Fuzzing the instrument loader (core/loader.py, core/yaml_source.py): any text or bytes given as an
instrument is an :class:`~borgerblik.core.Instrument` or an :class:`~borgerblik.core.InstrumentError` whose
every problem names the file and a line inside it — never another exception, never a run-away parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hostile_data import NASTY, fuzz, mutated
from hypothesis import strategies as st
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.core import Instrument, InstrumentError, check_instrument, parse_instrument
from borgerblik.core.loader import TEMPLATE_DIR

NAME = "skema.yaml"
KL = (TEMPLATE_DIR / "kl-2024.yaml").read_text(encoding="utf-8")
KL_LINES = KL.splitlines(keepends=True)
runner = CliRunner()

#: keys the loader knows, so generated documents reach past the top level into themes and questions
KEYS = (
    "format",
    "id",
    "title",
    "description",
    "source",
    "languages",
    "grouping",
    "scales",
    "texts",
    "tense",
    "overall",
    "themes",
    "local_questions",
    "background",
    "questions",
    "local",
    "intro",
    "kind",
    "text",
    "items",
    "options",
    "scale",
    "when",
    "answer",
    "register",
    "group",
    "all",
    "any",
    "not",
    "in",
    "question",
    "field",
    "scheme",
    "follow_ups",
    "labels",
    "dont_know",
    "order",
    "positive",
    "da",
    "en",
    "ar",
    "present",
    "past",
    "min",
    "max",
    "unit",
    "code",
)
TOKENS = (
    "*a",
    "&a x",
    "&a [*a]",
    "? [a, b]",
    "<<: *a",
    "!!binary x",
    "!!python/object:os.system",
    "!!set {a}",
    "[",
    "]",
    "{",
    "}",
    '"',
    "'",
    "1e999",
    "9" * 5000,
    "~",
    "null",
    "true",
    "- x",
    "-",
    ":",
    "|",
    ">",
    "%YAML 1.1",
    "---",
    "...",
    "#",
    "\t",
    "!!timestamp 2023-13-45",
    "!!int x",
    "0x_",
    "kl-2024",
    "scale",
    "single",
    "multi",
    "matrix",
    "open",
    "yesno",
    "6.1",
    "status",
    "samlet_tilfredshed",
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(KEYS),
    st.dates(),
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(KEYS) | st.integers(0, 9) | st.text(max_size=5), children, max_size=6
        )
    ),
    max_leaves=40,
).map(lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@st.composite
def kl_mutants(draw: st.DrawFn) -> str:
    """The KL 2024 template with a few lines deleted, doubled, swapped, re-indented or given a hostile
    token — close enough to a real instrument to reach every part of the loader."""
    lines = list(KL_LINES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "double", "swap", "indent", "token", "nasty"]))
        if kind == "delete":
            del lines[at]
        elif kind == "double":
            lines.insert(at, lines[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "indent":
            lines[at] = " " * draw(st.integers(0, 12)) + lines[at].lstrip(" ")
        elif kind == "token":
            head, colon, _ = lines[at].partition(":")
            lines[at] = f"{head}{colon or ':'} {draw(st.sampled_from(TOKENS))}\n"
        else:
            text = lines[at]
            cut = draw(st.integers(0, len(text)))
            lines[at] = (
                text[:cut] + draw(st.text(st.sampled_from(NASTY), min_size=1, max_size=4)) + text[cut:]
            )
    return "".join(lines)


KL_DATA = yaml.safe_load(KL)


def _paths(data: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


KL_PATHS = _paths(KL_DATA)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def kl_retyped(draw: st.DrawFn) -> str:
    """The KL 2024 template as data with a few values replaced (a list where a text belongs, a number for
    a condition, a key removed) — every part of the question parser meets the wrong type."""
    import copy

    data = copy.deepcopy(KL_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(KL_PATHS))
        if not path:
            continue
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed the way there
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


yaml_syntax = st.lists(
    st.sampled_from(list(" \n-:?[]{},&*!|>'\"#%@`abc19")) | st.sampled_from(TOKENS), max_size=40
).map("".join)
instrument_texts = st.one_of(documents, kl_mutants(), kl_retyped(), yaml_syntax)


def assert_parsed_or_refused(text: str) -> None:
    try:
        instrument = parse_instrument(text, NAME)
    except InstrumentError as refused:
        assert_located(refused, yaml_lines(text))
        return
    assert isinstance(instrument, Instrument)


def yaml_lines(text: str) -> int:
    """Lines as YAML counts them: CR, LF, CR LF, NEL and the Unicode line and paragraph separators."""
    return len(re.split("\r\n|[\r\n\x85\u2028\u2029]", text))


def assert_located(refused: InstrumentError, lines: int) -> None:
    assert refused.problems
    for problem in refused.problems:
        assert problem.file == NAME
        assert problem.line is None or 1 <= problem.line <= lines, problem
        assert str(problem).startswith(NAME)


test_instrument_text_is_loaded_or_refused_with_its_line, test_instrument_text_full = fuzz(
    60, text=instrument_texts
)(assert_parsed_or_refused)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-instruments")


def check_any_bytes(folder: Path, data: bytes) -> None:
    """`instrument check`'s reader on a file: UTF-8 or not, binary or not."""
    path = folder / NAME
    path.write_bytes(data)
    try:
        check_instrument(path)
    except InstrumentError as refused:
        assert_located(refused, yaml_lines(data.decode("utf-8", errors="replace")))


instrument_bytes = st.one_of(
    st.binary(max_size=400),
    instrument_texts.flatmap(lambda text: mutated(text.encode("utf-8"))),
    instrument_texts.map(lambda text: text.encode("cp1252", errors="replace")),
)
test_instrument_file_is_loaded_or_refused_with_its_line, test_instrument_file_full = fuzz(
    60, data=instrument_bytes
)(check_any_bytes)


def command_on_any_bytes(folder: Path, data: bytes) -> None:
    path = folder / NAME
    path.write_bytes(data)
    result = runner.invoke(app, ["instrument", "check", str(path)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert result.output.startswith("Fejl: ")


test_instrument_check_exits_0_or_2, test_instrument_check_full = fuzz(15, data=instrument_bytes)(
    command_on_any_bytes
)
