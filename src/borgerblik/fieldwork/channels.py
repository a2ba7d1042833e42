"""One small interface for every way a letter reaches a citizen, and the Digital Post batch folder.

A channel's ``deliver`` must be idempotent on the envelope's key: the outbox delivers at least once (a sender
that dies between delivering and marking the message sent will deliver it again after restart), and the key
turns that into exactly once at the receiving end — a file named by the key, the SMS gateway's ``userref``,
the e-mail's Message-ID.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from borgerblik.core.errors import BorgerblikError

if TYPE_CHECKING:
    from borgerblik.fieldwork.memo import MemoSender


LEFTOVER_AGE = timedelta(minutes=10)


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
    #: True: a delivery is durable only after ``flush`` (the sender marks the batch sent after it); False:
    #: durable once ``deliver`` returned (a gateway's answer), so the sender marks each message at once and a
    #: kill repeats at most the one message in flight
    batched: bool

    def deliver(self, envelope: Envelope) -> str:
        """Deliver once per key and return the receiving end's reference."""
        ...

    def flush(self) -> None:
        """Make what was delivered durable; the sender calls this before it marks messages sent."""
        ...

    def close(self) -> None: ...


def temporary_name(path: Path) -> Path:
    """A temporary name beside ``path`` that no other process picks: two senders sharing one folder each
    write their own (a fixed ``.manifest.csv.tmp`` made the second crash when the first renamed it away)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name and rename: a crash leaves either no file or the whole file, never half."""
    temporary = temporary_name(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@dataclass
class DigitalPostFolder:
    """A batch for the municipality's Digital Post sender: ``<key>.pdf`` per letter, a manifest keyed by CPR.

    A letter is written under a temporary name and renamed to ``<key>.pdf``, so a file with that name is a
    whole letter; a letter whose file is already there is not written again (a sender killed after writing
    and before marking the message sent delivers it again after restart: the second delivery is a no-op).
    The journal ``letters.jsonl`` gets one line (key, CPR, kind, subject, file) for each letter placed in
    the folder, appended by one ``write`` to a file opened for appending, so two senders sharing the folder
    never tear each other's lines; a letter placed by a sender killed before its line is journaled gets its
    line from the delivery that finds the file. The manifest is built from the journal, once per key, only
    for letters whose file is there, under a lock, so the last sender to close writes the complete one.
    ``flush`` syncs the batch's PDFs and journal lines to disk with one ``os.sync`` — one disk flush per batch
    instead of one per letter (on a national fieldwork of ~190,000 letters that is minutes) — and the sender
    marks the batch sent only after it (``batched``).
    """

    folder: Path
    name: str = "digital_post"
    #: also each letter as a MeMo 1.1 message, ``<key>.memo.xml`` (``fieldwork send --digital-post-format``)
    memo: MemoSender | None = None
    #: deliveries become durable at ``flush``: the sender marks them sent after it, per batch
    batched: bool = True
    _journal: int | None = field(default=None, repr=False)
    _journaled: set[str] | None = field(default=None, repr=False)

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
        record = {
            "key": envelope.key,
            "cpr": envelope.recipient.cpr,
            "kind": envelope.kind,
            "subject": envelope.subject,
            "file": pdf.name,
        }
        if pdf.exists():  # placed whole by an earlier delivery of the same message
            if envelope.key not in self._journal_keys():
                self._append(record)  # killed between placing the file and journaling it
            return pdf.name
        if self.memo is not None:
            self.memo.write(self.folder, envelope)
        atomic_write(pdf, envelope.letter)
        self._append(record)
        return pdf.name

    def _append(self, record: dict[str, str]) -> None:
        if self._journal is None:
            self._journal = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            size = os.fstat(self._journal).st_size
            if size:
                with open(self.journal, "rb") as existing:
                    existing.seek(size - 1)
                    if existing.read(1) != b"\n":  # a line torn by a crash stays apart from the next one
                        os.write(self._journal, b"\n")
        os.write(self._journal, json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        if self._journaled is not None:
            self._journaled.add(record["key"])

    def _journal_keys(self) -> set[str]:
        """The keys journaled so far; read only when a delivery finds its file already there (after a
        crash), at most once per sender run."""
        if self._journaled is None:
            self._journaled = {record["key"] for record in self._records()}
        return self._journaled

    def _records(self) -> list[dict[str, str]]:
        records = []
        if self.journal.exists():
            for line in self.journal.read_bytes().splitlines():
                try:
                    records.append(json.loads(line))
                except ValueError:  # torn by a crash: that message was not marked sent and comes again
                    continue
        return records

    def flush(self) -> None:
        if self._journal is not None:
            os.sync()

    def close(self) -> None:
        self.flush()
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        self.write_manifest()

    def write_manifest(self) -> int:
        """Write ``manifest.csv`` and ``manifest.json`` (one entry per key, sorted) from the journal.

        Under an exclusive lock on ``.manifest.lock``: a sender reads the journal only after every line
        another sender journaled before taking the lock, so the manifest written last is complete."""
        with open(self.folder / ".manifest.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            by_key = {
                record["key"]: record
                for record in self._records()
                if isinstance(record, dict) and (self.folder / str(record.get("file"))).exists()
            }
            records = [by_key[key] for key in sorted(by_key)]
            table = io.StringIO(newline="")
            writer = csv.DictWriter(table, fieldnames=["cpr", "file", "kind", "subject", "key"])
            writer.writeheader()
            writer.writerows(records)
            atomic_write(self.folder / "manifest.csv", table.getvalue().encode("utf-8"))
            atomic_write(
                self.folder / "manifest.json",
                json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"),
            )
            self._remove_leftovers()
        return len(records)

    def _remove_leftovers(self) -> None:
        """Temporary files a killed sender left: a live one exists for milliseconds, so one older than
        ``LEFTOVER_AGE`` belongs to no running sender (whichever host it ran on)."""
        cutoff = time.time() - LEFTOVER_AGE.total_seconds()
        for leftover in self.folder.glob(".*.tmp"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except FileNotFoundError:  # another sender removed it first
                continue
