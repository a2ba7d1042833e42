"""Small register extracts written the ways Danish exports come: encodings, delimiters, Excel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = "cpr,kommune,maalgruppe,ydelse_start,ydelse_slut,samtaler,digital_post_fritaget,telefon,email"


@pytest.fixture
def write_extract(tmp_path: Path) -> Callable[..., Path]:
    """Write ``lines`` (header included) to a file in the given encoding, exactly as given."""

    def write(
        lines: list[str], name: str = "udtraek.csv", encoding: str = "utf-8", bom: bool = False
    ) -> Path:
        path = tmp_path / name
        data = "\n".join(lines).encode(encoding)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data + b"\n")
        return path

    return write
