"""MeMo 1.1 Digital Post messages: valid against the schema, the PDF byte for byte, one UUID per row."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from borgerblik.fieldwork.channels import DigitalPostFolder, Envelope, Recipient
from borgerblik.fieldwork.memo import MEMO_NAMESPACE, MemoSender, message_uuid, read_letter

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("memo_1_1.xsd"))))
#: a PDF with every byte value, so an encoding slip anywhere would show
LETTER = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
NS = {"memo": MEMO_NAMESPACE}


def _envelope(key: str = "s1-i42-w0-digital_post", letter: bytes = LETTER) -> Envelope:
    return Envelope(key, "invitation", Recipient("610385-4001", None, None, False),
                    subject="Vil du fortælle os om dine oplevelser med jobcentret?", letter=letter)


def test_a_message_is_valid_memo_and_carries_the_pdf_byte_for_byte() -> None:
    sender = MemoSender("29189854", "Rødovre Kommune, Jobcenter")
    xml = sender.message(_envelope(), created=datetime(2024, 3, 11, 9, 0, tzinfo=UTC))
    document = etree.fromstring(xml)
    SCHEMA.assertValid(document)
    assert document.tag == f"{{{MEMO_NAMESPACE}}}Message" and document.prefix == "memo"
    assert document.get("memoVersion") == "1.1"
    header = document.find("memo:MessageHeader", NS)
    assert header.findtext("memo:messageType", namespaces=NS) == "DIGITALPOST"
    assert header.findtext("memo:Sender/memo:senderID", namespaces=NS) == "29189854"
    assert header.findtext("memo:Recipient/memo:recipientID", namespaces=NS) == "6103854001"
    assert header.findtext("memo:Recipient/memo:idType", namespaces=NS) == "CPR"
    file = document.find("memo:MessageBody/memo:MainDocument/memo:File", NS)
    assert file.findtext("memo:encodingFormat", namespaces=NS) == "application/pdf"
    assert file.findtext("memo:language", namespaces=NS) == "da"
    assert base64.b64decode(file.findtext("memo:content", namespaces=NS)) == LETTER
    assert document.findtext("memo:MessageBody/memo:createdDateTime", namespaces=NS) == "2024-03-11T09:00:00Z"
    assert read_letter(xml) == (message_uuid("s1-i42-w0-digital_post"), LETTER)


def test_the_uuid_comes_from_the_outbox_row_so_a_resend_carries_the_same_one(tmp_path: Path) -> None:
    sender = MemoSender("29189854")
    folder = DigitalPostFolder(tmp_path / "dp", memo=sender)
    folder.deliver(_envelope())
    first = (tmp_path / "dp" / "s1-i42-w0-digital_post.memo.xml").read_bytes()
    folder.deliver(_envelope())  # the sender died before marking it sent: delivered again
    folder.close()
    again = (tmp_path / "dp" / "s1-i42-w0-digital_post.memo.xml").read_bytes()
    assert read_letter(first)[0] == read_letter(again)[0] == message_uuid("s1-i42-w0-digital_post")
    assert read_letter(again)[1] == (tmp_path / "dp" / "s1-i42-w0-digital_post.pdf").read_bytes() == LETTER
    other = sender.message(_envelope("s1-i42-w1-digital_post"))
    assert read_letter(other)[0] != message_uuid("s1-i42-w0-digital_post")
    assert message_uuid("s1-i42-w0-digital_post").version == 5


def test_the_pdf_batch_alone_writes_no_memo(tmp_path: Path) -> None:
    folder = DigitalPostFolder(tmp_path / "dp")
    folder.deliver(_envelope())
    folder.close()
    shown = sorted(p.name for p in (tmp_path / "dp").iterdir() if p.name != ".manifest.lock")
    assert shown == ["letters.jsonl", "manifest.csv", "manifest.json", "s1-i42-w0-digital_post.pdf"]


def test_the_schema_refuses_a_message_without_its_uuid() -> None:
    document = etree.fromstring(MemoSender("29189854").message(_envelope()))
    header = document.find("memo:MessageHeader", NS)
    header.remove(header.find("memo:messageUUID", NS))
    with pytest.raises(etree.DocumentInvalid):
        SCHEMA.assertValid(document)
