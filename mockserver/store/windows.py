"""Per-key, per-minute request windows (OFAPI plans count requests per minute), counted in the
store so every worker and instance sees the same count."""

from __future__ import annotations

from .leases import lease_size

LEASES_KEPT = 4096  # keys a worker keeps leases for (more: the old ones are dropped, never over-admitting)


class RateWindows:
    """A window is counted in the store. With a large limit (the default is a million a minute),
    a worker takes a lease of hits at once (`limit // 1000`, at most 64) and hands them out
    itself: no store write for most requests. Nothing is ever admitted beyond the limit; near a
    large limit, up to a lease per worker may be refused early, and the remaining count a
    response shows leaves out what other workers hold unused."""

    def __init__(self, db):
        self.db = db
        self._leases: dict[str, tuple[int, int, int]] = {}  # key -> (minute, next ordinal, last ordinal)

    def leased(self, key: str, minute: int) -> int | None:
        """A hit from this worker's lease for the key's minute (its ordinal in the window), or None."""
        lease = self._leases.get(key)
        if lease is None or lease[0] != minute or lease[1] > lease[2]:
            return None
        self._leases[key] = (minute, lease[1] + 1, lease[2])
        return lease[1]

    def hit(self, db, key: str, minute: int, limit: int = 0) -> int:
        """Inside the caller's transaction: count one request (taking a lease when the limit is
        large); its ordinal in the minute's window."""
        size = max(1, lease_size(limit))
        top = db.execute(
            "INSERT INTO rate_windows (key, minute, used) VALUES (?, ?, ?) "
            "ON CONFLICT (key, minute) DO UPDATE SET used = rate_windows.used + ? RETURNING used",
            (key, minute, size, size),
        ).fetchone()[0]
        first = top - size + 1
        if size > 1:
            if len(self._leases) >= LEASES_KEPT:
                self._leases = {k: v for k, v in self._leases.items() if v[0] == minute and v[1] <= v[2]}
                if len(self._leases) >= LEASES_KEPT:
                    self._leases.clear()
            self._leases[key] = (minute, first + 1, top)
        return first

    def forget_leases(self) -> None:
        """After a reset: hits leased from the old windows are not handed out."""
        self._leases.clear()

    def used(self, key: str, minute: int) -> int:
        rows = self.db.rows("SELECT used FROM rate_windows WHERE key = ? AND minute = ?", (key, minute))
        return rows[0][0] if rows else 0

    def forget_before(self, minute: int) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM rate_windows WHERE minute < ?", (minute,))
