"""OFAPI's own state, in one store every worker and instance shares (SQLite by default,
PostgreSQL for several instances): stored resources, credits, idempotency records, rate
windows, the media and public caches, the journal, webhook deliveries and timers, the accounts
each team uses, and the world's seed and generation. Workers keep in memory only caches that
are safe to lose, bounded in bytes.

`state()` is read at the start of every request: a reset elsewhere (a new generation, maybe a
new seed) or a change that invalidates a worker's memos is seen at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from ..onlyfans.payloads import Payload, Request
from .accounts import Accounts
from .actions import ACTIONS
from .backend import open_backend
from .balances import Balances
from .deliveries import Deliveries, event_key
from .docs import Docs
from .faults import FaultRules
from .journal import Journal
from .media_cache import MediaCache
from .overlay import OverlayRows
from .records import IdempotencyRecords, PublicAnswers
from .schema import DATA_TABLES, TENANT_TABLES, migrate
from .tenants import Tenants
from .timers import Timers
from .windows import RateWindows

STATE_TTL = 0.025  # seconds a worker may go on with the state it read last (ofapi/service.py)


@dataclass(frozen=True)
class State:
    seed: int | None  # None: the fixtures' seed
    generation: int  # moves on with every reset
    media_epoch: str  # moves on when cached files are forgotten
    accounts_epoch: int  # moves on when an account is disconnected


class Store:
    def __init__(self, settings, fixtures: dict, clock=time.time):
        self.settings = settings
        self.clock = clock
        self.db = open_backend(settings.store_path)
        migrate(self.db)
        self.docs = Docs(self.db, clock)
        self.balances = Balances(self.db, settings.initial_credits, clock)
        self.windows = RateWindows(self.db)
        self.idempotency = IdempotencyRecords(self.db, clock)
        self.public = PublicAnswers(self.db, settings.public_cache_rows, clock)
        self.media = MediaCache(self.db, settings.media_cache_rows, settings.media_memo_bytes, clock)
        self.journal = Journal(self.db, settings.journal_rows, clock)
        self.deliveries = Deliveries(self.db, self.docs, settings.queue_per_webhook, settings.deliveries_kept, clock)
        self.timers = Timers(self.db, clock)
        self.overlay = OverlayRows(self.db)
        self.faults = FaultRules(self.db, clock, quiet=STATE_TTL)
        self.tenants = Tenants(fixtures)
        self.accounts = Accounts(self, fixtures)
        self.fixtures = fixtures
        self.world = None  # the current world; the service sets it (it changes with the seed)
        self.renderer = None  # the store's renderer for the current world
        self.dispatcher = None  # wakes the webhook dispatcher of this process, once there is one

    # -- the world's seed and generation ----------------------------------------------------
    def state(self) -> State:
        values = dict(self.db.rows("SELECT name, value FROM meta"))
        seed = values.get("seed")
        return State(
            None if seed in (None, "") else int(seed),
            int(values.get("generation", 0)),
            values.get("media_epoch", "0"),
            int(values.get("accounts_epoch", 0)),
        )

    def settled(self) -> None:
        """After moving the state on: wait until every worker has read it again (they re-read it
        once their copy is older than STATE_TTL), so the caller's next request anywhere sees it."""
        time.sleep(2 * STATE_TTL)

    def bump(self, db, name: str) -> None:
        """Inside a transaction: move a counter of `meta` on (every worker sees it next request)."""
        db.execute(
            "INSERT INTO meta (name, value) VALUES (?, '1') ON CONFLICT (name) DO UPDATE "
            "SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
            (name,),
        )

    def reset(self, seed: int | None = None, tenant: str | None = None) -> None:
        """Forget what the store holds: everything (and, with a seed, start a new world), or, for
        one team, only that team's rows (other teams are not disturbed)."""
        self.flush()
        if tenant is not None:
            with self.db.tx(alone=True) as db:  # it deletes from every table: no request beside it
                for table in TENANT_TABLES:
                    db.execute(f"DELETE FROM {table} WHERE tenant = ?", (tenant,))  # noqa: S608 - fixed names
                db.execute("UPDATE overlay_versions SET version = version + 1 WHERE tenant = ?", (tenant,))
                self.bump(db, "accounts_epoch")
            self.settled()
            return
        with self.db.tx(alone=True) as db:
            for table in DATA_TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            if seed is not None:
                db.execute(
                    "INSERT INTO meta (name, value) VALUES ('seed', ?) ON CONFLICT (name) DO UPDATE "
                    "SET value = excluded.value",
                    (str(seed),),
                )
            for name in ("generation", "media_epoch", "accounts_epoch"):
                self.bump(db, name)
        self.settled()

    # -- computed answers ------------------------------------------------------------------
    def answer(self, req: Request) -> Payload:
        result = ACTIONS[req.op.store["action"]](self, req)
        key = "|".join((req.op.op_id, *(f"{k}={v}" for k, v in sorted(req.path_params.items()))))
        data = self.renderer.render(req.op.data_schema, result.source, key)
        return Payload(data, result.next_cursor, result.cost, result.paid)

    # -- link tags and stored links ---------------------------------------------------------
    def link_tags(self, tenant: str, account: str, collection: str | None, link_id) -> list[str]:
        rows = self.db.rows(
            "SELECT tag FROM link_tags WHERE tenant = ? AND account = ? AND collection = ? AND link_id = ? "
            "ORDER BY added, tag",
            (tenant, account, collection, str(link_id)),
        )
        return [r[0] for r in rows]

    def add_link_tags(self, tenant: str, account: str, collection: str, link_id, tags) -> None:
        """Tag a link (adding a tag it has is a no-op)."""
        names = sorted({str(t).strip() for t in tags if str(t).strip()})  # one order: two requests never deadlock
        now = self.clock()
        with self.db.tx() as db:
            db.executemany(
                "INSERT INTO link_tags (tenant, account, collection, link_id, tag, added) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tenant, account, collection, link_id, tag) DO NOTHING",
                [(tenant, account, collection, str(link_id), tag, now) for tag in names],
            )
            self.overlay.touch(db, tenant, account)  # the link lists show tags: their answers change

    def remember_links(self, tenant: str, account: str, collection: str, links: list[dict]) -> None:
        """Links the team saw through the live list endpoints: its stored inventory."""
        now = self.clock()
        with self.db.tx() as db:
            db.executemany(
                "INSERT INTO stored_links (tenant, account, collection, link_id, body, seen) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tenant, account, collection, link_id) DO UPDATE SET body = excluded.body, "
                "seen = excluded.seen",
                sorted((tenant, account, collection, str(link.get("id")), json.dumps(link), now) for link in links),
            )

    # -- events -----------------------------------------------------------------------------
    def emit(self, event: str, account_id: str | None, payload: dict, tenant: str | None = None) -> int:
        """An event happened: one delivery per matching webhook (of `tenant`, or of every team),
        queued in the store in the caller's transaction. The number queued."""
        from .webhooks import KIND as WEBHOOK
        from .webhooks import matches

        body = json.dumps({"event": event, "account_id": account_id, "payload": payload}).encode()
        key = event_key()
        hooks = (
            [(tenant, hook) for hook in self.docs.list(WEBHOOK, tenant)]
            if tenant is not None
            else self.docs.every_team(WEBHOOK)
        )
        queued = 0
        for owner, hook in hooks:
            if matches(hook, event, account_id):
                if self.deliveries.enqueue(owner, hook, event, body, key) is not None:
                    queued += 1
                else:
                    self.journal.add("delivery", {"webhook_id": hook["id"], "event": event, "dropped": True}, owner)
        if queued and self.dispatcher is not None:
            self.dispatcher.wake()
        return queued

    # -- housekeeping (the dispatcher's tick) -----------------------------------------------
    def housekeeping(self) -> None:
        """Bound what the store keeps: journal, caches, idempotency records, rate windows,
        finished deliveries."""
        from ..ofapi.idempotency import TTL_SECONDS

        self.journal.flush()
        self.balances.flush()
        self.public.trim(self.settings.cache_ttl_seconds)
        self.idempotency.expire(TTL_SECONDS)
        self.windows.forget_before(int(self.clock() // 60) - 1)
        self.deliveries.trim()
        with self.db.tx() as db:
            if self.media.trim(db):
                self.bump(db, "media_epoch")

    def flush(self) -> None:
        """Write what this worker keeps to write in batches (the journal, the credits ledger),
        and let the backend catch up (SQLite: copy its WAL into the file)."""
        self.journal.flush()
        self.balances.flush()
        self.db.checkpoint()

    def close(self) -> None:
        self.flush()
        self.balances.give_back()
        self.db.close()
