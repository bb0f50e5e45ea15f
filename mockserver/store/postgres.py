"""PostgreSQL, for several instances on one store (`--store postgresql://user:pass@host:port/db`):
each process keeps a small pool of connections (psycopg 3), and a transaction holds one of them
from BEGIN to COMMIT, per thread (a `tx()` inside another joins it, and reads inside it see its
writes, as with SQLite).

The store's SQL is written once with `?` placeholders; each string is translated to psycopg's
`%s` once (cached). Where SQLite serialises writers (BEGIN IMMEDIATE), PostgreSQL locks rows:
`for_update`, `skip_locked` and `exclusive` are the hooks the store's read-modify-write queries
use (they are empty on SQLite).

Commits do not wait for the disk flush (`synchronous_commit = off`, per session): a write the
mock acknowledged survives any of its instances being killed, and a crash of the PostgreSQL
server itself loses at most its last fraction of a second, like SQLite's WAL `NORMAL` mode.
A connection that drops while serving is one 503 (`StoreUnavailable`), not a 500; the pool then
opens fresh ones, and a connection found dead before any work is done is replaced silently.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from .backend import StoreError, StoreUnavailable

POOL_SIZE = 8  # connections per process at most (threads beyond it wait for one)
WAIT_SECONDS = 15.0  # how long a request waits for a connection before it answers 503
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise
# Every write transaction holds this advisory lock shared, a transaction that must run alone (a
# reset, which deletes from every table) holds it exclusively: otherwise a reset and a request
# could each hold rows the other waits for. Taken with BEGIN, in the same round trip.
WRITERS = 4011
BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock_shared({WRITERS})"
BEGIN_ALONE = f"BEGIN; SELECT pg_advisory_xact_lock({WRITERS})"


def hide_password(url: str) -> str:
    """The URL as messages may show it: its password (in user-info or query) replaced. Works on
    malformed URLs too (they are shown in the error that says so)."""
    url = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*):[^@]*@", r"\1:***@", url)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)


def _password(url: str) -> str | None:
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:([^@]*)@", url) or re.search(r"[?&]password=([^&#]*)", url)
    return unquote(match.group(1)) if match and match.group(1) else None


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """`?` placeholders (outside string literals) to `%s`; a literal `%` doubled."""
    out, quoted = [], False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        out.append("%%" if ch == "%" else "%s" if ch == "?" and not quoted else ch)
    return "".join(out)


def _reason(exc: BaseException, url: str) -> str:
    """libpq's message on one line, without what the location already says (nor the password)."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
    text = re.sub(r"^(connection failed|connection is bad): ", "", text)
    text = re.sub(r"connection to server (at|on) .*?(, port \d+)? failed: ", "", text)
    text = re.sub(r"FATAL:\s+", "", text).replace(url, hide_password(url))
    password = _password(url)
    return text.replace(password, "***") if password else text


def _configure(conn: psycopg.Connection) -> None:
    conn.execute("SET synchronous_commit = off")


class _Conn:
    """A connection inside a transaction, speaking the store's SQL."""

    __slots__ = ("raw", "backend")

    def __init__(self, raw: psycopg.Connection, backend: PostgresBackend):
        self.raw, self.backend = raw, backend

    def execute(self, sql: str, args=()):
        try:
            return self.raw.execute(translate(sql), args)
        except psycopg.OperationalError as exc:
            raise self.backend.unavailable(exc) from exc

    def executemany(self, sql: str, rows):
        cur = self.raw.cursor()
        try:
            cur.executemany(translate(sql), rows)
        except psycopg.OperationalError as exc:
            raise self.backend.unavailable(exc) from exc
        return cur


