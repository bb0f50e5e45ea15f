"""OFAPI's stored resources through the real HTTP server: CRUD, tenancy, restarts, crash
safety, webhook delivery, exports, the connect flow, link tags and the stored inventory."""

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from mockserver.testing import free_port, running_server, start_server

from .conftest import ACCOUNT

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
ALPHA_2 = {"Authorization": "Bearer ofapi_demo_alpha_2"}
BETA = {"Authorization": "Bearer ofapi_demo_beta"}
LINK = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "Summer promo"}


@pytest.fixture(scope="module")
def base():
    with running_server("--export-seconds", "0.4") as url:
        yield url


@pytest.fixture
def alpha(base):
    with httpx.Client(base_url=base, headers=ALPHA, timeout=30) as client:
        yield client


def test_smart_link_create_list_read_delete(alpha):
    created = alpha.post("/api/smart-links", json=LINK)
    assert created.status_code == 200 and created.headers["X-Mock-Upstream-Calls"] == "0"
    link = created.json()["data"]
    assert link["name"] == "Summer promo" and link["account"]["id"] == ACCOUNT
    assert link["id"] in [item["id"] for item in alpha.get("/api/smart-links").json()["data"]]
    assert alpha.get(f"/api/smart-links/{link['id']}").json()["data"]["name"] == "Summer promo"
    stats = alpha.get(f"/api/smart-links/{link['id']}/stats").json()["data"]
    clicks = alpha.get(f"/api/smart-links/{link['id']}/clicks", params={"limit": 100}).json()["data"]
    assert (
        stats["summary"]["clicks_total"]
        == clicks["summary"]["clicks_total"]
        == sum(d["clicks"] for d in clicks["chart"])
    )
    assert len(clicks["rows"]) == min(100, clicks["summary"]["clicks_total"])
    assert sum(day["clicks"] for day in stats["daily_metrics"]) == stats["summary"]["clicks_total"]
    assert alpha.delete(f"/api/smart-links/{link['id']}").json()["data"] == {"success": True}
    gone = alpha.get(f"/api/smart-links/{link['id']}")
    assert gone.status_code == 404 and gone.json() == {"error": "Smart link not found."}


def test_bad_smart_link_input_is_a_422_and_stores_nothing(alpha):
    before = len(alpha.get("/api/smart-links").json()["data"])
    r = alpha.post("/api/smart-links", json={**LINK, "link_type": "free_trial"})
    assert r.status_code == 422 and "free_trial_days" in r.json()["errors"]
    assert alpha.get("/api/acct_gone/me").status_code == 200  # first use connects it to the team ...
    assert alpha.delete("/api/accounts/acct_gone").status_code == 200  # ... and it can be disconnected
    r = alpha.post("/api/smart-links", json={**LINK, "account_id": "acct_gone"})
    assert r.status_code == 422 and "account_id" in r.json()["errors"]
    assert len(alpha.get("/api/smart-links").json()["data"]) == before


def test_any_account_id_is_connected_on_first_use_unless_strict(alpha):
    created = alpha.post("/api/smart-links", json={**LINK, "account_id": "acct_XXXXXXXXXXXXXXX"})
    assert created.status_code == 200
    assert "acct_XXXXXXXXXXXXXXX" in [a["id"] for a in alpha.get("/api/accounts").json()]
    assert alpha.get("/api/acct_XXXXXXXXXXXXXXX/fans/active").status_code == 200
    with running_server("--strict-accounts") as url, httpx.Client(base_url=url, headers=ALPHA) as strict:
        assert strict.get("/api/acct_XXXXXXXXXXXXXXX/fans/active").status_code == 404
        r = strict.post("/api/smart-links", json={**LINK, "account_id": "acct_XXXXXXXXXXXXXXX"})
        assert r.status_code == 422 and "account_id" in r.json()["errors"]
        assert strict.get(f"/api/{ACCOUNT}/fans/active").status_code == 200  # the fixtures' accounts are connected


