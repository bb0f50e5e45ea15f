"""Documents: one JSON body per resource a team owns (smart link, webhook, export, attempt …),
addressed by (team, kind, id). A create never overwrites: ids are collision-free and an
existing row keeps its owner; updates and deletes only ever touch the caller's team's rows."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

from .backend import Backend


class Docs:
    def __init__(self, db: Backend, clock=time.time):
        self.db = db
        self.clock = clock
        self._locked_body = "SELECT body FROM docs WHERE tenant = ? AND kind = ? AND id = ?" + db.for_update

    def insert(self, kind: str, doc: dict, tenant: str, account: str | None = None, exists_ok: bool = False) -> dict:
        """Store a new resource. Its id must be new (fresh ids are 128-bit random or from a sequence);
        with `exists_ok`, an existing row is kept as it is."""
        now = self.clock()
        keep = " ON CONFLICT (tenant, kind, id) DO NOTHING" if exists_ok else ""
        self.db.write(
            "INSERT INTO docs (tenant, kind, id, account, body, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)" + keep,
            (tenant, kind, str(doc["id"]), account, json.dumps(doc), now, now),
        )
        return doc

    def save(self, kind: str, doc: dict, tenant: str) -> dict:
        """Store a changed resource of the team (insert it if the team has no such row yet)."""
        now = self.clock()
        self.db.write(
            "INSERT INTO docs (tenant, kind, id, account, body, created, updated) VALUES (?, ?, ?, NULL, ?, ?, ?) "
            "ON CONFLICT (tenant, kind, id) DO UPDATE SET body = excluded.body, updated = excluded.updated",
            (tenant, kind, str(doc["id"]), json.dumps(doc), now, now),
        )
        return doc

    def change(self, kind: str, ident, tenant: str, fn: Callable[[dict], dict | None]) -> tuple[dict, object] | None:
        """Read, change and write one resource in one transaction, so two workers never both act
        on the same state: `fn(doc)` returns what the caller wants back (and may mutate `doc`).
        None when the team has no such resource."""
        with self.db.tx() as db:
            row = db.execute(self._locked_body, (tenant, kind, str(ident))).fetchone()
            if row is None:
                return None
            doc = json.loads(row[0])
            result = fn(doc)
            db.execute(
                "UPDATE docs SET body = ?, updated = ? WHERE tenant = ? AND kind = ? AND id = ?",
                (json.dumps(doc), self.clock(), tenant, kind, str(ident)),
            )
        return doc, result

    def get(self, kind: str, ident, tenant: str) -> dict | None:
        rows = self.db.rows(
            "SELECT body FROM docs WHERE tenant = ? AND kind = ? AND id = ?", (tenant, kind, str(ident))
        )
        return json.loads(rows[0][0]) if rows else None

    def list(self, kind: str, tenant: str, limit: int | None = None, offset: int = 0) -> list[dict]:
        """The team's resources of a kind, oldest first; a page of them with `limit`."""
        sql = "SELECT body FROM docs WHERE tenant = ? AND kind = ? ORDER BY created, id"
        args: tuple = (tenant, kind)
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += (int(limit), int(offset))
        return [json.loads(r[0]) for r in self.db.rows(sql, args)]

    def sequence(self, kind: str, tenant: str) -> StoredList:
        """The team's resources of a kind as a sequence read page by page (a pager slices it)."""
        return StoredList(self, kind, tenant)

    def count(self, kind: str, tenant: str) -> int:
        return self.db.rows("SELECT COUNT(*) FROM docs WHERE tenant = ? AND kind = ?", (tenant, kind))[0][0]

    def delete(self, kind: str, ident, tenant: str) -> bool:
        return (
            self.db.write("DELETE FROM docs WHERE tenant = ? AND kind = ? AND id = ?", (tenant, kind, str(ident))) > 0
        )

    def every_team(self, kind: str) -> list[tuple[str, dict]]:
        """(team, resource) of every team: for events the mock itself raises for everyone."""
        rows = self.db.rows("SELECT tenant, body FROM docs WHERE kind = ? ORDER BY created", (kind,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def next_number(self, name: str) -> int:
        """The next number of a sequence (for the integer ids OFAPI gives some resources); six
        digits from the start, as OFAPI's own ids look."""
        with self.db.tx() as db:
            return db.execute(
                "INSERT INTO counters (name, n) VALUES (?, 100001) ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 "
                "RETURNING n",
                (name,),
            ).fetchone()[0]


class StoredList(Sequence):
    """A team's resources of one kind, oldest first, read from the store only as far as they are
    sliced: a page of a long list costs what the page costs."""

    def __init__(self, docs: Docs, kind: str, tenant: str):
        self._docs, self._kind, self._tenant = docs, kind, tenant
        self._len: int | None = None

    def __len__(self) -> int:
        if self._len is None:
            self._len = self._docs.count(self._kind, self._tenant)
        return self._len

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            if index.step in (None, 1) and start >= 0 and stop is not None and stop >= start:  # no count needed
                return self._docs.list(self._kind, self._tenant, stop - start, start)
            start, stop, step = index.indices(len(self))
            if step != 1:
                return list(self)[index]
            return self._docs.list(self._kind, self._tenant, max(0, stop - start), start)
        found = self._docs.list(self._kind, self._tenant, 1, index if index >= 0 else len(self) + index)
        if not found:
            raise IndexError(index)
        return found[0]
