"""The store file check `serve --store` and `reset --store` run first: one line naming the
file for each way a path can be unusable, None for a usable one."""

import os
import sqlite3

import pytest

from mockserver.store import check
from mockserver.store.check import check_store


def _store(path):
    """A healthy SQLite file in WAL mode, as a store is (its tables do not matter to the check)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, at REAL, kind TEXT, body TEXT)")
    conn.commit()
    conn.close()
    return path


def test_a_url_is_not_a_file(tmp_path):
    assert check_store("postgresql://user@localhost/ofapi") is None


def test_a_new_file_in_an_existing_directory_is_fine(tmp_path):
    assert check_store(tmp_path / "store.sqlite") is None


def test_a_healthy_store_is_fine(tmp_path):
    assert check_store(_store(tmp_path / "store.sqlite")) is None
    assert check_store(_store(tmp_path / "store.sqlite"), must_exist=True) is None


def test_an_empty_file_is_fine(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    assert check_store(tmp_path / "empty.db") is None


def test_a_directory(tmp_path):
    assert check_store(tmp_path) == (
        f"{tmp_path}: is a directory; give the path of a store file inside it (e.g. {tmp_path / 'store.sqlite'})"
    )


def test_a_missing_parent_directory(tmp_path):
    path = tmp_path / "nope" / "store.sqlite"
    assert check_store(path) == f"{path}: directory {tmp_path / 'nope'} does not exist"


def test_a_parent_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    path = tmp_path / "file" / "store.sqlite"
    assert check_store(path) == f"{path}: {tmp_path / 'file'} is not a directory"


def test_a_missing_file_when_it_must_exist(tmp_path):
    path = tmp_path / "typo.db"
    assert check_store(path, must_exist=True) == f"{path}: no such store file"
    assert not path.exists()


def test_not_an_sqlite_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database\n")
    assert check_store(path) == f"{path}: is not an SQLite database (not a store file written by ofapi-mock)"


def test_a_damaged_sqlite_file(tmp_path):
    path = _store(tmp_path / "store.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.executemany("INSERT INTO journal (at, kind, body) VALUES (0, 'request', ?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    raw = bytearray(path.read_bytes())
    raw[4096 * 2 : 4096 * 4] = b"\xff" * 8192  # overwrite two pages in the middle
    path.write_bytes(bytes(raw))
    problem = check_store(path)
    assert problem is not None and problem.startswith(f"{path}: damaged SQLite database ("), problem
    assert "\n" not in problem
    assert path.read_bytes() == bytes(raw)  # the check only reads


def test_an_unreadable_or_unwritable_file(tmp_path, monkeypatch):
    path = _store(tmp_path / "store.sqlite")
    monkeypatch.setattr(check.os, "access", lambda p, mode: False)  # as root, chmod would not stop us
    assert check_store(path) == f"{path}: cannot be read and written (permission denied)"


def test_an_unwritable_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(check.os, "access", lambda p, mode: False)
    path = tmp_path / "store.sqlite"
    assert check_store(path) == f"{path}: cannot be created, directory {tmp_path} is not writable"


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root reads and writes any file whatever its mode (test_an_unreadable_or_unwritable_file covers the check)",
)
def test_a_file_without_permissions(tmp_path):
    path = _store(tmp_path / "store.sqlite")
    path.chmod(0)
    assert check_store(path) == f"{path}: cannot be read and written (permission denied)"
