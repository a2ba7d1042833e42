"""A report as an Excel workbook (XlsxWriter, the fastest writer): one sheet per question plus overview,
benchmark, drivers and method sheets, from the same content model. Numbers are numbers with display formats
(Excel shows 3,87 and 38,8 % in a Danish installation), headers frozen, widths set; the sheet "Kilder" names
for every figure's cell the analysis-table row it comes from."""

from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from borgerblik.reporting.model import Figure, Report, Sentence, Table
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
        texts = [b for b in section.blocks if isinstance(b, Sentence)]
        tables = [
            b if isinstance(b, Table) else b.table for b in section.blocks if not isinstance(b, Sentence)
        ]
        ws.write(cursor[0], 0, section.heading, caption)
        cursor[0] += 1
        for s in texts:
            ws.write(cursor[0], 0, s.text)
            cursor[0] += 1
        for t in tables:
            cursor[0] += 1
            ws.write(cursor[0], 0, t.caption, caption)
            cursor[0] += 1
            ws.write_row(cursor[0], 0, t.header, bold)
            if len(cursor) == 1:  # the sheet's first table: its header stays in view
                ws.freeze_panes(cursor[0] + 1, 1)
                cursor.append(1)
            cursor[0] += 1
            for row in t.rows:
                for col, c in enumerate(row):
                    if isinstance(c, Figure):
                        ws.write_number(cursor[0], col, c.value, formats.get(c.kind, formats["mean"]))
                        sources.append((sheet_name(name), xl_rowcol_to_cell(cursor[0], col), c.source))
                    elif c is not None:
                        ws.write_string(cursor[0], col, str(c))
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
