"""The issue's attacks on the README's guarantees, each replayed against the real server: the
mock's own endpoints, webhook egress, bad input that once crashed a worker, protocol abuse and
broken store files. Each test names the shared-state issue's case it guards; each failed on 0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import httpx
import pytest

from mockserver.testing import ROOT, free_port, running_server, start_server, stop

from .conftest import ACCOUNT
from .receivers import black_hole, recorder

pytestmark = pytest.mark.slow  # real servers

ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
BETA = {"Authorization": "Bearer ofapi_demo_beta"}
LINK = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "attack"}


def _hook(client: httpx.Client, url: str, events=("posts.liked",), **extra) -> dict:
    r = client.post(
        "/api/webhooks", json={"endpoint_url": url, "events": list(events), "account_scope": "global", **extra}
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _fire(client: httpx.Client, event: str = "posts.liked") -> None:
    assert client.post("/_mock/events", json={"event": event, "account_id": ACCOUNT}).status_code == 202


@pytest.fixture(scope="module")
def server():
    with running_server("--export-seconds", "0.4") as url:
        yield url


@pytest.fixture
def alpha(server):
    with httpx.Client(base_url=server, headers=ALPHA, timeout=30) as client:
        yield client


# -- the mock's own endpoints (cases 6, 7) -----------------------------------------------------
def test_the_journal_shows_a_key_only_its_teams_entries_without_secrets(server, alpha):
    """Case 6: no key, no journal; a key sees its own team's entries, secrets hidden."""
    alpha.post(
        "/api/webhooks",
        json={
            "endpoint_url": "http://user:pw@127.0.0.1:9/x?token=s3cret&page=2",
            "events": ["posts.liked"],
            "account_scope": "global",
        },
    )
    with httpx.Client(base_url=server, headers=BETA) as beta:
        beta.get(f"/api/{ACCOUNT}/me?password=hunter2")
        seen_by_beta = beta.get("/_mock/journal", params={"limit": 1000}).json()["data"]
    assert httpx.get(f"{server}/_mock/journal").status_code == 401
    seen_by_alpha = alpha.get("/_mock/journal", params={"limit": 1000}).json()["data"]
    assert {e["team"] for e in seen_by_alpha} == {"demo-agency"}
    assert {e["team"] for e in seen_by_beta} == {"rival-agency"}
    text = json.dumps(seen_by_alpha + seen_by_beta)
    assert "hunter2" not in text and "s3cret" not in text and "user:pw" not in text
    assert "password=%2A%2A%2A" in text or "password=***" in text


def test_a_webhook_pointed_at_the_mock_cannot_drive_it(server, alpha):
    """Case 7: a team registers the mock's own /_mock/reset as its webhook and fires an event:
    nobody's data is wiped (the delivery is refused)."""
    with httpx.Client(base_url=server, headers=BETA) as beta:
        kept = beta.post("/api/smart-links", json=LINK).json()["data"]["id"]
        hook = _hook(alpha, f"{server}/_mock/reset")
        _fire(alpha)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            deliveries = alpha.get(f"/api/webhooks/{hook['id']}/deliveries").json()["data"]
            if deliveries and deliveries[0]["status_code"]:
                break
            time.sleep(0.1)
        assert deliveries[0]["status_code"] == 403 and not deliveries[0]["succeeded"]
        assert beta.get(f"/api/smart-links/{kept}").status_code == 200
    assert httpx.post(f"{server}/_mock/reset", headers={"X-OFAPI-Mock-Delivery": "1"}).status_code == 403


# -- webhook egress and delivery (cases 14, 15, 16) ---------------------------------------------
def test_deliveries_follow_no_redirect_and_ignore_proxy_settings(tmp_path):
    """Case 14: a receiver answering 302 to another host is not followed (the Signature never
    leaves the registered URL); HTTP(S)_PROXY in the environment does not reroute deliveries."""
    with recorder() as elsewhere, recorder() as proxy:
        with recorder(302, {"Location": elsewhere.url + "/stolen"}) as receiver:
            env = {**os.environ, "HTTP_PROXY": proxy.url, "http_proxy": proxy.url, "ALL_PROXY": proxy.url}
            proc, url = start_server(env=env)
            try:
                with httpx.Client(base_url=url, headers=ALPHA) as client:
                    _hook(client, receiver.url + "/hook", signing_secret="s")
                    _fire(client)
                    receiver.wait_for(1)
                    time.sleep(1.0)
            finally:
                stop(proc)
        assert receiver.requests and receiver.requests[0][0] == "/hook"
        assert elsewhere.requests == [] and proxy.requests == []


def test_a_bad_signing_secret_is_refused_and_deliveries_go_on(server, alpha):
    """Case 15: a non-string signing secret is a 422 (it once killed the delivery thread)."""
    with recorder() as receiver:
        hook = _hook(alpha, receiver.url + "/h", signing_secret="ok")
        full = {"endpoint_url": receiver.url + "/h", "events": ["posts.liked"], "account_scope": "global"}
        r = alpha.put(f"/api/webhooks/{hook['id']}", json={**full, "signing_secret": 12345})
        assert r.status_code == 422 and "signing_secret" in r.json()["errors"]
        for _ in range(3):
            _fire(alpha)
        assert len(receiver.wait_for(3, timeout=5)) == 3


