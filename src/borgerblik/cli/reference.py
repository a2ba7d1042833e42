"""The command-line reference (docs/cli.md), generated from the Typer app itself.

Analysts script these commands, so the reference is a contract: a test fails when an option exists that
docs/cli.md does not show, or when a command's help lacks an example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and sub-command of the app, depth first, in name order.

    By shape, not by class: Typer ships its own copy of click, whose groups are not ``click.Group``.
    """
    yield path, command
    for name in sorted(getattr(command, "commands", None) or {}):
        yield from walk(command.commands[name], (*path, name))


def render_reference(app: typer.Typer) -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the code by `borgerblik docs > docs/cli.md`; a test keeps it current.",
        "",
    ]
    for path, command in walk(root):
        if not path:
            continue
        lines += [f"## `borgerblik {' '.join(path)}`", ""]
        if command.help:
            lines += [command.help.strip(), ""]
        rows = []
        for param in command.params:
            if param.param_type_name == "option":
                if "--help" in param.opts:
                    continue
                names = ", ".join(f"`{o}`" for o in (*param.opts, *param.secondary_opts))
                rows.append(f"| {names} | {(param.help or '').strip()} |")
            elif param.param_type_name == "argument":
                rows.append(f"| `{param.name.upper()}` | argument |")
        if rows:
            lines += ["| option | meaning |", "|---|---|", *rows, ""]
    return "\n".join(lines).rstrip() + "\n"


def register(app: typer.Typer) -> None:
    @app.command("docs")
    def docs() -> None:
        """Udskriv kommandoreferencen (Markdown), genereret fra kommandoerne selv.

        Eksempel: borgerblik docs > docs/cli.md
        """
        from borgerblik.cli import full_app

        typer.echo(render_reference(full_app()), nl=False)
