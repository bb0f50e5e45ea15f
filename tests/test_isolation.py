"""One team never reads, lists, changes or deletes another's data: probed over every operation
that stores or reads OFAPI's own data (computed, stored, hybrid enrichment, the links the live
lists record), on two workers sharing one store, with each team's resources made first.

Also the issue's cases 2–5 (upload status, connected accounts, colliding key digests, the
stored link inventory), each of which leaked on 0.1."""

from __future__ import annotations

import hashlib
import re
import uuid

import httpx
import pytest

from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table

from .conftest import ACCOUNT
from .test_shared_state import two_workers_up

pytestmark = pytest.mark.slow  # real servers

TEAMS = {"alpha": "Bearer iso-alpha-key", "beta": "Bearer iso-beta-key"}


def _make(client: httpx.Client, name: str) -> dict:
    """One of each of OFAPI's resources for a team, named so a leak is recognisable."""
    secret = f"{name}-{uuid.uuid4().hex[:8]}"
    link = client.post(
        "/api/smart-links", json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": secret}
    ).json()["data"]["id"]
    hook = client.post(
        "/api/webhooks",
        json={"endpoint_url": f"http://127.0.0.1:9/{secret}", "events": ["posts.liked"], "account_scope": "global"},
    ).json()["data"]["id"]
    postback = client.post(
        "/api/smart-link-postbacks",
        json={
            "url": f"https://{secret}.example/pb",
            "conversion_types": ["new_subscriber"],
            "smart_link_scope": "global",
        },
    ).json()["data"]["id"]
    export = client.post(
        "/api/data-exports",
        json={
            "type": "fans",
            "file_type": "csv",
            "start_date": "2026-01-01",
            "end_date": "2026-02-01",
            "account_ids": [ACCOUNT],
        },
    ).json()["data"]["id"]
    attempt = client.post(
        "/api/authenticate", json={"email": f"{secret}@example.com", "password": "x", "name": secret}
    ).json()["attempt_id"]
    connect = client.post(
        "/api/authenticate", json={"email": "no2fa@example.com", "password": "correct-password", "name": secret}
    ).json()["attempt_id"]
    account = client.get(f"/api/authenticate/{connect}").json()["account"]["id"]
    tracking = client.get(f"/api/{ACCOUNT}/tracking-links").json()["data"]["list"][0]["id"]
    client.post(f"/api/{ACCOUNT}/tracking-links/{tracking}/tags", json={"tags": [secret]})
    return {
        "secret": secret,
        "ids": {
            "smart_link_id": link,
            "webhook_id": hook,
            "postback_id": postback,
            "data_export_id": export,
            "attempt_id": attempt,
            "account_id": account,
            "id": account,
            "tracking_link_id": tracking,
        },
    }


def _ids_in(response: httpx.Response) -> set:
    """Every `id` value in a JSON answer (integer ids are too short to look for as text)."""
    found, todo = set(), [response.json()] if "json" in response.headers.get("content-type", "") else []
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            found.add(value.get("id"))
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return found


def _storing_operations() -> list:
    ops = build_table(load_spec()).values()
    return [op for op in ops if op.store or op.behaviour == "stored" or op.sync_links or op.data_source != "live"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with two_workers_up("--store", str(tmp_path_factory.mktemp("iso") / "s.sqlite")) as url:
        yield url


def test_no_operation_shows_or_changes_another_teams_data(server):
    clients = {t: httpx.Client(base_url=server, headers={"Authorization": k}, timeout=30) for t, k in TEAMS.items()}
    made = {team: _make(client, team) for team, client in clients.items()}
    snapshot = {
        team: [clients[team].get(p).json() for p in ("/api/smart-links", "/api/webhooks", "/api/smart-link-postbacks")]
        for team in TEAMS
    }
    operations = _storing_operations()
    assert len(operations) > 60
    for caller, victim in (("beta", "alpha"), ("alpha", "beta")):
        ids = made[victim]["ids"]
        secrets = [made[victim]["secret"], *(v for k, v in ids.items() if isinstance(v, str))]
        numbers = [v for k, v in ids.items() if isinstance(v, int) and k != "tracking_link_id"]  # postbacks
        for op in operations:
            path = op.path.replace("{account}", ACCOUNT)
            path = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids.get(m.group(1), "1")), path)
            body = {}
            if op.path.endswith("/tags"):  # try to remove the victim's tag; add one of our own
                body = {"tags": [made[victim]["secret"] if op.method == "DELETE" else f"{caller}-own"]}
            r = clients[caller].request(op.method, path, json=body if op.method != "GET" else None)
            assert r.status_code < 500, (op.op_id, r.status_code, r.text[:200])
            leaked = [s for s in secrets if s in r.text] + [n for n in numbers if n in _ids_in(r)]
            assert not leaked, (caller, op.op_id, leaked)
    for team in TEAMS:  # each team's resources are as it left them
        again = [
            clients[team].get(p).json() for p in ("/api/smart-links", "/api/webhooks", "/api/smart-link-postbacks")
        ]
        assert [x["data"] for x in again] == [x["data"] for x in snapshot[team]]
        tags = clients[team].get(f"/api/{ACCOUNT}/tracking-links/{made[team]['ids']['tracking_link_id']}/tags")
        other = next(t for t in TEAMS if t != team)
        assert made[team]["secret"] in tags.json()["data"]["tags"]  # not removed by the other team
        assert f"{other}-own" not in tags.json()["data"]["tags"]  # nor does the other team's tag show
        accounts = [a["id"] for a in clients[team].get("/api/accounts").json()]
        assert made[team]["ids"]["account_id"] in accounts
    for client in clients.values():
        client.close()