def test_another_team_neither_lists_nor_reads_nor_deletes(base, alpha):
    link = alpha.post("/api/smart-links", json=LINK).json()["data"]
    hook = alpha.post(
        "/api/webhooks",
        json={"endpoint_url": "http://127.0.0.1:9/x", "events": ["posts.liked"], "account_scope": "global"},
    ).json()["data"]
    with httpx.Client(base_url=base, headers=BETA) as beta, httpx.Client(base_url=base, headers=ALPHA_2) as teammate:
        assert link["id"] not in [x["id"] for x in beta.get("/api/smart-links").json()["data"]]
        assert beta.get(f"/api/smart-links/{link['id']}").status_code == 404
        assert beta.delete(f"/api/smart-links/{link['id']}").status_code == 404
        assert beta.get(f"/api/webhooks/{hook['id']}").status_code == 404
        assert teammate.get(f"/api/smart-links/{link['id']}").status_code == 200  # same team, another key
    assert alpha.get(f"/api/smart-links/{link['id']}").status_code == 200


def test_link_tags_are_idempotent_per_team_and_enrich_the_live_list(base, alpha):
    link_id = alpha.get(f"/api/{ACCOUNT}/tracking-links").json()["data"]["list"][0]["id"]
    path = f"/api/{ACCOUNT}/tracking-links/{link_id}/tags"
    assert alpha.post(path, json={"tags": ["vip", "reddit"]}).json()["data"]["tags"] == ["reddit", "vip"]
    assert alpha.post(path, json={"tags": ["vip"]}).json()["data"]["tags"] == ["reddit", "vip"]
    assert alpha.request("DELETE", path, json={"tags": ["absent"]}).json()["data"]["tags"] == ["reddit", "vip"]
    assert alpha.request("DELETE", path, json={"tags": ["reddit"]}).json()["data"]["tags"] == ["vip"]
    listed = alpha.get(f"/api/{ACCOUNT}/tracking-links").json()["data"]["list"]
    assert next(x for x in listed if x["id"] == link_id)["tags"] == ["vip"]
    catalog = alpha.get("/api/link-tags", params={"type": "tracking_links"}).json()["data"]
    assert "vip" in catalog["tags"] and catalog["counts"]["vip"] >= 1
    with httpx.Client(base_url=base, headers=BETA) as beta:
        assert beta.get(path).json()["data"]["tags"] == []


def test_stored_inventory_holds_what_the_live_lists_showed(alpha):
    live = alpha.get(f"/api/{ACCOUNT}/trial-links", params={"limit": 3}).json()["data"]["list"]
    stored = alpha.get(f"/api/{ACCOUNT}/stored/trial-links", params={"limit": 100})
    assert stored.headers["X-Mock-Upstream-Calls"] == "0" and stored.json()["_meta"]["_credits"]["used"] == 0
    assert {x["id"] for x in live} <= {x["id"] for x in stored.json()["data"]["list"]}


