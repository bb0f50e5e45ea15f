"""Several instances on one PostgreSQL store agree on everything OFAPI decides: what one
instance wrote the other reads, an Idempotency-Key is one key across them, credits are never
overspent, a reset is seen by all, each webhook event is delivered once, an export moves on
whichever instance looks at it, and a write acknowledged by an instance that is then killed is
kept. Each pair starts at once on a new database (the schema is created once, safely)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from mockserver.testing import start_server, stop

from .conftest import ACCOUNT
from .pg import fresh_database
from .receivers import recorder

pytestmark = pytest.mark.slow  # real servers
LINK = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "shared"}


@contextmanager
def instances(url: str, count: int, *args: str):
    """`count` instances of `ofapi-mock serve --store url`, started at once: their base URLs."""
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(start_server, "--store", url, *args) for _ in range(count)]
    started = [f.result() for f in futures if f.exception() is None]
    try:
        if len(started) < count:
            raise next(f.exception() for f in futures if f.exception() is not None)
        yield [base for _, base in started]
    finally:
        for proc, _ in started:
            stop(proc)


@pytest.fixture(scope="module")
def database(postgres):
    return fresh_database(postgres, "pair")


@pytest.fixture(scope="module")
def pair(database):
    with instances(database, 2, "--export-seconds", "0.4") as bases:
        yield bases


def _client(base: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def test_a_write_through_one_is_read_through_the_other(pair):
    a, b = (_client(base, "ofapi_demo_alpha") for base in pair)
    with a, b:
        made = a.post("/api/smart-links", json=LINK)
        assert made.status_code == 200, made.text
        link = made.json()["data"]
        assert b.get(f"/api/smart-links/{link['id']}").json()["data"]["name"] == "shared"
        assert link["id"] in {x["id"] for x in b.get("/api/smart-links", params={"limit": 100}).json()["data"]}
        assert b.delete(f"/api/smart-links/{link['id']}").status_code in (200, 204)
        assert a.get(f"/api/smart-links/{link['id']}").status_code == 404


def test_a_world_write_through_one_is_seen_through_the_other(pair):
    """The world overlay: a message sent through one instance is the newest of its chat on the other."""
    a, b = (_client(base, "world-writer") for base in pair)
    with a, b:
        chats = b.get(f"/api/{ACCOUNT}/chats", params={"limit": 10}).json()["data"]
        chat = (chats if isinstance(chats, list) else chats["list"])[-1]["fan"]["id"]
        sent = a.post(f"/api/{ACCOUNT}/chats/{chat}/messages", json={"text": "through instance a"})
        assert sent.status_code == 200, sent.text
        newest = b.get(f"/api/{ACCOUNT}/chats/{chat}/messages", params={"limit": 1}).json()["data"]
        newest = newest if isinstance(newest, list) else newest["list"]
    assert newest[0]["id"] == sent.json()["data"]["id"] and newest[0]["text"] == "through instance a"


def test_link_tags_added_through_one_are_listed_through_the_other(pair):
    a, b = (_client(base, "tagging-team") for base in pair)
    path = f"/api/{ACCOUNT}/tracking-links/123/tags"
    with a, b:
        added = a.post(path, json={"tags": ["summer", "vip", "summer"]})
        assert added.status_code == 200, added.text
        again = b.post(path, json={"tags": ["vip", "autumn"]})  # adding is idempotent
        assert again.status_code == 200, again.text
        catalog = a.get("/api/link-tags").json()["data"]
        assert b.request("DELETE", path, json={"tags": ["summer", "never-added"]}).status_code == 200
        left = a.get("/api/link-tags").json()["data"]
    assert catalog["counts"] == {"autumn": 1, "summer": 1, "vip": 1}
    assert left["tags"] == ["autumn", "vip"]


def test_an_idempotency_key_replayed_on_the_other_instance_is_recognised(pair):
    a, b = (_client(base, "idempotent-team") for base in pair)
    path, key = f"/api/{ACCOUNT}/chats/123/messages", {"Idempotency-Key": "order-on-two-instances"}
    with a, b:
        first = a.post(path, json={"text": "hi"}, headers=key)
        again = b.post(path, json={"text": "hi"}, headers=key)
        other = b.post(path, json={"text": "changed"}, headers=key)
    assert first.status_code == 200 and first.headers["X-Mock-Upstream-Calls"] == "1"
    assert again.headers.get("Idempotent-Replayed") == "true" and again.headers["X-Mock-Upstream-Calls"] == "0"
    assert again.json()["data"] == first.json()["data"]
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_MISMATCH"


def test_an_export_moves_on_whichever_instance_looks(pair):
    a, b = (_client(base, "export-team") for base in pair)
    body = {"type": "transactions", "file_type": "csv", "start_date": "2026-01-01", "end_date": "2026-02-01"}
    with a, b:
        export = a.post("/api/data-exports", json={**body, "account_ids": [ACCOUNT], "auto_start": True})
        ident = export.json()["data"]["id"]
        deadline, status = time.monotonic() + 20, None
        while status != "completed" and time.monotonic() < deadline:
            time.sleep(0.2)
            status = b.get(f"/api/data-exports/{ident}").json()["data"]["status"]
        assert status == "completed"
        assert a.get(f"/api/data-exports/{ident}").json()["data"]["status"] == "completed"


def test_each_event_is_delivered_once_across_instances(pair):
    """Events raised on both instances, both dispatchers claiming: each delivered exactly once."""
    with recorder() as receiver, _client(pair[0], "hook-team") as a:
        made = a.post(
            "/api/webhooks",
            json={"endpoint_url": receiver.url + "/hook", "events": ["posts.liked"], "account_scope": "global"},
        )
        assert made.status_code == 200, made.text
        event = {"event": "posts.liked", "account_id": ACCOUNT}
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: httpx.post(f"{pair[i % 2]}/_mock/events", json=event), range(24)))
        assert all(r.status_code == 202 and r.json()["deliveries_queued"] == 1 for r in answers)
        receiver.wait_for(24, timeout=30)
        time.sleep(1.5)  # time for any duplicate to show up
    ids = [h["X-OFAPI-Delivery-Id"] for _, h, _ in receiver.requests]
    keys = [h["x-ofapi-idempotency-key"] for _, h, _ in receiver.requests]
    assert len(ids) == 24 and len(set(ids)) == 24 and len(set(keys)) == 24
    assert all(json.loads(body)["event"] == "posts.liked" for _, _, body in receiver.requests)


def test_sigkill_of_one_instance_loses_no_acknowledged_write(pair, database):
    """A third instance takes a stream of writes and is killed mid-stream: every write it
    acknowledged is there, read through the instances that are still up."""
    proc, base = start_server("--store", database)
    acknowledged: list[str] = []
    done = threading.Event()

    def writer(n: int) -> None:
        with _client(base, "ofapi_demo_beta") as c:
            while not done.is_set():
                try:
                    r = c.post("/api/smart-links", json={**LINK, "name": f"w{n}"})
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acknowledged.append(r.json()["data"]["id"])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(2.0)
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream
        done.set()
        for t in threads:
            t.join(timeout=10)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert len(acknowledged) > 10
    stored: set[str] = set()
    with _client(pair[1], "ofapi_demo_beta") as b:
        while True:
            page = b.get("/api/smart-links", params={"limit": 1000, "offset": len(stored)}).json()["data"]
            stored |= {x["id"] for x in page}
            if len(page) < 1000:
                break
    assert set(acknowledged) <= stored


def test_a_reset_on_one_is_seen_by_the_other(pair):
    """Last in this module: it empties the store the other tests use."""
    a, b = (_client(base, "reset-team") for base in pair)
    path = f"/api/{ACCOUNT}/fans/active"
    with a, b:
        link = a.post("/api/smart-links", json=LINK).json()["data"]["id"]
        before = b.get(path).json()["data"]["list"][0]["id"]
        assert httpx.post(f"{pair[0]}/_mock/reset", json={"seed": 999}).status_code == 200
        after = b.get(path).json()["data"]["list"][0]["id"]
        assert after != before and a.get(path).json()["data"]["list"][0]["id"] == after
        assert b.get(f"/api/smart-links/{link}").status_code == 404
        assert httpx.post(f"{pair[1]}/_mock/reset", json={"seed": 4010}).status_code == 200
        assert a.get(path).json()["data"]["list"][0]["id"] == before


def test_credits_are_never_overspent_by_calls_split_between_instances(postgres):
    """30 credits, 60 concurrent calls over two instances: exactly 30 answered, 30 get 402."""
    with instances(fresh_database(postgres, "credits"), 2, "--credits", "30") as bases:
        clients = [_client(base, "thrifty-team") for base in bases]
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda i: clients[i % 2].get(f"/api/{ACCOUNT}/me"), range(60)))
        left = clients[1].get("/api/smart-links").json()["_meta"]["_credits"]["balance"]
        for c in clients:
            c.close()
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 30 and sum(r.status_code == 402 for r in answers) == 30
    assert all(r.headers["X-OFAPI-Credits-Used"] == "1" for r in ok)
    assert left == 0
