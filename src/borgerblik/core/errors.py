"""Errors raised when an instrument or grouping file is malformed.

A survey administrator edits these YAML files by hand, so every problem names the file, the line,
the question and the field, and says what was expected, what was found and how to fix it.
All problems of a file are collected before raising, so one run shows every mistake.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        message = f"{where}, felt '{self.field}': forventede {self.expected}, fik {self.got}"
        if self.hint:
            message += f". Tip: {self.hint}"
        return message


class InstrumentError(ValueError):
    """An instrument (or grouping) file that cannot be used; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "1 fejl i instrumentet" if count == 1 else f"{count} fejl i instrumentet"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class GroupingError(ValueError):
    """A LAB code or group name that a grouping scheme does not know."""
