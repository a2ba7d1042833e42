"""Digital Post letters as MeMo 1.1 messages, the format NgDP (through Serviceplatformen's SF1601) takes.

Each invitation and reminder becomes one ``memo:Message`` (namespace ``https://DigitalPost.dk/MeMo-1``,
``memoVersion="1.1"``): a MessageHeader (messageType DIGITALPOST, messageUUID, label, the sending authority by
its MyndighedsID, the recipient by CPR) and a MessageBody whose MainDocument is the letter's PDF, base64,
``application/pdf``, language ``da``. The fields are described in docs/interop.md.

The messageUUID is a UUID 5 of the outbox message's idempotency key (survey, invitation, wave, channel), so a
message delivered again after a crash carries the same UUID and Digital Post discards the duplicate. SF1601
reads only the ``memo`` prefix, so the namespace is declared with it.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from borgerblik.fieldwork.channels import Envelope, atomic_write

MEMO_NAMESPACE = "https://DigitalPost.dk/MeMo-1"
MEMO_VERSION = "1.1"
MEMO_SCHEMA_VERSION = "1.1.0"
#: the namespace of Borgerblik's message UUIDs: uuid5(BORGERBLIK_MEMO, outbox key)
BORGERBLIK_MEMO = uuid.uuid5(uuid.NAMESPACE_URL, "https://borgerblik.dk/memo")
_M = f"{{{MEMO_NAMESPACE}}}"
LABEL_LIMIT = 256


def message_uuid(key: str) -> uuid.UUID:
    """The messageUUID of the outbox message with idempotency key ``key`` — the same on every delivery."""
    return uuid.uuid5(BORGERBLIK_MEMO, key)


@dataclass(frozen=True)
class MemoSender:
    """The sending authority: its MyndighedsID (the CVR number Digital Post knows it by) and its name."""

    authority_id: str
    label: str = "Jobcentret"

    def message(self, envelope: Envelope, created: datetime | None = None) -> bytes:
        """One MeMo message for ``envelope``'s letter (UTF-8 XML)."""
        if envelope.letter is None:
            raise ValueError(f"besked {envelope.key} har intet brev (PDF) til MeMo-beskeden")
        created = (created or datetime.now(UTC)).astimezone(UTC)
        root = etree.Element(
            f"{_M}Message",
            nsmap={"memo": MEMO_NAMESPACE},
            memoVersion=MEMO_VERSION,
            memoSchVersion=MEMO_SCHEMA_VERSION,
        )
        header = _child(root, "MessageHeader")
        _child(header, "messageType", "DIGITALPOST")
        _child(header, "messageUUID", str(message_uuid(envelope.key)))
        label = (envelope.subject or "Brev fra jobcentret")[:LABEL_LIMIT]
        _child(header, "label", label)
        _child(header, "mandatory", "false")
        _child(header, "legalNotification", "false")
        sender = _child(header, "Sender")
        _child(sender, "senderID", self.authority_id)
        _child(sender, "idType", "CVR")
        _child(sender, "label", self.label[:LABEL_LIMIT])
        recipient = _child(header, "Recipient")
        _child(recipient, "recipientID", envelope.recipient.cpr.replace("-", ""))
        _child(recipient, "idType", "CPR")
        body = _child(root, "MessageBody")
        _child(body, "createdDateTime", created.strftime("%Y-%m-%dT%H:%M:%SZ"))
        document = _child(body, "MainDocument")
        _child(document, "label", label)
        file = _child(document, "File")
        _child(file, "encodingFormat", "application/pdf")
        _child(file, "filename", f"{envelope.key}.pdf")
        _child(file, "language", "da")
        _child(file, "content", base64.b64encode(envelope.letter).decode("ascii"))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def write(self, folder: Path, envelope: Envelope) -> Path:
        """``<key>.memo.xml`` beside the letter's PDF, written whole or not at all."""
        path = folder / f"{envelope.key}.memo.xml"
        atomic_write(path, self.message(envelope))
        return path


def _child(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{_M}{name}")
    if text is not None:
        element.text = text
    return element


def read_letter(message: bytes) -> tuple[uuid.UUID, bytes]:
    """The messageUUID and the PDF of a MeMo message (for tests and for checking a batch before sending)."""
    root = etree.fromstring(message)
    found = root.findtext(f"{_M}MessageHeader/{_M}messageUUID")
    content = root.findtext(f"{_M}MessageBody/{_M}MainDocument/{_M}File/{_M}content")
    if found is None or content is None:
        raise ValueError("ikke en MeMo-besked med messageUUID og MainDocument")
    return uuid.UUID(found), base64.b64decode(content)
