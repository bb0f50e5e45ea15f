"""What a client sends to OnlyFans sticks (the world-writes issue): a sent message is what was
asked, appears first in its chat and moves the chat and the fan's `lastReplyAt` everywhere; a
deleted object answers 404 and leaves its lists; toggles stick; each team sees only its own
writes; the overlay survives a SIGKILL on a file store and is shared by two workers; a reset
forgets it; OFAPI reports the write to webhooks."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime

import httpx
import pytest

from mockserver.app import create_app
from mockserver.onlyfans.values import ofapi_time
from mockserver.settings import Settings
from mockserver.testing import running_server, start_server

from .conftest import ACCOUNT
from .receivers import recorder

A = {"Authorization": "Bearer writes-team-a"}
B = {"Authorization": "Bearer writes-team-b"}


def rows(data):
    return data if isinstance(data, list) else data["list"]


@pytest.fixture
def client():
    with create_app(Settings()).test_client() as c:
        yield c


def _chat_and_media(client) -> tuple[int, int]:
    chat = rows(client.get(f"/api/{ACCOUNT}/chats", params={"limit": 10}, headers=A).json()["data"])[-1]["fan"]["id"]
    media = rows(client.get(f"/api/{ACCOUNT}/media/vault", params={"limit": 10}, headers=A).json()["data"])[0]["id"]
    return chat, media


def test_a_sent_message_is_what_was_asked_and_shows_everywhere(client):
    chat, media = _chat_and_media(client)
    before = datetime.now(UTC)
    sent = client.post(
        f"/api/{ACCOUNT}/chats/{chat}/messages", headers=A, json={"text": "hi", "price": 10, "mediaFiles": [media]}
    )
    assert sent.status_code == 200, sent.text
    m = sent.json()["data"]
    assert m["text"] == "hi" and m["price"] == 10 and m["isFree"] is False and m["isSentByMe"] is True
    assert m["mediaCount"] == 1 and [x["id"] for x in m["media"]] == [media] and m["giphyId"] is None
    creator = client.get(f"/api/{ACCOUNT}/me", headers=A).json()["data"]
    assert m["fromUser"]["id"] == creator["id"]
    created = datetime.fromisoformat(m["createdAt"])
    assert abs((created - before).total_seconds()) < 5  # the server clock's time, not the seeded past

    newest = rows(client.get(f"/api/{ACCOUNT}/chats/{chat}/messages", params={"limit": 1}, headers=A).json()["data"])
    assert newest[0]["id"] == m["id"]
    assert client.get(f"/api/{ACCOUNT}/chats/{chat}/messages/{m['id']}", headers=A).json()["data"]["text"] == "hi"
    first_chat = rows(client.get(f"/api/{ACCOUNT}/chats", params={"limit": 1}, headers=A).json()["data"])[0]
    assert first_chat["fan"]["id"] == chat and first_chat["lastMessage"]["id"] == m["id"]
    replied = ofapi_time(datetime.fromisoformat(m["createdAt"]))  # OFAPI writes the moments it adds its own way
    assert first_chat["lastReplyAt"] == replied
    fans = rows(client.get(f"/api/{ACCOUNT}/fans/all", params={"limit": 20}, headers=A).json()["data"])
    assert [f["lastReplyAt"] for f in fans if f["id"] == chat] == [replied]
    username = next(f["username"] for f in fans if f["id"] == chat)
    assert client.get(f"/api/{ACCOUNT}/users/{username}", headers=A).json()["data"]["lastReplyAt"] == replied
    thread = rows(client.get(f"/api/{ACCOUNT}/chats/{chat}/messages", params={"limit": 5}, headers=A).json()["data"])
    fan_side = [x["fromUser"] for x in thread if x["fromUser"]["id"] == chat]
    assert all(u.get("lastReplyAt") in (None, replied) for u in fan_side)


def test_a_sent_message_counts_in_engagement_stats(client):
    chat, _ = _chat_and_media(client)
    path = f"/api/{ACCOUNT}/engagement/messages/top-message"
    before = client.get(path, headers=A).json()["data"]["purchases"]["sentCount"]
    client.post(f"/api/{ACCOUNT}/chats/{chat}/messages", headers=A, json={"text": "one more"})
    assert client.get(path, headers=A).json()["data"]["purchases"]["sentCount"] == before + 1


def test_a_deleted_message_answers_404_and_leaves_the_thread(client):
    chat, _ = _chat_and_media(client)
    m = client.post(f"/api/{ACCOUNT}/chats/{chat}/messages", headers=A, json={"text": "oops"}).json()["data"]
    assert client.delete(f"/api/{ACCOUNT}/chats/{chat}/messages/{m['id']}", headers=A).status_code == 200
    assert client.get(f"/api/{ACCOUNT}/chats/{chat}/messages/{m['id']}", headers=A).status_code == 404
    thread = rows(client.get(f"/api/{ACCOUNT}/chats/{chat}/messages", params={"limit": 50}, headers=A).json()["data"])
    assert m["id"] not in [x["id"] for x in thread]
    assert client.delete(f"/api/{ACCOUNT}/chats/{chat}/messages/{m['id']}", headers=A).status_code == 404


def test_toggles_stick(client):
    chat, _ = _chat_and_media(client)
    m = client.post(f"/api/{ACCOUNT}/chats/{chat}/messages", headers=A, json={"text": "pin me"}).json()["data"]
    base = f"/api/{ACCOUNT}/chats/{chat}/messages/{m['id']}"
    assert client.post(f"{base}/pin", headers=A).json()["data"]["success"] is True
    assert client.get(base, headers=A).json()["data"]["isPinned"] is True
    client.delete(f"{base}/unpin", headers=A)
    assert client.get(base, headers=A).json()["data"]["isPinned"] is False
    assert client.post(f"/api/{ACCOUNT}/chats/{chat}/mute", headers=A).json()["data"]["success"] is True
    listed = rows(client.get(f"/api/{ACCOUNT}/chats", params={"limit": 100}, headers=A).json()["data"])
    assert next(c for c in listed if c["fan"]["id"] == chat)["isMutedNotifications"] is True
    client.post(f"/api/{ACCOUNT}/chats/{chat}/mark-as-read", headers=A)
    listed = rows(client.get(f"/api/{ACCOUNT}/chats", params={"limit": 100}, headers=A).json()["data"])
    assert next(c for c in listed if c["fan"]["id"] == chat)["unreadMessagesCount"] == 0


def test_a_new_post_is_read_back_listed_first_and_deleted(client):
    made = client.post(f"/api/{ACCOUNT}/posts", headers=A, json={"text": "fresh"}).json()["data"]
    assert made["rawText"] == "fresh" and made.get("likesCount", 0) == 0 and made.get("commentsCount", 0) == 0
    got = client.get(f"/api/{ACCOUNT}/posts/{made['id']}", headers=A).json()["data"]
    assert got["id"] == made["id"] and got["rawText"] == "fresh"
    assert (
        rows(client.get(f"/api/{ACCOUNT}/posts", params={"limit": 1}, headers=A).json()["data"])[0]["id"] == made["id"]
    )
    assert client.delete(f"/api/{ACCOUNT}/posts/{made['id']}", headers=A).status_code == 200
    assert client.get(f"/api/{ACCOUNT}/posts/{made['id']}", headers=A).status_code == 404
    listed = rows(client.get(f"/api/{ACCOUNT}/posts", params={"limit": 50}, headers=A).json()["data"])
    assert made["id"] not in [p["id"] for p in listed]


def test_new_links_have_their_name_tags_zero_revenue_and_campaign_url(client):
    trial = client.post(
        f"/api/{ACCOUNT}/trial-links",
        headers=A,
        json={"name": "Spring", "duration": 7, "tags": ["vip"], "offerExpiration": 7, "offerLimit": 10},
    ).json()["data"]
    assert trial["trialLinkName"] == "Spring" and trial["subscribeDays"] == 7
    assert trial["claimCounts"] == 0 and trial["clicksCounts"] == 0 and trial["subscribeCounts"] == 0
    listed = rows(client.get(f"/api/{ACCOUNT}/trial-links", params={"limit": 3}, headers=A).json()["data"])[0]
    assert listed["id"] == trial["id"] and listed["tags"] == ["vip"] and listed["revenue"]["total"] == 0
    assert listed["url"].startswith("https://onlyfans.com/")
    link = client.post(f"/api/{ACCOUNT}/tracking-links", headers=A, json={"name": "Summer", "tags": ["x"]}).json()
    link = rows(link["data"])[0] if isinstance(link["data"], list) else link["data"]
    first = rows(client.get(f"/api/{ACCOUNT}/tracking-links", params={"limit": 3}, headers=A).json()["data"])[0]
    assert first["id"] == link["id"] and first["campaignName"] == "Summer" and first["clicksCount"] == 0
    assert first["tags"] == ["x"] and first["campaignUrl"].endswith(f"/c{link['id']}")


def test_each_team_sees_only_its_own_writes(client):
    chat, _ = _chat_and_media(client)
    m = client.post(f"/api/{ACCOUNT}/chats/{chat}/messages", headers=A, json={"text": "for a only"}).json()["data"]
    thread = rows(client.get(f"/api/{ACCOUNT}/chats/{chat}/messages", params={"limit": 5}, headers=B).json()["data"])
    assert m["id"] not in [x["id"] for x in thread]
    assert (
        client.get(f"/api/{ACCOUNT}/chats/{chat}/messages/{m['id']}", headers=B).json()["data"]["text"] != "for a only"
    )


@pytest.mark.slow
def test_a_write_is_reported_to_webhooks(tmp_path):
    with recorder() as receiver, running_server() as url, httpx.Client(base_url=url, headers=A) as c:
        c.post(
            "/api/webhooks",
            json={"endpoint_url": receiver.url + "/h", "events": ["messages.sent"], "account_scope": "global"},
        )
        m = c.post(f"/api/{ACCOUNT}/chats/1234/messages", json={"text": "hello hook"}).json()["data"]
        got = receiver.wait_for(1)
    body = json.loads(got[0][2])
    assert body["event"] == "messages.sent" and body["payload"]["id"] == m["id"]


@pytest.mark.slow
def test_writes_survive_a_sigkill_and_two_workers_share_them(tmp_path):
    store = str(tmp_path / "w.sqlite")
    proc, url = start_server("--store", store)
    try:
        with httpx.Client(base_url=url, headers=A) as c:
            m = c.post(f"/api/{ACCOUNT}/chats/777/messages", json={"text": "kept"}).json()["data"]
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with running_server("--store", store, "--workers", "2") as url2:
        seen = set()
        for _ in range(12):
            with httpx.Client(base_url=url2, headers=A) as c:  # a new connection each time: both workers
                newest = rows(c.get(f"/api/{ACCOUNT}/chats/777/messages", params={"limit": 1}).json()["data"])[0]
                seen.add(newest["id"])
        assert seen == {m["id"]}
        assert httpx.post(f"{url2}/_mock/reset").status_code == 200
        time.sleep(0.1)
        newest = rows(httpx.get(f"{url2}/api/{ACCOUNT}/chats/777/messages?limit=1", headers=A).json()["data"])[0]
        assert newest["id"] != m["id"]  # a reset forgets the writes


def test_a_chat_deleted_by_a_name_stays_deleted_under_that_name(client):
    """A chat named by something not a number resolves to a fan's chat; once deleted, every later
    write or read of it under that name answers 404, never 500 (found by Schemathesis)."""
    assert client.delete(f"/api/{ACCOUNT}/chats/not-a-number", headers=A).status_code == 200
    for action in ("hide", "mute", "mark-as-read", "mark-as-unread"):
        again = client.post(f"/api/{ACCOUNT}/chats/not-a-number/{action}", headers=A)
        assert again.status_code == 404, (action, again.status_code, again.text)
        assert "error" in again.json()
    assert client.delete(f"/api/{ACCOUNT}/chats/not-a-number/unmute", headers=A).status_code == 404


def test_unicode_digits_in_an_id_are_not_a_number(client):
    """`²` passes str.isdigit but int() refuses it: such an id is a name, not a 500."""
    answer = client.post(f"/api/{ACCOUNT}/chats/%C2%B2/mute", headers=A)
    assert answer.status_code in (200, 404), answer.text


def test_lenient_a_write_to_a_deleted_object_without_a_body_answers_like_onlyfans():
    """Lenient mode waives the 404 of an object deleted earlier; a write OnlyFans answers with an
    empty text then answers that way too, not a 500 (found by the SDK run with made-up ids)."""
    with create_app(Settings(lenient=True)).test_client() as c:
        assert c.delete(f"/api/{ACCOUNT}/posts/123", headers=A).status_code == 200
        again = c.put(f"/api/{ACCOUNT}/posts/123", headers=A, json={"text": "edited"})
        assert again.status_code == 200, again.text
