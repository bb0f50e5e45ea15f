"""Two workers on one store agree on everything OFAPI decides: ids, idempotency, rate limits,
credits, the world after a reset, and webhook deliveries. Each test names the issue's case it
guards (the shared-state issue, cases 1, 9–13); each failed on the per-worker state of 0.1."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from mockserver.testing import running_server

from .conftest import ACCOUNT
from .receivers import recorder

pytestmark = pytest.mark.slow  # real servers

ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
BETA = {"Authorization": "Bearer ofapi_demo_beta"}
FRESH = httpx.Limits(max_keepalive_connections=0)  # a new connection per request: both workers get some


def _client(url: str, headers: dict, **kw) -> httpx.Client:
    return httpx.Client(base_url=url, headers=headers, limits=FRESH, timeout=30, **kw)


def _journal(url: str, headers: dict) -> list[dict]:
    """The team's journal once every worker has written what it buffers (each does at every tick)."""
    time.sleep(0.6)
    with httpx.Client(base_url=url, headers=headers) as c:
        return c.get("/_mock/journal", params={"limit": 1000}).json()["data"]


def _workers(url: str, headers: dict) -> set[int]:
    return {e.get("worker") for e in _journal(url, headers)} - {None}


@contextmanager
def two_workers_up(*args: str):
    """A two-worker server, once both workers answer (the first may answer well before the second)."""
    warm = {"Authorization": "Bearer warm-up"}
    with running_server("--workers", "2", *args) as url:
        deadline = time.monotonic() + 20
        with _client(url, warm) as c, ThreadPoolExecutor(4) as pool:
            while len(_workers(url, warm)) < 2 and time.monotonic() < deadline:
                list(pool.map(lambda _: c.get("/api/whoami"), range(8)))
        yield url


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    store = str(tmp_path_factory.mktemp("shared") / "store.sqlite")
    with two_workers_up("--store", store, "--export-seconds", "0.4") as url:
        yield url


def test_concurrent_creates_by_two_teams_keep_every_write_with_its_owner(two_workers):
    """Case 1: postbacks created at once by two teams on two workers: none lost, none swapped."""
    made: dict[str, list] = {"alpha": [], "beta": []}

    def create(team: str, headers: dict, n: int):
        with _client(two_workers, headers) as c:
            r = c.post(
                "/api/smart-link-postbacks",
                json={
                    "url": f"https://{team}.example/{n}",
                    "conversion_types": ["new_subscriber"],
                    "smart_link_scope": "global",
                },
            )
            assert r.status_code == 200, r.text
            made[team].append(r.json()["data"]["id"])

    with ThreadPoolExecutor(16) as pool:
        for n in range(40):
            pool.submit(create, "alpha", ALPHA, n)
            pool.submit(create, "beta", BETA, n)
    for team, headers in (("alpha", ALPHA), ("beta", BETA)):
        with _client(two_workers, headers) as c:
            listed = c.get("/api/smart-link-postbacks").json()["data"]
        assert sorted(p["id"] for p in listed) == sorted(made[team])
        assert all(p["url"].startswith(f"https://{team}.") for p in listed)
    assert len(_workers(two_workers, ALPHA)) == 2


def test_an_idempotency_key_runs_once_whichever_worker_gets_the_repeat(two_workers):
    """Case 9: the same Idempotency-Key sent again and again: one OnlyFans call, one charge."""
    key, path = {"Idempotency-Key": "order-shared-1"}, f"/api/{ACCOUNT}/chats/123/messages"
    with _client(two_workers, ALPHA) as c:
        first = c.post(path, json={"text": "hi"}, headers=key)
        balance = first.json()["_meta"]["_credits"]["balance"]
        repeats = [c.post(path, json={"text": "hi"}, headers=key) for _ in range(12)]
        after = c.get(path).json()
    assert first.headers["X-Mock-Upstream-Calls"] == "1"
    assert all(r.headers.get("Idempotent-Replayed") == "true" for r in repeats)
    assert sum(int(r.headers["X-Mock-Upstream-Calls"]) for r in repeats) == 0
    assert {r.json()["data"]["id"] for r in repeats} == {first.json()["data"]["id"]}
    # Charged once: the first call paid, no repeat did (each answer says what it took). The balance
    # an answer shows is its worker's view (other workers' unspent credit leases left out).
    assert int(first.headers["X-OFAPI-Credits-Used"]) >= 1
    assert [r.headers["X-OFAPI-Credits-Used"] for r in repeats] == ["0"] * 12
    assert after["_meta"]["_credits"]["used"] == 1 and after["_meta"]["_credits"]["balance"] <= balance - 1
    assert len(_workers(two_workers, ALPHA)) == 2


