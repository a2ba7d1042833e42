"""Errors an analyst can act on: every input problem names the file, the line and the column.

Analysts script `borgerblik weights` and `borgerblik estimate`; a message that says where the bad value
is, what was expected and what was found saves them opening the CSV in a spreadsheet to hunt for it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from borgerblik.core.errors import BorgerblikError, phrase


class WeightingInputError(BorgerblikError, ValueError):
    """A responses, population or weights file that cannot be used as it is."""

    def __init__(
        self,
        file: str,
        line: int | None,
        column: str | None,
        expected: str,
        got: str,
        hint: str = "",
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.expected = expected
        self.got = got
        self.hint = hint
        where = file if line is None else f"{file}, linje {line}"
        if column is not None:
            where += f", kolonne '{column}'"
        super().__init__(phrase(where, expected, got, hint))


class RakingError(BorgerblikError, ValueError):
    """Raking stopped before every margin matched its population total."""

    def __init__(self, iterations: int, margin: str, category: str, target: float, achieved: float) -> None:
        self.iterations = iterations
        self.margin = margin
        self.category = category
        self.target = target
        self.achieved = achieved
        super().__init__(
            f"Raking konvergerede ikke efter {iterations} iterationer: værste margin er "
            f"'{margin}' = '{category}' med vægtsum {_danish(achieved)} "
            f"mod populationstallet {_danish(target)}. "
            "Tip: slå tynde kategorier sammen, eller hæv --max-iterations."
        )


def closest_column(name: str, columns: Sequence[str]) -> str:
    """The hint for a misspelt column: the nearest existing name, or the list of names."""
    match = difflib.get_close_matches(name, list(columns), n=1, cutoff=0.5)
    if match:
        return f"mente du '{match[0]}'?"
    return "kolonnerne i filen er " + ", ".join(f"'{c}'" for c in columns)


def _danish(value: float) -> str:
    return f"{value:.6g}".replace(".", ",")
