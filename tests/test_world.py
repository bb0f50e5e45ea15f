"""The seeded world is coherent: ids one endpoint returns are the ids others refer to."""

import re

from .conftest import ACCOUNT, AUTH

CDN = re.compile(r"^https://(cdn\d*\.onlyfans\.com|cdn\.fansapi\.com/of/cdn\d*)/")  # or OFAPI's copy


def get(client, path):
    r = client.get(f"/api/{ACCOUNT}{path}", headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def fan_ids(client, kind: str = "all") -> set:
    """Every fan of a fans list, page by page."""
    ids, offset = set(), 0
    while True:
        data = get(client, f"/fans/{kind}?limit=20&offset={offset}")
        ids |= {f["id"] for f in data["list"]}
        if not data["hasMore"]:
            return ids
        offset += 20


def all_fans(client):
    return fan_ids(client)


def test_chats_are_with_the_accounts_fans(client):
    fans = all_fans(client)
    chats = get(client, "/chats?limit=100")
    assert chats and {c["fan"]["id"] for c in chats} <= fans


def test_messages_are_between_the_creator_and_that_chats_fan(client):
    me = get(client, "/me")["id"]
    for chat in get(client, "/chats?limit=5"):
        messages = get(client, f"/chats/{chat['fan']['id']}/messages?limit=100")
        assert messages
        assert {m["fromUser"]["id"] for m in messages} <= {me, chat["fan"]["id"]}
        assert chat["lastMessage"]["id"] == messages[0]["id"]


def test_transactions_are_by_the_accounts_fans(client):
    fans = all_fans(client)
    data = get(client, "/transactions?limit=100")
    assert {t["user"]["id"] for t in data["list"]} <= fans


def test_active_and_expired_fans_partition_all_fans(client):
    active, expired = fan_ids(client, "active"), fan_ids(client, "expired")
    assert active and expired and not active & expired
    assert active | expired == all_fans(client)


def test_a_fan_looks_the_same_everywhere(client):
    fan = get(client, "/fans/active?limit=1")["list"][0]
    same = get(client, f"/users/{fan['username']}")
    for field in ("id", "username", "name", "avatar", "isVerified", "subscribePrice"):
        assert same[field] == fan[field], field


def test_media_urls_are_on_the_onlyfans_cdn(client):
    vault = get(client, "/media/vault?limit=10")["list"]
    assert vault
    for item in vault:
        assert CDN.match(item["files"]["full"]["url"] or item["files"]["thumb"])  # DRM videos have no plain file


def test_any_account_id_has_a_world(client):
    r = client.get("/api/acct_XXXXXXXXXXXXXXX/fans/active", headers=AUTH)
    assert r.status_code == 200 and len(r.json()["data"]["list"]) == 10
