"""Common Danish names, for e-mail addresses and for the names citizens write in open answers."""

from __future__ import annotations

import numpy as np

FIRST_NAMES_WOMEN: tuple[str, ...] = (
    "Anne",
    "Mette",
    "Kirsten",
    "Hanne",
    "Helle",
    "Susanne",
    "Lene",
    "Camilla",
    "Louise",
    "Maria",
    "Sofie",
    "Ida",
    "Emma",
    "Julie",
    "Marianne",
    "Pia",
    "Tina",
    "Karina",
    "Line",
    "Fatima",
)
FIRST_NAMES_MEN: tuple[str, ...] = (
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Thomas",
    "Søren",
    "Jesper",
    "Martin",
    "Rasmus",
    "Mads",
    "Anders",
    "Niels",
    "Christian",
    "Frederik",
    "Mikkel",
    "Kim",
    "Jørgen",
    "Ahmad",
    "Ali",
)
SURNAMES: tuple[str, ...] = (
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
)
#: Domains reserved for examples (RFC 2606), so no synthetic address can reach a real mailbox.
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")
#: Danish mobile number series (first two digits) synthetic phone numbers are drawn from.
MOBILE_SERIES = np.array(
    [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 40, 41, 42, 50, 51, 52, 53, 60, 61, 71, 81, 91, 92, 93]
)
