"""PDF letters for Digital Post, fast enough for 86,965 citizens in well under a minute.

Why this design: a full fpdf2 render with an embedded, subsetted DejaVu font costs ~75 ms a letter (the font
subsetting dominates), and an HTML→PDF engine is slower still — 87,000 letters would take close to two hours.
But every letter of one kind, language and municipality is identical except for the token and the case code.
So fpdf2 lays out that letter once with fixed-width placeholders, printed in DejaVu Sans Mono and kept in an
uncompressed page stream; each citizen's letter is then the same bytes with the placeholders replaced by
values of the same length. The replacement never changes a byte offset, so the cross-reference table stays
valid and the result is a genuine fpdf2 PDF with embedded fonts (æøå survive text extraction). Glyph codes of
the mono font are assigned up front so that no merge character needs a PDF string escape (which would change
the length). Anything the merge cannot honour — a token of another alphabet, a placeholder fpdf2 wrapped over
two lines — falls back to a full render of that letter, slower but never wrong.
"""

from __future__ import annotations

import os
import re
import string
import tempfile
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_date

from borgerblik.core.errors import BorgerblikError

if TYPE_CHECKING:
    from fpdf import FPDF
from borgerblik.fieldwork.letters import (
    MessageKind,
    SurveyContact,
    opt_out_link,
    personal_link,
    render_message,
)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
MERGE_ALPHABET = string.ascii_letters + string.digits + "-_"
# Glyph codes whose low byte fpdf2 escapes in a PDF string: CR, "(", ")" and "\".
_ESCAPED_CODES = frozenset({0x0D, 0x28, 0x29, 0x5C})
_FILLERS = "/:.?&=#%~!*+,;@"
_TOKEN_FILLER = "Q"
_CODE_FILLER = "J"


class FontMissing(BorgerblikError, RuntimeError):
    """The DejaVu fonts are not installed (Debian package fonts-dejavu-core)."""


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.exists():
            return candidate
    raise FontMissing(
        f"font {name} not found in {', '.join(map(str, FONT_DIRS))}; hint: apt-get install fonts-dejavu-core"
    )


# Latin-1, Latin Extended-A and the usual typographic marks: every Danish and English letter text. fpdf2
# parses the whole font file for each document, and DejaVu's 6,000 glyphs made that two thirds of a layout's
# cost.
LATIN_CODEPOINTS = (
    *range(0x20, 0x7F), *range(0xA0, 0x180), 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026,
    0x20AC,
)
LATIN = frozenset(map(chr, LATIN_CODEPOINTS)) | {"\n"}


