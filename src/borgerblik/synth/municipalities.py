"""The 44 municipalities of the KL 2024 survey, with the sizes the synthetic register gives them.

The seed names the municipalities but not their populations, and its list has only 43 names for
"44 kommuner". The 44th (Haderslev) is assumed: the seed's region table (27 % of 44 in Region
Syddanmark = 12) says the missing one lies in Syddanmark. Sizes follow each municipality's real
scale (inhabitants × a benefit-intensity factor), scaled to the seed's 198,877 in total; the three
smallest are set so the sampling stage's KL size rule (``sampling/designs.yaml``) gives the seed's
smallest sample, 1,507, and all 44 together 86,956 (seed: 86,965). Expected response rates fall
with size (the seed: "særligt de større kommuner har lavere svarprocenter") inside the seed's 32.0–46.2 %, and
average 38.8 % over the KL sample. The satisfaction effects are invented, not the real ranking: they
only give the benchmark a best (≈ 4,03) and a worst (≈ 3,32) municipality as in the seed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Municipality:
    name: str
    region: str
    population: int
    #: expected share of the KL 2024 sample answering (complete or partial)
    response_rate: float
    #: shift of the latent satisfaction (standard-normal scale) relative to the national level
    satisfaction_effect: float


_TABLE: tuple[tuple[str, str, int, float, float], ...] = (
    ("Assens", "Syddanmark", 2300, 0.402, 0.05),
    ("Brøndby", "Hovedstaden", 3254, 0.387, -0.15),
    ("Brønderslev", "Nordjylland", 2020, 0.410, 0.08),
    ("Esbjerg", "Syddanmark", 7484, 0.362, -0.04),
    ("Favrskov", "Midtjylland", 2244, 0.404, 0.12),
    ("Fredensborg", "Hovedstaden", 2300, 0.402, 0.02),
    ("Fredericia", "Syddanmark", 2917, 0.391, -0.06),
    ("Frederiksberg", "Hovedstaden", 5007, 0.372, 0.03),
    ("Frederikshavn", "Nordjylland", 3972, 0.380, -0.08),
    ("Faaborg-Midtfyn", "Syddanmark", 2917, 0.391, 0.10),
    ("Gladsaxe", "Hovedstaden", 3534, 0.384, 0.00),
    ("Greve", "Sjælland", 2861, 0.392, -0.10),
    ("Guldborgsund", "Sjælland", 4544, 0.375, -0.14),
    ("Haderslev", "Syddanmark", 3142, 0.388, 0.04),
    ("Halsnæs", "Hovedstaden", 2154, 0.406, -0.05),
    ("Hedensted", "Midtjylland", 2289, 0.403, 0.20),
    ("Holstebro", "Midtjylland", 3310, 0.386, 0.09),
    ("Høje-Taastrup", "Hovedstaden", 4317, 0.377, -0.12),
    ("Hørsholm", "Hovedstaden", 1518, 0.455, 0.14),
    ("Kalundborg", "Sjælland", 3436, 0.385, -0.12),
    ("Kolding", "Syddanmark", 5329, 0.371, 0.06),
    ("København", "Hovedstaden", 40728, 0.328, -0.06),
    ("Lemvig", "Midtjylland", 1618, 0.431, 0.35),
    ("Lyngby-Taarbæk", "Hovedstaden", 2238, 0.404, 0.07),
    ("Middelfart", "Syddanmark", 2244, 0.404, 0.11),
    ("Morsø", "Nordjylland", 1563, 0.438, 0.15),
    ("Norddjurs", "Midtjylland", 2076, 0.408, -0.02),
    ("Nordfyn", "Syddanmark", 1683, 0.426, 0.06),
    ("Næstved", "Sjælland", 5419, 0.370, -0.09),
    ("Odense", "Syddanmark", 14002, 0.348, -0.03),
    ("Odsherred", "Sjælland", 2499, 0.398, -0.22),
    ("Randers", "Midtjylland", 6387, 0.366, -0.01),
    ("Rudersdal", "Hovedstaden", 1759, 0.421, 0.13),
    ("Silkeborg", "Midtjylland", 5610, 0.369, 0.08),
    ("Skanderborg", "Midtjylland", 2872, 0.392, 0.16),
    ("Skive", "Midtjylland", 2581, 0.397, 0.07),
    ("Syddjurs", "Midtjylland", 2412, 0.400, 0.03),
    ("Tårnby", "Hovedstaden", 2592, 0.396, -0.07),
    ("Varde", "Syddanmark", 2805, 0.393, 0.12),
    ("Vejen", "Syddanmark", 2412, 0.400, 0.01),
    ("Vesthimmerland", "Nordjylland", 2020, 0.410, -0.04),
    ("Viborg", "Midtjylland", 5498, 0.370, 0.10),
    ("Aabenraa", "Syddanmark", 3310, 0.386, -0.03),
    ("Aalborg", "Nordjylland", 13700, 0.348, 0.00),
)

MUNICIPALITIES: tuple[Municipality, ...] = tuple(Municipality(*row) for row in _TABLE)


def municipality(name: str) -> Municipality:
    for item in MUNICIPALITIES:
        if item.name == name:
            return item
    raise KeyError(f"kommunen '{name}' er ikke blandt de 44 KL-kommuner")
