"""Hybrid enrichment: derived from the world and the store, the same value everywhere."""

import pytest

from mockserver.ofapi.classify import classify
from mockserver.onlyfans.values import parse_moment

from .conftest import ACCOUNT, AUTH


def data(client, path):
    r = client.get(f"/api/{ACCOUNT}{path}", headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()["data"]


@pytest.fixture(scope="module")
def world(app):
    return app.ofapi.world.account(ACCOUNT)


def test_last_reply_at_is_the_creators_last_message_to_that_fan(client, world):
    chats = data(client, "/chats?limit=100")
    for chat in chats:
        fan = chat["fan"]["id"]
        messages = data(client, f"/chats/{fan}/messages?limit=100")
        mine = [parse_moment(m["createdAt"]) for m in messages if m["fromUser"]["id"] == world.creator["id"]]
        assert parse_moment(chat["lastReplyAt"]) == (max(mine) if mine else None)  # OFAPI writes its own moments
        assert {m["fromUser"]["lastReplyAt"] for m in messages} == {chat["lastReplyAt"]}


def test_a_fan_shows_the_same_last_reply_everywhere(client):
    by_chat = {c["fan"]["id"]: c["lastReplyAt"] for c in data(client, "/chats?limit=100")}
    fans = data(client, "/fans/active?limit=20")["list"]
    assert all("lastReplyAt" in f for f in fans)
    for fan in fans:
        assert fan["lastReplyAt"] == by_chat.get(fan["id"])
        assert data(client, f"/users/{fan['username']}")["lastReplyAt"] == fan["lastReplyAt"]
    for kind in ("all", "expired", "latest", "top"):
        listed = data(client, f"/fans/{kind}")
        people = listed.get("list") or listed.get("users")
        assert people and all("lastReplyAt" in p for p in people)
    assert any(v is None for v in (f["lastReplyAt"] for f in data(client, "/fans/expired?limit=20")["list"]))


def test_last_reply_at_only_for_fans(client):
    assert "lastReplyAt" not in data(client, "/users/not_a_fan_of_this_account")


def test_transactions_carry_the_type_their_description_says(client):
    listed = data(client, "/transactions?limit=100")["list"]
    assert {t["type"] for t in listed} >= {"subs", "tips"}
    assert all(t["type"] == classify(t["description"]) for t in listed)


@pytest.mark.parametrize(
    "query,kind",
    [
        ("subscribes", "subs"),
        ("tips", "tips"),
        ("post", "post"),
        ("chat_messages", "chat_messages"),
        ("stream", "stream"),
    ],
)
def test_the_type_filter_filters_on_the_computed_type(client, query, kind):
    listed = data(client, f"/transactions?limit=100&type={query}")["list"]
    assert listed and {t["type"] for t in listed} == {kind}


def test_tips_source_narrows_tips(client):
    listed = data(client, "/transactions?limit=100&type=tips&tipsSource=chat")["list"]
    assert listed and all("Tip in chat" in t["description"] for t in listed)


def test_link_revenue_is_the_net_spend_of_the_fans_each_link_brought(client, world):
    for kind, count_field in (("tracking-links", "subscribersCount"), ("trial-links", "subscribeCounts")):
        links = data(client, f"/{kind}?limit=100")["list"]
        assert links
        collection = kind.replace("-", "_")
        for link in links:
            fans = world.fans_from(collection, link["id"])
            nets = [world.spend_of(f)[1] for f in fans]
            assert link[count_field] == len(fans)
            assert link["revenue"]["spendersCount"] == sum(1 for n in nets if n > 0)
            assert link["revenue"]["total"] == pytest.approx(int(sum(nets)) if kind == "tracking-links" else sum(nets))
            assert link["tags"] == []


def test_campaign_urls_are_prefixed_with_the_creators_profile(client, world):
    profile = f"https://onlyfans.com/{world.creator['username']}/"
    assert all(li["campaignUrl"].startswith(profile + "c") for li in data(client, "/tracking-links")["list"])
    assert all(li["url"].startswith(profile + "trial/") for li in data(client, "/trial-links")["list"])


def test_top_message_joins_engagement_stats(client, world):
    purchases = data(client, "/engagement/messages/top-message")["purchases"]
    sales = [t for t in world.transactions if t["_kind"] == "chat_messages"]
    assert purchases["purchasedCount"] == len(sales)
    assert purchases["sentCount"] == sum(m["isSentByMe"] for thread in world.messages.values() for m in thread)
    assert purchases["totalRevenueGenerated"] == f"{sum(t['amount'] for t in sales):.2f}"


def test_enrichment_never_leaks_into_live_operations(client):
    fan = data(client, "/fans/active?limit=1")["list"][0]
    listed = data(client, f"/users/list?ids={fan['id']}")
    assert all("lastReplyAt" not in user for user in listed.values())
