"""The world overlay's rows: what clients wrote to "OnlyFans" through the API (a sent message, a
new post, a renamed list, a muted chat), per team and account. A row holds the written object
whole (or nothing: it was deleted); `seq` orders the writes of one account. Every write moves
the account's version on, in the same transaction, so each worker knows when its merged view
of the account (`onlyfans/view.py`) is stale."""

from __future__ import annotations

import json

from .backend import Backend


class OverlayRows:
    def __init__(self, db: Backend):
        self.db = db

    def version(self, tenant: str, account: str) -> int:
        rows = self.db.rows("SELECT version FROM overlay_versions WHERE tenant = ? AND account = ?", (tenant, account))
        return rows[0][0] if rows else 0

    def write(self, tenant: str, account: str, changes: list[tuple[str, str, dict | None]]) -> int:
        """Store changed objects (collection, id, object or None for deleted) as one write; its seq."""
        with self.db.tx() as db:
            seq = db.execute(
                "INSERT INTO overlay_versions (tenant, account, version) VALUES (?, ?, 1) "
                "ON CONFLICT (tenant, account) DO UPDATE SET version = overlay_versions.version + 1 RETURNING version",
                (tenant, account),
            ).fetchone()[0]
            db.executemany(
                "INSERT INTO overlay (tenant, account, collection, id, body, seq) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tenant, account, collection, id) DO UPDATE SET body = excluded.body, seq = excluded.seq",
                [
                    (tenant, account, collection, str(ident), None if obj is None else json.dumps(obj), seq)
                    for collection, ident, obj in changes
                ],
            )
        return seq

    def touch(self, db, tenant: str, account: str) -> None:
        """Inside a transaction: something reads of the account show changed (its link tags)."""
        db.execute(
            "INSERT INTO overlay_versions (tenant, account, version) VALUES (?, ?, 1) "
            "ON CONFLICT (tenant, account) DO UPDATE SET version = overlay_versions.version + 1",
            (tenant, account),
        )

    def rows(self, tenant: str, account: str, after: int = 0) -> tuple[int, list[tuple[str, str, dict | None, int]]]:
        """(version, [(collection, id, object or None, seq)]) of the account, oldest write first:
        every row, or those written after version `after` (a worker extends its older view)."""
        version = self.version(tenant, account)  # rows written meanwhile come too: applying a row twice is harmless
        rows = self.db.rows(
            "SELECT collection, id, body, seq FROM overlay WHERE tenant = ? AND account = ? AND seq > ? "
            "ORDER BY seq, id",
            (tenant, account, after),
        )
        return version, [(c, i, None if b is None else json.loads(b), s) for c, i, b, s in rows]
