"""SQLite, the embedded default: a file shared by every worker of one machine (WAL journal,
one immediate transaction per write), or, when no file is named, a private temporary file
that goes away with the process (so even the default store lives on disk, not in memory).

A write commits before the response is sent; `synchronous=NORMAL` in WAL mode survives the
process being killed (not a power loss, which a mock need not survive).

Writers take turns on `<store>-writers` (flock) before they ask for SQLite's lock: the kernel
wakes a waiting worker the moment the one ahead is done, where SQLite's busy handler sleeps 1 ms
and more between tries (a write holds the lock ~50 us; under load one in a hundred waited a
millisecond or two). A commit only appends to the WAL: copying the WAL into the file (and its
fsync, milliseconds) is `checkpoint()`, which each worker's background tick calls on a
connection of its own. SQLite's own checkpoint, run inside the COMMIT that crosses its mark, is
left as a backstop.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .backend import StoreError, StoreUnavailable

CHECKPOINT_BACKSTOP_PAGES = 10_000  # ~40 MB of WAL: a commit checkpoints only if no tick has


class SQLiteBackend:
    dialect = "sqlite"
    for_update = skip_locked = ""  # every write transaction holds the whole file: no row locks to ask for

    def __init__(self, path: str | None = None):
        self._private = path is None
        if path is None:
            folder = tempfile.mkdtemp(prefix="ofapi-mock-")
            path = os.path.join(folder, "store.sqlite")
            atexit.register(shutil.rmtree, folder, True)
        self.path = self.location = path
        self._lock = threading.RLock()  # one connection; the transaction depth is per holder of the lock
        self._depth = 0
        self._conn = _connect(path)
        self._conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP_PAGES}")
        try:
            self._writers = os.open(path + "-writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            self._conn.close()
            raise StoreError(f"the store {path} cannot be used: {path}-writers ({exc.strerror})") from None
        self._identity = _identity(path)
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoint_lock = threading.Lock()

    @contextmanager
    def tx(self, alone: bool = False):
        """One write transaction (BEGIN IMMEDIATE: other workers wait instead of failing). A
        `tx()` inside another joins it, so several changes can commit (or fail) together. Every
        write transaction runs alone on SQLite (`alone` is for PostgreSQL)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._still_there()
            with self._turn():
                self._conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                else:
                    self._conn.execute("COMMIT")
                finally:
                    self._depth = 0

    def write(self, sql: str, args=()) -> int:
        """One statement in a transaction of its own (SQLite's implicit one: a single call where
        `tx()` makes three), or part of the `tx()` under way. How many rows it changed."""
        with self._lock:
            if self._depth:
                return self._conn.execute(sql, args).rowcount
            self._still_there()
            with self._turn():
                return self._conn.execute(sql, args).rowcount

    @contextmanager
    def _turn(self):
        """This worker's turn to write (its threads take turns on `_lock` already)."""
        fcntl.flock(self._writers, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._writers, fcntl.LOCK_UN)

    def _still_there(self) -> None:
        if _identity(self.path) != self._identity:
            raise StoreUnavailable(
                f"the store file {self.path} was deleted or replaced while serving; restart the server"
            )

    def rows(self, sql: str, args=()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def exclusive(self, db, name: str) -> None:
        """Nothing to do: a write transaction already excludes every other one."""

    def checkpoint(self) -> None:
        """Copy the WAL into the database file (PASSIVE: writers and readers go on meanwhile;
        another worker's checkpoint under way makes this one a no-op)."""
        with self._checkpoint_lock:
            try:
                if self._checkpointer is None:
                    self._checkpointer = sqlite3.connect(  # never creates a file where the store was
                        Path(self.path).absolute().as_uri() + "?mode=rw", uri=True, check_same_thread=False
                    )
                self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.OperationalError:  # busy: another connection is checkpointing
                pass

    def close(self) -> None:
        with self._checkpoint_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
        with self._lock:
            self._conn.close()
            os.close(self._writers)
        if self._private:
            shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _connect(path: str) -> sqlite3.Connection:
    """Open and check the file; every problem is one StoreError naming it."""
    if os.path.isdir(path):
        raise StoreError(f"the store {path} is a directory; name a file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise StoreError(f"the store {path} cannot be created: the directory {folder} does not exist")
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"the store {path} is not readable and writable by this user")
    if not os.path.exists(path) and not os.access(folder, os.W_OK):
        raise StoreError(f"the store {path} cannot be created: the directory {folder} is not writable")
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=30000")
        _with_retries(conn, "PRAGMA journal_mode=WAL")  # several workers opening a new file at once
        conn.execute("PRAGMA synchronous=NORMAL")
        check = _with_retries(conn, "PRAGMA quick_check")[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the store {path} is not a usable SQLite database ({exc})") from None
    if check != "ok":
        conn.close()
        raise StoreError(f"the store {path} is corrupt (integrity check: {check})")
    return conn


def _with_retries(conn: sqlite3.Connection, sql: str, seconds: float = 30.0):
    """Run a set-up statement, waiting while another connection holds the file: switching to
    WAL takes a lock that SQLite reports busy at once, without its busy handler."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return conn.execute(sql).fetchone()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
