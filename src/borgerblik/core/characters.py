"""The one rule for characters a citizen's text may not carry into other people's screens.

Characters that change how *other* text is shown are taken out of every answer, typed on the web or keyed in
by the response import (:func:`neutralise`): the bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069 — an U+202E in an open answer would turn the rest of a staff table's row
around) and the C0/C1 control characters other than tab and line breaks. The marks Arabic text needs
(U+200E/U+200F/U+061C) and the joiners stay. A NUL byte is left in, so the save refuses it with its own
message (storage never stores one).
"""

from __future__ import annotations

import re

DISPLAY_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What :func:`neutralise` takes out: control characters but NUL, tab, LF, CR; bidi embeddings, isolates."""


def neutralise(value: str) -> str:
    """``value`` without :data:`DISPLAY_CONTROLS` (a plain answer comes back unchanged and uncopied)."""
    return DISPLAY_CONTROLS.sub("", value) if DISPLAY_CONTROLS.search(value) else value
