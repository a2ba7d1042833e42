"""Which channels reach a citizen: Digital Post unless exempt, SMS with a valid Danish number, e-mail with an
address — and the fallback when the wanted channels reach nobody.
"""

from __future__ import annotations

import pytest

from borgerblik.fieldwork import channels_for, reachable_channels
from borgerblik.storage import Contact


def contact(phone: str | None = None, email: str | None = None, exempt: bool = False) -> Contact:
    return Contact(1, "token", "ABCD-EFGH", "610190-1001", phone, email, exempt)


@pytest.mark.parametrize(
    ("who", "reachable", "invitation", "reminder"),
    [
        (contact("20123456"), ["digital_post", "sms"], ["digital_post"], ["digital_post", "sms"]),
        (contact(None), ["digital_post"], ["digital_post"], ["digital_post"]),
        (contact("2012345"), ["digital_post"], ["digital_post"], ["digital_post"]),  # invalid number
        (contact("+45 20 12 34 56", exempt=True), ["sms"], ["sms"], ["sms"]),  # exempt: SMS only
        (contact(None, "a@b.dk", exempt=True), ["email"], ["email"], ["email"]),  # e-mail as the last resort
        (contact(None, "ikke en adresse", exempt=True), [], [], []),  # nothing: the hotline list
        (None, [], [], []),  # contact data purged
    ],
)
def test_channels_follow_reachability_with_fallback(who, reachable, invitation, reminder) -> None:
    assert reachable_channels(who) == reachable
    assert channels_for(who, ("digital_post",)) == invitation
    assert channels_for(who, ("digital_post", "sms")) == reminder
