"""Timers: a resource that changes with time (a data export running) asks to be looked at again
at a given moment. The dispatcher claims only the timers that are due (by index), so idle
resources cost nothing: no periodic scan over every row."""

from __future__ import annotations

import time
from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}  # kind -> fn(store, tenant, ref): bring that resource up to date


def handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


class Timers:
    def __init__(self, db, clock=time.time):
        self.db = db
        self.clock = clock

    def set(self, tenant: str, kind: str, ref: str, due: float) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO timers (tenant, kind, ref, due) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (tenant, kind, ref) DO UPDATE SET due = excluded.due, lease_until = NULL",
                (tenant, kind, ref, due),
            )

    def clear(self, tenant: str, kind: str, ref: str) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM timers WHERE tenant = ? AND kind = ? AND ref = ?", (tenant, kind, ref))

    def claim(self, limit: int, lease: float) -> list[tuple[str, str, str, float]]:
        """Due timers (tenant, kind, ref, due), each leased so one worker handles it."""
        now = self.clock()
        if not self.db.rows("SELECT 1 FROM timers WHERE due <= ? LIMIT 1", (now,)):
            return []  # a read, no write lock: the usual answer when nothing is due
        with self.db.tx() as db:
            rows = db.execute(
                "SELECT tenant, kind, ref, due FROM timers WHERE due <= ? AND (lease_until IS NULL OR lease_until < ?) "
                "ORDER BY due LIMIT ?" + self.db.skip_locked,
                (now, now, limit),
            ).fetchall()
            for tenant, kind, ref, _ in rows:
                db.execute(
                    "UPDATE timers SET lease_until = ? WHERE tenant = ? AND kind = ? AND ref = ?",
                    (now + lease, tenant, kind, ref),
                )
        return [tuple(r) for r in rows]

    def done(self, tenant: str, kind: str, ref: str, due: float) -> None:
        """Handled: forget the timer unless the handler set a new moment."""
        with self.db.tx() as db:
            db.execute(
                "DELETE FROM timers WHERE tenant = ? AND kind = ? AND ref = ? AND due = ?", (tenant, kind, ref, due)
            )