@cache
def _latin_font(source: Path) -> Path | None:
    """The font cut down to :data:`LATIN`, made once and kept in the temp folder; None if that fails."""
    stamp = source.stat()
    target = Path(tempfile.gettempdir()) / "borgerblik-fonts" / f"{source.stem}-latin-{stamp.st_size}.ttf"
    if target.exists():
        return target
    from fontTools import subset  # fpdf2 and fontTools load with the first letter, not with the web app
    from fontTools.ttLib import TTFont

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(source)
        options = subset.Options()
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.drop_tables = [*options.drop_tables, "FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=LATIN_CODEPOINTS)
        subsetter.subset(font)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        font.save(temporary)
        os.replace(temporary, target)
    except OSError:
        return None
    return target


def _font(name: str, text: str) -> str:
    """The Latin cut of the font when it covers ``text``, else the full font."""
    full = _font_file(name)
    reduced = _latin_font(full) if set(text) <= LATIN else None
    return str(reduced or full)


@dataclass
class _MergeLayout:
    """One laid-out letter with placeholders, and how to put a citizen's values in their place."""

    pdf: bytes
    token_glyphs: bytes
    token_ascii: bytes
    code_glyphs: bytes
    glyph_of: dict[str, bytes]
    usable: bool


@dataclass
class LetterPress:
    """Makes one citizen's PDF letter; layouts are cached per kind, language, municipality, lengths."""

    contact: SurveyContact
    letter_date: date
    _layouts: dict[tuple[str, str, str, int, int], _MergeLayout] = field(default_factory=dict, repr=False)

    def letter(
        self, kind: MessageKind, kommune: str, token: str, case_code: str, language: str | None = None
    ) -> bytes:
        lang = language or self.contact.language
        key = (kind, lang, kommune, len(token), len(case_code))
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = self._layout(kind, lang, kommune, len(token), len(case_code))
        if not (layout.usable and _mergeable(token) and _mergeable(case_code)):
            return self._render(kind, lang, kommune, token, case_code)[0]
        glyphs = layout.glyph_of
        return (
            layout.pdf.replace(layout.token_glyphs, b"".join(glyphs[c] for c in token))
            .replace(layout.token_ascii, token.encode("ascii"))
            .replace(layout.code_glyphs, b"".join(glyphs[c] for c in case_code))
        )

    def _layout(
        self, kind: MessageKind, lang: str, kommune: str, token_len: int, code_len: int
    ) -> _MergeLayout:
        token_ph, code_ph = _TOKEN_FILLER * token_len, _CODE_FILLER * code_len
        pdf, glyph_of, body = self._render(kind, lang, kommune, token_ph, code_ph)
        token_glyphs = b"".join(glyph_of[c] for c in token_ph)
        code_glyphs = b"".join(glyph_of[c] for c in code_ph)
        token_ascii = token_ph.encode("ascii")
        expected_links = body.count(token_ph)
        usable = (
            token_len >= 8
            and code_len >= 4
            and pdf.count(token_glyphs) == expected_links
            and pdf.count(token_ascii) == expected_links
            and pdf.count(code_glyphs) == body.count(code_ph)
        )
        return _MergeLayout(pdf, token_glyphs, token_ascii, code_glyphs, glyph_of, usable)

    def _render(
        self, kind: MessageKind, lang: str, kommune: str, token: str, case_code: str
    ) -> tuple[bytes, dict[str, bytes], str]:
        message = render_message(kind, self.contact, kommune, token, case_code, lang)
        from fpdf import FPDF

        pdf = FPDF(format="A4")
        pdf.set_compression(False)
        pdf.set_margins(22, 20, 22)
        pdf.set_auto_page_break(True, margin=18)
        everything = "".join((self.contact.sender, message.subject, message.body))
        pdf.add_font("DejaVu", "", _font("DejaVuSans.ttf", everything))
        pdf.add_font("DejaVuMono", "", _font("DejaVuSansMono.ttf", everything))
        pdf.set_title(message.subject)
        pdf.set_lang(lang)
        pdf.set_creator("Borgerblik")
        glyph_of = _assign_merge_glyphs(pdf)
        pdf.add_page()
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 5, self.contact.sender, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(
            0,
            5,
            format_date(self.letter_date, "long", locale="da_DK" if lang == "da" else "en_GB"),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(10)
        pdf.set_font("DejaVu", "", 15)
        pdf.multi_cell(0, 7, message.subject, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        merge_values = [v for v in _links(self.contact.base_url, token) if v in message.body] + [case_code]
        splitter = re.compile("(" + "|".join(re.escape(v) for v in merge_values) + ")")
        for paragraph in message.body.split("\n\n"):
            for line in paragraph.split("\n"):
                for part in splitter.split(line):
                    if not part:
                        continue
                    if part in merge_values:
                        pdf.set_font("DejaVuMono", "", 9)
                        if pdf.get_string_width(part) > pdf.w - pdf.r_margin - pdf.x:
                            pdf.ln(5.5)
                        pdf.write(5.5, part, link=part if part.startswith("http") else "")
                    else:
                        pdf.set_font("DejaVu", "", 11)
                        pdf.write(5.5, part)
                pdf.ln(5.5)
            pdf.ln(3)
        return bytes(pdf.output()), glyph_of, message.body


def _links(base_url: str, token: str) -> list[str]:
    """Longest first, so the opt-out link is not split at the personal link it begins with."""
    return [opt_out_link(base_url, token), personal_link(base_url, token)]


def _mergeable(value: str) -> bool:
    return all(c in MERGE_ALPHABET for c in value)


def _assign_merge_glyphs(pdf: FPDF) -> dict[str, bytes]:
    """Give every merge character a mono-font glyph code that needs no escaping, and return its two bytes."""
    mono = pdf.fonts["dejavumono"]
    last = 0
    fillers = iter(_FILLERS)
    for char in MERGE_ALPHABET:
        while True:
            upcoming = last + 1 if last + 1 != 0x20 else 0x21
            if upcoming not in _ESCAPED_CODES:
                break
            last = mono.subset.pick(ord(next(fillers)))
        last = mono.subset.pick(ord(char))
    glyph_of = {}
    for char in MERGE_ALPHABET:
        encoded = mono.encode_text(char)
        glyph_of[char] = encoded[1:-4].encode("latin-1")
        if len(glyph_of[char]) != 2:
            raise RuntimeError(f"merge glyph for {char!r} needs escaping: {encoded!r}")
    return glyph_of
