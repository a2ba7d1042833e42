"""Contact data with the KL 2024 seed's reachability shares.

The seed reports, of its 86,965 sampled citizens, 262 reachable by neither Digital Post nor SMS,
1,765 by SMS only (exempt from Digital Post) and 5,195 by Digital Post only (no or invalid phone).
The population gets exactly those shares (scaled to its size, then spread at random), so a
proportional sample lands near the seed's counts.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from borgerblik.synth.names import EMAIL_DOMAINS, FIRST_NAMES_MEN, FIRST_NAMES_WOMEN, MOBILE_SERIES, SURNAMES

SEED_SAMPLE = 86_965
SEED_NEITHER = 262
SEED_SMS_ONLY = 1_765
SEED_DIGITAL_POST_ONLY = 5_195

SHARE_WITH_COUNTRY_CODE = 0.15
SHARE_INVALID_AMONG_NO_PHONE = 0.3
SHARE_WITH_EMAIL = 0.55


def reachability_counts(size: int) -> dict[str, int]:
    """Counts of neither / SMS only / Digital Post only for a population of ``size``, in the seed's shares."""

    def scaled(count: int) -> int:
        return round(size * count / SEED_SAMPLE)

    return {
        "neither": scaled(SEED_NEITHER),
        "sms_only": scaled(SEED_SMS_ONLY),
        "digital_post_only": scaled(SEED_DIGITAL_POST_ONLY),
    }


def contact_columns(male: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """``digital_post_fritaget``, ``telefon`` and ``email`` for citizens of the given genders."""
    size = male.size
    counts = reachability_counts(size)
    order = rng.permutation(size)
    category = np.zeros(size, dtype=np.int8)  # 0 both channels, 1 neither, 2 SMS only, 3 Digital Post only
    start = 0
    for code, count in ((1, counts["neither"]), (2, counts["sms_only"]), (3, counts["digital_post_only"])):
        category[order[start : start + count]] = code
        start += count
    exempt = (category == 1) | (category == 2)
    no_phone = (category == 1) | (category == 3)
    return pl.DataFrame(
        {
            "digital_post_fritaget": np.where(exempt, "ja", "nej"),
            "telefon": _phones(no_phone, rng),
            "email": _emails(male, rng),
        }
    )


def _phones(no_phone: np.ndarray, rng: np.random.Generator) -> pl.Series:
    size = no_phone.size
    number = MOBILE_SERIES[rng.integers(0, MOBILE_SERIES.size, size)] * 1_000_000 + rng.integers(
        0, 1_000_000, size
    )
    text = pl.Series(number).cast(pl.Utf8)
    with_code = rng.random(size) < SHARE_WITH_COUNTRY_CODE
    invalid = no_phone & (rng.random(size) < SHARE_INVALID_AMONG_NO_PHONE)
    missing = no_phone & ~invalid
    # Invalid numbers are structurally wrong: a digit short or a digit too many.
    short = rng.random(size) < 0.5
    frame = pl.DataFrame(
        {"n": text, "code": with_code, "invalid": invalid, "missing": missing, "short": short}
    )
    return frame.select(
        pl.when(pl.col("missing"))
        .then(pl.lit(""))
        .when(pl.col("invalid") & pl.col("short"))
        .then(pl.col("n").str.slice(0, 7))
        .when(pl.col("invalid"))
        .then(pl.col("n") + pl.lit("0"))
        .when(pl.col("code"))
        .then(pl.lit("+45") + pl.col("n"))
        .otherwise(pl.col("n"))
        .alias("telefon")
    ).to_series()


def _emails(male: np.ndarray, rng: np.random.Generator) -> pl.Series:
    size = male.size
    women = np.array([_ascii(n) for n in FIRST_NAMES_WOMEN])
    men = np.array([_ascii(n) for n in FIRST_NAMES_MEN])
    surnames = np.array([_ascii(n) for n in SURNAMES])
    first = np.where(male, men[rng.integers(0, men.size, size)], women[rng.integers(0, women.size, size)])
    frame = pl.DataFrame(
        {
            "first": first,
            "last": surnames[rng.integers(0, surnames.size, size)],
            "n": rng.integers(1, 100, size),
            "domain": np.array(EMAIL_DOMAINS)[rng.integers(0, len(EMAIL_DOMAINS), size)],
            "has": rng.random(size) < SHARE_WITH_EMAIL,
        }
    )
    address = pl.concat_str(
        [
            pl.col("first"),
            pl.lit("."),
            pl.col("last"),
            pl.col("n").cast(pl.Utf8),
            pl.lit("@"),
            pl.col("domain"),
        ]
    )
    return frame.select(pl.when(pl.col("has")).then(address).otherwise(pl.lit("")).alias("email")).to_series()


def _ascii(name: str) -> str:
    return name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
