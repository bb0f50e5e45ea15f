"""SQLite's WAL is copied into the database file by each worker's background tick
(`Store.flush`), not inside the COMMIT of whichever request crosses SQLite's 1,000-page mark: a
request only appends to the WAL. The WAL stays bounded all the same, and what was written reads
back from a fresh connection."""

from __future__ import annotations

import os
import sqlite3

from mockserver.onlyfans.world import load_fixtures
from mockserver.settings import Settings
from mockserver.store.sqlite import CHECKPOINT_BACKSTOP_PAGES
from mockserver.store.store import Store

FIXTURES = load_fixtures()


def _write(store: Store, n: int, start: int) -> None:
    for i in range(start, start + n):
        store.docs.insert("smart_link", {"id": f"sl_{i}", "name": "x" * 300}, "team", "acct")


def test_requests_leave_checkpoints_to_the_background_tick(tmp_path):
    path = str(tmp_path / "store.sqlite")
    store = Store(Settings(store_path=path), FIXTURES)
    try:
        conn = store.db._conn
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_BACKSTOP_PAGES
        before = os.path.getsize(path)
        _write(store, 1500, 0)  # well past SQLite's default mark of 1,000 pages
        assert os.path.getsize(path + "-wal") > 1000 * 4096
        assert os.path.getsize(path) == before  # no request copied the WAL into the file
        store.flush()  # the background tick
        assert os.path.getsize(path) > before + 500_000  # 1,500 docs of 300 bytes and more
    finally:
        store.close()


def test_the_wal_stays_bounded_with_the_tick_and_the_data_reads_back(tmp_path):
    path = str(tmp_path / "store.sqlite")
    store = Store(Settings(store_path=path), FIXTURES)
    try:
        sizes = []
        for round_ in range(4):
            _write(store, 1500, round_ * 1500)
            store.flush()
            sizes.append(os.path.getsize(path + "-wal"))
        assert sizes[-1] <= sizes[0] * 1.2, sizes  # the WAL starts over after each checkpoint
        fresh = sqlite3.connect(path)
        assert fresh.execute("SELECT COUNT(*) FROM docs WHERE kind = 'smart_link'").fetchone()[0] == 6000
        fresh.close()
    finally:
        store.close()
