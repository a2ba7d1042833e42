"""SMS: +45 numbers, segment counts, quiet hours, and the gateway client against the local sink over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from borgerblik.fieldwork import (
    Envelope,
    NotReachable,
    QuietHours,
    Recipient,
    SmsGateway,
    SmsGatewayError,
    SmsSink,
    normalise_phone,
    sms_segments,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20123456", "+4520123456"),
        ("20 12 34 56", "+4520123456"),
        ("+45 20 12 34 56", "+4520123456"),
        ("004520123456", "+4520123456"),
        ("4520123456", "+4520123456"),
        ("2012-3456", "+4520123456"),
        ("", None),
        (None, None),
        ("2012345", None),  # seven digits
        ("01234567", None),  # Danish numbers never start with 0 or 1
        ("+46701234567", None),  # Swedish
        ("ukendt", None),
    ],
)
def test_danish_numbers_are_normalised_to_plus_45(raw: str | None, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("Æbler, øl og ål på Østerbro " * 5 + "Å", "GSM-7", 141, 1),  # æøå are GSM-7 letters
        ("€" * 80, "GSM-7", 160, 1),  # € takes two septets
        ("€" * 81, "GSM-7", 162, 2),
        ("Tak – hilsen" + "a" * 58, "UCS-2", 70, 1),  # the en dash forces UCS-2
        ("Tak – hilsen" + "a" * 59, "UCS-2", 71, 2),
        ("ش" * 134, "UCS-2", 134, 2),
        ("ش" * 135, "UCS-2", 135, 3),
    ],
)
def test_segment_count_follows_gsm7_160_153_and_ucs2_70_67(
    text: str, encoding: str, units: int, segments: int
) -> None:
    counted = sms_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_quiet_hours_hold_sms_from_21_to_8_danish_time() -> None:
    quiet = QuietHours()
    # 2024-03-11 is winter time (UTC+1): 19:59 UTC is 20:59 in Copenhagen, 20:00 UTC is 21:00.
    assert quiet.allows(datetime(2024, 3, 11, 19, 59, tzinfo=UTC))
    assert not quiet.allows(datetime(2024, 3, 11, 20, 0, tzinfo=UTC))
    assert not quiet.allows(datetime(2024, 3, 12, 6, 59, tzinfo=UTC))
    assert quiet.allows(datetime(2024, 3, 12, 7, 0, tzinfo=UTC))
    assert quiet.next_allowed(datetime(2024, 3, 11, 22, 30, tzinfo=UTC)) == datetime(
        2024, 3, 12, 7, 0, tzinfo=UTC
    )
    assert quiet.next_allowed(datetime(2024, 3, 12, 1, 0, tzinfo=UTC)) == datetime(
        2024, 3, 12, 7, 0, tzinfo=UTC
    )
    # Summer time (UTC+2) after 31 March.
    assert quiet.next_allowed(datetime(2024, 4, 2, 3, 0, tzinfo=UTC)) == datetime(
        2024, 4, 2, 6, 0, tzinfo=UTC
    )
    noon = datetime(2024, 3, 12, 11, 0, tzinfo=UTC)
    assert quiet.next_allowed(noon) == noon


def envelope(key: str, phone: str | None = "20 12 34 56") -> Envelope:
    return Envelope(
        key=key,
        kind="reminder",
        recipient=Recipient("610190-1001", phone, None, True),
        body="Husk at svare på spørgsmålene om jobcentret i Rødovre",
    )


def test_gateway_posts_gatewayapi_json_and_a_repeated_key_is_delivered_once() -> None:
    with SmsSink(token="hemmelig") as sink:
        gateway = SmsGateway(url=sink.url, token="hemmelig", sender="Jobcentret")
        first = gateway.deliver(envelope("bb1-7-r1-sms"))
        again = gateway.deliver(envelope("bb1-7-r1-sms"))
        other = gateway.deliver(envelope("bb1-8-r1-sms", phone="+45 30 12 34 56"))
        gateway.close()
    assert (first, again, other) == ("1", "1", "2")
    assert sink.requests == 3
    assert sink.deliveries == [
        {
            "id": 1,
            "userref": "bb1-7-r1-sms",
            "sender": "Jobcentret",
            "message": "Husk at svare på spørgsmålene om jobcentret i Rødovre",
            "msisdn": [4520123456],
        },
        {
            "id": 2,
            "userref": "bb1-8-r1-sms",
            "sender": "Jobcentret",
            "message": "Husk at svare på spørgsmålene om jobcentret i Rødovre",
            "msisdn": [4530123456],
        },
    ]


def test_gateway_errors_are_clear_and_an_invalid_number_is_not_reachable() -> None:
    with SmsSink(token="hemmelig") as sink:
        wrong = SmsGateway(url=sink.url, token="forkert", sender="Jobcentret")
        with pytest.raises(SmsGatewayError, match="afviste beskeden: HTTP 401"):
            wrong.deliver(envelope("bb1-9-r1-sms"))
        with pytest.raises(NotReachable, match="intet gyldigt dansk mobilnummer"):
            wrong.deliver(envelope("bb1-9-r1-sms", phone="123"))
        wrong.close()
    down = SmsGateway(url="http://127.0.0.1:9/rest/mtsms", token="x", sender="Jobcentret", timeout=2)
    with pytest.raises(SmsGatewayError, match="svarer ikke"):
        down.deliver(envelope("bb1-9-r1-sms"))
    assert sink.deliveries == []


def test_sink_log_keeps_deliveries_across_restarts(tmp_path) -> None:
    log = tmp_path / "sms.jsonl"
    with SmsSink(log=log) as sink:
        SmsGateway(url=sink.url, token="t", sender="KL").deliver(envelope("k1"))
    with SmsSink(log=log) as restarted:
        assert SmsGateway(url=restarted.url, token="t", sender="KL").deliver(envelope("k1")) == "1"
        assert len(restarted.deliveries) == 1
