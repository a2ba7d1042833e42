"""Substitute CPR numbers (day + 60): shaped like real ones, never a real person's.

The CPR office issues substitute numbers with 60 added to the birth day, so DD runs 61–91 and no
ordinary CPR number can coincide with one. The 7th digit follows the CPR century table so parsers
recover the birth year; the last digit is odd for men and even for women. Reading them back is the
registers stage's job (``borgerblik.registers.parse_cpr``); the generator never imports it, because it
produces the extract that stage reads.
"""

from __future__ import annotations

import numpy as np
import polars as pl

SUBSTITUTE_DAY_OFFSET = 60


def century_digits(years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 7th digit valid for each birth year under the CPR century table.

    1900–1999: 0–3 always, 4 and 9 when YY ≥ 37. 2000–2036: 4 or 9, and 5–8 (valid to 2057).
    """
    in_1900s = years < 2000
    yy = years % 100
    late_1900s = in_1900s & (yy >= 37)
    digit = rng.integers(0, 4, size=years.size)
    use_4_or_9 = late_1900s & (rng.random(years.size) < 0.2)
    digit = np.where(use_4_or_9, np.where(rng.random(years.size) < 0.5, 4, 9), digit)
    return np.where(in_1900s, digit, rng.integers(4, 10, size=years.size))


def substitute_cpr(births: np.ndarray, male: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Unique substitute CPR numbers ``DDMMYY-SSSS`` for birth dates (datetime64[D]) and genders."""
    years = births.astype("datetime64[Y]").astype(int) + 1970
    months = births.astype("datetime64[M]").astype(int) % 12 + 1
    days = (births - births.astype("datetime64[M]")).astype(int) + 1
    date_part = (days + SUBSTITUTE_DAY_OFFSET) * 10_000 + months * 100 + years % 100
    century = century_digits(years, rng)
    parity = male.astype(np.int64)
    serial = (
        century * 1000
        + rng.integers(0, 100, size=births.size) * 10
        + rng.integers(0, 5, size=births.size) * 2
    )
    serial += parity
    key = date_part.astype(np.int64) * 10_000 + serial
    clash = _later_duplicates(key)
    while clash.any():
        redraw = (
            rng.integers(0, 100, size=int(clash.sum())) * 10 + rng.integers(0, 5, size=int(clash.sum())) * 2
        )
        serial[clash] = century[clash] * 1000 + redraw + parity[clash]
        key = date_part.astype(np.int64) * 10_000 + serial
        clash = _later_duplicates(key)
    return _join(date_part, serial)


def _join(date_part: np.ndarray, serial: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({"d": date_part, "s": serial})
    return frame.select(
        pl.concat_str(
            [pl.col("d").cast(pl.Utf8).str.zfill(6), pl.lit("-"), pl.col("s").cast(pl.Utf8).str.zfill(4)]
        ).alias("cpr")
    ).to_series()


def _later_duplicates(key: np.ndarray) -> np.ndarray:
    """True for every occurrence of a key after its first."""
    order = np.argsort(key, kind="stable")
    sorted_keys = key[order]
    repeat = np.zeros(key.size, dtype=bool)
    repeat[1:] = sorted_keys[1:] == sorted_keys[:-1]
    flags = np.zeros(key.size, dtype=bool)
    flags[order] = repeat
    return flags

