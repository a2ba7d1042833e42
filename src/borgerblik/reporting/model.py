"""The content model of a report: one structure of sections, sentences, figures and tables, built once from
the analysis tables and rendered as HTML, PDF and Excel — so every format shows the same numbers and words.

Every number is a :class:`Figure` carrying its source, ``"<table>:<row>:<column>"`` (the row's position in the
table as ``borgerblik analyze`` wrote it), so a reader — or a test — can trace it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One number: its value as in the table, the printed text, the column's kind and where it comes from."""

    value: float
    text: str
    kind: str
    source: str


Part = str | Figure


@dataclass(frozen=True)
class Sentence:
    """Words and figures: a sentence generated from the numbers, never typed in."""

    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


Cell = str | Figure | None


@dataclass
class Table:
    """A table as every format shows it; ``highlight`` marks rows (the own municipality)."""

    caption: str
    header: list[str]
    rows: list[list[Cell]]
    highlight: set[int] = field(default_factory=set)
    sheet: str = ""
    """The Excel sheet the table lands on (one per question, overview, benchmark, drivers, method)."""


@dataclass
class Chart:
    """An SVG chart with its text alternative and the table behind it."""

    id: str
    title: str
    alt: str
    svg: str
    table: Table
    native: str = ""
    """Excel draws this chart itself from its table's first two columns: "line" or "bar" ("" = table only)."""
    intro: Sentence | None = None
    """The sentence that introduces the chart; the PDF keeps the two on one page."""


@dataclass(frozen=True)
class Theme:
    """One theme of an open question with its quotes: the quote layout beside the themes' table."""

    label: str
    count: Figure
    share: Figure
    quotes: tuple[str, ...]
    unit: str = "svar"
    """The word after the count ("svar", "answers")."""


Block = Sentence | Table | Chart | Theme


@dataclass
class Section:
    id: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    sheet: str = ""


@dataclass
class Report:
    """One report: the national one (municipality None) or one municipality's."""

    language: str
    title: str
    subtitle: str
    municipality: str | None
    slug: str
    headline: list[tuple[str, Figure]]
    sections: list[Section]

    def figures(self) -> list[Figure]:
        found: list[Figure] = [f for _, f in self.headline]
        for section in self.sections:
            for block in section.blocks:
                tables = (
                    [block] if isinstance(block, Table) else [block.table] if isinstance(block, Chart) else []
                )
                sentences = [block] if isinstance(block, Sentence) else []
                if isinstance(block, Chart) and block.intro is not None:
                    sentences.append(block.intro)
                for sentence in sentences:
                    found += [p for p in sentence.parts if isinstance(p, Figure)]
                if isinstance(block, Theme):
                    found += [block.count, block.share]
                for table in tables:
                    found += [c for row in table.rows for c in row if isinstance(c, Figure)]
        return found
