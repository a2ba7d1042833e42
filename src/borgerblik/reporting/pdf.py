"""A report as an A4 PDF through typst (PyPI's ``typst``): ~2 s a report, where WeasyPrint took ~28 s (the
issue's measurement). The typst source is generated from the same content model as the HTML, every text as
a typst string literal (no markup injection), the SVG charts inline; DejaVu is embedded, the PDF is tagged
and PDF/UA-1 — where typst refuses the standard for a document, the PDF is written without it and the
refusal is reported (:class:`Compiled`), never dropped silently. typst deadlocks in forked workers:
:func:`compile_many` uses spawn. Measured here: ~0,5 s CPU a municipal report, almost all of it typst's
layout — reading the fonts costs ~8 ms, so keeping one compiler per worker saves nothing measurable."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from borgerblik.reporting.model import Chart, Figure, Report, Sentence, Table, Theme

FONT_PATHS = ["/usr/share/fonts/truetype/dejavu"]
WIDE = 9
"""Tables with at least this many columns are set smaller."""


def lit(text: str) -> str:
    """A typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _cell(c: object) -> str:
    text = c.text if isinstance(c, Figure) else ("" if c is None else str(c))
    return f"[#{lit(text)}]"


def _table(t: Table) -> str:
    n = len(t.header)
    header = ", ".join(f"[*#{lit(h)}*]" for h in t.header)
    rows = []
    for i, row in enumerate(t.rows):
        cells = [_cell(c) for c in row]
        if i in t.highlight:
            cells = [f'table.cell(fill: rgb("#fdf0e0"))[*{c[1:-1]}*]' for c in cells]
        rows.append(", ".join(cells))
    align = "(left, " + ", ".join(["right"] * (n - 1)) + ")" if n > 1 else "left"
    body = (
        f"table(columns: {n}, align: {align}, stroke: (x: none, y: 0.4pt + luma(180)), "
        f"table.header({header}), {', '.join(rows)})"
    )
    if n >= WIDE:  # a wide table (the fair comparison's ten columns) in a smaller size, so it fits A4
        body = f"text(size: 7.5pt, {body})"
    return f"#figure(caption: {lit(t.caption)}, kind: table, {body})\n"


def _block(b: object) -> str:
    if isinstance(b, Sentence):
        return f"#par({lit(b.text)})\n"
    if isinstance(b, Chart):
        image = f'image(bytes({lit(b.svg)}), format: "svg", width: 100%, alt: {lit(b.alt)})'
        figure = f"#figure(caption: {lit(b.title)}, {image})\n"
        if b.intro is not None:  # the sentence and its chart on one page, never the chart on the next alone
            figure = f"#block(breakable: false)[\n#par({lit(b.intro.text)})\n{figure}]\n"
        return figure + _table(b.table)
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Theme):
        head = f"#strong({lit(b.label)}) #{lit(f' — {b.count.text} {b.unit} ({b.share.text})')}"
        quotes = " ".join(f"#quote(block: true, {lit(f'»{q}«')})" for q in b.quotes)
        return (
            '#block(stroke: (left: 2pt + rgb("#2b4c7e")), inset: (left: 8pt, y: 3pt), breakable: false)'
            f"[{head} {quotes}]\n"
        )
    raise TypeError(type(b))


def typst_source(report: Report) -> str:
    lines = [
        f'#set document(title: {lit(report.title)}, author: "Borgerblik")',
        f'#set text(font: "DejaVu Sans", size: 9.5pt, lang: {lit(report.language)})',
        '#set page(paper: "a4", margin: 2cm, numbering: "1")',
        "#set heading(numbering: none)",
        "#show figure: set block(breakable: true)",
        f"#text(size: 10pt, upper({lit(report.subtitle)}))",
        f"#heading(level: 1, {lit(report.title)})",
    ]
    for label, f in report.headline:
        lines.append(f"#block(inset: 6pt, stroke: 0.5pt)[#{lit(label)}: *#{lit(f.text)}*]")
    for i, section in enumerate(report.sections):
        if i > 0:
            lines.append("#pagebreak(weak: true)")
        lines.append(f"#heading(level: 2, {lit(section.heading)})")
        lines += [_block(b) for b in section.blocks]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Compiled:
    """One PDF written: ``untagged`` says why it is not PDF/UA-1 when typst refused the standard (the PDF is
    then written without it and the report set says so — on stderr and in index.html), else empty."""

    path: Path
    untagged: str = ""


@cache
def _compiler():  # noqa: ANN202 - typst.Compiler
    """One typst compiler per process (the fonts are found once; cheap either way, see the module)."""
    import typst

    fonts = typst.Fonts(include_system_fonts=False, font_paths=FONT_PATHS)
    return typst.Compiler(font_paths=fonts, ignore_system_fonts=True)


def compile_pdf(source: str) -> tuple[bytes, str]:
    """The PDF of a typst source, as PDF/UA-1 where typst accepts the document; else untagged-as-UA with the
    reason (typst's own message) as the second value, never silently."""
    compiler = _compiler()
    data = source.encode("utf-8")
    try:
        return compiler.compile(data, pdf_standards="ua-1"), ""
    except RuntimeError as exc:
        reason = " ".join(str(getattr(exc, "message", "") or exc).split())[:300] or type(exc).__name__
    return compiler.compile(data), reason


def _compile_to(job: tuple[str, str]) -> tuple[str, str]:
    source, path = job
    pdf, untagged = compile_pdf(source)
    Path(path).write_bytes(pdf)
    return path, untagged


def compile_many(jobs: Sequence[tuple[str, Path]], workers: int = 2) -> list[Compiled]:
    """Compile each (source, path), one job at a time per worker so a long national report does not hold
    back a short one; in spawned workers when there are several (typst hangs after fork)."""
    if len(jobs) < 2 or workers < 2:
        return [Compiled(Path(p), u) for p, u in (_compile_to((s, str(path))) for s, path in jobs)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        done = list(pool.map(_compile_to, [(s, str(p)) for s, p in jobs], chunksize=1))
    return [Compiled(Path(p), u) for p, u in done]
