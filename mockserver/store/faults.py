"""Fault rules (`/_mock/faults`), kept in the store so every worker and instance applies the same
ones: a team's rules (set with its key) and global ones (set by the admin, `tenant` = '').

A rule's count (`remaining`) and time window (`until`) are consumed in one conditional UPDATE,
so two workers never both take the last one. `seen` counts the requests a rule matched: with
the mock's seed it decides each probability draw, so a run is reproducible.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from .ids import new_id

GLOBAL = ""  # the tenant of rules the admin sets: they apply to every team


@dataclass(frozen=True)
class Rule:
    seq: int
    id: str
    tenant: str
    rule: dict  # what it matches and what it does (`mockserver/faults.py`)
    remaining: int | None  # None: no count
    until: float | None  # None: no time window
    seen: int
    fired: int

    def public(self) -> dict:
        until = None if self.until is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.until))
        scope = "global" if self.tenant == GLOBAL else "team"
        return {"id": self.id, "scope": scope, **self.rule, "times_left": self.remaining, "until": until} | {
            "seen": self.seen,
            "fired": self.fired,
        }


COLUMNS = "seq, id, tenant, rule, remaining, until, seen, fired"


def _rule(row) -> Rule:
    return Rule(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6], row[7])


class FaultRules:
    """Fault rules in the store. Most runs have none: a worker that found the table empty
    answers `active` without a query for `quiet` seconds (the admin endpoint waits that long
    after adding a rule, so the next request anywhere sees it)."""

    def __init__(self, db, clock=time.time, quiet: float = 0.0):
        self.db = db
        self.clock = clock
        self.quiet = quiet
        self._empty_until = 0.0  # monotonic time until which this worker knows the table is empty

    def add(self, tenant: str, rule: dict, times: int | None, seconds: float | None) -> Rule:
        self._empty_until = 0.0
        now = self.clock()
        until = now + seconds if seconds is not None else None
        with self.db.tx() as db:
            row = db.execute(
                "INSERT INTO faults (id, tenant, rule, remaining, until, seen, fired, created) "
                f"VALUES (?, ?, ?, ?, ?, 0, 0, ?) RETURNING {COLUMNS}",
                (new_id("flt_"), tenant, json.dumps(rule), times, until, now),
            ).fetchone()
        return _rule(row)

    def listed(self, tenant: str | None) -> list[Rule]:
        """A team's rules and the global ones, first first (every rule: `tenant` None)."""
        if tenant is None:
            rows = self.db.rows(f"SELECT {COLUMNS} FROM faults ORDER BY seq")
        else:
            rows = self.db.rows(f"SELECT {COLUMNS} FROM faults WHERE tenant IN (?, ?) ORDER BY seq", (GLOBAL, tenant))
        return [_rule(r) for r in rows]

    def active(self, tenant: str | None) -> list[Rule]:
        """The rules that may still fire for a request of `tenant` (None: no key), first first."""
        sql = (
            f"SELECT {COLUMNS} FROM faults WHERE tenant IN (?, ?) "
            "AND (remaining IS NULL OR remaining > 0) AND (until IS NULL OR until > ?) ORDER BY seq"
        )
        if time.monotonic() < self._empty_until:
            return []
        rows = self.db.rows(sql, (GLOBAL, GLOBAL if tenant is None else tenant, self.clock()))
        if not rows and self.quiet and not self.db.rows("SELECT 1 FROM faults LIMIT 1"):
            self._empty_until = time.monotonic() + self.quiet
        return [_rule(r) for r in rows]

    def draw(self, rule: Rule, fires) -> int | None:
        """A request matched `rule`: count it and, if `fires(n)` for this n-th match, consume one
        of its count; the n it fired as, or None (no luck, or another worker took the last one)."""
        with self.db.tx() as db:
            seen = db.execute("UPDATE faults SET seen = seen + 1 WHERE seq = ? RETURNING seen", (rule.seq,)).fetchone()
            if seen is None or not fires(seen[0]):
                return None
            taken = db.execute(
                "UPDATE faults SET remaining = remaining - 1, fired = fired + 1 WHERE seq = ? "
                "AND (remaining IS NULL OR remaining > 0) AND (until IS NULL OR until > ?) RETURNING seq",
                (rule.seq, self.clock()),
            ).fetchone()
        return seen[0] if taken is not None else None

    def delete(self, ident: str, tenant: str | None) -> bool:
        """One rule, of the team (or any rule: `tenant` None)."""
        with self.db.tx() as db:
            if tenant is None:
                return db.execute("DELETE FROM faults WHERE id = ?", (ident,)).rowcount > 0
            return db.execute("DELETE FROM faults WHERE id = ? AND tenant = ?", (ident, tenant)).rowcount > 0

    def clear(self, tenant: str | None) -> int:
        """The team's rules (every rule: `tenant` None)."""
        with self.db.tx() as db:
            if tenant is None:
                return db.execute("DELETE FROM faults").rowcount
            return db.execute("DELETE FROM faults WHERE tenant = ?", (tenant,)).rowcount
