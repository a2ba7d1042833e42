"""The `borgerblik` command: a thin layer over the stage functions.

Each command group lives in its own module and adds itself through ``register(app)``. The command line loads
only the module of the command it runs (the statistics stacks take seconds to import, and analysts script
single commands); ``app``, the whole Typer app for tests and the generated reference, is built on first use.
"""

from __future__ import annotations

import importlib
from functools import cache

import click
import typer
from typer.core import TyperGroup

HELP = "Borgerblik — borgerundersøgelser på beskæftigelsesområdet, fra registerudtræk til rapport."
#: top-level command → the module under borgerblik.cli that registers it, in the order help lists them
COMMANDS: dict[str, str] = {
    "demo": "demo",
    "survey": "survey",
    "instrument": "instrument",
    "synth": "synth",
    "register": "registers",
    "sample": "sampling",
    "fieldwork": "fieldwork",
    "serve": "web",
    "staff": "web",
    "worker": "web",
    "purge": "web",
    "weights": "weighting",
    "estimate": "weighting",
    "nonresponse": "weighting",
    "drivers": "analysis",
    "differences": "analysis",
    "analyze": "analysis",
    "report": "report",
    "benchmark": "analysis",
    "redact": "text",
    "codes": "text",
    "export": "interop",
    "responses": "interop",
    "docs": "reference",
}


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="borgerblik",
        help=HELP,
        no_args_is_help=True,
        rich_markup_mode="rich",
        pretty_exceptions_show_locals=False,
    )


@cache
def full_app() -> typer.Typer:
    """Every command registered on one Typer app."""
    whole = _new_app()
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"borgerblik.cli.{module}").register(whole)
    return whole


@cache
def _command(name: str) -> click.Command:
    single = _new_app()
    importlib.import_module(f"borgerblik.cli.{COMMANDS[name]}").register(single)
    return typer.main.get_group(single).commands[name]


class LazyCommands(TyperGroup):
    """The root group, importing a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _command(cmd_name) if cmd_name in COMMANDS else None


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return full_app()
    raise AttributeError(name)


def main() -> None:
    LazyCommands(name="borgerblik", help=HELP, no_args_is_help=True, rich_markup_mode="rich")(
        prog_name="borgerblik"
    )