def test_upload_status_is_per_team(server):
    """Case 2: another team polling the same upload id neither resets nor learns about ours."""
    path = f"/api/{ACCOUNT}/media/uploads/ofapi_media_up1/status"
    with (
        httpx.Client(base_url=server, headers={"Authorization": "Bearer up-a"}) as a,
        httpx.Client(base_url=server, headers={"Authorization": "Bearer up-b"}) as b,
    ):
        assert [a.get(path).json()["status"] for _ in range(2)] == ["pending", "processing"]
        assert b.get(path).json()["status"] == "pending"  # b's own upload, not a's
        assert a.get(path).json()["status"] == "completed"


def test_the_same_login_connects_an_account_of_each_team(server):
    """Case 3: two teams connecting the same email each get their own account, named as they asked."""
    accounts = {}
    for key, name in (("Bearer login-a", "Alpha's name"), ("Bearer login-b", "Beta's name")):
        with httpx.Client(base_url=server, headers={"Authorization": key}) as c:
            attempt = c.post(
                "/api/authenticate", json={"email": "no2fa@example.com", "password": "correct-password", "name": name}
            ).json()["attempt_id"]
            account = c.get(f"/api/authenticate/{attempt}").json()["account"]
            accounts[key] = (account["id"], c)
            listed = {a["id"]: a for a in c.get("/api/accounts").json()}
            assert listed[account["id"]]["display_name"] == name
    (a_id, _), (b_id, _) = accounts.values()
    assert a_id != b_id
    with httpx.Client(base_url=server, headers={"Authorization": "Bearer login-a"}) as a:
        assert {x["id"]: x for x in a.get("/api/accounts").json()}[a_id]["display_name"] == "Alpha's name"
        assert b_id not in [x["id"] for x in a.get("/api/accounts").json()]


# Two API keys whose SHA-256 digests share their first 40 bits (0.1 named a team by those):
# found by hashing `collide-0`, `collide-1`, … until two 5-byte prefixes met (under a second).
COLLIDING = ("collide-458415", "collide-715081")


def test_keys_whose_digests_share_a_prefix_are_different_teams(server):
    """Case 4: keys colliding in 40 bits of their digest are two teams, not one."""
    first, second = COLLIDING
    assert hashlib.sha256(first.encode()).digest()[:5] == hashlib.sha256(second.encode()).digest()[:5]
    with (
        httpx.Client(base_url=server, headers={"Authorization": f"Bearer {first}"}) as a,
        httpx.Client(base_url=server, headers={"Authorization": f"Bearer {second}"}) as b,
    ):
        link = a.post("/api/smart-links", json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": "x"})
        assert a.get("/api/whoami").json()["team"]["slug"] != b.get("/api/whoami").json()["team"]["slug"]
        assert b.get("/api/smart-links").json()["data"] == []
        assert b.delete(f"/api/smart-links/{link.json()['data']['id']}").status_code == 404


def test_the_stored_link_inventory_is_per_team(server):
    """Case 5: links one team's live lists recorded are not another team's stored links."""
    with (
        httpx.Client(base_url=server, headers={"Authorization": "Bearer inv-a"}) as a,
        httpx.Client(base_url=server, headers={"Authorization": "Bearer inv-b"}) as b,
    ):
        seen = a.get(f"/api/{ACCOUNT}/tracking-links").json()["data"]["list"]
        assert seen and a.get(f"/api/{ACCOUNT}/stored/tracking-links").json()["data"]["list"]
        assert b.get(f"/api/{ACCOUNT}/stored/tracking-links").json()["data"]["list"] == []
