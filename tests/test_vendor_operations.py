"""The operations the vendor's file documents that the mock once answered with a 404 (or with
another operation): each is served by its own operation, OFAPI's own resources keep real state
per team, and the live ones answer from the seeded world."""

from __future__ import annotations

import pytest

from mockserver.spec.load import load_spec
from mockserver.store.webhooks import EVENTS

from .conftest import ACCOUNT

ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
BETA = {"Authorization": "Bearer ofapi_demo_beta"}
SPEC = load_spec()


def op_id(path: str, method: str) -> str:
    return SPEC["paths"][path][method]["operationId"]


@pytest.fixture
def smart_link(client):
    link = client.post(
        "/api/smart-links", headers=ALPHA, json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": "Pixels"}
    ).json()["data"]
    yield link["id"]
    client.delete(f"/api/smart-links/{link['id']}", headers=ALPHA)


@pytest.mark.parametrize(
    ("method", "url", "path"),
    [
        ("get", f"/api/{ACCOUNT}/users/blocked", "/api/{account}/users/blocked"),
        ("get", f"/api/{ACCOUNT}/users/restricted", "/api/{account}/users/restricted"),
        ("get", f"/api/{ACCOUNT}/release-forms", "/api/{account}/release-forms"),
        ("get", f"/api/{ACCOUNT}/release-forms/mentions", "/api/{account}/release-forms/mentions"),
        ("get", f"/api/{ACCOUNT}/settings/drm", "/api/{account}/settings/drm"),
        ("get", "/api/banned-words", "/api/banned-words"),
        ("get", "/api/fan-summary-categories", "/api/fan-summary-categories"),
        ("get", "/api/webhooks/messages.received/example-payload", "/api/webhooks/{webhookEventType}/example-payload"),
    ],
)
def test_each_vendor_read_is_answered_by_its_own_operation(client, method, url, path):
    r = client.request(method, url, headers=ALPHA)
    assert r.status_code == 200, r.text
    assert r.headers["X-Mock-Operation"] == op_id(path, method)


def test_live_writes_answer_from_the_world(client):
    for method, url, body, path in (
        ("patch", f"/api/{ACCOUNT}/settings/drm", {"enabled": True}, "/api/{account}/settings/drm"),
        (
            "patch",
            f"/api/{ACCOUNT}/release-forms/rename",
            {"entityId": 7, "name": "C"},
            "/api/{account}/release-forms/rename",
        ),
        (
            "patch",
            f"/api/{ACCOUNT}/release-forms/toggle-show",
            {"entityId": 7, "entityType": "link"},
            "/api/{account}/release-forms/toggle-show",
        ),
        (
            "post",
            f"/api/{ACCOUNT}/messages/4062723/attach-tags",
            {"rfTag": "1"},
            "/api/{account}/messages/{queue_id}/attach-tags",
        ),
    ):
        r = client.request(method, url, headers=ALPHA, json=body)
        assert r.status_code == 200 and r.headers["X-Mock-Upstream-Calls"] == "1", (url, r.text)
        assert r.headers["X-Mock-Operation"] == op_id(path, method)
        assert "success" in r.json()["data"]
    bad = client.patch(f"/api/{ACCOUNT}/release-forms/toggle-show", headers=ALPHA, json={"entityId": 7})
    assert bad.status_code == 422 and list(bad.json()["errors"]) == ["entityType"]


@pytest.mark.parametrize("kind", ["blocked", "restricted"])
def test_blocked_and_restricted_users_are_fans_of_the_account(app, client, kind):
    fans = {f["id"] for f in app.ofapi.world.account(ACCOUNT).fans}
    first = client.get(f"/api/{ACCOUNT}/users/{kind}", headers=ALPHA, params={"limit": 2}).json()
    users = first["data"]["list"]
    assert users and {u["id"] for u in users} <= fans
    assert all(u[f"is{kind.title()}"] is True for u in users)
    assert first["data"]["hasMore"] is True and "offset=2" in first["_pagination"]["next_page"]
    again = client.get(f"/api/{ACCOUNT}/users/{kind}", headers=ALPHA, params={"limit": 2, "offset": 2}).json()
    assert not {u["id"] for u in users} & {u["id"] for u in again["data"]["list"]}
    assert client.get(f"/api/{ACCOUNT}/users/{kind}", headers=ALPHA, params={"limit": 51}).status_code == 422


