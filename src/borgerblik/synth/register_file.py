"""Reading a register extract back for the simulation, refusing rows the simulation cannot use.

The registers stage does the full import validation; this only guards what the simulation needs
(the contract columns, a parseable CPR number, a known target group) and names the first bad line.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from borgerblik.core import load_groupings
from borgerblik.synth.cpr import cpr_birth_and_gender
from borgerblik.synth.register import REGISTER_COLUMNS

CPR_PATTERN = r"^\d{6}-?\d{4}$"


class RegisterFileError(ValueError):
    """A register file the simulation cannot use; the message names file, line, column, expected and got."""


def read_register(path: Path) -> pl.DataFrame:
    """The register extract at ``path`` (CSV, UTF-8, comma), every column as text."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        raise RegisterFileError(f"{path}: kunne ikke læses som CSV i UTF-8 med komma ({exc})") from exc
    missing = [c for c in REGISTER_COLUMNS if c not in frame.columns]
    if missing:
        raise RegisterFileError(
            f"{path}, linje 1: forventede kolonnerne {', '.join(REGISTER_COLUMNS)}; "
            f"mangler {', '.join(missing)}. "
            "Tip: lav filen med `borgerblik synth register`."
        )
    frame = frame.with_columns(pl.col(REGISTER_COLUMNS).fill_null("").str.strip_chars())
    bad_cpr = frame.with_row_index("line", offset=2).filter(~pl.col("cpr").str.contains(CPR_PATTERN))
    if bad_cpr.height:
        line = bad_cpr["line"][0]
        raise RegisterFileError(
            f"{path}, linje {line}, kolonne cpr: forventede DDMMÅÅ-LLLL, fik '{_masked(bad_cpr['cpr'][0])}'"
        )
    born = cpr_birth_and_gender(frame["cpr"].str.replace(r"^(\d{6})(\d{4})$", "$1-$2"))
    no_date = born["foedselsdato"].is_null()
    if no_date.any():
        line = int(no_date.arg_true()[0]) + 2
        raise RegisterFileError(
            f"{path}, linje {line}, kolonne cpr: forventede en gyldig fødselsdato, "
            f"fik '{_masked(frame['cpr'][line - 2])}'"
        )
    known = {code for group in load_groupings()["kl2024"].groups for code in group.codes}
    unknown = frame.with_row_index("line", offset=2).filter(~pl.col("maalgruppe").is_in(sorted(known)))
    if unknown.height:
        raise RegisterFileError(
            f"{path}, linje {unknown['line'][0]}, kolonne maalgruppe: forventede en LAB-kode 6.1-6.9, "
            f"fik '{unknown['maalgruppe'][0]}'. Tip: fjern rækker uden for populationen før simuleringen."
        )
    return frame.with_columns(pl.col("cpr").str.replace(r"^(\d{6})(\d{4})$", "$1-$2"))


def _masked(cpr: str) -> str:
    """Only the birth-date part of a CPR number may appear in a message."""
    return cpr[:6] + "-****" if len(cpr) > 6 else cpr
