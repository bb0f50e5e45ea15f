"""How SQLite writes stay off a request's way: the WAL is copied into the database file by each
worker's background tick (`Store.flush`), not inside the COMMIT of whichever request crosses
SQLite's 1,000-page mark (a request only appends to the WAL; the WAL stays bounded all the same
and what was written reads back from a fresh connection); and workers take turns on a file lock
that wakes the next writer at once."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest

from mockserver.onlyfans.world import load_fixtures
from mockserver.settings import Settings
from mockserver.store.sqlite import CHECKPOINT_BACKSTOP_PAGES
from mockserver.store.store import Store

FIXTURES = load_fixtures()


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "store.sqlite")


@pytest.fixture
def store(path):
    opened = Store(Settings(store_path=path), FIXTURES)
    yield opened
    opened.close()


def _write(store: Store, n: int, start: int) -> None:
    for i in range(start, start + n):
        store.docs.insert("smart_link", {"id": f"sl_{i}", "name": "x" * 300}, "team", "acct")


def test_requests_leave_checkpoints_to_the_background_tick(store, path):
    conn = store.db._conn
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_BACKSTOP_PAGES
    before = os.path.getsize(path)
    _write(store, 1500, 0)  # well past SQLite's default mark of 1,000 pages
    assert os.path.getsize(path + "-wal") > 1000 * 4096
    assert os.path.getsize(path) == before  # no request copied the WAL into the file
    store.flush()  # the background tick
    assert os.path.getsize(path) > before + 500_000  # 1,500 docs of 300 bytes and more


def test_the_wal_stays_bounded_with_the_tick_and_the_data_reads_back(store, path):
    sizes = []
    for round_ in range(4):
        _write(store, 1500, round_ * 1500)
        store.flush()
        sizes.append(os.path.getsize(path + "-wal"))
    assert sizes[-1] <= sizes[0] * 1.2, sizes  # the WAL starts over after each checkpoint
    fresh = sqlite3.connect(path)
    assert fresh.execute("SELECT COUNT(*) FROM docs WHERE kind = 'smart_link'").fetchone()[0] == 6000
    fresh.close()


def test_writers_queue_on_a_file_lock_and_go_on_as_soon_as_it_is_free(store, path):
    """Workers take turns on `<store>-writers` (flock) before SQLite's own lock, whose busy
    handler sleeps a millisecond and more between tries: a waiting writer is woken the moment
    the one ahead of it is done."""
    other = os.open(path + "-writers", os.O_RDWR)  # another worker, mid-write
    fcntl.flock(other, fcntl.LOCK_EX)
    released = []
    threading.Timer(0.3, lambda: (released.append(time.monotonic()), fcntl.flock(other, fcntl.LOCK_UN))).start()
    start = time.monotonic()
    _write(store, 1, 0)
    done = time.monotonic()
    assert released and done >= released[0]  # it waited for the one ahead of it
    assert done - start < 5
    os.close(other)
    assert store.docs.get("smart_link", "sl_0", "team")["name"] == "x" * 300


def test_a_checkpoint_never_makes_a_store_where_one_was_deleted(store, path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    store.flush()  # the background tick, after the file went away
    assert not os.path.exists(path)
