"""The store's database, behind one small interface with one implementation per engine.

Every query in the store is written once, in the SQL both engines speak (`?` placeholders,
`INSERT … ON CONFLICT`, `RETURNING`); a backend runs it. `tx()` is one write transaction that
other workers and instances wait for (never fail on); `rows()` is a read. Which engine serves a
store is chosen by its location: a path (or nothing) is SQLite, `postgresql://…` PostgreSQL.

SQLite's write transactions exclude each other; PostgreSQL's only lock the rows they touch. So a
transaction that reads rows and then changes them on what it read appends `backend.for_update`
to that SELECT, one that claims queued work appends `backend.skip_locked` (work another
instance is claiming is passed over), and `backend.exclusive(db, name)` makes transactions
that must not overlap take turns. All three cost nothing on SQLite. A transaction that touches
every table (a reset) asks for `tx(alone=True)`: no other write transaction runs beside it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol


class StoreError(Exception):
    """The store cannot be used: one line naming the location and what is wrong with it."""


class StoreUnavailable(StoreError):
    """The store went away while serving (its file deleted or replaced): writes must fail loudly."""


class Conn(Protocol):
    def execute(self, sql: str, args: tuple | list = ()) -> Any: ...  # a cursor: fetchone/fetchall/rowcount

    def executemany(self, sql: str, rows: list) -> Any: ...


class Backend(Protocol):
    dialect: str  # "sqlite" | "postgresql"
    location: str  # what the user named (a path, a URL with the password hidden)
    for_update: str  # "" | " FOR UPDATE"
    skip_locked: str  # "" | " FOR UPDATE SKIP LOCKED"

    def tx(self, alone: bool = False) -> AbstractContextManager[Conn]: ...  # alone: no other writer beside it

    def write(self, sql: str, args: tuple | list = ()) -> int: ...  # one statement, committed (or in the tx)

    def rows(self, sql: str, args: tuple | list = ()) -> list: ...

    def exclusive(self, db: Conn, name: str) -> None: ...

    def checkpoint(self) -> None: ...  # background upkeep, off the request path

    def close(self) -> None: ...


def open_backend(location: str | None) -> Backend:
    """The backend for a store location (see the module docstring)."""
    if location and location.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresBackend

        return PostgresBackend(location)
    from .sqlite import SQLiteBackend

    return SQLiteBackend(location)
