"""The fieldwork progress bar: on a terminal the days and outcomes in Danish; in a file, nothing."""

from __future__ import annotations

import io

from rich.console import Console

from borgerblik.progress import fieldwork_days


def test_a_terminal_sees_days_and_outcomes_in_danish() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with fieldwork_days(console, 21) as on_day:
        on_day(7, {"complete": 12_345, "partial": 678, "opted_out": 1_001})
        shown = console.file.getvalue()
    assert "Feltarbejde dag" in shown
    assert "7/21" in shown
    assert "gennemført 12.345 · delvist 678 · frameldt 1.001" in shown


def test_a_file_gets_no_progress_output() -> None:
    console = Console(file=io.StringIO())
    with fieldwork_days(console, 21) as on_day:
        on_day(21, {"complete": 1})
    assert console.file.getvalue() == ""
