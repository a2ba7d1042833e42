"""The Digital Post batch folder: one PDF per key, a manifest keyed by CPR, and no exempt citizen in it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from borgerblik.fieldwork import DigitalPostFolder, Envelope, NotReachable, Recipient

PDF = b"%PDF-1.3\n% a letter\n%%EOF\n"


def letter(key: str, cpr: str, exempt: bool = False) -> Envelope:
    return Envelope(key=key, kind="invitation", recipient=Recipient(cpr, None, None, exempt),
                    subject="Hvad synes du om jobcentret i Rødovre?", letter=PDF)


def test_repeated_and_torn_deliveries_leave_one_manifest_entry_per_key(tmp_path: Path) -> None:
    folder = DigitalPostFolder(tmp_path)
    assert folder.deliver(letter("bb1-2-i0-digital_post", "620190-1001")) == "bb1-2-i0-digital_post.pdf"
    folder.deliver(letter("bb1-1-i0-digital_post", "610190-1000"))
    folder.deliver(letter("bb1-2-i0-digital_post", "620190-1001"))  # again, after a crash
    folder.flush()
    with open(folder.journal, "ab") as journal:
        journal.write(b'{"key": "bb1-3-i0-dig')  # a line torn by a crash
    folder.close()
    with open(tmp_path / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["cpr"], r["file"], r["subject"]) for r in rows] == [
        ("610190-1000", "bb1-1-i0-digital_post.pdf", "Hvad synes du om jobcentret i Rødovre?"),
        ("620190-1001", "bb1-2-i0-digital_post.pdf", "Hvad synes du om jobcentret i Rødovre?"),
    ]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "bb1-1-i0-digital_post.pdf",
        "bb1-2-i0-digital_post.pdf",
    ]
    assert (tmp_path / "bb1-1-i0-digital_post.pdf").read_bytes() == PDF


def test_citizens_exempt_from_digital_post_are_refused(tmp_path: Path) -> None:
    folder = DigitalPostFolder(tmp_path)
    with pytest.raises(NotReachable, match="fritaget for Digital Post"):
        folder.deliver(letter("bb1-4-i0-digital_post", "640190-1003", exempt=True))
    folder.close()
    assert list(tmp_path.glob("*.pdf")) == []
    manifest = (tmp_path / "manifest.csv").read_text(encoding="utf-8")
    assert manifest.splitlines() == ["cpr,file,kind,subject,key"]
