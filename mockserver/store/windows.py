"""Per-key, per-minute request windows (OFAPI plans count requests per minute), counted in the
store so every worker and instance sees the same count."""

from __future__ import annotations


class RateWindows:
    def __init__(self, db):
        self.db = db

    def hit(self, db, key: str, minute: int) -> int:
        """Inside the caller's transaction: count one request; the minute's count so far."""
        return db.execute(
            "INSERT INTO rate_windows (key, minute, used) VALUES (?, ?, 1) "
            "ON CONFLICT (key, minute) DO UPDATE SET used = rate_windows.used + 1 RETURNING used",
            (key, minute),
        ).fetchone()[0]

    def used(self, key: str, minute: int) -> int:
        rows = self.db.rows("SELECT used FROM rate_windows WHERE key = ? AND minute = ?", (key, minute))
        return rows[0][0] if rows else 0

    def forget_before(self, minute: int) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM rate_windows WHERE minute < ?", (minute,))
