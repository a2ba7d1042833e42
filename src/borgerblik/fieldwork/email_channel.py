"""E-mail over SMTP with STARTTLS (Rødovre invited by e-mail too).

The outbox key becomes the Message-ID, so a message delivered twice after a crash is recognisable as one
message by the receiving server and the citizen's mail program.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr

from borgerblik.core.errors import BorgerblikError
from borgerblik.fieldwork.channels import Envelope, NotReachable


class SmtpError(BorgerblikError, RuntimeError):
    """The SMTP server refused or failed; the message stays in the outbox for a retry."""


@dataclass
class SmtpChannel:
    host: str
    port: int
    from_address: str
    from_name: str = "Borgerblik"
    ssl_context: ssl.SSLContext | None = None
    username: str | None = None
    password: str | None = None
    message_id_domain: str = "borgerblik.local"
    starttls: bool = True  # only a local test sink may go without
    timeout: float = 10.0
    name: str = "email"
    #: the server has the message once it accepted it: the sender marks each e-mail sent at once
    batched: bool = False
    _smtp: smtplib.SMTP | None = field(default=None, repr=False)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    def deliver(self, envelope: Envelope) -> str:
        if not envelope.recipient.email or "@" not in envelope.recipient.email:
            raise NotReachable("ingen e-mailadresse")
        message = EmailMessage()
        message["From"] = formataddr((self.from_name, self.from_address))
        message["To"] = envelope.recipient.email
        message["Subject"] = envelope.subject
        message["Message-ID"] = f"<{envelope.key}@{self.message_id_domain}>"
        message.set_content(envelope.body)
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SmtpError(f"SMTP-serveren {self.host}:{self.port} afviste beskeden: {exc}") from exc
        return str(message["Message-ID"])

    def flush(self) -> None:
        """Nothing to do: the server has the message once it accepted it."""

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
