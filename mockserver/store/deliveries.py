"""Webhook deliveries as rows of the store: the queue the dispatcher works from and the history
`GET /webhooks/{id}/deliveries` lists.

Each (event, webhook) pair is one delivery with its own UUID and integer id, made in the same
transaction as the change that caused the event. Any worker or instance may send it: a claim
leases it (one delivery in flight per webhook, across all of them), and a lease that runs out
(its worker died) makes it claimable again. Retries keep the delivery's UUID and idempotency
key, so a receiver that deduplicates drops only true repeats. Each webhook's queue is bounded:
past `per_webhook` waiting deliveries, new ones are dropped and journaled."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass

PENDING, DELIVERING, SUCCEEDED, FAILED = "pending", "delivering", "succeeded", "failed"


@dataclass
class Delivery:
    id: str
    number: int
    tenant: str
    webhook_id: str
    event: str
    event_key: str
    url: str
    body: bytes
    attempts: int


def event_key() -> str:
    """The idempotency key of one event (shared by its deliveries to several webhooks)."""
    return "evt_" + secrets.token_hex(20)


class Deliveries:
    COLUMNS = "id, number, tenant, webhook_id, event, event_key, url, body, attempts"

    def __init__(self, db, docs, per_webhook: int, keep: int, clock=time.time):
        self.db = db
        self.docs = docs
        self.per_webhook = per_webhook  # waiting deliveries a webhook may have
        self.keep = keep  # finished deliveries kept per webhook, for the history
        self.clock = clock

    def enqueue(self, tenant: str, webhook: dict, event: str, body: bytes, key: str, again: str | None = None):
        """A new delivery (its id), or None when the webhook's queue is full."""
        now = self.clock()
        with self.db.tx() as db:
            waiting = db.execute(
                "SELECT COUNT(*) FROM deliveries WHERE tenant = ? AND webhook_id = ? AND state IN (?, ?)",
                (tenant, webhook["id"], PENDING, DELIVERING),
            ).fetchone()[0]
            if waiting >= self.per_webhook:
                return None
            ident = str(uuid.uuid4())
            db.execute(
                f"INSERT INTO deliveries ({self.COLUMNS}, state, due, created, updated, redelivered_from) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                (
                    ident,
                    self.docs.next_number("delivery"),
                    tenant,
                    webhook["id"],
                    event,
                    key,
                    webhook["url"],
                    body,
                    PENDING,
                    now,
                    now,
                    now,
                    again,
                ),
            )
        return ident

    def claim(self, limit: int, lease: float) -> list[Delivery]:
        """Up to `limit` due deliveries, at most one per webhook and none of a webhook that has
        one in flight anywhere; each leased for `lease` seconds."""
        now = self.clock()
        if not self.db.rows(
            "SELECT 1 FROM deliveries WHERE state IN (?, ?) AND due <= ? LIMIT 1", (PENDING, DELIVERING, now)
        ):
            return []  # a read, no write lock: the usual answer of an idle queue
        with self.db.tx() as db:
            # Claims take turns (they are short): a claim must see the webhooks another one just
            # put in flight. Rows a finishing attempt holds are passed over.
            self.db.exclusive(db, "deliveries.claim")
            rows = db.execute(
                f"SELECT {self.COLUMNS} FROM deliveries d WHERE due <= ? "  # noqa: S608
                "AND (state = ? OR (state = ? AND lease_until < ?)) "
                "AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.tenant = d.tenant AND o.webhook_id = d.webhook_id "
                "AND o.state = ? AND o.lease_until >= ?) ORDER BY due, number LIMIT ?" + self.db.skip_locked,
                (now, PENDING, DELIVERING, now, DELIVERING, now, limit * 4),
            ).fetchall()
            picked: dict[tuple, Delivery] = {}
            for row in rows:
                job = Delivery(*row[:7], bytes(row[7]), row[8])
                picked.setdefault((job.tenant, job.webhook_id), job)
            jobs = list(picked.values())[:limit]
            for job in jobs:
                db.execute(
                    "UPDATE deliveries SET state = ?, lease_until = ?, attempts = attempts + 1, updated = ? "
                    "WHERE id = ?",
                    (DELIVERING, now + lease, now, job.id),
                )
                job.attempts += 1
        return jobs

    def finish(self, job: Delivery, status: int | None, error: tuple[str, str] | None, retry_at: float | None) -> None:
        """Record an attempt: succeeded, failed for good, or to be retried at `retry_at`."""
        ok = status is not None and 200 <= status < 300
        state = SUCCEEDED if ok else PENDING if retry_at is not None else FAILED
        error_type, error_message = error or (None, None)
        with self.db.tx() as db:
            db.execute(
                "UPDATE deliveries SET state = ?, due = ?, lease_until = NULL, last_status = ?, error_type = ?, "
                "error_message = ?, updated = ? WHERE id = ?",
                (state, retry_at or 0, status, error_type, error_message, self.clock(), job.id),
            )

    def history(self, tenant: str, webhook_id: str, query: dict, limit: int, offset: int) -> list[dict]:
        where, args = ["tenant = ?", "webhook_id = ?"], [tenant, webhook_id]
        if query.get("event"):
            where.append("event = ?")
            args.append(query["event"])
        if query.get("succeeded") is not None:
            where.append("state = ?" if query["succeeded"] else "state <> ?")
            args.append(SUCCEEDED)
        for bound, op in (("date_start", ">="), ("date_end", "<=")):
            if query.get(bound) is not None:
                where.append(f"created {op} ?")
                args.append(query[bound])
        rows = self.db.rows(
            "SELECT id, number, event, event_key, url, body, state, attempts, last_status, error_type, error_message, "
            f"redelivered_from, created FROM deliveries WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY created DESC, number DESC LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [
            {
                "id": r[1],
                "delivery_uuid": r[0],
                "event": r[2],
                "idempotency_key": r[3],
                "url": r[4],
                "payload": json.loads(bytes(r[5])),
                "succeeded": r[6] == SUCCEEDED,
                "state": r[6],
                "attempt": r[7],
                "status_code": r[8],
                "error_type": r[9],
                "error_message": r[10],
                "redelivered_from": r[11],
                "_created": r[12],
            }
            for r in rows
        ]

    def find(self, tenant: str, webhook_id: str, ident: str) -> tuple | None:
        """(event, event key, body) of a delivery of the team's webhook, by UUID or integer id."""
        rows = self.db.rows(
            "SELECT event, event_key, body, id FROM deliveries WHERE tenant = ? AND webhook_id = ? "
            "AND (id = ? OR CAST(number AS TEXT) = ?)",
            (tenant, webhook_id, str(ident), str(ident)),
        )
        return (rows[0][0], rows[0][1], bytes(rows[0][2]), rows[0][3]) if rows else None

    def trim(self) -> None:
        """Keep the newest `keep` finished deliveries of each webhook."""
        with self.db.tx() as db:
            db.execute(
                "DELETE FROM deliveries WHERE state IN (?, ?) AND number NOT IN (SELECT number FROM ("
                "SELECT number, ROW_NUMBER() OVER (PARTITION BY tenant, webhook_id ORDER BY number DESC) AS n "
                "FROM deliveries WHERE state IN (?, ?)) kept WHERE n <= ?)",
                (SUCCEEDED, FAILED, SUCCEEDED, FAILED, self.keep),
            )