def test_a_receiver_that_never_answers_holds_up_only_its_own_deliveries(server):
    """Case 16: ten webhooks of one team at a port that never answers; another team's delivery
    still arrives at once."""
    with black_hole() as hole, recorder() as receiver:
        with httpx.Client(base_url=server, headers={"Authorization": "Bearer holes"}) as holes:
            for n in range(10):
                _hook(holes, f"{hole}/{n}")
            _fire(holes)
        with httpx.Client(base_url=server, headers=BETA) as beta:
            _hook(beta, receiver.url + "/fast")
            time.sleep(0.3)  # the black holes are being tried
            started = time.monotonic()
            _fire(beta)
            receiver.wait_for(1, timeout=10)
            waited = time.monotonic() - started
    assert receiver.requests and waited < 3.0, waited  # one 5 s timeout would already be too long


def test_a_webhook_queue_is_bounded(server):
    """Case 21 (deliveries): events for a webhook that cannot keep up queue only so many (1,000
    by default); the rest are dropped and journaled, so memory and the store stay bounded."""
    with black_hole() as hole, httpx.Client(base_url=server, headers={"Authorization": "Bearer flood"}) as c:
        _hook(c, f"{hole}/x")
        queued = [
            c.post("/_mock/events", json={"event": "posts.liked", "account_id": ACCOUNT}).json()["deliveries_queued"]
            for _ in range(1010)
        ]
        time.sleep(0.6)
        dropped = [e for e in c.get("/_mock/journal", params={"limit": 1000}).json()["data"] if e.get("dropped")]
    assert sum(queued) <= 1000 and queued[-1] == 0
    assert len(dropped) >= 10


# -- bad input that once was a 500 (cases 17, 18, 19) -----------------------------------------
@pytest.mark.parametrize(
    "method,path,body",
    [
        ("GET", "/api/smart-links/{link}/stats?date_start=x", None),
        ("GET", "/api/smart-links/{link}/clicks?date_end=x", None),
        ("GET", "/api/smart-links/{link}/conversions?date_start=2026-13-45", None),
        ("POST", "/api/webhooks", {"endpoint_url": "http://[x/", "events": ["posts.liked"], "account_scope": "global"}),
        (
            "POST",
            "/api/smart-link-postbacks",
            {"url": "http://[x/", "conversion_types": ["new_subscriber"], "smart_link_scope": "global"},
        ),
        ("POST", f"/api/{ACCOUNT}/media/scrape", {"url": "https://[x/"}),
        ("GET", f"/api/{ACCOUNT}/media/download/" + quote("https://[x/", safe=""), None),
        ("GET", f"/api/{ACCOUNT}/media/download/" + quote("https://cdn2.onlyfans.com/files/ā.jpg", safe=""), None),
    ],
)
def test_malformed_values_are_a_422_not_a_500(alpha, method, path, body):
    """Case 17: dates and URLs of the right type but an impossible value."""
    link = alpha.post("/api/smart-links", json=LINK).json()["data"]["id"]
    r = alpha.request(method, path.replace("{link}", link), json=body)
    assert r.status_code == 422, (r.status_code, r.text[:200])
    assert r.json()["errors"]


def test_an_impossible_range_is_a_416_and_caches_nothing(alpha):
    """Case 17: a `Range` with 5,000 digits once crashed and marked the file cached (free)."""
    url = quote("https://cdn2.onlyfans.com/files/a/ab/range-attack/600x400_x.jpg", safe="")
    r = alpha.get(f"/api/{ACCOUNT}/media/download/{url}", headers={"Range": "bytes=0-" + "9" * 5000})
    assert r.status_code == 416
    again = alpha.get(f"/api/{ACCOUNT}/media/download/{url}", follow_redirects=False)
    assert again.status_code == 200 and int(again.headers["X-OFAPI-Credits-Used"]) >= 1  # not cached, so charged


def test_a_non_ascii_cdn_url_never_breaks_later_downloads(alpha):
    """Case 17: `…/files/ā.jpg` once answered 200, then 500 for every team until a reset."""
    bad = quote("https://cdn2.onlyfans.com/files/ā.jpg", safe="")
    assert [alpha.get(f"/api/{ACCOUNT}/media/download/{bad}").status_code for _ in range(2)] == [422, 422]
    good = quote("https://cdn2.onlyfans.com/files/b/bc/fine/1x1_fine.jpg", safe="")
    assert alpha.get(f"/api/{ACCOUNT}/media/download/{good}").status_code == 200


def test_a_chunked_body_is_read(server):
    """Case 18: `Transfer-Encoding: chunked` bodies were ignored (a valid create got 422)."""

    def chunks():
        raw = json.dumps(LINK).encode()
        yield raw[:10]
        yield raw[10:]

    with httpx.Client(base_url=server, headers={**ALPHA, "Content-Type": "application/json"}) as c:
        r = c.post("/api/smart-links", content=chunks())
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 200 and r.json()["data"]["name"] == "attack"


