"""What only the PostgreSQL backend has: a server to reach. A store that cannot be used is one
line naming it (password hidden) and exit status 2; a connection that drops while serving is a
503, never a 500, and the pool recovers by itself. (Everything else is `test_store.py`, run on
both backends.)"""

from __future__ import annotations

import time

import pytest

from mockserver import cli
from mockserver.app import create_app
from mockserver.onlyfans.world import load_fixtures
from mockserver.settings import Settings
from mockserver.store import postgres as backend
from mockserver.store.backend import StoreError, StoreUnavailable, open_backend
from mockserver.store.store import Store
from mockserver.testing import free_port

from .conftest import ACCOUNT
from .pg import fresh_database

pytestmark = pytest.mark.slow  # a real PostgreSQL server
ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
LINK_BODY = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "x"}


def test_placeholders_are_translated_outside_string_literals_only():
    assert backend.translate("SELECT '?', x FROM t WHERE a = ? AND b LIKE '5%'") == (
        "SELECT '?', x FROM t WHERE a = %s AND b LIKE '5%%'"
    )


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://bob:s3cret@db:5432/mock", "postgresql://bob:***@db:5432/mock"),
        ("postgresql://bob@db/mock?password=s3cret&sslmode=require", "postgresql://bob@db/mock?password=***&sslmode=require"),
        ("postgres://db/mock", "postgres://db/mock"),
        ("postgresql://bob:s3cret@[bad/x", "postgresql://bob:***@[bad/x"),
    ],
)  # fmt: skip
def test_a_location_never_shows_the_password(url, shown):
    assert backend.hide_password(url) == shown


def _serve_error(capsys, *args) -> tuple[int, str]:
    code = cli.main(["serve", "--port", str(free_port()), *args])
    err = capsys.readouterr().err.strip()
    assert "\n" not in err, err  # one line
    return code, err


def test_a_store_that_cannot_be_used_is_one_line_and_exit_2(postgres, capsys, monkeypatch):
    wrong = postgres.url(password="not-the-password")
    code, err = _serve_error(capsys, "--store", wrong)
    assert code == 2 and "password authentication failed" in err
    assert "not-the-password" not in err and f"127.0.0.1:{postgres.port}" in err and "***" in err

    code, err = _serve_error(capsys, "--store", postgres.url("no_such_database"))
    assert code == 2 and 'database "no_such_database" does not exist' in err and "ofapi-secret" not in err

    code, err = _serve_error(capsys, "--store", f"postgresql://u:pw@127.0.0.1:{free_port()}/x")
    assert code == 2 and "refused" in err.lower() and "pw@" not in err

    code, err = _serve_error(capsys, "--store", "postgresql://u:pw@127.0.0.1:notaport/x")
    assert code == 2 and '"notaport"' in err and ":pw@" not in err

    monkeypatch.setenv("OFAPI_MOCK_STORE", wrong)  # the environment names the store when --store does not
    code, err = _serve_error(capsys)
    assert code == 2 and "password authentication failed" in err


def test_reset_empties_a_postgresql_store(postgres, capsys):
    url = fresh_database(postgres, "reset")
    store = Store(Settings(store_path=url), load_fixtures())
    store.docs.insert("thing", {"id": "a"}, "t1")
    store.close()
    assert cli.main(["reset", "--store", url]) == 0
    assert "***" in capsys.readouterr().out
    store = Store(Settings(store_path=url), load_fixtures())
    assert store.docs.get("thing", "a", "t1") is None and store.state().generation == 1
    store.close()


def _drop_connections(server, database: str) -> int:
    rows = server.execute(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' "
        "AND pid <> pg_backend_pid()"
    )
    return len(rows)


def test_a_connection_dropped_mid_transaction_is_store_unavailable_then_recovers(postgres):
    url = fresh_database(postgres, "drop")
    database = url.rsplit("/", 1)[1]
    db = open_backend(url)
    try:
        with db.tx() as conn:
            conn.execute("CREATE TABLE t (n BIGINT)")
        with pytest.raises(StoreUnavailable, match=r"\*\*\*"):
            with db.tx() as conn:
                conn.execute("INSERT INTO t VALUES (1)")
                assert _drop_connections(postgres, database) >= 1
                conn.execute("INSERT INTO t VALUES (2)")
        assert db.rows("SELECT COUNT(*) FROM t") == [(0,)]  # nothing of it committed; the pool recovered
        assert _drop_connections(postgres, database) >= 1  # idle connections that went away are replaced unseen
        with db.tx() as conn:
            conn.execute("INSERT INTO t VALUES (3)")
        assert db.rows("SELECT n FROM t") == [(3,)]
    finally:
        db.close()


