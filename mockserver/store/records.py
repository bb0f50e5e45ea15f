"""Stored answers shared by every worker: `Idempotency-Key` records and OFAPI's cache of public
answers. Each is claimed or read in one statement, so two workers never both run the call."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .backend import Backend


@dataclass
class Record:
    fingerprint: str
    at: float
    done: bool
    status: int = 0
    body: bytes = b""
    media_type: str = "application/json"


class IdempotencyRecords:
    def __init__(self, db: Backend, clock=time.time):
        self.db = db
        self.clock = clock

    def claim(self, scope: str, tenant: str, fingerprint: str, ttl: float) -> Record | None:
        """Ours to run (None: a pending record was created), or the live record already there."""
        now = self.clock()
        cutoff = now - ttl  # records older than this have expired
        with self.db.tx() as db:
            while True:
                row = db.execute(
                    "SELECT fingerprint, at, done, status, body, media_type FROM idempotency WHERE scope = ?", (scope,)
                ).fetchone()
                if row is not None and row[1] >= cutoff:
                    return Record(row[0], row[1], bool(row[2]), row[3] or 0, bytes(row[4] or b""), row[5] or "")
                # New, or taking over an expired record; a record another instance made since the
                # read above is left alone (and read on the next turn).
                claimed = db.execute(
                    "INSERT INTO idempotency (scope, tenant, fingerprint, at, done) VALUES (?, ?, ?, ?, 0) "
                    "ON CONFLICT (scope) DO UPDATE SET fingerprint = excluded.fingerprint, at = excluded.at, "
                    "done = 0, status = NULL, body = NULL, media_type = NULL WHERE idempotency.at < ?",
                    (scope, tenant, fingerprint, now, cutoff),
                ).rowcount
                if claimed:
                    return None

    def finish(self, scope: str, status: int, body: bytes, media_type: str) -> None:
        with self.db.tx() as db:
            db.execute(
                "UPDATE idempotency SET done = 1, status = ?, body = ?, media_type = ? WHERE scope = ? AND done = 0",
                (status, body, media_type, scope),
            )

    def abandon(self, scope: str) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM idempotency WHERE scope = ? AND done = 0", (scope,))

    def expire(self, ttl: float) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM idempotency WHERE at < ?", (self.clock() - ttl,))


class PublicAnswers:
    """OFAPI's cache of public answers (profiles), per team, at most `limit` rows."""

    def __init__(self, db: Backend, limit: int, clock=time.time):
        self.db = db
        self.limit = limit
        self.clock = clock

    def get(self, tenant: str, key: str) -> tuple[float, bytes] | None:
        rows = self.db.rows("SELECT at, body FROM public_cache WHERE tenant = ? AND key = ?", (tenant, key))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def put(self, tenant: str, key: str, body: bytes) -> float:
        now = self.clock()
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO public_cache (tenant, key, at, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (tenant, key) DO UPDATE SET at = excluded.at, body = excluded.body",
                (tenant, key, now, body),
            )
        return now

    def trim(self, ttl: float) -> None:
        """Forget expired answers, then the oldest beyond the limit."""
        with self.db.tx() as db:
            db.execute("DELETE FROM public_cache WHERE at < ?", (self.clock() - ttl,))
            _keep_newest(db, "public_cache", self.limit)


def _keep_newest(db, table: str, limit: int) -> None:
    row = db.execute(f"SELECT at FROM {table} ORDER BY at DESC LIMIT 1 OFFSET ?", (limit,)).fetchone()  # noqa: S608
    if row is not None:
        db.execute(f"DELETE FROM {table} WHERE at <= ?", (row[0],))  # noqa: S608 - fixed table names
