"""E-mail over SMTP with STARTTLS, against a real aiosmtpd server with a certificate from a test CA."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
import trustme
from aiosmtpd.controller import Controller

from borgerblik.fieldwork import Envelope, NotReachable, Recipient, SmtpChannel, SmtpError


class Mailbox:
    """Keeps each message once per Message-ID, as a mail program shows a message delivered twice."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.by_id: dict[str, bytes] = {}
        self.tls: list[bool] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.tls.append(session.ssl is not None)
        self.received.append(envelope.content)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.by_id.setdefault(str(message["Message-ID"]), envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Mailbox, ssl.SSLContext]]:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), tls_context=server_context, require_starttls=True
    )
    controller.start()
    yield controller, mailbox, client_context
    controller.stop()


def letter(key: str, email: str | None = "borger@example.dk") -> Envelope:
    return Envelope(
        key=key,
        kind="invitation",
        recipient=Recipient("610190-1001", None, email, False),
        subject="Hvad synes du om jobcentret i Høje-Taastrup?",
        body="Kære borger\n\nDine svar er anonyme. Svar her: https://x.dk/s/abc",
    )


def test_email_goes_over_starttls_with_the_outbox_key_as_message_id(smtp_server) -> None:
    controller, mailbox, client_context = smtp_server
    channel = SmtpChannel(
        controller.hostname,
        controller.port,
        "undersoegelse@kl.dk",
        "KL og jobcentret",
        ssl_context=client_context,
    )
    assert channel.deliver(letter("bb1-5-i0-email")) == "<bb1-5-i0-email@borgerblik.local>"
    channel.deliver(letter("bb1-5-i0-email"))  # a repeat after a crash: same Message-ID
    channel.close()
    assert mailbox.tls == [True, True]
    assert len(mailbox.received) == 2 and len(mailbox.by_id) == 1
    message = message_from_bytes(mailbox.received[0], policy=policy.default)
    assert message["Subject"] == "Hvad synes du om jobcentret i Høje-Taastrup?"
    assert message["From"] == "KL og jobcentret <undersoegelse@kl.dk>"
    assert message["To"] == "borger@example.dk"
    assert message.get_content().replace("\r\n", "\n") == (
        "Kære borger\n\nDine svar er anonyme. Svar her: https://x.dk/s/abc\n"
    )


def test_untrusted_certificate_and_missing_address_are_refused(smtp_server) -> None:
    controller, mailbox, _ = smtp_server
    strict = SmtpChannel(
        controller.hostname, controller.port, "undersoegelse@kl.dk", ssl_context=ssl.create_default_context()
    )
    with pytest.raises(SmtpError, match="afviste beskeden"):
        strict.deliver(letter("bb1-6-i0-email"))
    with pytest.raises(NotReachable, match="ingen e-mailadresse"):
        strict.deliver(letter("bb1-6-i0-email", email=None))
    assert mailbox.received == []


def test_plain_smtp_to_a_local_sink_when_asked(tmp_path) -> None:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        channel = SmtpChannel("127.0.0.1", controller.port, "undersoegelse@kl.dk", starttls=False)
        channel.deliver(letter("bb1-7-i0-email"))
        channel.close()
    finally:
        controller.stop()
    assert mailbox.tls == [False] and list(mailbox.by_id) == ["<bb1-7-i0-email@borgerblik.local>"]