def test_a_store_outage_while_serving_is_503_and_the_server_recovers(postgres, monkeypatch):
    """The mock's login is refused and its connections dropped (the server restarting, say):
    requests answer 503 with a JSON error, never 500; once it is back, they succeed again."""
    name = fresh_database(postgres, "outage").rsplit("/", 1)[1]
    postgres.execute(
        "DO $$ BEGIN CREATE ROLE mock LOGIN PASSWORD 'mockpw'; EXCEPTION WHEN duplicate_object THEN END $$"
    )
    postgres.execute(f'ALTER DATABASE "{name}" OWNER TO mock')
    monkeypatch.setattr(backend, "WAIT_SECONDS", 1.0)
    app = create_app(Settings(store_path=postgres.url(name, user="mock", password="mockpw")))
    try:
        with app.test_client() as client:
            assert client.get(f"/api/{ACCOUNT}/fans/active", headers=ALPHA).status_code == 200
            postgres.execute("ALTER ROLE mock NOLOGIN")
            _drop_connections(postgres, name)
            link = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "x"}
            r = client.post("/api/smart-links", headers=ALPHA, json=link)
            assert r.status_code == 503, r.text
            assert "unavailable" in r.json()["error"] and "mockpw" not in r.text
            postgres.execute("ALTER ROLE mock LOGIN")
            deadline, status = time.monotonic() + 30, None
            while time.monotonic() < deadline and status != 200:
                status = client.get(f"/api/{ACCOUNT}/fans/active", headers=ALPHA).status_code
                assert status in (200, 503)
                time.sleep(0.2)
            assert status == 200
    finally:
        postgres.execute("ALTER ROLE mock LOGIN")
        app.ofapi.store.dispatcher.stop()
        app.ofapi.store.close()


@pytest.mark.parametrize("url", ["postgresql://u:secret@h/x?nonsense=1", "postgresql://u:secret@[bad/x"])
def test_a_url_that_is_not_postgresql_is_refused_clearly(url):
    with pytest.raises(StoreError, match="not a usable PostgreSQL URL") as err:
        open_backend(url)
    assert "secret" not in str(err.value) and "u:***@" in str(err.value)


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_a_nul_character_in_input_is_a_422_on_both_backends(backend_name, request, tmp_path):
    """PostgreSQL cannot store a NUL in text (SQLite can): input that has one is refused up front,
    naming the field, on either backend, and nothing is stored."""
    if backend_name == "sqlite":
        location = str(tmp_path / "store.sqlite")
    else:
        location = fresh_database(request.getfixturevalue("postgres"), "nul")
    app = create_app(Settings(store_path=location))
    try:
        with app.test_client() as client:
            probes = [
                ("GET", "/api/smart-links/a%00b", None, "smart_link_id"),
                ("GET", "/api/acct_%00x/me", None, "account"),
                ("GET", f"/api/{ACCOUNT}/media/upload/ab%00cd/status", None, "upload"),
                ("POST", f"/api/{ACCOUNT}/tracking-links/123/tags", {"tags": ["x\u0000y"]}, "tags.0"),
                ("POST", "/api/smart-links", {**LINK_BODY, "name": "a\u0000b"}, "name"),
            ]
            for method, path, body, field in probes:
                r = client.request(method, path, json=body, headers=ALPHA)
                assert r.status_code == 422, (path, r.status_code, r.text)
                assert "NUL" in r.json()["errors"][field][0], r.text
            assert client.get("/api/smart-links", headers=ALPHA).json()["data"] == []
            assert client.get(f"/api/{ACCOUNT}/tracking-links/123", headers=ALPHA).status_code in (200, 404)
    finally:
        app.ofapi.store.dispatcher.stop()
        app.ofapi.store.close()


def test_the_mock_never_shows_the_store_password(postgres):
    url = fresh_database(postgres, "info")
    app = create_app(Settings(store_path=url))
    try:
        with app.test_client() as client:
            info = client.get("/_mock/info").json()
        assert info["store"] == url.replace(":ofapi-secret@", ":***@")
    finally:
        app.ofapi.store.dispatcher.stop()
        app.ofapi.store.close()