def test_concurrent_polls_connect_once_and_every_delivery_has_its_own_ids(two_workers):
    """Case 12: six polls at once of each of ten connect attempts: ten `accounts.connected`
    deliveries, each with its own delivery id and event idempotency key."""
    team = {"Authorization": "Bearer polls-team"}
    with recorder() as receiver, _client(two_workers, team) as c:
        c.post(
            "/api/webhooks",
            json={"endpoint_url": receiver.url + "/hook", "events": ["accounts.connected"], "account_scope": "global"},
        )
        attempts = [
            c.post("/api/authenticate", json={"email": "no2fa@example.com", "password": "correct-password"}).json()[
                "attempt_id"
            ]
            for _ in range(10)
        ]
        with ThreadPoolExecutor(12) as pool:
            for attempt in attempts:
                list(pool.map(lambda _, a=attempt: c.get(f"/api/authenticate/{a}"), range(6)))
        got = receiver.wait_for(10, timeout=15)
        threading.Event().wait(1.0)  # time for any duplicate to show up
    assert len(receiver.requests) == 10
    ids = [h["X-OFAPI-Delivery-Id"] for _, h, _ in receiver.requests]
    keys = [h["x-ofapi-idempotency-key"] for _, h, _ in receiver.requests]
    assert len(set(ids)) == 10 and len(set(keys)) == 10
    assert all(json.loads(body)["event"] == "accounts.connected" for _, _, body in got)


def test_a_reset_to_a_new_seed_is_seen_by_every_worker_and_forgets_idempotency(two_workers):
    """Case 11: after `/_mock/reset {"seed": 999}` both workers serve the new world, and an
    idempotency key recorded before the reset runs again."""
    team = {"Authorization": "Bearer reset-team"}
    path = f"/api/{ACCOUNT}/fans/active"
    with _client(two_workers, team) as c:
        old = c.get(path).json()["data"]["list"][0]["id"]
        c.post(f"/api/{ACCOUNT}/chats/7/messages", json={"text": "x"}, headers={"Idempotency-Key": "before-reset"})
        assert httpx.post(f"{two_workers}/_mock/reset", json={"seed": 999}).status_code == 200
        with ThreadPoolExecutor(8) as pool:  # concurrent, so both workers answer some
            firsts = set(pool.map(lambda _: c.get(path).json()["data"]["list"][0]["id"], range(32)))
        again = c.post(
            f"/api/{ACCOUNT}/chats/7/messages", json={"text": "x"}, headers={"Idempotency-Key": "before-reset"}
        )
        journal = _journal(two_workers, team)
        httpx.post(f"{two_workers}/_mock/reset", json={"seed": 4010})
    assert len(firsts) == 1 and old not in firsts
    assert again.headers.get("Idempotent-Replayed") is None and again.headers["X-Mock-Upstream-Calls"] == "1"
    assert len({e.get("worker") for e in journal if e["path"] == path} - {None}) == 2


def test_the_rate_limit_is_one_window_across_workers(tmp_path):
    """Case 10: `--rate-limit 10`, 40 requests over two workers: exactly 10 answered."""
    with two_workers_up("--store", str(tmp_path / "s.sqlite"), "--rate-limit", "10") as url:
        with _client(url, ALPHA) as c, ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: c.get(f"/api/{ACCOUNT}/me").status_code, range(40)))
        workers = _workers(url, ALPHA)
    assert statuses.count(200) == 10 and statuses.count(429) == 30
    assert len(workers) == 2


def test_credits_are_checked_and_taken_at_once_across_workers(tmp_path):
    """Case 13: with 20 credits, 40 concurrent calls over two workers: 20 answered, 20 get 402,
    nothing served free; a search costs one credit per profile it returns."""
    with two_workers_up("--store", str(tmp_path / "c.sqlite"), "--credits", "20") as url:
        with _client(url, ALPHA) as c:
            search = c.get("/api/search", params={"limit": 2})
            profiles = len(search.json()["data"])
            assert search.json()["_meta"]["_credits"]["used"] == profiles == 2
            with ThreadPoolExecutor(10) as pool:
                answers = list(pool.map(lambda _: c.get(f"/api/{ACCOUNT}/me"), range(40)))
            balance = c.get("/api/whoami")  # free
            left = c.get("/api/smart-links").json()["_meta"]["_credits"]["balance"]
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 18 and sum(r.status_code == 402 for r in answers) == 22
    assert all(r.headers["X-OFAPI-Credits-Used"] == "1" for r in ok)
    assert balance.status_code == 200 and left == 0
