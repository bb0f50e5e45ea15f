"""Reliability and security through the real server: bad input, isolation between teams,
a soak with concurrent reads and writes, and crash safety."""

import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from urllib.parse import quote

import httpx
import pytest

from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table
from mockserver.testing import running_server, start_server

from .conftest import ACCOUNT

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
BETA = {"Authorization": "Bearer ofapi_demo_beta"}
JSON = {**ALPHA, "Content-Type": "application/json"}
LINK = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "soak"}

BAD_INPUT = {  # name -> (method, path, headers, body)
    "malformed JSON": ("POST", "/api/smart-links", JSON, b'{"name": '),
    "deeply nested JSON": ("POST", "/api/smart-links", JSON, b"[" * 50_000 + b"]" * 50_000),
    "invalid UTF-8": ("POST", "/api/smart-links", JSON, b'{"name": "\xff\xfe"}'),
    "wrong content type": ("POST", "/api/smart-links", {**ALPHA, "Content-Type": "text/plain"}, b"name=x"),
    "body over the limit": ("POST", "/api/smart-links", JSON, b'{"name": "' + b"a" * (17 * 1024 * 1024) + b'"}'),
    "JSON array body": ("POST", "/api/smart-links", JSON, b"[]"),
    "long path": ("GET", "/api/" + "a" * 20_000 + "/fans/active", ALPHA, None),
    "long header": ("GET", f"/api/{ACCOUNT}/fans/active?limit=999", {**ALPHA, "X-Long": "a" * 60_000}, None),
    "path traversal in cdn_url": (
        "GET",
        f"/api/{ACCOUNT}/media/download/{quote('../../etc/passwd', safe='')}",
        ALPHA,
        None,
    ),
    "SSRF to loopback": (
        "GET",
        f"/api/{ACCOUNT}/media/download/{quote('https://127.0.0.1:4010/api/whoami', safe='')}",
        ALPHA,
        None,
    ),
    "SSRF to metadata": ("POST", f"/api/{ACCOUNT}/media/scrape", JSON, b'{"url": "http://169.254.169.254/latest"}'),
    "webhook to a file URL": (
        "POST",
        "/api/webhooks",
        JSON,
        b'{"endpoint_url": "file:///etc/passwd", "events": ["posts.liked"], "account_scope": "global"}',
    ),
    "control characters in a header": (
        "POST",
        f"/api/{ACCOUNT}/chats/1/messages",
        {**JSON, "Idempotency-Key": "a\tb"},
        b'{"text":"x"}',
    ),
    "unknown event": ("POST", "/_mock/events", JSON, b'{"event": "nope", "account_id": "x"}'),
}


@pytest.fixture(scope="module")
def server():
    with running_server() as url:
        yield url


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_is_a_json_4xx_and_changes_nothing(server, name):
    method, path, headers, body = BAD_INPUT[name]
    with httpx.Client(base_url=server, timeout=60) as client:
        before = client.get("/api/smart-links", headers=ALPHA).json()["data"]
        r = client.request(method, path, headers=headers, content=body)
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
        error = r.json()
        assert isinstance(error.get("error") or error.get("message"), str)
        assert client.get("/api/whoami", headers=ALPHA).status_code == 200  # still serving
        assert client.get("/api/smart-links", headers=ALPHA).json()["data"] == before  # nothing stored changed


def _alpha_resources(client) -> dict:
    link = client.post("/api/smart-links", json=LINK, headers=ALPHA).json()["data"]["id"]
    hook = client.post(
        "/api/webhooks",
        headers=ALPHA,
        json={"endpoint_url": "http://127.0.0.1:9/h", "events": ["posts.liked"], "account_scope": "global"},
    )
    export = client.post(
        "/api/data-exports",
        headers=ALPHA,
        json={
            "type": "fans",
            "file_type": "csv",
            "start_date": "2026-01-01",
            "end_date": "2026-02-01",
            "account_ids": [ACCOUNT],
        },
    )
    attempt = client.post("/api/authenticate", headers=ALPHA, json={"email": "x@example.com", "password": "p"})
    tracking = client.get(f"/api/{ACCOUNT}/tracking-links", headers=ALPHA).json()["data"]["list"][0]["id"]
    client.post(f"/api/{ACCOUNT}/tracking-links/{tracking}/tags", headers=ALPHA, json={"tags": ["alpha-secret"]})
    return {
        "smart_link_id": link,
        "webhook_id": hook.json()["data"]["id"],
        "data_export_id": export.json()["data"]["id"],
        "attempt_id": attempt.json()["attempt_id"],
        "tracking_link_id": tracking,
    }


