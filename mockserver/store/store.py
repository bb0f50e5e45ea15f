"""OFAPI's own data: what computed operations answer from (never calling OnlyFans), per-key
credit balances, the media cache, link tags, stored links, disconnected accounts and the
journal, on SQLite (`db.py`). Public-answer and idempotency records are per-worker caches."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict

from ..onlyfans.payloads import Payload, Request
from ..onlyfans.render import Renderer
from .actions import ACTIONS
from .db import Database, Docs
from .tenants import Tenants

RESPONSE_CACHE_MAX = 10_000
IDEMPOTENCY_MAX = 10_000
JOURNAL_MAX = 1_000
JOURNAL_BATCH = 200


class BoundedDict(OrderedDict):
    """A dict that forgets its oldest entries past `limit` (so memory stays bounded)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > self.limit:
            self.popitem(last=False)


class MediaCache:
    """Which OnlyFans CDN files OFAPI holds a copy of (keys from `cdn.file_key`).

    Files only ever become cached, so each worker remembers what it has seen cached and asks
    SQLite only about the rest; a reset (a new epoch in the database) clears that memory."""

    def __init__(self, db: Database, clock=time.monotonic):
        self._db = db
        self._known: set[str] = set()
        self._epoch: int | None = None
        self._checked = float("-inf")
        self._clock = clock

    def _fresh(self) -> None:
        now = self._clock()
        if now - self._checked >= 1.0:
            self._checked = now
            epoch = self._db.epoch()
            if epoch != self._epoch:
                self._epoch, self._known = epoch, set()

    def cached_among(self, keys: list[str]) -> set[str]:
        self._fresh()
        unknown = list(dict.fromkeys(k for k in keys if k not in self._known))
        for i in range(0, len(unknown), 500):
            chunk = unknown[i : i + 500]
            marks = ",".join("?" * len(chunk))
            self._known |= {
                r["key"] for r in self._db.rows(f"SELECT key FROM media_cache WHERE key IN ({marks})", chunk)
            }
        return self._known.intersection(keys)

    def is_cached(self, key: str) -> bool:
        return bool(self.cached_among([key]))

    def add(self, keys) -> None:
        keys = list(keys)
        if keys:
            with self._db.tx() as db:
                db.executemany("INSERT OR IGNORE INTO media_cache (key) VALUES (?)", [(k,) for k in keys])
            self._known.update(keys)

    def forget(self) -> None:
        self._known, self._epoch = set(), None


class Store:
    def __init__(self, db: Database, renderer: Renderer, world, initial_balance: int, settings, clock=time.time):
        self.db = db
        self.docs = Docs(db, clock)
        self.renderer = renderer
        self.world = world
        self.settings = settings
        self.clock = clock
        self._initial_balance = initial_balance
        self.media = MediaCache(db)
        self.responses = BoundedDict(RESPONSE_CACHE_MAX)  # public answers: key -> (at, outcome)
        self.idempotency = BoundedDict(IDEMPOTENCY_MAX)  # scope -> record
        self.events = None  # the webhook dispatcher, once the app has one
        self.tenants = Tenants(world.fixtures)
        self._journal_buffer: list[tuple] = []
        self._journal_lock = threading.Lock()

    def emit(self, event: str, account_id: str | None, payload: dict, tenant: str | None = None) -> int:
        """An event happened: queue its webhook deliveries (none when there is no dispatcher)."""
        return self.events.emit(event, account_id, payload, tenant) if self.events is not None else 0

    def answer(self, req: Request) -> Payload:
        result = ACTIONS[req.op.store["action"]](self, req)
        key = "|".join((req.op.op_id, *(f"{k}={v}" for k, v in sorted(req.path_params.items()))))
        return Payload(self.renderer.render(req.op.data_schema, result.source, key), result.next_cursor, result.cost)

    # -- credits ---------------------------------------------------------------------
    def balance(self, api_key: str) -> int:
        rows = self.db.rows("SELECT balance FROM balances WHERE api_key = ?", (api_key,))
        return rows[0]["balance"] if rows else self._initial_balance

    def debit(self, api_key: str, amount: int) -> tuple[int, int]:
        """Take up to `amount` credits from the key's balance: (used, balance after). A balance
        never goes below zero."""
        with self.db.tx() as db:
            row = db.execute("SELECT balance FROM balances WHERE api_key = ?", (api_key,)).fetchone()
            balance = row["balance"] if row else self._initial_balance
            used = max(0, min(amount, balance))
            if used or row is None:
                db.execute(
                    "INSERT INTO balances (api_key, balance) VALUES (?, ?) ON CONFLICT (api_key) "
                    "DO UPDATE SET balance = excluded.balance",
                    (api_key, balance - used),
                )
        return used, balance - used

    # -- link tags and stored links ------------------------------------------------------
    def link_tags(self, tenant: str, account: str, collection: str | None, link_id) -> list[str]:
        rows = self.db.rows(
            "SELECT tag FROM link_tags WHERE tenant = ? AND account = ? AND collection = ? AND link_id = ? "
            "ORDER BY added, tag",
            (tenant, account, collection, str(link_id)),
        )
        return [r["tag"] for r in rows]

    def remember_links(self, account: str, collection: str, links: list[dict]) -> None:
        """Links seen through the live list endpoints: OFAPI's stored inventory."""
        now = self.clock()
        with self.db.tx() as db:
            db.executemany(
                "INSERT INTO stored_links (account, collection, link_id, body, seen) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (account, collection, link_id) DO UPDATE SET body = excluded.body, seen = excluded.seen",
                [(account, collection, str(link.get("id")), json.dumps(link), now) for link in links],
            )

    # -- accounts ----------------------------------------------------------------------
    def is_disconnected(self, tenant: str, account: str) -> bool:
        return bool(self.db.rows("SELECT 1 FROM disconnected WHERE tenant = ? AND account = ?", (tenant, account)))

    # -- journal -------------------------------------------------------------------------
    def journal(self, kind: str, entry: dict) -> None:
        """Note a request or a delivery. Buffered (the hot path does not write for it) and
        flushed in batches, by the webhook thread's tick and before the journal is read."""
        with self._journal_lock:
            self._journal_buffer.append((self.clock(), kind, json.dumps(entry)))
            full = len(self._journal_buffer) >= JOURNAL_BATCH
        if full:
            self.flush_journal()

    def flush_journal(self) -> None:
        with self._journal_lock:
            batch, self._journal_buffer = self._journal_buffer, []
        if batch:
            with self.db.tx() as db:
                db.executemany("INSERT INTO journal (at, kind, body) VALUES (?, ?, ?)", batch)
                db.execute("DELETE FROM journal WHERE seq <= (SELECT MAX(seq) FROM journal) - ?", (JOURNAL_MAX,))

    def journal_entries(self, limit: int = 100, kind: str | None = None) -> list[dict]:
        self.flush_journal()
        sql = (
            "SELECT seq, at, kind, body FROM journal"
            + (" WHERE kind = ?" if kind else "")
            + " ORDER BY seq DESC LIMIT ?"
        )
        rows = self.db.rows(sql, (kind, limit) if kind else (limit,))
        return [{"seq": r["seq"], "at": r["at"], "kind": r["kind"], **json.loads(r["body"])} for r in rows]
