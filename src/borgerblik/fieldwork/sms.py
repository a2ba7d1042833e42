"""SMS: Danish numbers to +45, GSM-7/UCS-2 segment counts, quiet hours and a GatewayAPI-style HTTP client.

The request follows GatewayAPI's ``POST /rest/mtsms`` JSON (sender, message, recipients with msisdn) and
carries the outbox key as ``userref`` and as the ``Idempotency-Key`` header, which the gateway (and the local
sink) use to deliver a repeated request only once.
"""

from __future__ import annotations

import http.client
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from borgerblik.core.errors import BorgerblikError
from borgerblik.core.phone import danish_number as normalise_phone  # the one phone rule
from borgerblik.fieldwork.channels import Envelope, NotReachable

# GSM 03.38 basic character set (æøåÆØÅ are in it) and the extension table, whose characters cost two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSegments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def sms_segments(text: str) -> SmsSegments:
    """How many SMS parts a text costs: GSM-7 160 alone / 153 per part, UCS-2 70 alone / 67 per part."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / part)
    return SmsSegments(encoding, units, segments)


@dataclass(frozen=True)
class QuietHours:
    """No SMS between ``start`` and ``end`` Danish time (default 21:00–08:00): nobody is woken by a survey."""

    start: time = time(21, 0)
    end: time = time(8, 0)
    zone: str = "Europe/Copenhagen"

    def allows(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.zone)).time()
        if self.start > self.end:
            return self.end <= local < self.start
        return not (self.start <= local < self.end)

    def next_allowed(self, moment: datetime) -> datetime:
        """``moment`` itself if SMS may go then, else the end of the quiet period (in the zone given)."""
        if self.allows(moment):
            return moment
        zone = ZoneInfo(self.zone)
        local = moment.astimezone(zone)
        opening = datetime.combine(local.date(), self.end, tzinfo=zone)
        if opening <= local:
            opening = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        return opening.astimezone(moment.tzinfo)


class SmsGatewayError(BorgerblikError, RuntimeError):
    """The gateway refused or failed a request; the message stays in the outbox for a retry."""


@dataclass
class SmsGateway:
    """Client for a GatewayAPI-style JSON API: ``POST {url}`` with ``Authorization: Token …``.

    It speaks HTTP/1.1 keep-alive through the standard library's ``http.client`` rather than httpx: a
    national fieldwork posts ~100,000 requests in a row, and httpx's per-request machinery cost 2–3 times
    the whole round trip to a local gateway (1,3 against 0,55 ms). A connection the gateway closed between
    two requests is reopened once and the request repeated — safe, as the ``userref`` makes a repeat a no-op.
    """

    url: str
    token: str
    sender: str
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    timeout: float = 10.0
    name: str = "sms"
    #: the gateway has the message once it answered: the sender marks each SMS sent at once
    batched: bool = False
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)
    _path: str = field(default="", repr=False)

    def deliver(self, envelope: Envelope) -> str:
        msisdn = normalise_phone(envelope.recipient.phone)
        if msisdn is None:
            raise NotReachable("intet gyldigt dansk mobilnummer")
        request = {
            "sender": self.sender[:11],
            "message": envelope.body,
            "recipients": [{"msisdn": int(msisdn[1:])}],
            "userref": envelope.key,
        }
        body = json.dumps(request, ensure_ascii=False).encode("utf-8")
        # The key twice: as ``userref`` in the body (GatewayAPI) and as the ``Idempotency-Key`` header that
        # HTTP gateways de-duplicate a repeated POST by (a request repeated after a kill or a dropped
        # connection is then delivered once).
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": envelope.key,
        }
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        try:
            status, text = self._post(body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise SmsGatewayError(f"SMS-gatewayen {self.url} svarer ikke: {type(exc).__name__}") from exc
        if status >= 400:
            raise SmsGatewayError(f"SMS-gatewayen afviste beskeden: HTTP {status} {text[:200]}")
        try:
            ids = json.loads(text).get("ids") or [""]
        except (ValueError, AttributeError) as exc:
            raise SmsGatewayError(f"SMS-gatewayen svarede ikke med JSON: {text[:200]}") from exc
        return str(ids[0])

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        reused = self._connection is not None
        try:
            return self._exchange(body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            self.close()  # the gateway closed the idle keep-alive connection: open a new one, once
            return self._exchange(body, headers)

    def _exchange(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        if self._connection is None:
            parts = urlsplit(self.url)
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            self._connection = kind(parts.netloc, timeout=self.timeout)
            self._path = parts.path + (f"?{parts.query}" if parts.query else "")
        self._connection.request("POST", self._path, body, headers)
        response = self._connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def flush(self) -> None:
        """Nothing to do: the gateway has the message once it answered."""

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
