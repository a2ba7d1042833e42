"""A report as an Excel workbook (XlsxWriter, the fastest writer): one sheet per question plus overview,
benchmark, drivers and method sheets, from the same content model. Numbers are numbers with display formats
(Excel shows 3,87 and 38,8 % in a Danish installation), headers frozen, widths set; the sheet "Kilder" names
for every figure's cell the analysis-table row it comes from."""

from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from borgerblik.reporting.model import Chart, Figure, Report, Sentence, Table, Theme
from borgerblik.reporting.numbers import EXCEL_FORMATS

SOURCES_SHEET = "Kilder"
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str) -> str:
    return FORBIDDEN.sub("-", name)[:31] or "Ark"


def write_workbook(report: Report, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    caption = book.add_format({"bold": True})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in EXCEL_FORMATS.items()}
    formats["p"] = book.add_format({"num_format": "0.000"})
    sources: list[tuple[str, str, str]] = []
    sheets: dict[str, tuple[object, list[int]]] = {}

    def sheet(name: str):  # noqa: ANN202 - xlsxwriter Worksheet
        name = sheet_name(name)
        if name not in sheets:
            ws = book.add_worksheet(name)
            ws.set_column(0, 0, 42)
            ws.set_column(1, 12, 13)
            sheets[name] = (ws, [0])
        return sheets[name]

    overview, cursor = sheet("Oversigt")
    overview.write(0, 0, report.title, title)
    overview.write(1, 0, report.subtitle)
    for i, (label, f) in enumerate(report.headline, start=3):
        overview.write(i, 0, label)
        overview.write_number(i, 1, f.value, formats.get(f.kind, formats["mean"]))
        sources.append(("Oversigt", xl_rowcol_to_cell(i, 1), f.source))
    cursor[0] = len(report.headline) + 4
    cursor.append(1)
    for section in report.sections:
        name = section.sheet or "Oversigt"
        ws, cursor = sheet(name)
        texts = [
            s
            for b in section.blocks
            for s in (
                [b] if isinstance(b, Sentence) else [b.intro] if isinstance(b, Chart) and b.intro else []
            )
        ]
        tables = [
            (b, "") if isinstance(b, Table) else (b.table, b.native)
            for b in section.blocks
            if not isinstance(b, Sentence | Theme)
        ]
        themes = [b for b in section.blocks if isinstance(b, Theme)]
        ws.write(cursor[0], 0, section.heading, caption)
        cursor[0] += 1
        for s in texts:
            ws.write(cursor[0], 0, s.text)
            cursor[0] += 1
        for t, native in tables:
            cursor[0] += 1
            ws.write(cursor[0], 0, t.caption, caption)
            cursor[0] += 1
            ws.write_row(cursor[0], 0, t.header, bold)
            if len(cursor) == 1:  # the sheet's first table: its header stays in view
                ws.freeze_panes(cursor[0] + 1, 1)
                cursor.append(1)
            cursor[0] += 1
            first = cursor[0]
            for row in t.rows:
                for col, c in enumerate(row):
                    if isinstance(c, Figure):
                        ws.write_number(cursor[0], col, c.value, formats.get(c.kind, formats["mean"]))
                        sources.append((sheet_name(name), xl_rowcol_to_cell(cursor[0], col), c.source))
                    elif c is not None:
                        ws.write_string(cursor[0], col, str(c))
                cursor[0] += 1
            if native and t.rows:
                _native_chart(book, ws, sheet_name(name), t.caption, native, first, cursor[0] - 1)
        for theme in themes:  # the quotes below the themes' tables (their figures are in those tables)
            cursor[0] += 1
            ws.write(cursor[0], 0, theme.label, caption)
            for quote in theme.quotes:
                cursor[0] += 1
                ws.write_string(cursor[0], 1, f"»{quote}«")
            cursor[0] += 1
        cursor[0] += 1
    ws = book.add_worksheet(SOURCES_SHEET)
    ws.write_row(0, 0, ["Ark", "Celle", "Kilde (tabel:række:kolonne)"], bold)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 28)
    ws.set_column(2, 2, 40)
    for i, (name, ref, source) in enumerate(sources, start=1):
        ws.write_row(i, 0, [name, ref, source])
    book.close()


def _native_chart(book, ws, name: str, title: str, kind: str, first: int, last: int) -> None:  # noqa: ANN001
    """Excel's own chart of a table's first two columns (categories, values), beside the table — the response
    curve as a line, the funnel as bars; the numbers stay in the cells, so the chart follows them."""
    chart = book.add_chart({"type": kind})
    chart.add_series(
        {
            "name": title,
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 1, last, 1],
            "marker": {"type": "circle", "size": 3} if kind == "line" else {"type": "none"},
        }
    )
    chart.set_title({"name": title, "name_font": {"size": 10}})
    chart.set_legend({"none": True})
    if kind == "bar":
        chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 520, "height": 300})
    ws.insert_chart(first - 2, 4, chart)