def test_absolute_urls_never_take_the_clients_host_header(server, alpha):
    """Case 19: `Host: evil.example` was reflected into `polling_url` and `next_page`."""
    evil = {"Host": "evil.example"}
    page = alpha.get(f"/api/{ACCOUNT}/fans/active", params={"limit": 2}, headers=evil).json()
    attempt = alpha.post("/api/authenticate", json={"email": "a@b.c", "password": "x"}, headers=evil).json()
    assert "evil.example" not in page["_pagination"]["next_page"]
    assert page["_pagination"]["next_page"].startswith(server)
    assert attempt["polling_url"].startswith(server)
    with running_server("--public-url", "https://mock.example.com/") as url:
        r = httpx.get(f"{url}/api/{ACCOUNT}/fans/active", params={"limit": 2}, headers={**ALPHA, **evil}).json()
    assert r["_pagination"]["next_page"].startswith("https://mock.example.com/api/")


# -- size and time (case 22) -------------------------------------------------------------------
def test_a_huge_json_body_is_refused_at_once(server):
    """Case 22: 10.9 MB of tags once held the worker 9.6 s; now a 413 before parsing, and other
    teams are not kept waiting."""
    body = json.dumps({"tags": [f"t{n}" for n in range(1_000_000)]}).encode()
    with httpx.Client(base_url=server, headers={**ALPHA, "Content-Type": "application/json"}, timeout=60) as c:
        started = time.monotonic()
        r = c.post(f"/api/{ACCOUNT}/tracking-links/1/tags", content=body)
        took = time.monotonic() - started
        quick = c.get("/api/whoami", headers=BETA)
    assert r.status_code == 413 and quick.status_code == 200
    assert took < 5, took


def test_field_sizes_are_bounded_even_where_the_spec_sets_no_limit(alpha):
    """Case 21: arrays and strings of a body have limits (sane defaults where the vendor sets
    none), and a 4 MB message is refused before it is stored under its idempotency key."""
    big = alpha.post(
        f"/api/{ACCOUNT}/chats/1/messages", json={"text": "x" * 4_000_000}, headers={"Idempotency-Key": "big-1"}
    )
    assert big.status_code == 413
    r = alpha.post(f"/api/{ACCOUNT}/tracking-links/1/tags", json={"tags": [f"t{n}" for n in range(5000)]})
    assert r.status_code == 422 and "tags" in r.json()["errors"]
    r = alpha.post("/api/smart-links", json={**LINK, "name": "n" * 70_000})
    assert r.status_code == 422 and "name" in r.json()["errors"]


# -- connections (case 24) ---------------------------------------------------------------------
def test_idle_connections_are_closed_so_new_clients_get_in():
    """Case 24: at a 1,024 file limit, 1,100 idle sockets once locked new clients out for good."""
    port = free_port()
    limit = "import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024)); "
    cmd = [sys.executable, "-c", limit + "from mockserver.cli import main; main()"]
    args = ["serve", "--port", str(port), "--keep-alive", "1"]
    proc = subprocess.Popen([*cmd, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    idle: list[socket.socket] = []
    try:
        _wait_up(port)
        for _ in range(1100):
            try:
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                break
        time.sleep(2.5)  # past --keep-alive: the server has closed every idle connection
        r = httpx.get(f"http://127.0.0.1:{port}/api/whoami", headers=ALPHA, timeout=10)
        assert r.status_code == 200
    finally:
        for sock in idle:
            sock.close()
        stop(proc)


def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/whoami", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


# -- the store file (cases 8, 25) --------------------------------------------------------------
def test_a_store_deleted_while_serving_fails_writes_loudly(tmp_path):
    """Case 8: the store file deleted under a running server: writes answer 503, not a silent 200."""
    store = tmp_path / "gone.sqlite"
    with running_server("--store", str(store)) as url, httpx.Client(base_url=url, headers=ALPHA) as c:
        assert c.post("/api/smart-links", json=LINK).status_code == 200
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{store}{suffix}"):
                os.remove(f"{store}{suffix}")
        r = c.post("/api/smart-links", json=LINK)
        assert r.status_code == 503 and "deleted" in r.json()["error"]


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("content", ["not sqlite", "corrupt"])
def test_a_broken_store_file_is_one_clear_line_and_a_non_zero_exit(tmp_path, workers, content):
    """Case 25: a non-SQLite or corrupt store once gave a traceback or crash-looping workers."""
    store = tmp_path / "bad.sqlite"
    if content == "not sqlite":
        store.write_text("this is not a database\n" * 100)
    else:
        import sqlite3

        db = sqlite3.connect(store)
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        db.commit()
        db.close()
        raw = bytearray(store.read_bytes())
        raw[4096:8192] = b"\xff" * 4096  # a page of garbage
        store.write_bytes(bytes(raw))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            "--port",
            str(free_port()),
            "--workers",
            workers,
            "--store",
            str(store),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2 and str(store) in lines[0] and "Traceback" not in done.stderr, done.stderr
