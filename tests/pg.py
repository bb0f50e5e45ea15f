"""The test session's PostgreSQL: one temporary server (Debian's binaries, started in a temporary
directory), shared by every test that needs one; each test takes a fresh schema or database.
Skipped, with the reason, only where PostgreSQL is not installed (`.ci/run` installs it)."""

from __future__ import annotations

import itertools
import os

import pytest

from mockserver.temporary_postgres import TemporaryPostgres, missing

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres():
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(reason)
    with TemporaryPostgres() as server:
        yield server


def fresh_schema(server: TemporaryPostgres, database: str = "postgres") -> str:
    """The URL of a new, empty schema (as the connections' search path)."""
    name = f"s{os.getpid()}_{next(_names)}"
    server.execute(f"CREATE SCHEMA {name}", database)
    return server.url(database, options=f"-c search_path={name}")


def fresh_database(server: TemporaryPostgres, prefix: str = "db") -> str:
    return server.create_database(f"{prefix}{os.getpid()}_{next(_names)}")
