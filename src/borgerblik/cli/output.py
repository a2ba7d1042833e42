"""Where every command writes: results to standard output, errors to standard error as "Fejl: …", exit 2.

Analysts pipe the results, so nothing is wrapped (``soft_wrap``) or coloured by guessing (``highlight``);
an error's text is escaped, so a value such as ``[x]`` in it is shown as typed, not read as Rich markup.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str) -> NoReturn:
    """Say what is wrong (and the hint, where the message has one) and stop with exit code 2."""
    err.print(f"[bold red]Fejl:[/] {escape(message)}")
    raise typer.Exit(code=2)
