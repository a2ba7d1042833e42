"""The one error base class of every stage, its one phrasing, and the instrument's own errors.

Every error a person can act on derives from :class:`BorgerblikError` and reads the same way: where
(file, line, field), what was expected, what came, and a hint — "<hvor>: forventede <x>, fik <y>. Tip: <z>"
(:func:`phrase`). A command turns any of them into "Fejl: …" and exit code 2.

A survey administrator edits instrument YAML by hand, so every problem names the file, the line, the
question and the field. All problems of a file are collected before raising, so one run shows every mistake.
"""

from __future__ import annotations

from dataclasses import dataclass


def phrase(where: str, expected: str, got: str, hint: str = "") -> str:
    """The one phrasing of an error: "<where>: forventede <expected>, fik <got>. Tip: <hint>"."""
    message = f"forventede {expected}, fik {got}"
    if where:
        message = f"{where}: {message}"
    return f"{message}. Tip: {hint}" if hint else message


class BorgerblikError(Exception):
    """Base of every error meant for the person who supplied the input or runs the command.

    Give ``expected`` and ``got`` (with ``where`` and a ``hint``) for the one phrasing; a subclass with its
    own structured fields formats through :func:`phrase` itself. Each subclass also keeps its builtin base
    (``ValueError``, ``RuntimeError``), so existing ``except`` clauses still hold.
    """

    where: str = ""
    expected: str = ""
    got: str = ""
    hint: str = ""

    def __init__(
        self, *args: object, where: str = "", expected: str = "", got: str = "", hint: str = ""
    ) -> None:
        if expected:
            self.where, self.expected, self.got, self.hint = where, expected, got, hint
            args = (phrase(where, expected, got, hint),)
        super().__init__(*args)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an instrument file, located as precisely as the YAML allows."""

    file: str
    line: int | None
    question: str | None
    field: str
    expected: str
    got: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, linje {self.line}"
        if self.question is not None:
            where += f", spørgsmål '{self.question}'"
        return phrase(f"{where}, felt '{self.field}'", self.expected, self.got, self.hint)


class InstrumentError(BorgerblikError, ValueError):
    """An instrument (or grouping) file that cannot be used; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "1 fejl i instrumentet" if count == 1 else f"{count} fejl i instrumentet"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class GroupingError(BorgerblikError, ValueError):
    """A LAB code or group name that a grouping scheme does not know."""
