"""SMS: Danish numbers to +45, GSM-7/UCS-2 segment counts, quiet hours and a GatewayAPI-style HTTP client.

The request follows GatewayAPI's ``POST /rest/mtsms`` JSON (sender, message, recipients with msisdn) and
carries the outbox key as ``userref``, which the gateway (and the local sink) use to deliver a repeated
request only once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from borgerblik.fieldwork.channels import Envelope, NotReachable

# GSM 03.38 basic character set (æøåÆØÅ are in it) and the extension table, whose characters cost two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_SEPARATORS = re.compile(r"[\s\-.()/]")


def normalise_phone(raw: str | None) -> str | None:
    """A Danish number as ``+45XXXXXXXX``, or None if it is not one (empty, wrong length, starts with 0/1)."""
    if not raw:
        return None
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+45"):
        digits = digits[3:]
    elif digits.startswith("0045"):
        digits = digits[4:]
    elif len(digits) == 10 and digits.startswith("45"):
        digits = digits[2:]
    if len(digits) != 8 or not digits.isdigit() or digits[0] in "01":
        return None
    return f"+45{digits}"


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


class SmsGatewayError(RuntimeError):
    """The gateway refused or failed a request; the message stays in the outbox for a retry."""


@dataclass
class SmsGateway:
    """Client for a GatewayAPI-style JSON API: ``POST {url}`` with ``Authorization: Token …``."""

    url: str
    token: str
    sender: str
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    timeout: float = 10.0
    name: str = "sms"
    _client: httpx.Client | None = field(default=None, repr=False)

    def deliver(self, envelope: Envelope) -> str:
        msisdn = normalise_phone(envelope.recipient.phone)
        if msisdn is None:
            raise NotReachable("intet gyldigt dansk mobilnummer")
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout)
        request = {
            "sender": self.sender[:11],
            "message": envelope.body,
            "recipients": [{"msisdn": int(msisdn[1:])}],
            "userref": envelope.key,
        }
        try:
            response = self._client.post(
                self.url, json=request, headers={"Authorization": f"Token {self.token}"} if self.token else {}
            )
        except httpx.HTTPError as exc:
            raise SmsGatewayError(f"SMS-gatewayen {self.url} svarer ikke: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise SmsGatewayError(
                f"SMS-gatewayen afviste beskeden: HTTP {response.status_code} {response.text[:200]}"
            )
        ids = response.json().get("ids") or [""]
        return str(ids[0])

    def flush(self) -> None:
        """Nothing to do: the gateway has the message once it answered."""

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
