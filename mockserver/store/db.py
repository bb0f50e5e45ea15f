"""SQLite underneath OFAPI's store: in memory by default, or a file that keeps everything across
restarts and is shared by several server workers (WAL journal, one transaction per write).

Every write commits before the response is sent, so an acknowledged write survives the
server being killed (SIGKILL) right after; `synchronous=NORMAL` in WAL mode is durable
against process death (not against power loss, which a mock need not survive).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL, id TEXT NOT NULL, tenant TEXT NOT NULL, account TEXT,
    body TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS docs_by_tenant ON docs (kind, tenant, created);
CREATE TABLE IF NOT EXISTS balances (api_key TEXT PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS media_cache (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS link_tags (
    tenant TEXT NOT NULL, account TEXT NOT NULL, collection TEXT NOT NULL, link_id TEXT NOT NULL,
    tag TEXT NOT NULL, added REAL NOT NULL, PRIMARY KEY (tenant, account, collection, link_id, tag));
CREATE TABLE IF NOT EXISTS stored_links (
    account TEXT NOT NULL, collection TEXT NOT NULL, link_id TEXT NOT NULL, body TEXT NOT NULL,
    seen REAL NOT NULL, PRIMARY KEY (account, collection, link_id));
CREATE TABLE IF NOT EXISTS disconnected (tenant TEXT NOT NULL, account TEXT NOT NULL, PRIMARY KEY (tenant, account));
CREATE TABLE IF NOT EXISTS epoch (n INTEGER NOT NULL);
INSERT INTO epoch (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM epoch);
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, kind TEXT NOT NULL,
    body TEXT NOT NULL);
"""
TABLES = ("docs", "balances", "media_cache", "link_tags", "stored_links", "disconnected", "journal")


class Database:
    def __init__(self, path: str | None = None):
        self.path = path
        self._conn = sqlite3.connect(path or ":memory:", isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        with self._lock:
            self._conn.executescript(SCHEMA)

    @contextmanager
    def tx(self):
        """One write transaction (BEGIN IMMEDIATE: other workers wait instead of failing)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def rows(self, sql: str, args=()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def reset(self) -> None:
        with self.tx() as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            db.execute("UPDATE epoch SET n = n + 1")  # tells every worker to forget its caches

    def epoch(self) -> int:
        return self.rows("SELECT n FROM epoch")[0]["n"]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


# -- documents: one JSON body per resource (smart link, webhook, export, attempt …) ---------
class Docs:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self.clock = clock

    def put(self, kind: str, doc: dict, tenant: str, account: str | None = None) -> dict:
        now = self.clock()
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO docs (kind, id, tenant, account, body, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, updated = excluded.updated",
                (kind, str(doc["id"]), tenant, account, json.dumps(doc), now, now),
            )
        return doc

    def replace(self, kind: str, doc: dict, before: str) -> bool:
        """Compare-and-set: store `doc` only if the stored body is still `before`."""
        with self.db.tx() as db:
            return (
                db.execute(
                    "UPDATE docs SET body = ?, updated = ? WHERE kind = ? AND id = ? AND body = ?",
                    (json.dumps(doc), self.clock(), kind, str(doc["id"]), before),
                ).rowcount
                > 0
            )

    def get(self, kind: str, ident, tenant: str) -> dict | None:
        rows = self.db.rows(
            "SELECT body FROM docs WHERE kind = ? AND id = ? AND tenant = ?", (kind, str(ident), tenant)
        )
        return json.loads(rows[0]["body"]) if rows else None

    def list(self, kind: str, tenant: str) -> list[dict]:
        rows = self.db.rows("SELECT body FROM docs WHERE kind = ? AND tenant = ? ORDER BY created, id", (kind, tenant))
        return [json.loads(r["body"]) for r in rows]

    def delete(self, kind: str, ident, tenant: str) -> bool:
        with self.db.tx() as db:
            return (
                db.execute(
                    "DELETE FROM docs WHERE kind = ? AND id = ? AND tenant = ?", (kind, str(ident), tenant)
                ).rowcount
                > 0
            )

    def all_tenants(self, kind: str) -> list[tuple[str, dict]]:
        rows = self.db.rows("SELECT tenant, body FROM docs WHERE kind = ? ORDER BY created", (kind,))
        return [(r["tenant"], json.loads(r["body"])) for r in rows]
