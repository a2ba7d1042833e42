"""Command group placeholder, filled in by its stage."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
