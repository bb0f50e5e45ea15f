"""Is this path usable as a store file? One line naming the file and what is wrong, or None.

Called before the server opens a store (`serve --store`, `reset --store`), so a typo or a
wrong file is a clear message instead of SQLite's "unable to open database file" deep inside
a worker's traceback. It only reads: a missing file is created later by the store itself.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def check_store(path: str | os.PathLike, must_exist: bool = False) -> str | None:
    """None when `path` is an existing, healthy SQLite file or (unless `must_exist`) a file that
    can be created; otherwise one line naming the file. A URL (`postgresql://…`) is not a file:
    its server is the store's to check."""
    if "://" in str(path):
        return None
    path = Path(path)
    if path.is_dir():
        return f"{path}: is a directory; give the path of a store file inside it (e.g. {path / 'store.sqlite'})"
    if not path.exists():
        return _new_file(path, must_exist)
    if not os.access(path, os.R_OK | os.W_OK):
        return f"{path}: cannot be read and written (permission denied)"
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror})"
    if header and header != SQLITE_HEADER:
        return f"{path}: is not an SQLite database (not a store file written by ofapi-mock)"
    if not header:
        return None  # an empty file: SQLite makes it a new database
    return _integrity(path)


def _new_file(path: Path, must_exist: bool) -> str | None:
    parent = path.parent
    if must_exist:
        return f"{path}: no such store file"
    if not parent.exists():
        return f"{path}: directory {parent} does not exist"
    if not parent.is_dir():
        return f"{path}: {parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{path}: cannot be created, directory {parent} is not writable"
    return None


def _integrity(path: Path) -> str | None:
    """SQLite's own `quick_check`, read-only (the file is not changed)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"{path}: damaged SQLite database ({' '.join(str(exc).split())})"
    if rows != [("ok",)]:
        first = " ".join(str(rows[0][0]).split())  # SQLite's report spans lines: the first finding, on one
        return f"{path}: damaged SQLite database (quick_check: {first[:120]})"
    return None
