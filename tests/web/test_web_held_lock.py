"""One slow request never stalls the others: while a save waits for a held SQLite write lock (a register
import writing a chunk), the static files and other citizens' pages keep answering, and the save then
succeeds — database calls run in a thread pool, not in the event loop."""

from __future__ import annotations

import re
import sqlite3
import threading

NONCE = re.compile(r'name="nonce" value="([0-9a-f]+)"')


def test_pages_keep_answering_while_a_save_waits_for_the_write_lock(client, survey) -> None:
    token = survey.tokens["dagpenge"]
    url = f"/s/{token}/side/status"
    nonce = NONCE.search(client.get(url).text).group(1)
    locker = sqlite3.connect(survey.db.engine.url.database, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # what a long write holds
    saved: list[int] = []
    saving = threading.Thread(
        target=lambda: saved.append(client.post(url, data={"nonce": nonce, "status": "1"}).status_code)
    )
    try:
        saving.start()
        saving.join(0.3)
        assert saving.is_alive()  # the save waits for the lock …
        assert client.get("/static/style.css").status_code == 200  # … but nothing else does
        assert client.get(f"/s/{survey.tokens['aktivitetsparate']}/side/status").status_code == 200
        assert saving.is_alive()
    finally:
        locker.execute("COMMIT")
        locker.close()
        saving.join()
    assert saved == [303]
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {"status": 1}
