"""Unit and property tests of OFAPI's rules: enrichment plumbing, credits, rate limits."""

import copy
import threading

from hypothesis import given
from hypothesis import strategies as st

from mockserver.ofapi.credits import file_cost
from mockserver.ofapi.enrich import update_at
from mockserver.store.balances import Balances
from mockserver.store.schema import migrate
from mockserver.store.sqlite import SQLiteBackend
from mockserver.store.windows import RateWindows


def test_update_at_sets_fields_on_copies_along_the_path_only():
    shared = {"id": 1}
    data = {"list": [{"id": 2, "user": shared}, {"id": 3}], "hasMore": True}
    before = copy.deepcopy(data)
    out = update_at(data, "list[]", lambda obj: {"seen": obj["id"]})
    assert data == before  # the input (a shared render cache) is untouched
    assert [o["seen"] for o in out["list"]] == [2, 3]
    assert out["list"][0]["user"] is shared


def test_update_at_paths():
    assert update_at([{"a": {}}], "[].a", lambda o: {"x": 1}) == [{"a": {"x": 1}}]
    assert update_at({"a": 1}, "", lambda o: {"b": 2}) == {"a": 1, "b": 2}
    assert update_at({"list": None}, "list[]", lambda o: {"b": 2}) == {"list": None}


@given(st.integers(min_value=0, max_value=10**9))
def test_file_cost_is_three_credits_per_mb_at_least_one(size):
    cost = file_cost(size)
    assert cost >= 1
    assert cost == max(1, -(-size * 3 // 1_000_000))


def _db():
    db = SQLiteBackend(None)
    migrate(db)
    return db


@given(st.integers(min_value=0, max_value=50), st.lists(st.integers(min_value=0, max_value=7), max_size=40))
def test_credits_never_go_negative_and_add_up(start, debits):
    balances = Balances(_db(), start)
    used_total = 0
    for amount in debits:
        used, balance = balances.settle("team", 0, amount, ("op", ""))
        assert 0 <= used <= amount and balance >= 0
        used_total += used
        assert balance == start - used_total
    assert balances.balance("team") == start - used_total


@given(st.integers(min_value=0, max_value=20), st.lists(st.integers(min_value=1, max_value=5), max_size=30))
def test_a_reservation_is_all_or_nothing(start, amounts):
    db = _db()
    balances = Balances(db, start)
    left = start
    for amount in amounts:
        with db.tx() as conn:
            after = balances.reserve(conn, "team", amount, ("op", ""))
        if amount <= left:
            left -= amount
            assert after == left
        else:
            assert after is None  # nothing taken
    assert balances.balance("team") == left


def test_concurrent_reservations_never_overspend(tmp_path):
    """Two workers (two connections to one file) race for the last credits: each credit is spent once."""
    path = str(tmp_path / "race.sqlite")
    first = SQLiteBackend(path)
    migrate(first)
    workers = [Balances(first, 50), Balances(SQLiteBackend(path), 50)]
    won = []

    def spend(balances):
        for _ in range(60):
            with balances.db.tx() as conn:
                if balances.reserve(conn, "team", 1, ("op", "")) is not None:
                    won.append(1)

    threads = [threading.Thread(target=spend, args=(b,)) for b in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 50 and workers[0].balance("team") == 0


def test_rate_limit_windows_are_per_key_and_per_minute():
    db = _db()
    windows = RateWindows(db)
    with db.tx() as conn:
        assert [windows.hit(conn, "a", 2) for _ in range(3)] == [1, 2, 3]
        assert windows.hit(conn, "b", 2) == 1  # another key
        assert windows.hit(conn, "a", 3) == 1  # next minute
    assert windows.used("a", 2) == 3  # a cached answer reads the count without adding to it


def test_callback_urls_must_be_plain_http_urls():
    from mockserver.store.actions import is_http_url

    assert is_http_url("https://hooks.example.com/x?a=1") and is_http_url("http://127.0.0.1:9000/hook")
    for bad in (
        "file:///etc/passwd",
        "https://\u00ff\u00fb/x",
        "https://a b.com/",
        "ftp://x.com",
        "https://",
        5,
        "https://x.com:99999/",
        "https://x.com/\r\nX: y",
        "http://[x/",  # an unbalanced IPv6 bracket (urlsplit raises)
    ):
        assert not is_http_url(bad), bad
