"""One benchmark figure, printed as a line by the runner."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """A figure with its goal; a ratio labelled "of goal" is figure ÷ goal, so below 1 meets a "≤" goal.
    Other ratios compare with a reference measured in the same run and say which way round in the label."""

    name: str
    figure: float
    unit: str
    goal: str = ""
    ratio: float | None = None
    ratio_label: str = ""

    def line(self) -> str:
        ratio = f"{self.ratio:,.2f}× {self.ratio_label}".strip() if self.ratio is not None else ""
        return f"{self.name:<58} {self.figure:>14,.3f} {self.unit:<12} {self.goal:<22} {ratio}"


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """Yield a function returning the elapsed seconds (final once the block ends)."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())
