"""Which OnlyFans CDN files OFAPI holds a copy of (keys from `cdn.file_key`), shared by every
worker through the store and capped at `limit` files (the oldest copies are dropped first, as a
real cache would).

Files only ever become cached between two changes of the store's media epoch (a reset, or a
trim that dropped copies), so each worker remembers, within a byte budget, the keys it has seen
cached and asks the store only about the others."""

from __future__ import annotations

import time

from ..lru import ByteLRU


class MediaCache:
    def __init__(self, db, limit: int, memo_bytes: int, clock=time.time):
        self.db = db
        self.limit = limit
        self.clock = clock
        self._known = ByteLRU(memo_bytes)
        self._epoch: str | None = None

    def sync(self, epoch: str) -> None:
        """The store's media epoch, read at the start of each request: a new one empties the memo."""
        if epoch != self._epoch:
            self._epoch = epoch
            self._known.clear()

    def cached_among(self, keys: list[str]) -> set[str]:
        unknown = list(dict.fromkeys(k for k in keys if self._known.get(k) is None))
        for i in range(0, len(unknown), 500):
            chunk = unknown[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.rows(f"SELECT key FROM media_cache WHERE key IN ({marks})", chunk):  # noqa: S608
                self._known.put(row[0], True, len(row[0]) + 64)
        return {k for k in keys if self._known.get(k) is not None}

    def is_cached(self, key: str) -> bool:
        return bool(self.cached_among([key]))

    def add(self, keys) -> None:
        keys = sorted(set(keys))  # in one order: two workers adding the same files never wait on each other
        if keys:
            now = self.clock()
            with self.db.tx() as db:
                db.executemany(
                    "INSERT INTO media_cache (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    [(k, now) for k in keys],
                )
            for key in keys:
                self._known.put(key, True, len(key) + 64)

    def trim(self, db) -> bool:
        """Inside the caller's transaction: drop the oldest copies beyond the limit; True when
        some were dropped (the caller then moves the media epoch on)."""
        row = db.execute("SELECT at FROM media_cache ORDER BY at DESC LIMIT 1 OFFSET ?", (self.limit,)).fetchone()
        if row is None:
            return False
        return db.execute("DELETE FROM media_cache WHERE at <= ?", (row[0],)).rowcount > 0
