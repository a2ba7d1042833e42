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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from borgerblik.core.errors import BorgerblikError

if TYPE_CHECKING:
    from borgerblik.fieldwork.memo import MemoSender


class NotReachable(BorgerblikError, ValueError):
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

    def flush(self) -> None:
        """Make what was delivered durable; the sender calls this before it marks messages sent."""
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

    The journal ``letters.jsonl`` gets a line (key, CPR, kind, subject, file) after each letter's PDF is
    written in full, and the manifest is built from it, once per key however often a letter was delivered
    again after a crash, and only for letters whose file is there. ``flush`` syncs the batch's PDFs and
    journal lines to disk with one ``os.sync`` — one disk flush per batch instead of one per letter (on a
    national fieldwork of ~190,000 letters that is minutes) — and the sender marks the batch sent only after
    it; a letter lost to a crash before that was never marked sent and is delivered again.
    """

    folder: Path
    name: str = "digital_post"
    #: also each letter as a MeMo 1.1 message, ``<key>.memo.xml`` (``fieldwork send --digital-post-format``)
    memo: MemoSender | None = None
    _journal: BinaryIO | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    @property
    def journal(self) -> Path:
        return self.folder / "letters.jsonl"

    def deliver(self, envelope: Envelope) -> str:
        if envelope.recipient.digital_post_exempt:
            raise NotReachable("borgeren er fritaget for Digital Post")
        if envelope.letter is None:
            raise ValueError(f"besked {envelope.key} har intet brev (PDF) at lægge i Digital Post-mappen")
        pdf = self.folder / f"{envelope.key}.pdf"
        pdf.write_bytes(envelope.letter)
        if self.memo is not None:
            self.memo.write(self.folder, envelope)
        record = {
            "key": envelope.key,
            "cpr": envelope.recipient.cpr,
            "kind": envelope.kind,
            "subject": envelope.subject,
            "file": pdf.name,
        }
        if self._journal is None:
            self._journal = open(self.journal, "ab")  # noqa: SIM115 - kept open for the batch, closed in close()
        self._journal.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        return pdf.name

    def flush(self) -> None:
        if self._journal is not None:
            self._journal.flush()
            os.sync()

    def close(self) -> None:
        self.flush()
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.write_manifest()

    def write_manifest(self) -> int:
        """Write ``manifest.csv`` and ``manifest.json`` (one entry per key, sorted) from the journal."""
        by_key: dict[str, dict[str, str]] = {}
        if self.journal.exists():
            for line in self.journal.read_bytes().splitlines():
                try:
                    record = json.loads(line)
                except ValueError:  # torn by a crash: that message was not marked sent and comes again
                    continue
                if (self.folder / record["file"]).exists():
                    by_key[record["key"]] = record
        records = [by_key[key] for key in sorted(by_key)]
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

