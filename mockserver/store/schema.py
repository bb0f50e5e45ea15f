"""The store's tables, created and migrated at start-up (safe when several workers or instances
start at once: the check and the migration run in one write transaction).

Every row that belongs to a team carries its `tenant`, in the primary key where the row is
addressed by an id a client chose or sees, so one team's ids can never name another's rows.
Written once for both engines; `{…}` fills in what their DDL spells differently.
"""

from __future__ import annotations

from .backend import Backend, StoreError

VERSION = 1

TYPES = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "blob": "BLOB", "real": "REAL"},
    "postgresql": {"serial": "BIGSERIAL PRIMARY KEY", "blob": "BYTEA", "real": "DOUBLE PRECISION"},
}

TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    tenant TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, account TEXT,
    body TEXT NOT NULL, created {real} NOT NULL, updated {real} NOT NULL,
    PRIMARY KEY (tenant, kind, id));
CREATE INDEX IF NOT EXISTS docs_listed ON docs (tenant, kind, created, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    tenant TEXT NOT NULL, account TEXT NOT NULL, origin TEXT NOT NULL, connected BIGINT NOT NULL,
    body TEXT, created {real} NOT NULL, PRIMARY KEY (tenant, account));
CREATE TABLE IF NOT EXISTS balances (tenant TEXT PRIMARY KEY, balance BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS usage (
    tenant TEXT NOT NULL, day TEXT NOT NULL, endpoint TEXT NOT NULL, account TEXT NOT NULL, calls BIGINT NOT NULL,
    credits BIGINT NOT NULL, PRIMARY KEY (tenant, day, endpoint, account));
CREATE TABLE IF NOT EXISTS rate_windows (
    key TEXT NOT NULL, minute BIGINT NOT NULL, used BIGINT NOT NULL, PRIMARY KEY (key, minute));
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT PRIMARY KEY, tenant TEXT NOT NULL, fingerprint TEXT NOT NULL, at {real} NOT NULL,
    done BIGINT NOT NULL, status BIGINT, body {blob}, media_type TEXT);
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (at);
CREATE TABLE IF NOT EXISTS media_cache (key TEXT PRIMARY KEY, at {real} NOT NULL);
CREATE INDEX IF NOT EXISTS media_cache_age ON media_cache (at);
CREATE TABLE IF NOT EXISTS public_cache (
    tenant TEXT NOT NULL, key TEXT NOT NULL, at {real} NOT NULL, body {blob} NOT NULL,
    PRIMARY KEY (tenant, key));
CREATE INDEX IF NOT EXISTS public_cache_age ON public_cache (at);
CREATE TABLE IF NOT EXISTS link_tags (
    tenant TEXT NOT NULL, account TEXT NOT NULL, collection TEXT NOT NULL, link_id TEXT NOT NULL,
    tag TEXT NOT NULL, added {real} NOT NULL, PRIMARY KEY (tenant, account, collection, link_id, tag));
CREATE INDEX IF NOT EXISTS link_tags_by_tag ON link_tags (tenant, collection, tag);
CREATE TABLE IF NOT EXISTS stored_links (
    tenant TEXT NOT NULL, account TEXT NOT NULL, collection TEXT NOT NULL, link_id TEXT NOT NULL,
    body TEXT NOT NULL, seen {real} NOT NULL, PRIMARY KEY (tenant, account, collection, link_id));
CREATE TABLE IF NOT EXISTS journal (
    seq {serial}, at {real} NOT NULL, tenant TEXT, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_by_tenant ON journal (tenant, seq);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY, number BIGINT NOT NULL, tenant TEXT NOT NULL, webhook_id TEXT NOT NULL,
    event TEXT NOT NULL, event_key TEXT NOT NULL, url TEXT NOT NULL, body {blob} NOT NULL, state TEXT NOT NULL,
    attempts BIGINT NOT NULL, due {real} NOT NULL, lease_until {real}, last_status BIGINT, error_type TEXT,
    error_message TEXT, redelivered_from TEXT, created {real} NOT NULL, updated {real} NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, due);
CREATE INDEX IF NOT EXISTS deliveries_by_webhook ON deliveries (tenant, webhook_id, created);
CREATE TABLE IF NOT EXISTS overlay (
    tenant TEXT NOT NULL, account TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT,
    seq BIGINT NOT NULL, PRIMARY KEY (tenant, account, collection, id));
CREATE INDEX IF NOT EXISTS overlay_by_seq ON overlay (tenant, account, seq);
CREATE TABLE IF NOT EXISTS overlay_versions (
    tenant TEXT NOT NULL, account TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (tenant, account));
CREATE TABLE IF NOT EXISTS timers (
    tenant TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, due {real} NOT NULL,
    lease_until {real}, PRIMARY KEY (tenant, kind, ref));
CREATE INDEX IF NOT EXISTS timers_due ON timers (due);
CREATE TABLE IF NOT EXISTS faults (
    seq {serial}, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, rule TEXT NOT NULL, remaining BIGINT,
    until {real}, seen BIGINT NOT NULL, fired BIGINT NOT NULL, created {real} NOT NULL);
CREATE INDEX IF NOT EXISTS faults_by_tenant ON faults (tenant, seq);
"""

# What a reset forgets: everything but `meta` (which then gets a new generation).
DATA_TABLES = (
    "docs",
    "counters",
    "accounts",
    "balances",
    "usage",
    "rate_windows",
    "idempotency",
    "media_cache",
    "public_cache",
    "link_tags",
    "stored_links",
    "journal",
    "deliveries",
    "timers",
    "overlay",
    "overlay_versions",
    "faults",
)
# The tables a team's own reset clears, by their tenant column.
# (overlay versions only ever grow: a team's reset moves them on, so no worker mistakes an old view for a new one)
TENANT_TABLES = tuple(
    t for t in DATA_TABLES if t not in ("counters", "rate_windows", "media_cache", "overlay_versions")
)


def statements(dialect: str) -> list[str]:
    return [s.strip() for s in TABLES.format(**TYPES[dialect]).split(";") if s.strip()]


def migrate(backend: Backend) -> None:
    """Create the tables, or check that an existing store has this layout."""
    with backend.tx() as db:
        if backend.dialect == "postgresql":
            db.execute("SELECT pg_advisory_xact_lock(4010)")  # one instance creates, the others wait
        legacy = _has_table(backend, db, "epoch") and not _has_table(backend, db, "meta")
        if legacy:
            raise StoreError(
                f"the store {backend.location} was written by ofapi-mock 0.1 (an older layout); "
                "start with a new file, or delete this one"
            )
        for sql in statements(backend.dialect):
            db.execute(sql)
        row = db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        if row is None:
            db.execute("INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (str(VERSION),))
        elif int(row[0]) > VERSION:
            raise StoreError(
                f"the store {backend.location} has layout {row[0]}, newer than this ofapi-mock ({VERSION}); upgrade it"
            )


def _has_table(backend: Backend, db, name: str) -> bool:
    if backend.dialect == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    else:
        sql = "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
    return db.execute(sql, (name,)).fetchone() is not None
