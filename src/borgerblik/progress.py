"""Rich progress bars for the steps that take minutes, shared by the command line and the demo."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from borgerblik.danish import integer

DayHook = Callable[[int, Mapping[str, int]], None]


@contextmanager
def fieldwork_days(console: Console, days: int) -> Iterator[DayHook]:
    """A bar over the simulated fieldwork's days with the outcomes so far; gone when the step ends.

    Only on a terminal: written to a file or a pipe, the output stays the step's results alone.
    """
    if not console.is_terminal:
        yield lambda _done, _outcomes: None
        return
    columns = (
        TextColumn("Feltarbejde dag"),
        MofNCompleteColumn(),
        BarColumn(),
        TextColumn("{task.fields[outcomes]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("feltarbejde", total=days, outcomes="")

        def update(done: int, outcomes: Mapping[str, int]) -> None:
            text = (
                f"gennemført {integer(outcomes.get('complete', 0))} · "
                f"delvist {integer(outcomes.get('partial', 0))} · "
                f"frameldt {integer(outcomes.get('opted_out', 0))}"
            )
            progress.update(task, completed=done, outcomes=text, refresh=True)

        yield update
