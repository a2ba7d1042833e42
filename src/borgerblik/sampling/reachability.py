"""Which channels can reach each sampled citizen: Digital Post, SMS, e-mail — or none.

Digital Post reaches everyone not exempt from it; SMS needs a Danish number the SMS client can text — the
one rule of :mod:`borgerblik.core.phone`, applied here too, so a number the import let through but the SMS
client would refuse never counts as reachable; e-mail a valid address. The KL report counts the
sample by the two channels it used — neither, SMS only (exempt from Digital Post), Digital Post only (no or
invalid phone) — so the totals follow that split, with e-mail as an extra channel beside it.
"""

from __future__ import annotations

import polars as pl

from borgerblik.core.phone import can_text

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("digital_post_og_sms", "Digital Post og SMS"),
    ("kun_digital_post", "Kun Digital Post (intet eller ugyldigt telefonnummer)"),
    ("kun_sms", "Kun SMS (fritaget for Digital Post)"),
    ("hverken", "Hverken Digital Post eller SMS"),
)


def reachability(
    sample: pl.DataFrame, identities: pl.DataFrame, id_column: str = "borger_id"
) -> pl.DataFrame:
    """One row per sampled citizen: the channel flags and the KL category. No CPR or contact data leaves.

    ``identities`` has ``digital_post_fritaget`` and either the register's ``telefon`` and ``email`` or the
    gateway's flags ``sms`` and ``email`` (booleans, judged by the same rule).
    """
    if "telefon" in identities.columns:
        phones = identities["telefon"].cast(pl.String)
        identities = identities.with_columns(
            sms=pl.Series([can_text(phone) for phone in phones.to_list()], dtype=pl.Boolean),
            email=pl.col("email").is_not_null() & pl.col("email").cast(pl.String).str.contains("@"),
        )
    joined = sample.select(id_column).join(
        identities.select(id_column, "digital_post_fritaget", "sms", "email"),
        on=id_column,
        how="left",
        maintain_order="left",
    )
    flags = joined.select(
        id_column,
        (~pl.col("digital_post_fritaget").fill_null(False)).alias("digital_post"),
        pl.col("sms").fill_null(False).alias("sms"),
        pl.col("email").fill_null(False).alias("email"),
    )
    return flags.with_columns(
        kategori=pl.when(pl.col("digital_post") & pl.col("sms"))
        .then(pl.lit("digital_post_og_sms"))
        .when(pl.col("digital_post"))
        .then(pl.lit("kun_digital_post"))
        .when(pl.col("sms"))
        .then(pl.lit("kun_sms"))
        .otherwise(pl.lit("hverken")),
        ingen_kanal=~(pl.col("digital_post") | pl.col("sms") | pl.col("email")),
    )


def reachability_totals(channels: pl.DataFrame) -> pl.DataFrame:
    """Count and share of the sample per KL category, in the report's order."""
    total = channels.height
    counts = dict(channels.group_by("kategori").len().iter_rows())
    return pl.DataFrame(
        {
            "kategori": [key for key, _ in CATEGORIES],
            "beskrivelse": [label for _, label in CATEGORIES],
            "antal": [int(counts.get(key, 0)) for key, _ in CATEGORIES],
            "andel": [counts.get(key, 0) / total if total else 0.0 for key, _ in CATEGORIES],
        }
    )
