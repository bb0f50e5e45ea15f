"""Unit and property tests of OFAPI's rules: enrichment plumbing, credits, rate limits."""

import copy
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from mockserver.ofapi.credits import file_cost
from mockserver.ofapi.enrich import update_at
from mockserver.ofapi.limits import RateLimiter
from mockserver.store.db import Database
from mockserver.store.store import Store


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


@given(st.integers(min_value=0, max_value=50), st.lists(st.integers(min_value=0, max_value=7), max_size=40))
def test_credits_never_go_negative_and_add_up(start, debits):
    store = Store(Database(), None, SimpleNamespace(fixtures={}), start, settings=None)
    used_total = 0
    for amount in debits:
        used, balance = store.debit("k", amount)
        assert 0 <= used <= amount and balance >= 0
        used_total += used
        assert balance == start - used_total
    assert store.balance("k") == start - used_total


def test_rate_limit_windows_are_per_key_and_per_minute():
    now = [120.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.hit("a")[0] == 1
    assert limiter.hit("a")[0] == 0
    assert limiter.hit("a")[0] == -1  # over
    assert limiter.hit("b")[0] == 1  # another key
    assert limiter.hit("a", count=False)[0] == -1  # a cached answer is not counted
    now[0] = 181.0  # next minute
    assert limiter.hit("a") == (1, 59)


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
    ):
        assert not is_http_url(bad), bad
