"""Several sending workers at once: every message is claimed by exactly one of them, and nobody waits on a
lock.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from borgerblik.storage import ClaimedMessage, Database
from borgerblik.storage.outbox import claim
from borgerblik.storage.times import utcnow


def _queue(db: Database, messages: int) -> tuple[int, list[int]]:
    survey_id = db.create_survey("KL 2024", "kl-2024", "")
    rows = [
        {
            "cpr": f"{61 + i % 28:02d}0190-{2000 + i:04d}",
            "kommune": "Høje-Taastrup",
            "maalgruppe": "6.1",
            "gender": "mand" if i % 2 else "kvinde",
        }
        for i in range(messages)
    ]
    member_ids = db.add_members(survey_id, rows)
    db.save_sample(survey_id, dict.fromkeys(member_ids, "s"), draw_seed=1)
    db.create_invitations(survey_id)
    ids = [invitation.id for invitation in db.invitations(survey_id)]
    db.queue_messages(survey_id, [{"invitation_id": i, "channel": "sms", "kind": "invitation"} for i in ids])
    return survey_id, ids


def test_skip_locked_hands_disjoint_batches_to_two_concurrent_claimers(postgres_engine: Engine) -> None:
    db = Database(engine=postgres_engine)
    _queue(db, 12)
    now = utcnow()
    a_has_claimed = threading.Event()
    b_is_done = threading.Event()
    batches: dict[str, list[ClaimedMessage]] = {}
    b_finished_while_a_held_its_locks: list[bool] = []

    def claimer_a() -> None:
        with db.writing() as connection:  # its own connection, transaction kept open
            batches["a"] = claim(connection, 5, "worker-a", now)
            a_has_claimed.set()
            b_finished_while_a_held_its_locks.append(b_is_done.wait(timeout=20))

    def claimer_b() -> None:
        assert a_has_claimed.wait(timeout=20)
        with db.writing() as connection:
            batches["b"] = claim(connection, 5, "worker-b", now)
        b_is_done.set()

    threads = [threading.Thread(target=claimer_a), threading.Thread(target=claimer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # B skipped the rows A had locked instead of waiting for them.
    assert b_finished_while_a_held_its_locks == [True]
    ids_a = {message.id for message in batches["a"]}
    ids_b = {message.id for message in batches["b"]}
    assert (len(ids_a), len(ids_b)) == (5, 5)
    assert not ids_a & ids_b
    assert ids_a == set(range(1, 6))  # A took the oldest five; B the next five
    assert ids_b == set(range(6, 11))


def test_workers_draining_the_outbox_together_send_each_message_once(db: Database) -> None:
    survey_id, _ = _queue(db, 40)

    def drain(worker: str) -> list[int]:
        mine: list[int] = []
        while batch := db.claim_messages(3, worker):
            for message in batch:
                db.mark_message_sent(message.id)
                mine.append(message.id)
        return mine

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(drain, ["w1", "w2", "w3", "w4"]))
    claimed = [message_id for result in results for message_id in result]
    assert sorted(claimed) == list(range(1, 41))
    assert db.messages_frame(survey_id)["status"].unique().to_list() == ["sent"]
