"""The codebook of an export: every variable with its label, values, missing code and who was asked.

The same rows go to an HTML page beside the data file and to the "Kodebog" sheet of the Excel file, so an
analyst reading either sees why a value is missing (routing) and the full text of a label Stata shortened.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from borgerblik.danish import integer
from borgerblik.interop.dataset import Dataset
from borgerblik.interop.variables import STATA_LABEL, stata_label

COLUMNS = {
    "da": ("Variabel", "Label", "Type", "Værdier", "Manglende værdi", "Stillet til", "Note"),
    "en": ("Variable", "Label", "Type", "Values", "Missing value", "Asked", "Note"),
}
_SHORTENED = {
    "da": f"Label forkortet til {STATA_LABEL} tegn i Stata-filen",
    "en": f"Label shortened to {STATA_LABEL} characters in the Stata file",
}
_MISSING = {
    "da": "{code} (brugerdefineret manglende i SPSS, .a i Stata)",
    "en": "{code} (user-missing in SPSS, .a in Stata)",
}
_TEMPLATE = Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:.3rem .5rem;vertical-align:top;text-align:left}</style></head>
<body>
<h1>{{ title }}</h1>
<p>{{ intro }}</p>
<table>
<thead><tr>{% for heading in headings %}<th scope="col">{{ heading }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr><td><code>{{ row[0] }}</code></td>{% for cell in row[1:] %}<td>{{ cell }}</td>
{%- endfor %}</tr>
{% endfor %}</tbody>
</table>
</body>
</html>
"""
)


def codebook_rows(dataset: Dataset, language: str = "da") -> list[tuple[str, ...]]:
    """One row per variable (then the questions left out), in the columns of :data:`COLUMNS`."""
    lang = language if language in COLUMNS else "en"
    rows: list[tuple[str, ...]] = []
    for variable in dataset.variables:
        label = variable.label(language)
        values = "; ".join(f"{code} = {text}" for code, text in variable.value_labels(language).items())
        missing = "; ".join(_MISSING[lang].format(code=code) for code in variable.missing)
        note = _SHORTENED[lang] if stata_label(label)[1] else ""
        rows.append((variable.name, label, str(variable.measure), values, missing, variable.asked, note))
    for left_out in dataset.excluded:
        label = left_out.label.get(language) or left_out.label["da"]
        reason = left_out.reason.get(lang, left_out.reason["da"])
        rows.append((left_out.question, label, "", "", "", "", reason))
    return rows


def codebook_html(dataset: Dataset, language: str = "da") -> str:
    lang = language if language in COLUMNS else "en"
    title = ("Kodebog" if lang == "da" else "Codebook") + f" — {dataset.instrument_id}"
    codes = sorted({code for variable in dataset.variables for code in variable.missing}) or [9]
    if lang == "da":
        named = " og ".join(map(str, codes))
        intro = (
            f"{integer(dataset.rows)} besvarelser, {len(dataset.variables)} variable. "
            f"{'Koden' if len(codes) == 1 else 'Koderne'} {named} (Ved ikke/ikke relevant) er erklæret "
            "manglende; en tom værdi betyder, at spørgsmålet ikke blev stillet eller ikke blev besvaret."
        )
    else:
        named = " and ".join(map(str, codes))
        intro = (
            f"{dataset.rows:,} responses, {len(dataset.variables)} variables. "
            f"{'Code' if len(codes) == 1 else 'Codes'} {named} (don't know/not relevant) "
            f"{'is' if len(codes) == 1 else 'are'} declared missing; an empty value means the question was "
            "not asked or not answered."
        )
    return _TEMPLATE.render(lang=lang, title=title, intro=intro, headings=COLUMNS[lang],
                            rows=codebook_rows(dataset, language))


def write_codebook(dataset: Dataset, path: Path, language: str = "da") -> Path:
    path.write_text(codebook_html(dataset, language), encoding="utf-8")
    return path

