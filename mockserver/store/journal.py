"""The journal: recent requests (with their upstream calls) and webhook deliveries, each
tagged with the team it belongs to, so a key only ever reads its own team's entries.

Secrets never reach it: user-info and the values of secret-looking query parameters in any
URL or path are replaced before an entry is written. Writes are buffered per worker and
flushed in batches (by the background tick, when a batch fills, and before a read)."""

from __future__ import annotations

import json
import re
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..jsonbody import dumps

BATCH = 200
SECRET_NAME = re.compile(r"token|secret|key|sig|pass|auth|session|code|credential", re.IGNORECASE)
HIDDEN = "***"


def redact(url: str) -> str:
    """`url` (or a path with a query) without user-info and with secret query values hidden."""
    if "?" not in url and "@" not in url and "#" not in url:  # nothing to hide (most request paths)
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{HIDDEN}@{netloc.rsplit('@', 1)[1]}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, HIDDEN if SECRET_NAME.search(k) else v) for k, v in pairs], safe="*[],")
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return HIDDEN


class Journal:
    def __init__(self, db, limit: int, clock=time.time):
        self.db = db
        self.limit = limit
        self.clock = clock
        self._buffer: list[tuple] = []
        self._lock = threading.Lock()

    def add(self, kind: str, entry: dict, tenant: str | None) -> None:
        for field in ("path", "url"):
            if isinstance(entry.get(field), str):
                entry[field] = redact(entry[field])
        with self._lock:
            self._buffer.append((self.clock(), tenant, kind, dumps(entry).decode()))
            full = len(self._buffer) >= BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            batch, self._buffer = self._buffer, []
        if batch:
            with self.db.tx() as db:
                db.executemany("INSERT INTO journal (at, tenant, kind, body) VALUES (?, ?, ?, ?)", batch)
                db.execute("DELETE FROM journal WHERE seq <= (SELECT MAX(seq) FROM journal) - ?", (self.limit,))

    def entries(self, tenant: str | None, limit: int = 100, kind: str | None = None, every_team: bool = False) -> list:
        """The newest entries of `tenant` (of every team only when `every_team`: the admin's view)."""
        self.flush()
        where, args = [], []
        if not every_team:
            where.append("tenant = ?")
            args.append(tenant)
        if kind:
            where.append("kind = ?")
            args.append(kind)
        sql = "SELECT seq, at, tenant, kind, body FROM journal"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.rows(sql + " ORDER BY seq DESC LIMIT ?", (*args, limit))
        return [{"seq": r[0], "at": r[1], "team": r[2], "kind": r[3], **json.loads(r[4])} for r in rows]
