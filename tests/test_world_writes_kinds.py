"""Writes to the fake OnlyFans beyond the round trip: bad input changes nothing, an upload's
prefixed id attaches it, new objects go through the CDN rewrite and OFAPI's stored links, the
overlay of every kind survives a SIGKILL, and the official SDK sees a sent message first."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from mockserver.app import create_app
from mockserver.onlyfans.values import parse_moment as moment
from mockserver.settings import Settings
from mockserver.testing import running_server, start_server

from .conftest import ACCOUNT

H = {"Authorization": "Bearer kinds-team"}


@pytest.fixture(scope="module")
def client():
    with create_app(Settings()).test_client() as c:
        yield c


def data(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def rows(payload):
    return payload if isinstance(payload, list) else payload["list"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("trial-links", {"duration": 7, "offerLimit": 1, "offerExpiration": 2**51}, "offerExpiration"),
        ("promotions", {"discount": 10, "expirationDays": 2**51, "offerLimit": 1, "type": "new"}, "expirationDays"),
    ],
)
def test_a_date_no_calendar_holds_is_a_422_and_nothing_is_created(client, path, body, field):
    def listed() -> list:
        page = client.get(f"/api/{ACCOUNT}/{path}", headers=H).json()["data"]
        return [item["id"] for item in page.get("list", page.get("items", []))]

    before = listed()
    got = client.post(f"/api/{ACCOUNT}/{path}", headers=H, json=body)
    assert got.status_code == 422, got.text
    assert field in got.json()["errors"]
    assert listed() == before


@pytest.mark.slow
def test_the_official_sdk_sends_a_message_and_sees_it_first():
    from onlyfansapi import OnlyFansAPI

    with running_server() as base:
        sdk = OnlyFansAPI(api_key="sdk-writes", base_url=base, _strict_response_validation=True, max_retries=0)
        chat = sdk.chats.list(ACCOUNT, limit="10").data[-1]  # the quietest chat on the first page
        fan, before = chat.fan.id, chat.model_extra["lastReplyAt"]
        sent = sdk.chats.messages.send(str(fan), account=ACCOUNT, text="Hello from the SDK").data

        first = sdk.chats.list(ACCOUNT, limit="10").data[0]
        assert (first.fan.id, first.last_message.id) == (fan, sent.id)
        assert moment(first.model_extra["lastReplyAt"]) == moment(sent.created_at) != moment(before)
        newest = sdk.chats.messages.list(str(fan), account=ACCOUNT).data[0]
        assert (newest.id, newest.text) == (sent.id, "Hello from the SDK")
        offset, seen = 0, None
        while seen is None:  # the fan's own lastReplyAt moved too, on the fans list
            page = sdk.fans.list_all(ACCOUNT, limit=20, offset=offset).data
            seen = next((f for f in page.list if f.id == fan), None)
            assert seen is not None or page.has_more, f"fan {fan} is not on the fans list"
            offset += 20
        assert moment(seen.model_extra["lastReplyAt"]) == moment(sent.created_at)


def test_an_upload_is_in_the_vault_and_attaches_by_its_id_or_prefixed_id(client):
    vault = data(
        client.post(f"/api/{ACCOUNT}/media/vault", headers=H, files={"file": ("a.jpg", b"\xff\xd8", "image/jpeg")})
    )
    newest = rows(data(client.get(f"/api/{ACCOUNT}/media/vault", params={"limit": 10}, headers=H)))[0]
    assert newest["id"] == vault["id"]
    assert data(client.get(f"/api/{ACCOUNT}/media/vault/{vault['id']}", headers=H))["type"] == "photo"
    upload = client.post(f"/api/{ACCOUNT}/media/upload", headers=H, files={"file": ("b.mp4", b"\x00", "video/mp4")})
    assert upload.status_code == 200, upload.text
    prefixed = upload.json()["prefixed_id"]
    assert prefixed.startswith("ofapi_media_") and upload.json()["file_name"] == "b.mp4"

    chat = rows(data(client.get(f"/api/{ACCOUNT}/chats", params={"limit": 1}, headers=H)))[0]["fan"]["id"]
    body = {"text": "two files", "mediaFiles": [prefixed, vault["id"]]}
    sent = data(client.post(f"/api/{ACCOUNT}/chats/{chat}/messages", headers=H, json=body))
    assert [m["type"] for m in sent["media"]] == ["video", "photo"] and sent["mediaCount"] == 2
    assert sent["media"][1]["id"] == vault["id"]
    post = data(
        client.post(f"/api/{ACCOUNT}/posts", headers=H, json={"text": "with media", "mediaFiles": [vault["id"]]})
    )
    assert [m["id"] for m in data(client.get(f"/api/{ACCOUNT}/posts/{post['id']}", headers=H))["media"]] == [
        vault["id"]
    ]


def test_new_media_go_through_the_cdn_rewrite_like_seeded_ones(client):
    made = data(client.post(f"/api/{ACCOUNT}/media/vault", headers=H, files={"file": ("c.jpg", b"\xff", "image/jpeg")}))
    first = made["files"]["full"]["url"]
    assert first.startswith("https://cdn") and ".onlyfans.com/" in first  # first sighting: as OnlyFans sent it
    again = data(client.get(f"/api/{ACCOUNT}/media/vault/{made['id']}", headers=H))["files"]["full"]["url"]
    assert again.startswith("https://cdn.fansapi.com/of/")  # OFAPI cached it meanwhile


def test_a_new_tracking_link_is_kept_in_the_stored_links_once_listed(client):
    made = data(client.post(f"/api/{ACCOUNT}/tracking-links", headers=H, json={"name": "Stored"}))
    made = made[0] if isinstance(made, list) else made
    client.get(f"/api/{ACCOUNT}/tracking-links", params={"limit": 5}, headers=H)
    stored = client.get(f"/api/{ACCOUNT}/stored/tracking-links", headers=H).json()["data"]
    assert made["id"] in [link["id"] for link in rows(stored)]


def test_another_team_sees_none_of_it(client):
    other = {"Authorization": "Bearer kinds-other-team"}
    made = data(client.post(f"/api/{ACCOUNT}/user-lists", headers=H, json={"name": "Only ours"}))
    assert client.get(f"/api/{ACCOUNT}/user-lists/{made['id']}", headers=other).json()["data"]["name"] != "Only ours"
    assert made["id"] not in [int(x["id"]) for x in data(client.get(f"/api/{ACCOUNT}/user-lists", headers=other))]


@pytest.mark.slow
def test_every_kind_of_write_survives_a_sigkill(tmp_path):
    store = str(tmp_path / "kinds.sqlite")
    proc, url = start_server("--store", store)
    try:
        with httpx.Client(base_url=f"{url}/api/{ACCOUNT}", headers=H) as c:
            made = c.post("/user-lists", json={"name": "Kept"}).json()["data"]
            fan = rows(c.get("/fans/all", params={"limit": 1}).json()["data"])[0]["id"]
            assert c.post(f"/user-lists/{made['id']}/users", json={"ids": [str(fan)]}).status_code == 200
            assert c.patch("/settings/drm", json={"enabled": True}).status_code == 200
            gone = rows(c.get("/stories/highlights").json()["data"])[0]["id"]
            assert c.delete(f"/stories/highlights/{gone}").status_code == 200
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with running_server("--store", store) as again, httpx.Client(base_url=f"{again}/api/{ACCOUNT}", headers=H) as c:
        kept = c.get(f"/user-lists/{made['id']}").json()["data"]
        assert (kept["name"], kept["usersCount"]) == ("Kept", 1)
        assert [u["id"] for u in rows(c.get(f"/user-lists/{made['id']}/users").json()["data"])] == [fan]
        assert c.get("/settings/drm").json()["data"] == {"enabled": True}
        assert c.get(f"/stories/highlights/{gone}").status_code == 404


def test_the_profile_counts_what_it_shows(client):
    team = {"Authorization": "Bearer kinds-counts"}

    def counts() -> dict:
        me = data(client.get(f"/api/{ACCOUNT}/me", headers=team))
        return {k: me[k] for k in ("postsCount", "archivedPostsCount")}

    before = counts()
    photo = rows(data(client.get(f"/api/{ACCOUNT}/media/vault", params={"limit": 50}, headers=team)))
    photo = next(m["id"] for m in photo if m["type"] == "photo")
    post = data(client.post(f"/api/{ACCOUNT}/posts", headers=team, json={"text": "counted", "mediaFiles": [photo]}))
    assert counts() == {**before, "postsCount": before["postsCount"] + 1}
    assert client.post(f"/api/{ACCOUNT}/posts/{post['id']}/archive", headers=team).status_code == 200
    assert counts() == {**before, "archivedPostsCount": before["archivedPostsCount"] + 1}
    assert client.delete(f"/api/{ACCOUNT}/posts/{post['id']}", headers=team).status_code == 200
    assert counts() == before


def test_a_change_to_a_chat_the_account_never_had_breaks_no_read(client):
    team = {"Authorization": "Bearer kinds-stranger-chat"}
    assert client.post(f"/api/{ACCOUNT}/chats/900123/hide", headers=team).status_code == 200
    assert client.post(f"/api/{ACCOUNT}/chats/900124/mute", headers=team).status_code == 200
    assert client.get(f"/api/{ACCOUNT}/chats/123/messages/123", headers=team).status_code == 200
    listed = [
        c["fan"]["id"] for c in rows(data(client.get(f"/api/{ACCOUNT}/chats", params={"limit": 100}, headers=team)))
    ]
    assert 900123 not in listed and 900124 in listed  # hidden stays hidden; a muted one is a chat now


def test_an_object_deleted_under_one_name_is_gone_under_the_other(client):
    """A chat named by a fan's username is the fan's chat: deleted, it is gone by either name."""
    team = {"Authorization": "Bearer kinds-two-names"}
    assert client.delete(f"/api/{ACCOUNT}/chats/not-a-number", headers=team).status_code == 200
    for verb, path in (("POST", "hide"), ("POST", "mute"), ("DELETE", "unmute"), ("POST", "mark-as-read")):
        got = client.request(verb, f"/api/{ACCOUNT}/chats/not-a-number/{path}", headers=team)
        assert got.status_code == 404, (path, got.text)


@pytest.mark.parametrize("path", ["chats/1234/messages", "mass-messaging", "posts", "stories"])
def test_media_named_by_anything_but_an_id_is_a_422(client, path):
    got = client.post(f"/api/{ACCOUNT}/{path}", headers=H, json={"text": "x", "mediaFiles": [{"id": 1}]})
    assert got.status_code == 422, got.text
    assert "mediaFiles.0" in got.json()["errors"]


def test_previews_named_by_anything_but_an_id_change_nothing_and_break_nothing(client):
    media = rows(data(client.get(f"/api/{ACCOUNT}/media/vault", params={"limit": 10}, headers=H)))[0]["id"]
    body = {"text": "preview", "mediaFiles": [media], "previews": [{"id": media}, str(media)]}
    sent = data(client.post(f"/api/{ACCOUNT}/chats/1234/messages", headers=H, json=body))
    assert [p["id"] for p in sent["previews"]] == [media]
