"""The fast part of issue 18's sender kills (the full size runs in `make reliability`): the real
`borgerblik fieldwork send` SIGKILLed mid-batch and restarted, two senders at once on PostgreSQL.

Counted at the SMS sink, the SMTP sink and the Digital Post folder with their de-duplication off: every
message arrives, each is marked sent, and a channel is repeated at most once per kill (the message in flight
on its connection); every killed sender's claims are taken over by another sender after the short lease.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reliability.sender_kills import CHANNELS, run


@pytest.mark.slow
def test_sender_killed_mid_batch_delivers_each_message_once_at_the_sinks(engine: Any, tmp_path: Path) -> None:
    database = engine.dialect.name
    figures = run(
        engine.url.render_as_string(hide_password=False),
        tmp_path,
        database=database,
        citizens=80,
        kills=2,
        senders=2 if database == "postgresql" else 1,
        lease=2.0,
        max_delay=0.5,
        say=lambda _line: None,
    )
    assert figures.failures == []
    assert figures.messages == {"digital_post": 80, "sms": 80, "email": 80}
    assert figures.mid_batch == 2
    assert figures.missing == {"digital_post": 0, "sms": 0, "email": 0}
    assert (figures.not_sent, figures.manifest_entries) == (0, 80)
    assert figures.duplicates["digital_post"] == 0  # a letter already in the folder is never placed again
    for channel in CHANNELS:
        assert figures.deliveries[channel] == 80 + figures.duplicates[channel]
        assert figures.duplicates[channel] <= len(figures.kills)
    # Taken over by another sender after the lease (how soon is a figure of the full run, not a test).
    assert all(kill.released_after is not None for kill in figures.kills if kill.held)
