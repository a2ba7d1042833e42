"""`fieldwork send --digital-post-format memo`: a MeMo message beside each letter of the batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from lxml import etree
from typer.testing import CliRunner

from borgerblik.cli import fieldwork as fieldwork_cli
from borgerblik.fieldwork.memo import message_uuid, read_letter

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("memo_1_1.xsd"))))


def test_send_writes_a_valid_memo_beside_each_pdf_with_the_outbox_key_as_uuid(
    db: Any, kl_invited: Any, tmp_path: Path
) -> None:
    survey_id, _ = kl_invited(db, {"anna": "6.1", "bo": "6.6"})
    url = db.engine.url.render_as_string(hide_password=False)
    app = typer.Typer()
    fieldwork_cli.register(app)
    app.command("unused")(lambda: None)
    runner = CliRunner()
    common = ["--survey", str(survey_id), "--database", url]
    invited = runner.invoke(app, ["fieldwork", "invite", *common, "--spool", str(tmp_path / "spool"),
                                  "--at", "2024-03-11T10:00"])
    assert invited.exit_code == 0, invited.output
    send = ["fieldwork", "send", "--database", url, "--digital-post", str(tmp_path / "dp"), "--at",
            "2024-03-11T10:05"]
    refused = runner.invoke(app, [*send, "--digital-post-format", "memo"])
    assert refused.exit_code == 2 and "--memo-sender" in refused.output
    sent = runner.invoke(app, [*send, "--digital-post-format", "memo", "--memo-sender", "29189854"])
    assert sent.exit_code == 0, sent.output
    memos = sorted((tmp_path / "dp").glob("*.memo.xml"))
    assert len(memos) == 2
    for memo in memos:
        key = memo.name.removesuffix(".memo.xml")
        SCHEMA.assertValid(etree.parse(str(memo)))
        uuid, pdf = read_letter(memo.read_bytes())
        assert uuid == message_uuid(key)
        assert pdf == (tmp_path / "dp" / f"{key}.pdf").read_bytes() and pdf.startswith(b"%PDF")
