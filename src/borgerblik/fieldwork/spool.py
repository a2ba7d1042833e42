"""PDF letters waiting in the outbox, many to a spool file.

Creating 87,000 small files is what made queueing slow (each file creation costs far more than writing its
bytes), so the letters of one queued chunk are appended to one spool file, and each message's payload says
where its letter lies (file, offset, length). The file is flushed to disk before the chunk's outbox rows are
committed, so a committed message always finds its letter. Each chunk gets a fresh file name: a chunk
re-queued after a crash never overwrites letters that committed messages point to.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType


class SpoolFile:
    """Append letters to one new spool file in ``folder``; use as a context manager."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{uuid.uuid4().hex}.letters"
        self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in __exit__
        self._offset = 0

    def add(self, pdf: bytes) -> dict[str, object]:
        """Append one letter; returns the payload fields that find it again."""
        self._handle.write(pdf)
        where = {"letter": str(self.path), "offset": self._offset, "length": len(pdf)}
        self._offset += len(pdf)
        return where

    def __enter__(self) -> SpoolFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        if self._offset == 0:
            self.path.unlink(missing_ok=True)


def read_letter(payload: Mapping[str, object]) -> bytes | None:
    """The PDF a message's payload points to, or None for a message without a letter."""
    path = payload.get("letter")
    if not path:
        return None
    with open(str(path), "rb") as handle:
        handle.seek(int(payload.get("offset", 0)))  # type: ignore[call-overload]
        length = int(payload["length"])  # type: ignore[call-overload]
        data = handle.read(length)
    if len(data) != length:
        raise OSError(f"brevet i {path} er afkortet: forventede {length} bytes, fik {len(data)}")
    return data
