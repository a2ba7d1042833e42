"""The command line is a public contract: documented, with an example for every command."""

from pathlib import Path

import typer

from borgerblik.cli import app
from borgerblik.cli.reference import render_reference, walk

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_docs_cli_md_is_current() -> None:
    """Fails when a command or option is missing from docs/cli.md: run `borgerblik docs > docs/cli.md`."""
    assert DOCS.read_text(encoding="utf-8") == render_reference(app)


def test_every_command_help_has_an_example() -> None:
    root = typer.main.get_command(app)
    missing = [
        " ".join(path)
        for path, command in walk(root)
        if path and not getattr(command, "commands", None) and "borgerblik " not in (command.help or "")
    ]
    assert missing == []


def test_every_option_has_help_text() -> None:
    root = typer.main.get_command(app)
    bare = [
        f"{' '.join(path)} {param.opts[0]}"
        for path, command in walk(root)
        for param in command.params
        if getattr(param, "opts", None) and param.opts[0].startswith("--") and param.opts[0] != "--help"
        and not getattr(param, "help", None)
    ]
    assert bare == []
