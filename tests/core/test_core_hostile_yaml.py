"""Hostile instrument YAML: every file that cannot be a questionnaire is one clear problem with file and line.

Issue 18 found a 342-byte alias bomb that ran `instrument check` for 72 s into ``MemoryError``, and
tracebacks for Windows-1252, binary and NUL files and for a ``? [a, b]`` key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.core import InstrumentError, check_instrument, parse_instrument
from borgerblik.core.loader import TEMPLATE_DIR
from borgerblik.core.yaml_source import MAX_BYTES, MAX_DEPTH, read_yaml

runner = CliRunner()


def alias_bomb() -> str:
    """The classic "billion laughs": nine levels of nine aliases, 9⁹ = 387.420.489 strings when followed."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def only_problem(text: str) -> str:
    with pytest.raises(InstrumentError) as raised:
        read_yaml(text, "skema.yaml")
    assert len(raised.value.problems) == 1
    return str(raised.value.problems[0])


def test_the_342_byte_alias_bomb_is_refused_before_anything_is_copied() -> None:
    bomb = alias_bomb()
    assert len(bomb.encode()) == 342
    assert only_problem(bomb) == (
        "skema.yaml, linje 2, felt '(YAML)': forventede YAML uden aliaser (*navn), fik 72 aliaser på "
        "linje 2, 3, 4, 5, 6 …. Tip: skriv værdien ud hvert sted; aliaser afvises, da de kan få en lille "
        "fil til at fylde milliarder af værdier"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x hej\nb: *x\n", 2),  # a scalar alias: harmless, but refused the same way
        ("a: &x [1]\nb:\n  - 2\n  - *x\n", 4),
        ("a: &x [*x]\n", 1),  # a recursive alias would otherwise recurse for ever
    ],
)
def test_every_alias_is_refused_with_its_line(text: str, line: int) -> None:
    assert only_problem(text).startswith(
        f"skema.yaml, linje {line}, felt '(YAML)': forventede YAML uden aliaser (*navn), fik et alias"
    )


def test_a_merge_key_is_refused() -> None:
    assert only_problem("a: &x {c: 1}\nb:\n  <<: *x\n") == (
        "skema.yaml, linje 3, felt '<<': forventede en almindelig nøgle, fik '<<' (YAML-sammenfletning). "
        "Tip: skriv nøglerne ud; sammenfletning bygger på aliaser, som afvises"
    )


def test_an_anchor_without_an_alias_is_harmless() -> None:
    assert read_yaml("a: &x [1, 2]\n", "skema.yaml").data == {"a": [1, 2]}


def test_a_complex_key_is_a_problem_not_a_traceback() -> None:
    assert only_problem("id: x\n? [a, b]\n: 1\n") == (
        "skema.yaml, linje 2, felt '(nøgle)': forventede en nøgle der er en enkel tekst, fik en liste "
        "eller ordbog som nøgle. Tip: en nøgle som '? [a, b]' kan ikke bruges; skriv fx 'a:'"
    )


def test_block_nesting_deeper_than_the_bound_is_refused_with_its_line() -> None:
    text = "".join(f"{'  ' * level}n{level}:\n" for level in range(MAX_DEPTH + 5)) + "  " * 50 + "x: 1\n"
    problem = only_problem(text)
    assert problem.startswith(
        f"skema.yaml, linje {MAX_DEPTH + 2}, felt '(YAML)': forventede højst {MAX_DEPTH} niveauer"
    )


def test_flow_nesting_of_a_hundred_thousand_is_refused_by_the_parser() -> None:
    problem = only_problem("[" * 100_000 + "]" * 100_000)
    assert problem.startswith("skema.yaml, linje 1, felt '(YAML)': forventede gyldig YAML, fik ")
    assert "nesting depth" in problem


def test_an_integer_of_five_thousand_digits_is_a_problem() -> None:
    problem = only_problem("id: " + "9" * 5000 + "\n")
    assert problem.startswith(
        "skema.yaml, linje 1, felt '(YAML)': forventede en værdi YAML kan læse, fik '999"
    )


def test_a_tag_its_constructor_cannot_read_is_a_problem() -> None:
    problem = only_problem("id: !!timestamp x\n")
    assert problem == (
        "skema.yaml, linje 1, felt '(YAML)': forventede en værdi YAML kan læse, fik 'x', som ikke kan læses "
        "som timestamp (AttributeError). Tip: sæt citationstegn om teksten, eller ret værdien"
    )


