"""Credits: each team's balance and a ledger of what each endpoint cost per day and account.

A call reserves what it needs before OFAPI contacts OnlyFans (check and debit in one transaction,
so two concurrent calls can never both spend the last credit), then settles once its real cost
is known (a search's profiles, a file's megabytes): the difference is taken or given back.

With a large balance (the default is ten million), a worker takes a lease with a reservation
(`balance // 1000`, at most 64 credits) and pays the next calls from it without a store write.
Credits are never spent beyond the balance; the balance a worker shows leaves out what other
workers hold unused; a worker gives back what it holds when it closes, and a reset voids it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from .backend import Backend
from .leases import lease_size


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


class Balances:
    def __init__(self, db: Backend, initial: int, clock=time.time):
        self.db = db
        self.initial = initial
        self.clock = clock
        self._locked_balance = "SELECT balance FROM balances WHERE tenant = ?" + db.for_update
        self._pending: dict[tuple, tuple[int, int]] = {}  # ledger entries not written yet
        self._leases: dict[str, int] = {}  # tenant -> credits this worker took and has not spent
        self._seen: dict[str, int] = {}  # tenant -> the stored balance when this worker last took a lease
        self._lock = threading.Lock()

    def balance(self, tenant: str) -> int:
        rows = self.db.rows("SELECT balance FROM balances WHERE tenant = ?", (tenant,))
        return (rows[0][0] if rows else self.initial) + self._leases.get(tenant, 0)

    def take(self, tenant: str, amount: int, where: tuple[str, str]) -> int | None:
        """Pay `amount` from this worker's lease, without the store: the balance after, or None
        when the lease does not cover it (then `reserve`)."""
        with self._lock:
            held = self._leases.get(tenant, 0)
            if amount <= 0 or held < amount:
                return None
            self._leases[tenant] = held - amount
            balance = self._seen[tenant] + held - amount
        self._record(tenant, where, amount, calls=1)
        return balance

    def reserve(self, db, tenant: str, amount: int, where: tuple[str, str]) -> int | None:
        """Inside the caller's transaction: take `amount` if the balance has it (and a lease, when
        it is large). The balance after, or None (nothing taken) when it does not."""
        row = db.execute(self._locked_balance, (tenant,)).fetchone()
        if row is None:  # a team's first charge opens its balance
            db.execute(
                "INSERT INTO balances (tenant, balance) VALUES (?, ?) ON CONFLICT (tenant) DO NOTHING",
                (tenant, self.initial),
            )
            row = db.execute(self._locked_balance, (tenant,)).fetchone()
        if row[0] < amount:
            return None
        lease = lease_size(row[0] - amount)
        after = db.execute(
            "UPDATE balances SET balance = balance - ? WHERE tenant = ? RETURNING balance", (amount + lease, tenant)
        ).fetchone()[0]
        with self._lock:
            held = self._leases.get(tenant, 0) + lease
            if lease:
                self._leases[tenant], self._seen[tenant] = held, after
        self._record(tenant, where, amount, calls=1)
        return after + held

    def forget_leases(self) -> None:
        """After a reset: the balances leases came from are gone."""
        with self._lock:
            self._leases.clear()

    def give_back(self) -> None:
        """What this worker holds unused goes back to the balances (on close)."""
        with self._lock:
            held, self._leases = {t: n for t, n in self._leases.items() if n}, {}
        if held:
            with self.db.tx() as db:
                for tenant, credits in sorted(held.items()):
                    db.execute("UPDATE balances SET balance = balance + ? WHERE tenant = ?", (credits, tenant))

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
        return reserved + extra, balance + self._leases.get(tenant, 0)

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
