"""Reading a register extract for the simulated fieldwork, through the registers stage.

The registers stage reads and checks the file (encoding, delimiter, every reject with its line); the
simulation refuses only what it cannot use: a missing contract column (it needs all of them, the
contact fields included, to know who can be reached) or a row the stage rejected. A bad phone number or
e-mail address only clears that value, as in the real import. The accepted rows come back in the
contract's text form, normalised as the stage normalised them (CPR with a dash, LAB codes, ISO dates).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from borgerblik.core.errors import BorgerblikError
from borgerblik.registers import (
    REASONS,
    TableError,
    check_register,
    fold_header,
    load_population_rules,
    read_table,
)
from borgerblik.synth.register import REGISTER_COLUMNS

#: What a rejected value should have been, for the rejects the simulation's users meet most.
EXPECTED = {
    "ugyldigt-cpr": "forventede DDMMÅÅ-LLLL",
    "ukendt-maalgruppe": "forventede en LAB-kode 6.1-6.9",
}
HINTS = {"ukendt-maalgruppe": " Tip: fjern rækker uden for populationen før simuleringen."}


class ExtractError(BorgerblikError, ValueError):
    """An extract the simulation cannot use; the message names file, line, column, expected and got."""


def read_extract(path: Path, rules: str = "kl2024") -> pl.DataFrame:
    """The accepted rows of the extract at ``path`` as contract text columns, in file order."""
    try:
        raw = read_table(path)
    except TableError as exc:
        raise ExtractError(str(exc)) from exc
    found = {fold_header(header) for header in raw.headers}
    missing = [column for column in REGISTER_COLUMNS if column not in found]
    if missing:
        raise ExtractError(
            f"{path}, linje 1: forventede kolonnerne {', '.join(REGISTER_COLUMNS)}; "
            f"mangler {', '.join(missing)}. Tip: lav filen med `borgerblik synth register`."
        )
    check = check_register(raw, None, load_population_rules(rules).age_at)
    refused = check.rejects.filter(~pl.col("line").is_in(check.members["linje"].implode()))
    if refused.height:
        raise ExtractError(_message(refused.row(0, named=True)))
    return (
        check.members.join(check.identities, on="borger_id")
        .sort("linje")
        .select(
            "cpr",
            "kommune",
            "maalgruppe",
            pl.col("ydelse_start").dt.strftime("%Y-%m-%d"),
            pl.col("ydelse_slut").dt.strftime("%Y-%m-%d").fill_null(""),
            pl.col("samtaler").fill_null(""),
            pl.when(pl.col("digital_post_fritaget")).then(pl.lit("ja")).otherwise(pl.lit("nej"))
            .alias("digital_post_fritaget"),
            pl.col("telefon").fill_null(""),
            pl.col("email").fill_null(""),
        )
    )


def _message(reject: dict[str, object]) -> str:
    """One reject as file, line, column, expected and got (CPR values arrive masked by the stage)."""
    reason = str(reject["reason"])
    where = f"{reject['file']}, linje {reject['line']}"
    if reject["column"]:
        where += f", kolonne {reject['column']}"
    expected = EXPECTED.get(reason, REASONS.get(reason, reason))
    return f"{where}: {expected}, fik '{reject['value']}'.{HINTS.get(reason, '')}"
