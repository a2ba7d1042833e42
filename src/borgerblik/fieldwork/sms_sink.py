"""A local SMS gateway for tests and the demo: accepts GatewayAPI-style requests and keeps them, once per
idempotency key.

It stands in for the real gateway's idempotency: a request repeating a known key (the ``Idempotency-Key``
header, else the ``userref``) gets the original id back and is not delivered again, which is what makes the
outbox's at-least-once sending exactly-once here. With ``deduplicate=False`` it is a gateway without that
safety net, delivering every request, and ``attempts`` counts every request per key either way: what the
reliability harness counts to show how many repeats the sender itself causes.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class SmsSink:
    """Serve on ``host:port`` (port 0 picks a free one); ``log`` (JSON lines) keeps deliveries across
    restarts; ``deduplicate=False`` delivers a repeated key again (``attempts`` counts requests per key).
    """

    host: str = "127.0.0.1"
    port: int = 0
    token: str | None = None
    log: Path | None = None
    on_delivery: Callable[[dict[str, Any]], None] | None = None
    deduplicate: bool = True
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    _ids: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("SMS-sinken er ikke startet")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/rest/mtsms"

    def start(self) -> SmsSink:
        if self.log is not None and self.log.exists():
            for line in self.log.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                self.deliveries.append(record)
                self._ids[record["userref"]] = record["id"]
        self._server = _Server((self.host, self.port), _handler(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SmsSink:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def receive(
        self, request: dict[str, Any], idempotency_key: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Accept one request (with its ``Idempotency-Key`` header, if any); returns (HTTP status, JSON)."""
        with self._lock:
            self.requests += 1
            message, recipients = request.get("message"), request.get("recipients")
            if (
                not isinstance(message, str)
                or not message
                or not isinstance(recipients, list)
                or not recipients
            ):
                return 400, {"message": "message and recipients are required"}
            reference = str(idempotency_key or request.get("userref") or f"anonymous-{self.requests}")
            self.attempts[reference] += 1
            if self.deduplicate and reference in self._ids:
                return 200, {"ids": [self._ids[reference]]}
            record = {
                "id": len(self.deliveries) + 1,
                "userref": reference,
                "sender": request.get("sender"),
                "message": message,
                "msisdn": [r.get("msisdn") for r in recipients],
            }
            self.deliveries.append(record)
            self._ids[reference] = record["id"]
            if self.log is not None:
                with open(self.log, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self.on_delivery is not None:
            self.on_delivery(record)
        return 200, {"ids": [record["id"]]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (a sender killed) is not an error of the gateway's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(sink: SmsSink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, with headers and body in one segment and no Nagle delay: a fieldwork sends tens of
        # thousands of SMS in a row.
        protocol_version = "HTTP/1.1"
        wbufsize = -1
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 - the http.server naming
            if sink.token is not None and self.headers.get("Authorization") != f"Token {sink.token}":
                self._reply(401, {"message": "invalid token"})
                return
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            except (ValueError, json.JSONDecodeError):
                self._reply(400, {"message": "body is not JSON"})
                return
            key = self.headers.get("Idempotency-Key")
            self._reply(*sink.receive(request if isinstance(request, dict) else {}, key))

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            """Silent: the request bodies hold phone numbers, which do not belong in logs."""

    return Handler