def test_smart_link_pixels_keep_state(client, smart_link):
    base = f"/api/smart-links/{smart_link}/pixels"
    created = client.post(
        base, headers=ALPHA, json={"platform": "meta", "pixel_id": "1234567890", "pixel_access_token": "secret"}
    )
    assert created.status_code == 200 and created.headers["X-Mock-Upstream-Calls"] == "0"
    pixel = created.json()["data"]
    assert (pixel["platform_label"], pixel["label"], pixel["event_new_subscriber"]) == (
        "Meta Ads",
        "Meta Ads",
        "Subscribe",
    )
    assert "pixel_access_token" not in pixel
    assert [p["id"] for p in client.get(base, headers=ALPHA).json()["data"]] == [pixel["id"]]
    assert client.get(base, headers=BETA).status_code == 404  # another team's smart link

    updated = client.patch(
        f"{base}/{pixel['id']}", headers=ALPHA, json={"label": "Main", "event_new_subscriber": "Lead"}
    )
    assert updated.json()["data"]["label"] == "Main"
    assert client.get(base, headers=ALPHA).json()["data"][0]["label"] == "Main"
    test = client.post(
        f"{base}/{pixel['id']}/test-event", headers=ALPHA, json={"event_type": "event_new_subscriber_paid"}
    )
    assert test.json()["data"] == {
        "accepted": True,
        "event_name": "Lead",
        "status": 200,
        "body": {"events_received": 1},
    }
    unset = client.post(
        f"{base}/{pixel['id']}/test-event", headers=ALPHA, json={"event_type": "event_message_received_from_fan"}
    )
    assert unset.status_code == 422 and list(unset.json()["errors"]) == ["event_type"]

    assert client.delete(f"{base}/{pixel['id']}", headers=ALPHA).json()["data"] == {"success": True}
    assert client.get(base, headers=ALPHA).json()["data"] == []
    assert client.patch(f"{base}/{pixel['id']}", headers=ALPHA, json={"label": "x"}).status_code == 404
    assert client.delete(f"{base}/{pixel['id']}", headers=ALPHA).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "myspace", "pixel_id": "1", "pixel_access_token": "t"}, "platform"),
        ({"platform": "meta", "pixel_id": "1"}, "pixel_access_token"),
        (
            {"platform": "meta", "pixel_id": "1", "pixel_access_token": "t", "event_source_url": "ftp://x"},
            "event_source_url",
        ),
        ({"platform": "meta", "pixel_id": "1", "pixel_access_token": "t", "label": "x" * 101}, "label"),
    ],
)
def test_bad_pixels_are_422s_and_store_nothing(client, smart_link, body, field):
    base = f"/api/smart-links/{smart_link}/pixels"
    r = client.post(base, headers=ALPHA, json=body)
    assert r.status_code == 422 and field in r.json()["errors"]
    assert client.get(base, headers=ALPHA).json()["data"] == []


def test_fan_summary_categories_crud(client):
    base = "/api/fan-summary-categories"
    made = client.post(base, headers=ALPHA, json={"label": "Gift Preferences", "keywords": "gift, wishlist"})
    assert made.status_code == 200
    category = made.json()["data"]
    assert category["key"] == "custom_gift_preferences" and category["id"].startswith("fan_cat_")
    assert category in client.get(base, headers=ALPHA).json()["data"]
    assert category["id"] not in [c["id"] for c in client.get(base, headers=BETA).json()["data"]]
    taken = client.post(base, headers=ALPHA, json={"label": "gift preferences!", "keywords": "x"})
    assert taken.status_code == 422 and list(taken.json()["errors"]) == ["label"]
    missing = client.post(base, headers=ALPHA, json={"label": "Pets"})
    assert missing.status_code == 422 and list(missing.json()["errors"]) == ["keywords"]

    changed = client.put(f"{base}/{category['id']}", headers=ALPHA, json={"label": "Gifts", "keywords": "gift"})
    assert changed.json()["data"]["key"] == "custom_gifts"
    assert client.put(f"{base}/{category['id']}", headers=BETA, json={"label": "x", "keywords": "y"}).status_code == 404
    deleted = client.delete(f"{base}/{category['id']}", headers=ALPHA)
    assert deleted.status_code == 204 and deleted.content == b""
    assert category["id"] not in [c["id"] for c in client.get(base, headers=ALPHA).json()["data"]]
    assert client.delete(f"{base}/{category['id']}", headers=ALPHA).status_code == 404
    assert (
        client.put(f"{base}/{category['id']}", headers=ALPHA, json={"label": "x", "keywords": "y"}).status_code == 404
    )


