"""Memory and time stay bounded however many distinct things clients name (the shared-state
issue's cases 20, 21 and 23): a phase of 5,000 distinct account ids, usernames, CDN URLs and
idempotency keys grows the server's memory by a bounded amount (measured per distinct key, after
a warm-up, not per repeated key); listing stays fast with many stored links; idle exports cost
no CPU. Each failed on 0.1 (worlds and records kept forever, lists read in full, a tick that
rewrote every export)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest

from mockserver.testing import running_server

from .conftest import ACCOUNT
from .test_reliability import _rss_kib, _server_pid

pytestmark = pytest.mark.slow  # real servers

KEY = {"Authorization": "Bearer bounds-team"}
DISTINCT = 5000
WARM = 500
# The stated bound: with 8 MiB world and 8 MiB render caches, 20,000 distinct keys after the
# warm-up add at most this much to the server's resident memory.
GROWTH_BOUND_MIB = 64


def _requests(kind: str, n: int) -> tuple[str, str, dict]:
    if kind == "account":
        return "GET", f"/api/acct_distinct{n:05d}/me", {}
    if kind == "username":
        return "GET", f"/api/{ACCOUNT}/users/someone{n:05d}", {}
    if kind == "cdn":
        url = f"https://cdn2.onlyfans.com/files/a/ab/f{n:05d}/1x1_f{n:05d}.jpg?Tag=2"
        return "GET", f"/api/{ACCOUNT}/media/download/{quote(url, safe='')}", {}
    body = {"text": f"order {n} " + "x" * 1000}
    return (  # to distinct accounts: each keeps the message written to it
        "POST",
        f"/api/acct_written{n:05d}/chats/{100 + n % 7}/messages",
        {"json": body, "headers": {"Idempotency-Key": f"k{n}"}},
    )


def _phase(client: httpx.Client, first: int, last: int) -> None:
    def one(args):
        method, path, extra = args
        r = client.request(method, path, **extra)
        assert r.status_code < 500, (path, r.status_code)

    kinds = ("account", "username", "cdn", "idempotency")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, (_requests(kind, n) for n in range(first, last) for kind in kinds)))


def test_memory_per_distinct_key_is_bounded():
    args = ("--world-cache-mib", "8", "--render-cache-mib", "8", "--credits", "100000000")
    with running_server(*args) as url, httpx.Client(base_url=url, headers=KEY, timeout=60) as client:
        pid = _server_pid(url.rsplit(":", 1)[1])
        _phase(client, 0, WARM)  # warm up: caches fill to their budgets
        before = _rss_kib(pid)
        _phase(client, WARM, DISTINCT)
        grown = (_rss_kib(pid) - before) / 1024
    keys = (DISTINCT - WARM) * 4
    print(f"\nRSS growth over {keys} distinct keys: {grown:.1f} MiB ({grown * 1024 * 1024 / keys:.0f} bytes per key)")
    assert grown < GROWTH_BOUND_MIB, f"RSS grew {grown:.1f} MiB over {keys} distinct keys"


def _store_with_links(path: str, count: int) -> None:
    """A store holding `count` smart links of one team, written directly (as a busy team's would be)."""
    with running_server("--store", path) as url:  # creates the tables, and one real link to copy
        made = httpx.post(
            f"{url}/api/smart-links",
            headers=KEY,
            json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": "seed"},
        )
        assert made.status_code == 200
    db = sqlite3.connect(path)
    tenant, body, created = db.execute("SELECT tenant, body, created FROM docs WHERE kind = 'smart_link'").fetchone()
    doc = json.loads(body)
    rows = [
        (
            tenant,
            "smart_link",
            f"{doc['id']}{n:06d}",
            ACCOUNT,
            json.dumps({**doc, "id": f"{doc['id']}{n:06d}"}),
            created + n,
            created + n,
        )
        for n in range(count)
    ]
    db.executemany(
        "INSERT INTO docs (tenant, kind, id, account, body, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)", rows
    )
    db.commit()
    db.close()


def _median_seconds(client: httpx.Client, path: str, params: dict, n: int = 15) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get(path, params=params).status_code == 200
        times.append(time.perf_counter() - started)
    return sorted(times)[n // 2]


def test_a_page_of_a_long_list_costs_what_the_page_costs(tmp_path):
    """Case 23: with 100,000 smart links, a page of one is as quick as with a handful (0.1 read
    and summarised every link on every list: ~1 s)."""
    small, large = str(tmp_path / "small.sqlite"), str(tmp_path / "large.sqlite")
    _store_with_links(small, 10)
    _store_with_links(large, 100_000)
    timings = {}
    for name, path in (("small", small), ("large", large)):
        with running_server("--store", path) as url, httpx.Client(base_url=url, headers=KEY, timeout=60) as client:
            timings[name] = _median_seconds(client, "/api/smart-links", {"limit": 1, "offset": 5})
    print(
        f"\nlist limit=1: {timings['small'] * 1000:.1f} ms with 11 links, {timings['large'] * 1000:.1f} ms with 100,001"
    )
    assert timings["large"] < 5 * timings["small"] + 0.05


def test_idle_exports_cost_no_cpu(tmp_path):
    """Case 23: 8,000 exports nobody started once kept an idle server busy rewriting them."""
    with running_server("--store", str(tmp_path / "e.sqlite"), "--export-seconds", "0.2") as url:
        pid = _server_pid(url.rsplit(":", 1)[1])
        body = {
            "type": "fans",
            "file_type": "csv",
            "start_date": "2026-01-01",
            "end_date": "2026-02-01",
            "account_ids": [ACCOUNT],
        }
        with httpx.Client(base_url=url, headers=KEY, timeout=60) as client, ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: client.post("/api/data-exports", json=body), range(8000)))
        time.sleep(2)  # every export has reached `calculating_credits_completed`, where it waits
        before = _cpu_seconds(pid)
        time.sleep(5)
        busy = _cpu_seconds(pid) - before
    print(f"\nCPU of an idle server holding 8,000 waiting exports: {busy:.2f} s over 5 s")
    assert busy < 0.5


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_reads_stay_quick_however_many_messages_a_team_sent(tmp_path):
    """A bot that sends thousands of messages to one account: reads of that account cost what a
    read costs, not one more step per message sent (the first overlay re-read every written row
    on every read after a write)."""
    path = f"/api/{ACCOUNT}/chats/4242/messages"
    with running_server() as url, httpx.Client(base_url=url, headers=KEY, timeout=60) as client:

        def send_and_read(count: int) -> float:
            started = time.perf_counter()
            for n in range(count):
                client.post(path, json={"text": f"m{n}"})
                assert client.get(f"/api/{ACCOUNT}/chats", params={"limit": 1}).status_code == 200
            return (time.perf_counter() - started) / count

        first = send_and_read(100)
        send_and_read(1500)
        last = send_and_read(100)
    print(f"\nsend + read: {first * 1000:.1f} ms each at first, {last * 1000:.1f} ms after 1,700 messages")
    assert last < 3 * first + 0.01
