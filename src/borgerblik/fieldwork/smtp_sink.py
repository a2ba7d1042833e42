"""A local SMTP server for the demo: accepts e-mail and keeps each message once per Message-ID.

It stands in for the municipality's mail server and the citizen's mail program: a message delivered again
after a crash (same Message-ID, the outbox key) replaces the file it wrote the first time, so the folder
holds exactly one ``.eml`` per message. With ``deduplicate=False`` it keeps every delivery (a repeat is
``<Message-ID>.<n>.eml``), like a relay without de-duplication; ``attempts`` counts deliveries per Message-ID
either way. Plain SMTP on 127.0.0.1 only — never a server for the outside.
"""

from __future__ import annotations

import re
import socket
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


@dataclass
class SmtpSink:
    """Serve SMTP on 127.0.0.1 (a free port) and write each message to ``folder/<Message-ID>.eml``."""

    folder: Path
    deduplicate: bool = True
    received: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    _controller: Controller | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("SMTP-sinken er ikke startet")
        return int(self._controller.port)

    def messages(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml"))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        message_id = str(message_from_bytes(content, policy=policy.default)["Message-ID"] or "")
        name = _UNSAFE.sub("_", message_id.strip("<>")) or f"uden-id-{self.received + 1}"
        self.attempts[name] += 1
        if not self.deduplicate and self.attempts[name] > 1:
            name = f"{name}.{self.attempts[name]}"
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(content)
        temporary.replace(self.folder / f"{name}.eml")
        self.received += 1
        return "250 OK"

    def start(self) -> SmtpSink:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
