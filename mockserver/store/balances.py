"""Credits: each team's balance and a ledger of what each endpoint cost per day and account.

A call reserves what it needs before OFAPI contacts OnlyFans (check and debit in one statement,
so two concurrent calls can never both spend the last credit), then settles once its real cost
is known (a search's profiles, a file's megabytes): the difference is taken or given back."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from .backend import Backend


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


class Balances:
    def __init__(self, db: Backend, initial: int, clock=time.time):
        self.db = db
        self.initial = initial
        self.clock = clock
        self._locked_balance = "SELECT balance FROM balances WHERE tenant = ?" + db.for_update
        self._pending: dict[tuple, tuple[int, int]] = {}  # ledger entries not written yet
        self._lock = threading.Lock()

    def balance(self, tenant: str) -> int:
        rows = self.db.rows("SELECT balance FROM balances WHERE tenant = ?", (tenant,))
        return rows[0][0] if rows else self.initial

    def reserve(self, db, tenant: str, amount: int, where: tuple[str, str]) -> int | None:
        """Inside the caller's transaction: take `amount` if the balance has it. The balance
        after, or None (nothing taken) when it does not."""
        take = "UPDATE balances SET balance = balance - ? WHERE tenant = ? AND balance >= ? RETURNING balance"
        row = db.execute(take, (amount, tenant, amount)).fetchone()
        if row is None:  # a team's first charge opens its balance (or the balance is short)
            db.execute(
                "INSERT INTO balances (tenant, balance) VALUES (?, ?) ON CONFLICT (tenant) DO NOTHING",
                (tenant, self.initial),
            )
            # Another instance may have opened it since the first try: try again either way.
            row = db.execute(take, (amount, tenant, amount)).fetchone()
        if row is None:
            return None
        self._record(tenant, where, amount, calls=1)
        return row[0]

    def settle(self, tenant: str, reserved: int, cost: int, where: tuple[str, str]) -> tuple[int, int]:
        """The call's real cost is `cost`: take the rest (as much as the balance has) or give
        back what was reserved beyond it. (credits used, balance after)."""
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO balances (tenant, balance) VALUES (?, ?) ON CONFLICT (tenant) DO NOTHING",
                (tenant, self.initial),
            )
            balance = db.execute(self._locked_balance, (tenant,)).fetchone()[0]
            extra = min(cost - reserved, balance) if cost > reserved else cost - reserved
            if extra:
                balance = db.execute(
                    "UPDATE balances SET balance = balance - ? WHERE tenant = ? RETURNING balance", (extra, tenant)
                ).fetchone()[0]
                calls = (0 if reserved else 1) if cost else (-1 if reserved else 0)  # a full refund un-counts the call
                self._record(tenant, where, extra, calls)
        return reserved + extra, balance

    def _record(self, tenant: str, where: tuple[str, str], credits: int, calls: int) -> None:
        """Add to the ledger: `where` is (endpoint, account id or ""). Kept per worker and written
        in batches (`flush`: the background tick, and before the ledger is read), so a charged
        call costs no extra write; the balance itself is always written at once."""
        key = (tenant, _day(self.clock()), *where)
        with self._lock:
            had = self._pending.get(key, (0, 0))
            self._pending[key] = (had[0] + calls, had[1] + credits)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending:
            with self.db.tx() as db:
                db.executemany(
                    "INSERT INTO usage (tenant, day, endpoint, account, calls, credits) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (tenant, day, endpoint, account) DO UPDATE SET calls = usage.calls + excluded.calls, "
                    "credits = usage.credits + excluded.credits",
                    sorted((*key, calls, credits) for key, (calls, credits) in pending.items()),  # one order
                )

    def usage(self, tenant: str, first_day: str, last_day: str) -> list[tuple[str, str, str, int, int]]:
        """(day, endpoint, account, requests, credits) of the team between two days, inclusive."""
        self.flush()
        rows = self.db.rows(
            "SELECT day, endpoint, account, calls, credits FROM usage WHERE tenant = ? AND day >= ? AND day <= ? "
            "ORDER BY day, endpoint, account",
            (tenant, first_day, last_day),
        )
        return [tuple(r) for r in rows]