def test_one_team_never_reads_lists_changes_or_deletes_anothers_resources(server):
    """Every computed operation, called by team B with team A's ids."""
    computed = [op for op in build_table(load_spec()).values() if op.data_source == "computed"]
    with httpx.Client(base_url=server, timeout=30) as client:
        ids = _alpha_resources(client)
        secrets = [str(v) for k, v in ids.items() if k != "tracking_link_id"] + ["alpha-secret"]
        snapshot = {
            path: client.get(path, headers=ALPHA).json()["data"]
            for path in (f"/api/smart-links/{ids['smart_link_id']}", f"/api/webhooks/{ids['webhook_id']}")
        }
        for op in computed:
            path = op.path.replace("{account}", ACCOUNT)
            path = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), "1")), path)
            body = {"tags": ["alpha-secret"]} if op.path.endswith("/tags") and op.method == "DELETE" else {}
            r = client.request(op.method, path, headers=BETA, json=body if op.method != "GET" else None)
            assert r.status_code < 500, (op.op_id, r.status_code)
            leaked = [s for s in secrets if s in r.text]
            assert not leaked, (op.op_id, leaked)
        for path, before in snapshot.items():  # A's resources are as A left them
            assert client.get(path, headers=ALPHA).json()["data"] == before
        tags = client.get(f"/api/{ACCOUNT}/tracking-links/{ids['tracking_link_id']}/tags", headers=ALPHA).json()
        assert tags["data"]["tags"] == ["alpha-secret"]


