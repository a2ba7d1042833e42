"""The command line is a public contract: documented, with an example for every command."""

from pathlib import Path

import typer

from borgerblik.cli import app
from borgerblik.cli.reference import render_reference, walk

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_docs_cli_md_is_current() -> None:
    """Fails when a command or option is missing from docs/cli.md: run `borgerblik docs > docs/cli.md`."""
    assert DOCS.read_text(encoding="utf-8") == render_reference(app)


def test_the_reference_shows_the_contract_commands_and_options() -> None:
    """The issues' command-line contracts, as analysts script them (and as a guard against an empty walk)."""
    reference = render_reference(app)
    contracts = {
        "register check": ["`--reference-date`", "`--rejects`", "`--mapping`"],
        "sample draw": ["`--frame`", "`--within`", "`--strata`", "`--sizes`", "`--seed`", "`--out`"],
        "weights": ["`--responses`", "`--population`", "`--strata`", "`--method`", "`--out`"],
        "estimate": ["`--weights`", "`--questions`", "`--by`", "`--out`"],
        "drivers": ["`--data`", "`--outcome`", "`--predictors`", "`--min-answered`", "`--bootstrap`"],
        "staff add": ["`USER`", "`--role`", "`--kommune`", "`--password-stdin`", "`--database`"],
        "staff reset": ["`USER`", "`--password-stdin`"],
    }
    for command, options in contracts.items():
        section = reference.split(f"## `borgerblik {command}`\n", 1)[1].split("\n## ", 1)[0]
        assert all(option in section for option in options), (command, section)


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


def test_the_lazy_command_line_offers_exactly_the_commands_of_the_app() -> None:
    """`borgerblik` loads one command's module at a time; it must know every command the app has."""
    import click

    from borgerblik.cli import LazyCommands

    lazy = LazyCommands(name="borgerblik")
    context = click.Context(lazy)
    whole = typer.main.get_group(app)
    assert sorted(lazy.list_commands(context)) == sorted(whole.commands)
    for name, command in whole.commands.items():
        loaded = lazy.get_command(context, name)
        assert [p.name for p in loaded.params] == [p.name for p in command.params]


def test_the_installed_command_runs_a_subcommand(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "skema.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from borgerblik.cli import main; main()", "instrument", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "skema.yaml, linje 1, felt 'name'" in result.stdout + result.stderr