def test_banned_words_page_like_laravel(client):
    first = client.get("/api/banned-words", headers=ALPHA, params={"per_page": 10}).json()
    meta, links = first["meta"], first["links"]
    assert (meta["current_page"], meta["from"], meta["to"], meta["per_page"]) == (1, 1, 10, 10)
    assert meta["last_page"] == -(-meta["total"] // 10) and links["prev"] is None and "page=2" in links["next"]
    last = client.get("/api/banned-words", headers=ALPHA, params={"per_page": 10, "page": meta["last_page"]}).json()
    assert last["links"]["next"] is None and len(first["data"]) + len(last["data"]) <= meta["total"]
    strict = client.get("/api/banned-words", headers=ALPHA, params={"risk_level": "strict_ban"}).json()["data"]
    assert strict and {w["risk_level"] for w in strict} == {"strict_ban"}
    import re

    word = strict[0]
    assert re.fullmatch(word["regex_pattern"], word["word"].upper().replace("A", "@"))
    assert client.get("/api/banned-words", headers=ALPHA, params={"per_page": 101}).status_code == 422


def test_smart_link_tags_share_the_link_tag_table(client, smart_link):
    base = f"/api/smart-links/{smart_link}/tags"
    assert client.post(base, headers=ALPHA, json={"tags": ["ig", "x", "ig"]}).json() == {"tags": ["ig", "x"]}
    assert client.post(base, headers=ALPHA, json={"tags": ["ig"]}).json() == {"tags": ["ig", "x"]}
    counts = client.get("/api/link-tags", headers=ALPHA, params={"type": "smart_links"}).json()["data"]["counts"]
    assert counts == {"ig": 1, "x": 1}
    assert client.request("DELETE", base, headers=ALPHA, json={"tags": ["ig", "nope"]}).json() == {"tags": ["x"]}
    assert client.get(base, headers=ALPHA).json() == {"tags": ["x"]}
    assert client.get(base, headers=BETA).status_code == 404
    assert client.get("/api/smart-links/01NOSUCHLINK000000000000000/tags", headers=ALPHA).status_code == 404


def test_updating_credentials_starts_a_reauthentication(client):
    url = f"/api/authenticate/{ACCOUNT}/credentials"
    started = client.put(url, headers=ALPHA, json={"email": "no2fa@example.com", "password": "correct-password"})
    assert started.status_code == 200, started.text
    attempt = started.json()
    assert attempt["polling_url"].endswith(f"/api/authenticate/{attempt['attempt_id']}")
    polled = client.get(f"/api/authenticate/{attempt['attempt_id']}", headers=ALPHA).json()
    assert polled["state"] == "authenticated" and polled["account"]["id"] == ACCOUNT

    wrong = client.put(url, headers=ALPHA, json={"email": "no2fa@example.com", "password": "nope"}).json()
    assert client.get(f"/api/authenticate/{wrong['attempt_id']}", headers=ALPHA).json()["state"] == "failed"
    mobile = client.put(url, headers=ALPHA, json={"auth_type": "mobile_app"}).json()
    assert mobile["mobile_auth_session_deeplink"].startswith("fansapiauth://")

    raw = client.put(url, headers=ALPHA, json={"auth_type": "raw_data", "auth_id": "1"})
    assert raw.status_code == 422 and sorted(raw.json()["errors"]) == ["cookies", "user_agent", "xbc"]
    nobody = client.put("/api/authenticate/acct_nobody/credentials", headers=ALPHA, json={"auth_type": "mobile_app"})
    assert nobody.status_code == 422 and list(nobody.json()["errors"]) == ["account_id"]


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_real_example_payload_team_wide_and_per_account(client, event):
    team = client.get(f"/api/webhooks/{event}/example-payload", headers=ALPHA)
    mine = client.get(f"/api/{ACCOUNT}/webhooks/{event}/example-payload", headers=ALPHA)
    for r in (team, mine):
        assert r.status_code == 200 and r.json()["event"] == event
        payload = r.json()["payload"]
        assert payload and isinstance(payload, dict)
    # the same example (its media URLs may already point at OFAPI's CDN copy the second time)
    assert mine.json()["account_id"] == ACCOUNT and mine.json()["payload"].keys() == team.json()["payload"].keys()
    if event.startswith("messages."):
        assert {"id", "text", "fromUser", "media"} <= set(mine.json()["payload"])
    if event.startswith("subscriptions."):
        assert {"id", "user", "price"} <= set(mine.json()["payload"])


def test_an_unknown_event_has_no_example(client):
    assert client.get("/api/webhooks/nope.nope/example-payload", headers=ALPHA).status_code == 404


def test_drm_download_redirects_for_drm_videos_only(app, client):
    media = app.ofapi.world.account(ACCOUNT).media
    drm = next(m for m in media if m["files"].get("drm"))
    photo = next(m for m in media if m["type"] == "photo")
    r = client.get(f"/api/{ACCOUNT}/media/download/drm/{drm['id']}", headers=ALPHA, follow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].startswith("https://dl.fansapi.com/")
    assert int(r.headers["X-OFAPI-Credits-Used"]) >= 1
    r = client.get(f"/api/{ACCOUNT}/media/download/drm/{photo['id']}", headers=ALPHA, follow_redirects=False)
    assert r.status_code == 422 and "not DRM-protected" in r.json()["errors"]["media_id"][0]
    vault = client.get(f"/api/{ACCOUNT}/media/vault", headers=ALPHA, params={"limit": 50}).json()["data"]["list"]
    listed = next(m for m in vault if m["id"] == drm["id"])
    assert listed["files"]["full"]["url"] is None  # DRM media have no plain file


def test_links_answer_the_shapes_the_vendor_documents(client):
    links = client.get(f"/api/{ACCOUNT}/tracking-links", headers=ALPHA).json()["data"]["list"]
    listed = links[0]
    assert listed["links"]["related"]["subscribers"].startswith("https://")  # a URL, not a count
    single = client.get(f"/api/{ACCOUNT}/tracking-links/{listed['id']}", headers=ALPHA).json()["data"]
    assert single["campaignUrl"] == listed["campaignUrl"]
    assert isinstance(single["tags"], list) and {"total", "spendersCount"} <= set(single["revenue"])
    trials = client.get(f"/api/{ACCOUNT}/trial-links", headers=ALPHA).json()["data"]["list"]
    trial = client.get(f"/api/{ACCOUNT}/trial-links/{trials[0]['id']}", headers=ALPHA).json()["data"]
    assert trial["url"] == trials[0]["url"] and isinstance(trial["tags"], list) and "total" in trial["revenue"]
    shared = client.get(f"/api/{ACCOUNT}/shared-tracking-links", headers=ALPHA).json()["data"]["list"]
    assert all("campaignUrl" in link and isinstance(link["tags"], list) for link in shared)


def test_video_messages_carry_their_drm_files(app, client):
    world = app.ofapi.world.account(ACCOUNT)
    chat = next(
        c for c in world.chats if any(m["files"].get("drm") for msg in world.messages[c["id"]] for m in msg["media"])
    )
    messages = client.get(f"/api/{ACCOUNT}/chats/{chat['id']}/messages", headers=ALPHA, params={"limit": 50}).json()
    media = [m for message in messages["data"] for m in message["media"]]
    protected = [m for m in media if m["files"]["drm"]]
    assert protected and all(m["type"] == "video" and m["files"]["full"]["url"] is None for m in protected)
    assert {"hls", "dash"} <= set(protected[0]["files"]["drm"]["manifest"])
    assert all(m["files"]["drm"] is None for m in media if m["type"] == "photo")


def test_payout_transactions_are_not_an_operation_of_the_current_file(client):
    """Documented in 2025, absent from the vendor file the mock follows: an unknown path."""
    r = client.get(f"/api/{ACCOUNT}/payouts/transactions", headers=ALPHA)
    assert r.status_code == 404 and "X-Mock-Operation" not in r.headers


def test_a_word_where_a_message_id_goes_is_not_a_message(client):
    """No operation lists a chat's pinned messages; `pinned` is not a message id either."""
    r = client.get(f"/api/{ACCOUNT}/chats/123/messages/pinned", headers=ALPHA)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["message_id"]
    assert client.get(f"/api/{ACCOUNT}/chats/123/messages/456", headers=ALPHA).status_code == 200


def test_a_deleted_smart_link_takes_its_tags_along(client):
    link = client.post(
        "/api/smart-links", headers=ALPHA, json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": "Gone"}
    ).json()["data"]["id"]
    client.post(f"/api/smart-links/{link}/tags", headers=ALPHA, json={"tags": ["orphan"]})
    assert (
        "orphan" in client.get("/api/link-tags", headers=ALPHA, params={"type": "smart_links"}).json()["data"]["tags"]
    )
    client.delete(f"/api/smart-links/{link}", headers=ALPHA)
    assert (
        "orphan"
        not in client.get("/api/link-tags", headers=ALPHA, params={"type": "smart_links"}).json()["data"]["tags"]
    )