def _server_pid(port: str) -> int:
    """The `ofapi-mock serve --port PORT` process (read from /proc)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                args = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if b"serve" in args and port.encode() in args:
                return int(entry)
    raise LookupError(port)


def _rss_kib(pid: int) -> int:
    total = 0
    for child in [
        pid,
        *map(int, subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()),
    ]:
        try:
            status = open(f"/proc/{child}/status").read()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total


def test_soak_32_clients_two_workers_file_store(tmp_path):
    """Reads and writes of every kind of stored resource from 32 clients for a bounded time: no
    5xx, and the store holds exactly the writes that were acknowledged (smart links, webhooks,
    postbacks, exports, link tags, and messages sent under idempotency keys)."""
    store = str(tmp_path / "soak.sqlite")
    duration, lock, statuses = 12.0, threading.Lock(), []
    acknowledged: dict[str, set] = {"links": set(), "hooks": set(), "postbacks": set(), "exports": set(), "tags": set()}
    hook = {"endpoint_url": "http://127.0.0.1:9/s", "events": ["posts.liked"], "account_scope": "global"}
    postback = {"url": "https://pb.example/x", "conversion_types": ["new_subscriber"], "smart_link_scope": "global"}
    export = {"type": "fans", "file_type": "csv", "start_date": "2026-01-01", "end_date": "2026-02-01"}
    writes = {  # kind -> (path, body of the n-th client's i-th write, where the id is in the answer)
        "links": ("/api/smart-links", lambda n, i: {**LINK, "name": f"c{n}-{i}"}, lambda d: d["id"]),
        "hooks": ("/api/webhooks", lambda n, i: hook, lambda d: d["id"]),
        "postbacks": ("/api/smart-link-postbacks", lambda n, i: postback, lambda d: d["id"]),
        "exports": ("/api/data-exports", lambda n, i: {**export, "account_ids": [ACCOUNT]}, lambda d: d["id"]),
        "tags": (f"/api/{ACCOUNT}/tracking-links/1/tags", lambda n, i: {"tags": [f"t{n}-{i}"]}, None),
    }
    with running_server("--workers", "2", "--store", store) as url:

        def client_loop(n: int):
            deadline = time.monotonic() + duration
            with httpx.Client(base_url=url, headers=ALPHA, timeout=30) as client:
                i = 0
                while time.monotonic() < deadline:
                    i += 1
                    kind = list(writes)[(n + i) % len(writes)] if (n + i) % 3 else None
                    if kind is None:
                        r = client.get(f"/api/{ACCOUNT}/fans/active")
                    else:
                        path, body, ident = writes[kind]
                        r = client.post(path, json=body(n, i))
                        if r.status_code == 200:
                            with lock:
                                acknowledged[kind].add(ident(r.json()["data"]) if ident else f"t{n}-{i}")
                    with lock:
                        statuses.append(r.status_code)

        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with httpx.Client(base_url=url, headers=ALPHA, timeout=60) as client:
            stored = {
                "links": _every_link(client),
                "hooks": {x["id"] for x in client.get("/api/webhooks").json()["data"]},
                "postbacks": {x["id"] for x in client.get("/api/smart-link-postbacks").json()["data"]},
                "exports": _every_export(client),
                "tags": set(client.get(f"/api/{ACCOUNT}/tracking-links/1/tags").json()["data"]["tags"]),
            }
            journal = client.get("/_mock/journal", params={"limit": 1000}).json()["data"]
    assert statuses and not [s for s in statuses if s >= 500]
    for kind, ids in acknowledged.items():
        assert ids, kind
        assert stored[kind] == ids, (kind, len(stored[kind]), len(ids), len(ids - stored[kind]))
    assert len(journal) <= 1000


def _every_link(client: httpx.Client) -> set[str]:
    """Every smart link, page by page (a soak can make more than the 1,000 one page holds)."""
    ids: set[str] = set()
    while True:
        page = client.get("/api/smart-links", params={"limit": 1000, "offset": len(ids)}).json()["data"]
        ids |= {x["id"] for x in page}
        if len(page) < 1000:
            return ids


def _every_export(client: httpx.Client) -> set[str]:
    ids, page = set(), 1
    while True:
        data = client.get("/api/data-exports", params={"per_page": 100, "page": page}).json()["data"]
        ids |= {x["id"] for x in data["data"]}
        if page >= data["meta"]["last_page"]:
            return ids
        page += 1


def test_memory_stays_bounded_under_load():
    with running_server() as url:
        pid = _server_pid(url.rsplit(":", 1)[1])
        with httpx.Client(base_url=url, headers=ALPHA, timeout=30) as client:
            for i in range(300):
                client.get(f"/api/{ACCOUNT}/users/someone{i}")
            warm = _rss_kib(pid)
            for i in range(1500):
                client.get(f"/api/{ACCOUNT}/fans/active", params={"offset": i % 40})
        grown = _rss_kib(pid) - warm
    assert grown < 100 * 1024, f"RSS grew {grown} KiB over 1500 repeated requests"


def test_sigkill_during_a_stream_of_writes_loses_no_acknowledged_write(tmp_path):
    store = str(tmp_path / "kill.sqlite")
    proc, url = start_server("--store", store)
    acknowledged, stop = [], threading.Event()
    try:

        def writer():
            with httpx.Client(base_url=url, headers=ALPHA, timeout=5) as client:
                while not stop.is_set():
                    try:
                        r = client.post("/api/smart-links", json={**LINK, "name": f"w{len(acknowledged)}"})
                    except httpx.TransportError:
                        return
                    if r.status_code == 200:
                        acknowledged.append(r.json()["data"]["id"])

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream
        stop.set()
        for t in threads:
            t.join(timeout=10)
    finally:
        proc.wait(timeout=10)
    assert len(acknowledged) > 10
    assert sqlite3.connect(store).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with running_server("--store", store) as url2, httpx.Client(base_url=url2, headers=ALPHA) as client:
        stored: set[str] = set()
        while True:  # page through every stored link: a fast machine acknowledges more than one page
            page = client.get("/api/smart-links", params={"limit": 1000, "offset": len(stored)}).json()["data"]
            stored |= {x["id"] for x in page}
            if len(page) < 1000:
                break
    assert set(acknowledged) <= stored


def test_the_body_limit_is_configurable():
    with running_server("--max-body", "200") as url:
        r = httpx.post(f"{url}/api/smart-links", headers=JSON, content=b'{"name": "' + b"a" * 300 + b'"}')
        small = httpx.post(f"{url}/api/smart-links", headers=JSON, json=LINK)
    assert r.status_code == 413 and "200 bytes" in r.json()["error"]
    assert small.status_code == 200
