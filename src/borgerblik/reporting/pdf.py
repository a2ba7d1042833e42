"""A report as an A4 PDF through typst (PyPI's ``typst``): ~2 s a report, where WeasyPrint took ~28 s (the
issue's measurement). The typst source is generated from the same content model as the HTML, every text as
a typst string literal (no markup injection), the SVG charts inline; DejaVu is embedded, the PDF is tagged
and, where typst allows, PDF/UA-1. typst deadlocks in forked workers: :func:`compile_many` uses spawn."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from borgerblik.reporting.model import Chart, Figure, Report, Sentence, Table

FONT_PATHS = ["/usr/share/fonts/truetype/dejavu"]


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
    return (
        f"#figure(caption: {lit(t.caption)}, kind: table, table(columns: {n}, align: {align}, "
        f"stroke: (x: none, y: 0.4pt + luma(180)), table.header({header}), {', '.join(rows)}))\n"
    )


def _block(b: object) -> str:
    if isinstance(b, Sentence):
        return f"#par({lit(b.text)})\n"
    if isinstance(b, Chart):
        image = f'image(bytes({lit(b.svg)}), format: "svg", width: 100%, alt: {lit(b.alt)})'
        return f"#figure(caption: {lit(b.title)}, {image})\n" + _table(b.table)
    if isinstance(b, Table):
        return _table(b)
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


def compile_pdf(source: str) -> bytes:
    import typst

    try:
        return typst.compile(
            source.encode("utf-8"), font_paths=FONT_PATHS, ignore_system_fonts=True, pdf_standards="ua-1"
        )
    except RuntimeError:
        return typst.compile(source.encode("utf-8"), font_paths=FONT_PATHS, ignore_system_fonts=True)


def _compile_to(job: tuple[str, str]) -> str:
    source, path = job
    Path(path).write_bytes(compile_pdf(source))
    return path


def compile_many(jobs: Sequence[tuple[str, Path]], workers: int = 2) -> None:
    """Compile each (source, path); in spawned workers when there are several (typst hangs after fork)."""
    if len(jobs) < 2 or workers < 2:
        for source, path in jobs:
            path.write_bytes(compile_pdf(source))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        list(pool.map(_compile_to, [(s, str(p)) for s, p in jobs], chunksize=2))