class Receiver(BaseHTTPRequestHandler):
    """A local webhook endpoint that fails its first delivery."""

    received: list = []
    failures_left = 1

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        status = 500 if Receiver.failures_left > 0 else 200
        Receiver.failures_left -= 1
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhooks_are_delivered_signed_and_retried(alpha):
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        hook = alpha.post(
            "/api/webhooks",
            json={
                "endpoint_url": url,
                "events": ["messages.received"],
                "account_scope": "inclusive",
                "account_ids": [ACCOUNT],
                "signing_secret": "s3cret",
            },
        ).json()["data"]
        assert hook["has_signing_secret"] is True and "signing_secret" not in hook
        fired = alpha.post(
            "/_mock/events", json={"event": "messages.received", "account_id": ACCOUNT, "api_key": "ofapi_demo_alpha"}
        )
        assert fired.status_code == 202 and fired.json()["deliveries_queued"] == 1
        deadline = time.monotonic() + 10
        while len(Receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(Receiver.received) == 2  # a failure, then the retry
        for headers, body in Receiver.received:
            expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
            assert headers["Signature"] == expected
            delivery = json.loads(body)
            assert delivery["event"] == "messages.received" and delivery["account_id"] == ACCOUNT
        deadline = time.monotonic() + 5
        while True:  # the dispatcher journals an attempt just after the receiver answered it
            journal = alpha.get("/_mock/journal", params={"kind": "delivery"}).json()["data"]
            attempts = [e for e in journal if e["webhook_id"] == hook["id"]]
            if len(attempts) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert sorted((e["attempt"], e["ok"]) for e in attempts) == [(1, False), (2, True)]
    finally:
        server.shutdown()


def test_export_runs_to_completion_and_refuses_illegal_moves(alpha):
    body = {
        "type": "transactions",
        "file_type": "csv",
        "start_date": "2026-01-01",
        "end_date": "2026-02-01",
        "account_ids": [ACCOUNT],
    }
    export = alpha.post("/api/data-exports", json=body).json()["data"]
    assert export["status"] == "calculating_credits"
    assert alpha.post(f"/api/data-exports/{export['id']}/retry").status_code == 409
    time.sleep(0.2)
    started = alpha.post(f"/api/data-exports/{export['id']}/start")
    assert started.status_code == 200 and started.json()["_meta"]["_credits"]["used"] >= 1
    deadline, status = time.monotonic() + 10, None
    while status != "completed" and time.monotonic() < deadline:
        time.sleep(0.1)
        got = alpha.get(f"/api/data-exports/{export['id']}").json()["data"]
        status = got["status"]
    assert status == "completed" and got["download_url"].endswith(".csv") and got["progress_percentage"] == 100
    assert alpha.delete(f"/api/data-exports/{export['id']}").status_code == 409  # cancel only while running
    alpha.get("/api/acct_elsewhere/me")  # used once (so connected), then disconnected: its export fails
    alpha.delete("/api/accounts/acct_elsewhere")
    failing = alpha.post("/api/data-exports", json={**body, "account_ids": ["acct_elsewhere"], "auto_start": True})
    failing_id = failing.json()["data"]["id"]
    deadline = time.monotonic() + 10
    while alpha.get(f"/api/data-exports/{failing_id}").json()["data"]["status"] != "failed":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    retried = alpha.post(f"/api/data-exports/{failing_id}/retry").json()["data"]
    assert retried["original_id"] == failing_id and retried["id"] != failing_id


def test_connect_flow_with_2fa_then_disconnect(alpha):
    wrong = alpha.post("/api/authenticate", json={"email": "creator@example.com", "password": "nope"}).json()
    assert alpha.get(f"/api/authenticate/{wrong['attempt_id']}").json()["state"] == "failed"
    attempt = alpha.post(
        "/api/authenticate",
        json={"email": "creator@example.com", "password": "correct-password", "name": "New Creator"},
    ).json()["attempt_id"]
    assert alpha.get(f"/api/authenticate/{attempt}").json()["state"] == "otp_required"
    assert alpha.put(f"/api/authenticate/{attempt}", json={"code": "123456"}).json()["message"]
    done = alpha.get(f"/api/authenticate/{attempt}").json()
    assert done["state"] == "authenticated" and done["lastAttempt"]["success"] is True
    account = done["account"]["id"]
    assert account in [a["id"] for a in alpha.get("/api/accounts").json()]
    assert alpha.get(f"/api/{account}/fans/active").status_code == 200
    assert alpha.delete(f"/api/accounts/{account}").status_code == 200
    gone = alpha.get(f"/api/{account}/fans/active")
    assert gone.status_code == 404 and "not connected" in gone.json()["error"]
    assert account not in [a["id"] for a in alpha.get("/api/accounts").json()]


def test_a_wrong_2fa_code_fails_the_attempt(alpha):
    attempt = alpha.post(
        "/api/authenticate", json={"email": "creator@example.com", "password": "correct-password"}
    ).json()["attempt_id"]
    alpha.get(f"/api/authenticate/{attempt}")
    alpha.put(f"/api/authenticate/{attempt}", json={"code": "000000"})
    polled = alpha.get(f"/api/authenticate/{attempt}").json()
    assert polled["state"] == "failed" and polled["lastAttempt"]["error_code"] == "invalid_otp"


def test_client_session_and_whoami(alpha):
    session = alpha.post("/api/client-sessions", json={"display_name": "Widget"}).json()["data"]
    assert session["token"].startswith("ofapi_cs_") and session["expires_at"]
    assert alpha.get("/api/whoami").json()["team"] == {"name": "Demo Agency", "slug": "demo-agency"}


def test_reset_forgets_everything_and_can_change_the_seed(base):
    with httpx.Client(base_url=base, headers=ALPHA) as client:
        client.post("/api/smart-links", json=LINK)
        fan_before = client.get(f"/api/{ACCOUNT}/fans/active").json()["data"]["list"][0]["id"]
        assert httpx.post(f"{base}/_mock/reset", json={"seed": 99}).json() == {"reset": True, "seed": 99}
        assert client.get("/api/smart-links").json()["data"] == []
        assert client.get(f"/api/{ACCOUNT}/fans/active").json()["data"]["list"][0]["id"] != fan_before
        assert client.post("/_mock/reset", json={"seed": "x"}).status_code == 422


def test_a_file_store_survives_restarts(tmp_path):
    store = str(tmp_path / "ofapi.sqlite")
    with running_server("--store", store) as url, httpx.Client(base_url=url, headers=ALPHA) as client:
        link = client.post("/api/smart-links", json=LINK).json()["data"]["id"]
    with running_server("--store", store) as url, httpx.Client(base_url=url, headers=ALPHA) as client:
        assert client.get(f"/api/smart-links/{link}").status_code == 200
    subprocess.run([sys.executable, "-m", "mockserver", "reset", "--store", store], check=True, capture_output=True)
    with running_server("--store", store) as url, httpx.Client(base_url=url, headers=ALPHA) as client:
        assert client.get(f"/api/smart-links/{link}").status_code == 404


def test_an_acknowledged_write_survives_sigkill(tmp_path):
    store = str(tmp_path / "crash.sqlite")
    proc, url = start_server("--store", store)
    try:
        ids = [
            httpx.post(f"{url}/api/smart-links", json={**LINK, "name": f"n{i}"}, headers=ALPHA).json()["data"]["id"]
            for i in range(5)
        ]
        os.kill(proc.pid, signal.SIGKILL)  # right after the last 2xx
    finally:
        proc.wait(timeout=10)
    with running_server("--store", store) as url, httpx.Client(base_url=url, headers=ALPHA) as client:
        listed = {x["id"] for x in client.get("/api/smart-links").json()["data"]}
    assert set(ids) <= listed


def test_postbacks_crud_and_validation(base, alpha):
    link = alpha.post("/api/smart-links", json=LINK).json()["data"]["id"]
    body = {
        "url": "https://tracker.example.com/pb?click={external_click_id}",
        "conversion_types": ["new_subscriber"],
        "smart_link_scope": "campaign_specific",
        "smart_link_ids": [link],
    }
    created = alpha.post("/api/smart-link-postbacks", json=body)
    assert created.status_code == 200 and created.headers["X-Mock-Upstream-Calls"] == "0"
    postback = created.json()["data"]
    assert postback["smart_links"][0]["link_ulid"] == link and postback["http_method"] == "GET"
    path = f"/api/smart-link-postbacks/{postback['id']}"
    assert alpha.patch(path, json={**body, "http_method": "POST"}).json()["data"]["http_method"] == "POST"
    assert postback["id"] in [p["id"] for p in alpha.get("/api/smart-link-postbacks").json()["data"]]
    with httpx.Client(base_url=base, headers=BETA) as beta:
        assert beta.get(path).status_code == 404
    bad = alpha.post("/api/smart-link-postbacks", json={**body, "smart_link_ids": []})
    assert bad.status_code == 422 and "smart_link_ids" in bad.json()["errors"]
    assert alpha.delete(path).status_code == 200 and alpha.get(path).status_code == 404
