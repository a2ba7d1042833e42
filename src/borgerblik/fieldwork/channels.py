"""One small interface for every way a letter reaches a citizen, and the Digital Post batch folder.

A channel's ``deliver`` must be idempotent on the envelope's key: the outbox delivers at least once (a sender
that dies between delivering and marking the message sent will deliver it again after restart), and the key
turns that into exactly once at the receiving end — a file named by the key, the SMS gateway's ``userref``,
the e-mail's Message-ID.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class NotReachable(ValueError):
    """The citizen cannot be reached on this channel (exempt from Digital Post, no number or address)."""


@dataclass(frozen=True)
class Recipient:
    """Where to reach one citizen — held only while sending, never written to logs or analysis tables."""

    cpr: str
    phone: str | None
    email: str | None
    digital_post_exempt: bool


@dataclass(frozen=True)
class Envelope:
    """One message ready for a channel; ``key`` is its idempotency key."""

    key: str
    kind: str
    recipient: Recipient
    subject: str = ""
    body: str = ""
    letter: bytes | None = None


class Channel(Protocol):
    name: str

    def deliver(self, envelope: Envelope) -> str:
        """Deliver once per key and return the receiving end's reference."""
        ...

    def close(self) -> None: ...


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name and rename: a crash leaves either no file or the whole file, never half."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


@dataclass
class DigitalPostFolder:
    """A batch for the municipality's Digital Post sender: ``<key>.pdf`` per letter, a manifest keyed by CPR.

    Each letter is accompanied by ``<key>.json`` (CPR, kind, subject, file), written after the PDF, so the
    manifest rebuilt from those files lists exactly the letters that are complete on disk.
    """

    folder: Path
    name: str = "digital_post"

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def deliver(self, envelope: Envelope) -> str:
        if envelope.recipient.digital_post_exempt:
            raise NotReachable("borgeren er fritaget for Digital Post")
        if envelope.letter is None:
            raise ValueError(f"besked {envelope.key} har intet brev (PDF) at lægge i Digital Post-mappen")
        pdf = self.folder / f"{envelope.key}.pdf"
        entry = self.folder / f"{envelope.key}.json"
        if not entry.exists():
            _atomic_write(pdf, envelope.letter)
            record = {
                "key": envelope.key,
                "cpr": envelope.recipient.cpr,
                "kind": envelope.kind,
                "subject": envelope.subject,
                "file": pdf.name,
            }
            _atomic_write(entry, json.dumps(record, ensure_ascii=False).encode("utf-8"))
        return pdf.name

    def write_manifest(self) -> int:
        """Write ``manifest.csv`` and ``manifest.json`` (sorted by key) from the letters in the folder."""
        records = [
            json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(self.folder.glob("*.json"))
            if p.name != "manifest.json"
        ]
        records.sort(key=lambda r: r["key"])
        buffer = Path(self.folder / "manifest.csv")
        with open(buffer.with_name(".manifest.csv.tmp"), "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["cpr", "file", "kind", "subject", "key"])
            writer.writeheader()
            writer.writerows(records)
        os.replace(buffer.with_name(".manifest.csv.tmp"), buffer)
        _atomic_write(
            self.folder / "manifest.json", json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
        )
        return len(records)

    def close(self) -> None:
        self.write_manifest()