@pytest.mark.parametrize(
    ("character", "code"), [("\x00", "0000"), ("\x07", "0007"), ("\x1b", "001B"), ("\ufffe", "FFFE")]
)
def test_a_control_character_is_named_with_its_line(character: str, code: str) -> None:
    assert only_problem(f"id: x\ntitle: a{character}b\n") == (
        f"skema.yaml, linje 2, felt '(YAML)': forventede almindelig tekst, fik kontroltegnet U+{code}. "
        "Tip: nul-tegn og andre kontroltegn hører ikke hjemme i YAML; er det en binær fil?"
    )


def test_text_longer_than_the_bound_is_refused() -> None:
    with pytest.raises(InstrumentError, match="forventede YAML på højst 2.000.000 tegn"):
        parse_instrument("# " + "x" * MAX_BYTES, "skema.yaml")


def write(tmp_path: Path, data: bytes, name: str = "skema.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_windows_1252_file_names_the_first_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "id: x\n# ok\ntitle: Tilfredshed på jobcentret\n".encode("cp1252"))
    with pytest.raises(InstrumentError) as raised:
        check_instrument(path)
    assert str(raised.value.problems[0]).startswith(
        "skema.yaml, linje 3, felt '(YAML)': forventede tekst i UTF-8, "
        "fik bytes der ikke er UTF-8 (byte 0xe5)"
    )


def test_a_file_larger_than_the_bound_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, b"# " + b"x" * (MAX_BYTES + 10))
    with pytest.raises(InstrumentError, match="forventede en YAML-fil på højst 2 MB, fik en større fil"):
        check_instrument(path)


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    text = (TEMPLATE_DIR / "kl-2024.yaml").read_bytes()
    instrument = check_instrument(write(tmp_path, b"\xef\xbb\xbf" + text))
    assert instrument.id == "kl-2024"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (alias_bomb().encode(), "skema.yaml, linje 2, felt '(YAML)': forventede YAML uden aliaser"),
        (
            "title: æblegrød\n".encode("cp1252"),
            "skema.yaml, linje 1, felt '(YAML)': forventede tekst i UTF-8",
        ),
        (bytes(range(256)) * 4, "skema.yaml, linje 2, felt '(YAML)': forventede tekst i UTF-8"),
        (
            b"id: x\x00\n",
            "skema.yaml, linje 1, felt '(YAML)': forventede almindelig tekst, fik kontroltegnet U+0000",
        ),
        (
            b"? [a, b]\n: 1\n",
            "skema.yaml, linje 1, felt '(nøgle)': forventede en nøgle der er en enkel tekst",
        ),
        (b"", "skema.yaml, felt '(dokument)': forventede en ordbog med id, languages"),
    ],
    ids=["alias-bomb", "cp1252", "binary", "nul", "complex-key", "empty"],
)
def test_instrument_check_exits_2_with_file_and_line(tmp_path: Path, data: bytes, message: str) -> None:
    result = runner.invoke(app, ["instrument", "check", str(write(tmp_path, data))])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())


def test_instrument_check_on_a_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["instrument", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"Fejl: {tmp_path}: er en mappe, ikke en fil"


# -- wrong types where the loader hashed a value (found by tests/reliability/test_hostile_instruments.py) ----


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("grouping: kl2024\n", "grouping: [kl2024]\n", "grouping"),
        (
            "        kind: scale\n        scale: grad\n",
            "        kind: [scale]\n        scale: grad\n",
            "kind",
        ),
        ("        scale: grad\n", "        scale: {a: 1}\n", "scale"),
        ("  question: status\n  past: [2]\n", "  question: [status]\n  past: [2]\n", "tense.question"),
        ("  past: [2]\n", "  past: [[2]]\n", "tense.past"),
        (
            "{group: {scheme: kl2024, in: [sygedagpenge]}}",
            "{group: {scheme: [x], in: [sygedagpenge]}}",
            "when.group.scheme",
        ),
        ("themes:\n", "themes: 5\nx:\n", "themes"),
    ],
)
def test_a_list_or_mapping_where_a_name_belongs_is_a_problem(old: str, new: str, field: str) -> None:
    text = (TEMPLATE_DIR / "kl-2024.yaml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(InstrumentError) as raised:
        parse_instrument(text.replace(old, new, 1), "skema.yaml")
    assert field in {problem.field for problem in raised.value.problems}, raised.value
