"""The analysis tables a report is built from: those `borgerblik analyze` writes (Parquet), read back with
each row's position, plus the survey's own facts (response, curve, non-response, method) when it was read from
the database, and coded open answers (``open_answers*``) once the text stage writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from borgerblik.core.errors import BorgerblikError

ROW = "_row"
OPEN_ANSWERS = "open_answers"
FACT_TABLES = ("response", "response_curve", "nonresponse", "method", "channel_waves", "fieldwork_funnel")
"""Tables of the survey's own facts; written beside the analysis tables by ``borgerblik report --survey``."""


class ReportInputError(BorgerblikError, ValueError):
    """Input a report cannot be made from; the message says which and why."""


@dataclass
class AnalysisTables:
    """Named tables, each with ``_row`` = the row's position in the table as written."""

    tables: dict[str, pl.DataFrame]
    threshold: int = 5
    reminders: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tables = {
            name: t if ROW in t.columns else t.with_row_index(ROW) for name, t in self.tables.items()
        }

    def get(self, name: str) -> pl.DataFrame | None:
        table = self.tables.get(name)
        return table if table is not None and table.height else None

    def open_answers(self) -> dict[str, pl.DataFrame]:
        return {n: t for n, t in self.tables.items() if n.startswith(OPEN_ANSWERS) and t.height}

    def municipalities(self, question: str) -> list[str]:
        """Municipalities with published figures for the overall question (a suppressed one has none)."""
        table = self.get("breakdowns")
        if table is None or "kommune" not in table.columns:
            return []
        shown = table.filter(
            (pl.col("question") == question)
            & (pl.col("by") == "alle")
            & (pl.col("kommune") != "alle")
            & ~pl.col("suppressed")
        )
        return sorted(shown["kommune"].unique().to_list())

    def all_municipalities(self) -> list[str]:
        table = self.get("breakdowns")
        if table is None or "kommune" not in table.columns:
            return []
        return sorted(n for n in table["kommune"].unique().to_list() if n != "alle")


def read_tables(directory: Path, threshold: int = 5) -> AnalysisTables:
    """Every ``*.parquet`` of an analysis folder; the breakdowns table is required."""
    if not directory.is_dir():
        raise ReportInputError(f"{directory}: mappen findes ikke")
    tables = {}
    for path in sorted(directory.glob("*.parquet")):
        try:
            tables[path.stem] = pl.read_parquet(path)
        except (OSError, pl.exceptions.ComputeError) as exc:
            raise ReportInputError(f"{path}: ikke en Parquet-tabel ({exc})") from exc
    if "breakdowns" not in tables:
        raise ReportInputError(
            f"{directory}: ingen breakdowns.parquet — er det en mappe skrevet af borgerblik analyze?"
        )
    reminders: list[int] = []
    method = tables.get("method")
    if method is not None and method.height:
        facts = dict(zip(method["key"].to_list(), method["label"].to_list(), strict=True))
        threshold = int(float(facts.get("suppression_threshold") or threshold))
        reminders = [int(d) for d in str(facts.get("reminder_days") or "").split(";") if d]
    return AnalysisTables(tables, threshold=threshold, reminders=reminders)
