"""A report as one self-contained HTML file: inline SVG and CSS, no script, nothing fetched from the network,
WCAG 2.1 AA (every chart has a text alternative and the table behind it, headings in order), and a print
stylesheet with page breaks between sections. Every number carries ``data-source``."""

from __future__ import annotations

from functools import cache
from html import escape

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from borgerblik.reporting.model import Chart, Figure, Report, Sentence, Table, Theme

CSS = """
:root{--ink:#1a1a1a;--muted:#4a4a4a;--accent:#2b4c7e;--own:#fdf0e0}
body{font-family:"DejaVu Sans",Verdana,sans-serif;color:var(--ink);background:#fff;max-width:60rem;
margin:0 auto;padding:1rem;line-height:1.45}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
a{color:var(--accent)}a:focus,summary:focus{outline:3px solid #b35806;outline-offset:2px}
.kind{text-transform:uppercase;letter-spacing:.08em;color:var(--muted)}
.headline{display:flex;flex-wrap:wrap;gap:1rem}.headline div{border:1px solid #999;padding:.5rem 1rem}
.headline dt{font-size:.85rem;color:var(--muted)}.headline dd{margin:0;font-size:1.6rem;font-weight:bold}
figure{margin:1rem 0}svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}caption{text-align:left;font-weight:bold}
th,td{border-bottom:1px solid #bbb;padding:.2rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.own{background:var(--own);font-weight:bold}
details{margin:.25rem 0 1rem}
.theme{border-left:4px solid var(--accent);padding:.1rem 0 .1rem 1rem;margin:1rem 0;break-inside:avoid}
.theme>p{margin:.2rem 0}.theme blockquote{margin:.4rem 0 .4rem .5rem;font-style:italic}
.theme blockquote p{margin:0}
@media print{body{max-width:none;font-size:10pt}nav,.skip{display:none}section{break-before:page}
figure,table{break-inside:avoid}details>*{display:block}a{color:var(--ink);text-decoration:none}}
"""


def figure(f: Figure) -> Markup:
    return Markup(f'<span data-source="{escape(f.source)}">{escape(f.text)}</span>')


def cell(c: object) -> Markup:
    if isinstance(c, Figure):
        return Markup(f'<td data-source="{escape(c.source)}">{escape(c.text)}</td>')
    return Markup(f"<td>{escape('' if c is None else str(c))}</td>")


def table(t: Table, show_caption: bool = True) -> Markup:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in t.header)
    rows = []
    for i, row in enumerate(t.rows):
        first, rest = row[0], row[1:]
        th = (
            f'<th scope="row" data-source="{escape(first.source)}">{escape(first.text)}</th>'
            if isinstance(first, Figure)
            else f'<th scope="row">{escape("" if first is None else str(first))}</th>'
        )
        cls = ' class="own"' if i in t.highlight else ""
        rows.append(f"<tr{cls}>{th}{''.join(cell(c) for c in rest)}</tr>")
    caption = f"<caption>{escape(t.caption)}</caption>" if show_caption else ""
    return Markup(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def block(b: object, behind: str = "Tabel med tallene") -> Markup:
    if isinstance(b, Sentence):
        return Markup(
            "<p>"
            + "".join(str(figure(p)) if isinstance(p, Figure) else str(escape(p)) for p in b.parts)
            + "</p>"
        )
    if isinstance(b, Chart):
        intro = block(b.intro) if b.intro is not None else ""
        return Markup(
            f'{intro}<figure aria-labelledby="{b.id}-c">'
            f'<figcaption id="{b.id}-c">{escape(b.title)}</figcaption>{b.svg}'
            f"<details><summary>{escape(behind)}</summary>{table(b.table)}</details></figure>"
        )
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Theme):
        quotes = "".join(f"<blockquote><p>»{escape(q)}«</p></blockquote>" for q in b.quotes)
        return Markup(
            f'<div class="theme"><p><strong>{escape(b.label)}</strong> — {figure(b.count)} '
            f"{escape(b.unit)} ({figure(b.share)})</p>{quotes}</div>"
        )
    raise TypeError(type(b))


@cache
def _template():  # noqa: ANN202 - jinja2 Template
    env = Environment(
        loader=PackageLoader("borgerblik.reporting", "templates"), autoescape=select_autoescape()
    )
    return env.get_template("report.html")


def render_html(report: Report) -> str:
    da = report.language == "da"
    return _template().render(
        report=report,
        css=Markup(CSS),
        figure=figure,
        block=block,
        skip="Spring til indholdet" if da else "Skip to content",
        contents="Indhold" if da else "Contents",
    )


def render_index(language: str, title: str, entries: list[dict[str, object]]) -> str:
    """index.html: every report with its response figures and links to its files."""
    da = language == "da"
    head = (
        ["Rapport", "Respondenter", "Gennemsnit", "Andel positive", "Filer"]
        if da
        else ["Report", "Respondents", "Mean", "Share positive", "Files"]
    )
    rows = []
    for e in entries:
        links = " ".join(f'<a href="{escape(str(href))}">{escape(str(fmt))}</a>' for fmt, href in e["files"])  # type: ignore[union-attr]
        figures = "".join(str(cell(f)) for f in e["figures"])  # type: ignore[union-attr]
        if e.get("note"):
            warning = "PDF'en er ikke PDF/UA-mærket" if da else "The PDF is not tagged PDF/UA"
            links += f' <strong class="warning">{warning} (typst: {escape(str(e["note"]))})</strong>'
        rows.append(f'<tr><th scope="row">{escape(str(e["name"]))}</th>{figures}<td>{links}</td></tr>')
    body = (
        f"<table><caption>{escape(title)}</caption><thead><tr>"
        + "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
