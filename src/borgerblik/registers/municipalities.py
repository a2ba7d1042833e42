"""Denmark's 98 municipalities (since 2007), for telling a misspelt municipality from a real one.

A register extract's ``kommune`` is a stratum of the sample and the weights: "Rodovre" next to "Rødovre" would
silently become a 45th municipality of its own. Names outside this list are therefore reported by
``register check`` (not rejected: a test extract may use made-up names, and the rows are kept either way).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

DANISH_MUNICIPALITIES: frozenset[str] = frozenset(
    {
        # Region Hovedstaden
        "Albertslund", "Allerød", "Ballerup", "Bornholm", "Brøndby", "Dragør", "Egedal", "Fredensborg",
        "Frederiksberg", "Frederikssund", "Furesø", "Gentofte", "Gladsaxe", "Glostrup", "Gribskov", "Halsnæs",
        "Helsingør", "Herlev", "Hillerød", "Hvidovre", "Høje-Taastrup", "Hørsholm", "Ishøj", "København",
        "Lyngby-Taarbæk", "Rudersdal", "Rødovre", "Tårnby", "Vallensbæk",
        # Region Sjælland
        "Faxe", "Greve", "Guldborgsund", "Holbæk", "Kalundborg", "Køge", "Lejre", "Lolland", "Næstved",
        "Odsherred", "Ringsted", "Roskilde", "Slagelse", "Solrød", "Sorø", "Stevns", "Vordingborg",
        # Region Syddanmark
        "Assens", "Billund", "Esbjerg", "Fanø", "Fredericia", "Faaborg-Midtfyn", "Haderslev", "Kerteminde",
        "Kolding", "Langeland", "Middelfart", "Nordfyn", "Nyborg", "Odense", "Svendborg", "Sønderborg",
        "Tønder", "Varde", "Vejen", "Vejle", "Ærø", "Aabenraa",
        # Region Midtjylland
        "Favrskov", "Hedensted", "Herning", "Holstebro", "Horsens", "Ikast-Brande", "Lemvig", "Norddjurs",
        "Odder", "Randers", "Ringkøbing-Skjern", "Samsø", "Silkeborg", "Skanderborg", "Skive", "Struer",
        "Syddjurs", "Viborg", "Aarhus",
        # Region Nordjylland
        "Brønderslev", "Frederikshavn", "Hjørring", "Jammerbugt", "Læsø", "Mariagerfjord", "Morsø", "Rebild",
        "Thisted", "Vesthimmerland", "Aalborg",
    }
)  # fmt: skip
_FOLDED = frozenset(name.casefold() for name in DANISH_MUNICIPALITIES)


def is_danish_municipality(name: str) -> bool:
    """One of the 98, case aside, also written as "Rødovre Kommune" or "Københavns Kommune"."""
    folded = name.strip().casefold().removesuffix(" kommune")
    return folded in _FOLDED or (folded.endswith("s") and folded[:-1] in _FOLDED)


def unknown_municipalities(names: Iterable[str]) -> dict[str, int]:
    """Names that are none of the 98, with how many rows carry each, most frequent first."""
    counts = pl.Series("kommune", list(names), dtype=pl.String).drop_nulls().value_counts(sort=True)
    return {
        name: count
        for name, count in zip(counts["kommune"].to_list(), counts["count"].to_list(), strict=True)
        if not is_danish_municipality(name)
    }