class PostgresBackend:
    dialect = "postgresql"
    for_update = " FOR UPDATE"  # after a SELECT whose rows this transaction then changes
    skip_locked = " FOR UPDATE SKIP LOCKED"  # after a SELECT that claims work another instance may be claiming

    def __init__(self, url: str):
        self.location = hide_password(url)
        self._url = url
        try:
            params = conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise StoreError(
                f"the store {self.location} is not a usable PostgreSQL URL ({_reason(exc, self._url)})"
            ) from None
        kwargs = {"autocommit": True}  # transactions are explicit: BEGIN in tx(), nothing around reads
        if "connect_timeout" not in params:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT
        try:  # once, directly, so that what is wrong (no server, bad login, no database) can be said
            psycopg.connect(url, **kwargs).close()
        except psycopg.Error as exc:
            raise StoreError(f"the store {self.location} cannot be used: {_reason(exc, self._url)}") from None
        self._pool = ConnectionPool(
            url,
            kwargs=kwargs,
            min_size=1,
            max_size=POOL_SIZE,
            configure=_configure,
            timeout=WAIT_SECONDS,
            open=True,
            name="ofapi-mock-store",
        )
        self._local = threading.local()

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        if isinstance(exc, PoolTimeout):
            busy = self._pool.get_stats().get("pool_size", 0)
            why = f"all {busy} connections stayed busy" if busy else "no connection could be opened"
            return StoreUnavailable(f"{self.location}: {why} for {WAIT_SECONDS:g} s; try again")
        if str(getattr(exc, "sqlstate", "") or "").startswith("40"):  # a deadlock, a serialization failure
            return StoreUnavailable(f"{self.location} broke off a transaction ({_reason(exc, self._url)}); try again")
        return StoreUnavailable(f"cannot reach {self.location} ({_reason(exc, self._url)}); try again")

    # -- connections -------------------------------------------------------------------------
    def _getconn(self) -> psycopg.Connection:
        try:
            return self._pool.getconn()
        except (PoolTimeout, PoolClosed) as exc:
            raise self.unavailable(exc) from exc

    def _first(self, sql: str, args):
        """Run the first statement on a pooled connection: (connection, cursor). A connection that
        went away while idle (the server restarted) is dropped and the next one tried."""
        for attempt in range(POOL_SIZE + 1):
            conn = self._getconn()
            try:
                return conn, conn.execute(sql, args)
            except psycopg.OperationalError as exc:
                self._pool.putconn(conn)
                if not conn.broken or attempt == POOL_SIZE:
                    raise self.unavailable(exc) from exc
            except BaseException:
                self._pool.putconn(conn)
                raise
        raise AssertionError("unreachable")

    # -- the interface -------------------------------------------------------------------------
    @contextmanager
    def tx(self, alone: bool = False):
        """One write transaction; a `tx()` inside another (same thread) joins it. `alone`: no
        other write transaction of any instance runs beside it (it waits for those running)."""
        local = self._local
        if getattr(local, "conn", None) is not None:
            if alone:
                local.conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITERS,))
            local.depth += 1
            try:
                yield local.conn
            finally:
                local.depth -= 1
            return
        raw, _ = self._first(BEGIN_ALONE if alone else BEGIN, None)
        local.conn, local.depth = _Conn(raw, self), 1
        try:
            yield local.conn
        except BaseException:
            try:
                raw.execute("ROLLBACK")
            except psycopg.Error:
                pass  # a broken connection: the pool drops it
            raise
        else:
            try:
                raw.execute("COMMIT")
            except psycopg.OperationalError as exc:
                raise self.unavailable(exc) from exc
        finally:
            local.conn = None
            local.depth = 0
            self._pool.putconn(raw)

    def write(self, sql: str, args=()) -> int:
        """One statement in a transaction of its own (under the writers' shared lock, as every
        write is), or part of this thread's. How many rows it changed."""
        with self.tx() as db:
            return db.execute(sql, args).rowcount

    def rows(self, sql: str, args=()) -> list:
        """A read: inside this thread's transaction when there is one (it sees its writes)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn.execute(sql, args).fetchall()
        raw, cur = self._first(translate(sql), args)
        try:
            return cur.fetchall()
        finally:
            self._pool.putconn(raw)

    def exclusive(self, db, name: str) -> None:
        """Inside a transaction: hold `name` until it ends; another instance's transaction that
        asks for it waits (SQLite's write transactions are already exclusive)."""
        db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (name,))

    def checkpoint(self) -> None:
        """Nothing to do: the server writes its own checkpoints."""

    def close(self) -> None:
        self._pool.close()
