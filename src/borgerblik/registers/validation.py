"""Checking a register extract row by row: every row is accepted or rejected with a reason.

A row is rejected when a field the survey cannot do without is missing or wrong (CPR, municipality, target
group, benefit start, the dates, the Digital Post flag) or when its CPR already appeared on an earlier
accepted row. A bad phone number or e-mail address does not cost the citizen their place in the
population — the KL survey counts exactly those people as "Digital Post only" — so the value is
rejected (listed in the rejects with its reason) and the row kept without it.

The accepted rows are split in two: ``members`` (what analysis may see: no CPR, no contact data) and
``identities`` (CPR, birth date and contact data), joined by ``borger_id``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from borgerblik.core.phone import national_digits
from borgerblik.registers.columns import FIELDS, ColumnMapping, fold_header, resolve_columns
from borgerblik.registers.cpr import (
    age_expr,
    age_group_expr,
    mask_cpr_expr,
    valid_date_expr,
    with_cpr_columns,
)
from borgerblik.registers.municipalities import unknown_municipalities
from borgerblik.registers.tabular import LINE, RawTable, read_table

REASONS: dict[str, str] = {
    "manglende-vaerdi": "påkrævet felt er tomt",
    "ugyldigt-cpr": "CPR-nummeret har ikke formen DDMMÅÅ-SSSS",
    "umulig-dato": "datoen findes ikke (eller ligger efter referencedatoen)",
    "ugyldig-dato": "datoen har ikke formen ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ",
    "slut-foer-start": "ydelsens slutdato ligger før startdatoen",
    "ukendt-maalgruppe": "målgruppen er ikke en LAB-målgruppe 6.1–6.9 eller en kendt ydelse",
    "ugyldig-ja-nej": "forventede ja eller nej",
    "dublet-cpr": "CPR-nummeret står allerede på en tidligere godkendt linje",
    "forkert-antal-felter": "linjen har et andet antal felter end overskriften",
    "ugyldigt-telefonnummer": (
        "ikke et dansk mobilnummer (8 cifre, evt. +45) — feltet ryddes, rækken beholdes"
    ),
    "ugyldig-email": "ikke en e-mailadresse — feltet ryddes, rækken beholdes",
}
FIELD_REASONS = frozenset({"ugyldigt-telefonnummer", "ugyldig-email"})

TARGET_GROUPS: tuple[str, ...] = tuple(f"6.{i}" for i in range(1, 10))
BENEFIT_TARGET_GROUPS: dict[str, str] = {
    "dagpenge": "6.1",
    "a_dagpenge": "6.1",
    "jobparat_kontanthjaelp": "6.2",
    "jobparate_kontanthjaelpsmodtagere": "6.2",
    "aktivitetsparat_kontanthjaelp": "6.3",
    "aktivitetsparate_kontanthjaelpsmodtagere": "6.3",
    "uddannelsesparat": "6.4",
    "uddannelsesparate": "6.4",
    "aktivitetsparat_uddannelseshjaelp": "6.5",
    "aktivitetsparate_uddannelseshjaelpsmodtagere": "6.5",
    "sygedagpenge": "6.6",
    "jobafklaring": "6.7",
    "ressourceforloebsydelse_under_jobafklaring": "6.7",
    "ressourceforloeb": "6.8",
    "ressourceforloebsydelse_under_ressourceforloeb": "6.8",
    "ledighedsydelse": "6.9",
}
YES = ("ja", "j", "1", "sand", "true", "yes")
NO = ("nej", "n", "0", "falsk", "false", "no")
ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$"
DANISH_DATE = r"^\d{1,2}[-./]\d{1,2}[-./]\d{4}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
REJECT_SCHEMA = {
    "file": pl.String, "line": pl.Int64, "column": pl.String, "reason": pl.String, "value": pl.String
}


@dataclass(frozen=True)
class RegisterCheck:
    """The outcome of checking one extract: accepted members and identities, and every reject."""

    source: Path
    reference_date: date
    members: pl.DataFrame
    identities: pl.DataFrame
    rejects: pl.DataFrame
    blank_lines: int
    mapping: ColumnMapping
    encoding: str = "utf-8"
    delimiter: str | None = ","

    @property
    def accepted(self) -> int:
        return self.members.height

    @property
    def rejected_rows(self) -> int:
        rows = self.rejects.filter(~pl.col("reason").is_in(list(FIELD_REASONS)))
        return rows["line"].n_unique()

    def reason_counts(self) -> dict[str, int]:
        """Rejects per reason, most frequent first (a row with two faults counts under both)."""
        counts = self.rejects.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
        return dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))

    def unknown_municipalities(self) -> dict[str, int]:
        """Accepted rows' municipality names that are none of Denmark's 98 — likely misspellings."""
        return unknown_municipalities(self.members["kommune"])

    def rejects_for_check(self) -> pl.DataFrame:
        """The ``register check --rejects`` layout: line, column, reason, value."""
        return self.rejects.select("line", "column", "reason", "value")


def read_register(
    path: Path | str,
    mapping: Mapping[str, str] | None = None,
    reference_date: date | None = None,
) -> RegisterCheck:
    """Read and check a register extract (CSV or XLSX); ages at ``reference_date`` (default today)."""
    raw = read_table(Path(path))
    return check_register(raw, mapping, reference_date or date.today())


def _with_date(frame: pl.DataFrame, column: str, out: str) -> pl.DataFrame:
    """Adds ``out`` (the date or null) and ``out_shape`` (whether the text looks like a date at all).

    ISO (2023-10-01, also with a time from Excel) and Danish day-first forms (1-10-2023, 01.10.2023,
    1/10/2023) are accepted; a recognised shape whose date does not exist is the ``umulig-dato`` case.
    """
    text = pl.col(column)
    iso = text.str.contains(ISO_DATE).fill_null(False)
    danish = text.str.contains(DANISH_DATE).fill_null(False)
    parts = text.str.replace_all(r"[./]", "-").str.split_exact("-", 2)
    staged = frame.with_columns(
        _iso=iso,
        _dk=danish,
        _parts=pl.when(danish).then(parts),
    )
    dk = pl.col("_parts")

    def iso_or(iso_part: pl.Expr, danish_part: pl.Expr) -> pl.Expr:
        return pl.when(pl.col("_iso")).then(iso_part).otherwise(danish_part).cast(pl.Int32)

    staged = staged.with_columns(
        _y=iso_or(text.str.slice(0, 4), dk.struct.field("field_2")),
        _m=iso_or(text.str.slice(5, 2), dk.struct.field("field_1")),
        _d=iso_or(text.str.slice(8, 2), dk.struct.field("field_0")),
    )
    y, m, d = pl.col("_y"), pl.col("_m"), pl.col("_d")
    valid = valid_date_expr(y, m, d).fill_null(False)
    return staged.with_columns(
        pl.when(valid)
        .then(pl.date(pl.when(valid).then(y).otherwise(2000), pl.when(valid).then(m).otherwise(1),
                      pl.when(valid).then(d).otherwise(1)))
        .alias(out),
        (pl.col("_iso") | pl.col("_dk")).alias(f"{out}_shape"),
    ).drop("_iso", "_dk", "_parts", "_y", "_m", "_d")


def target_group_code(value: str) -> str | None:
    """LAB code from "6.1", "6,1", "§ 6.1" or a benefit name such as "sygedagpenge"; None when unknown."""
    code = re.sub(r"[§\s]", "", value).replace(",", ".")
    if code in TARGET_GROUPS:
        return code
    return BENEFIT_TARGET_GROUPS.get(fold_header(value))


def yes_no(value: str) -> bool | None:
    text = value.strip().lower()
    return True if text in YES else False if text in NO else None


def conversation_types(value: str) -> str:
    """Conversation types lower-cased, spaces collapsed, ``;``-joined; empty parts dropped."""
    parts = (re.sub(r"\s+", " ", part).strip().lower() for part in value.split(";"))
    return ";".join(part for part in parts if part)


def _phone_numbers(numbers: pl.Series) -> pl.Series:
    """The 8-digit national number by the one phone rule (:mod:`borgerblik.core.phone`, the SMS client's);
    null when it is not a Danish subscriber number. Judged once per distinct value."""
    distinct = [value for value in numbers.unique().to_list() if value is not None]
    verdicts = {value: national_digits(value) for value in distinct}
    return numbers.replace_strict(verdicts, default=None, return_dtype=pl.String)


def _by_unique(
    frame: pl.DataFrame, column: str, parse: Callable[[str], object], dtype: pl.DataType
) -> pl.Expr:
    """Apply ``parse`` once per distinct value: registers repeat few codes, flags and types many times."""
    values = [v for v in frame[column].unique().to_list() if v is not None]
    mapping = {value: parse(value) for value in values}
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=dtype)


def check_register(raw: RawTable, mapping: Mapping[str, str] | None, reference_date: date) -> RegisterCheck:
    """Validate the raw cells; see the module docstring for what rejects a row and what only a value."""
    columns = resolve_columns(raw.headers, mapping, source=str(raw.path))
    frame = raw.frame.select(
        pl.col(LINE),
        *[
            (pl.col(columns.columns[f]) if f in columns.columns else pl.lit(None, dtype=pl.String)).alias(f)
            for f in FIELDS
        ],
    )
    staged = with_cpr_columns(frame, "cpr")
    staged = _with_date(_with_date(staged, "ydelse_start", "_start"), "ydelse_slut", "_slut")
    parsed = staged.with_columns(
        _kommune=_by_unique(frame, "kommune", lambda name: " ".join(name.split()), pl.String()),
        _maalgruppe=_by_unique(frame, "maalgruppe", target_group_code, pl.String()),
        _fritaget=_by_unique(frame, "digital_post_fritaget", yes_no, pl.Boolean()),
        _samtaler=_by_unique(frame, "samtaler", conversation_types, pl.String()),
        _telefon=_phone_numbers(frame["telefon"]),
        _email_ok=pl.col("email").str.contains(EMAIL),
    )
    present = {f: pl.col(f).is_not_null() for f in FIELDS}
    row_checks: list[tuple[str, str, pl.Expr]] = [
        ("cpr", "manglende-vaerdi", ~present["cpr"]),
        ("kommune", "manglende-vaerdi", ~present["kommune"]),
        ("maalgruppe", "manglende-vaerdi", ~present["maalgruppe"]),
        ("ydelse_start", "manglende-vaerdi", ~present["ydelse_start"]),
        ("cpr", "ugyldigt-cpr", present["cpr"] & ~pl.col("cpr_form_ok")),
        (
            "cpr",
            "umulig-dato",
            pl.col("cpr_form_ok")
            & (pl.col("foedselsdato").is_null() | (pl.col("foedselsdato") > pl.lit(reference_date))),
        ),
        ("maalgruppe", "ukendt-maalgruppe", present["maalgruppe"] & pl.col("_maalgruppe").is_null()),
        ("ydelse_start", "ugyldig-dato", present["ydelse_start"] & ~pl.col("_start_shape")),
        ("ydelse_start", "umulig-dato", pl.col("_start_shape") & pl.col("_start").is_null()),
        ("ydelse_slut", "ugyldig-dato", present["ydelse_slut"] & ~pl.col("_slut_shape")),
        ("ydelse_slut", "umulig-dato", pl.col("_slut_shape") & pl.col("_slut").is_null()),
        ("ydelse_slut", "slut-foer-start", (pl.col("_slut") < pl.col("_start")).fill_null(False)),
        (
            "digital_post_fritaget",
            "ugyldig-ja-nej",
            present["digital_post_fritaget"] & pl.col("_fritaget").is_null(),
        ),
    ]
    field_checks: list[tuple[str, str, pl.Expr]] = [
        ("telefon", "ugyldigt-telefonnummer", present["telefon"] & pl.col("_telefon").is_null()),
        ("email", "ugyldig-email", present["email"] & ~pl.col("_email_ok").fill_null(False)),
    ]
    flags = parsed.select(
        pl.col(LINE),
        *[check.fill_null(False).alias(f"{field}|{reason}") for field, reason, check in row_checks],
        *[check.fill_null(False).alias(f"{field}|{reason}") for field, reason, check in field_checks],
    )
    row_flag_names = [f"{field}|{reason}" for field, reason, _ in row_checks]
    bad_row = flags.select(pl.any_horizontal(row_flag_names).alias("bad"))["bad"]
    key = parsed.select(pl.when(~bad_row).then(pl.col("cpr_normaliseret")).alias("key"))["key"]
    duplicate = key.is_not_null() & ~key.is_first_distinct()
    flags = flags.with_columns(duplicate.alias("cpr|dublet-cpr"))
    accepted = parsed.filter(~bad_row & ~duplicate)
    rejects = _collect_rejects(raw, parsed, flags, columns)
    members, identities = _split_accepted(accepted, reference_date)
    return RegisterCheck(
        raw.path, reference_date, members, identities, rejects, raw.blank_lines, columns,
        encoding=raw.encoding, delimiter=raw.delimiter,
    )


def _collect_rejects(
    raw: RawTable, parsed: pl.DataFrame, flags: pl.DataFrame, columns: ColumnMapping
) -> pl.DataFrame:
    parts: list[pl.DataFrame] = []
    file = str(raw.path)
    for name in flags.columns:
        if name == LINE:
            continue
        field, reason = name.split("|")
        hit = flags[name]
        if not hit.any():
            continue
        value = parsed.filter(hit).select(
            pl.col(LINE).alias("line"),
            (mask_cpr_expr(pl.col(field)) if field == "cpr" else pl.col(field)).fill_null("").alias("value"),
        )
        parts.append(
            value.select(
                pl.lit(file).alias("file"),
                "line",
                pl.lit(columns.source_of(field) or field).alias("column"),
                pl.lit(reason).alias("reason"),
                "value",
            )
        )
    if raw.ragged:
        parts.append(
            pl.DataFrame(
                {
                    "file": [file] * len(raw.ragged),
                    "line": [r.line for r in raw.ragged],
                    "column": [""] * len(raw.ragged),
                    "reason": ["forkert-antal-felter"] * len(raw.ragged),
                    "value": [r.describe(len(raw.headers)) for r in raw.ragged],
                },
                schema=REJECT_SCHEMA,
            )
        )
    if not parts:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    return pl.concat(parts).cast(REJECT_SCHEMA).sort(["line", "column"], maintain_order=True)  # type: ignore[arg-type]


def _split_accepted(accepted: pl.DataFrame, reference_date: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    numbered = accepted.with_row_index("borger_id", offset=1).with_columns(pl.col("borger_id").cast(pl.Int64))
    alder = age_expr(pl.col("foedselsdato"), reference_date)
    members = numbered.select(
        "borger_id",
        pl.col(LINE).alias("linje"),
        pl.col("_kommune").alias("kommune"),
        pl.col("_maalgruppe").alias("maalgruppe"),
        "koen",
        "foedselsdato",
        alder.alias("alder"),
        age_group_expr(alder).alias("aldersgruppe"),
        pl.col("_start").alias("ydelse_start"),
        pl.col("_slut").alias("ydelse_slut"),
        pl.col("_samtaler").alias("samtaler"),
    )
    identities = numbered.select(
        "borger_id",
        pl.col("cpr_normaliseret").alias("cpr"),
        pl.col("_telefon").alias("telefon"),
        pl.when(pl.col("_email_ok").fill_null(False)).then(pl.col("email")).otherwise(None).alias("email"),
        pl.col("_fritaget").fill_null(False).alias("digital_post_fritaget"),
    )
    return members, identities
