"""Paging as OFAPI pages, per operation style (issue 9): chat messages by message-id cursor,
transactions by OnlyFans timestamp marker, search by cursor, the vendor's limits."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from .conftest import ACCOUNT, AUTH


def _get(client, url: str) -> dict:
    r = client.get(url, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _follow(client, url: str, items, link=lambda body: body["_pagination"]["next_page"]):
    """Every page from `url` on, following the next-page link: (items seen, pages, bodies)."""
    seen, bodies = [], []
    while url:
        body = _get(client, url)
        bodies.append(body)
        seen += items(body)
        nxt = link(body)
        url = nxt and _local(nxt)
        assert len(bodies) < 200, "paging does not end"
    return seen, bodies


def _seconds(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


# -- chat messages: message-id cursor -----------------------------------------------------------
def _long_chat(client) -> tuple[int, list[int]]:
    """A chat with many messages, and its message ids newest first (one page of 100)."""
    for chat in _get(client, f"/api/{ACCOUNT}/chats?limit=100")["data"]:
        ids = [m["id"] for m in _get(client, f"/api/{ACCOUNT}/chats/{chat['fan']['id']}/messages?limit=100")["data"]]
        if len(ids) >= 12:
            return chat["fan"]["id"], ids
    raise AssertionError("no chat with 12 messages in the world")


def test_chat_messages_page_by_message_id_cursor(client):
    chat, every = _long_chat(client)
    first = _get(client, f"/api/{ACCOUNT}/chats/{chat}/messages?limit=5&order=desc&skip_users=all")
    assert [m["id"] for m in first["data"]] == every[:5]
    query = parse_qs(urlsplit(first["_pagination"]["next_page"]).query)
    assert query["id"] == [str(every[4])] and query["order"] == ["desc"] and query["skip_users"] == ["all"]
    seen, bodies = _follow(
        client, f"/api/{ACCOUNT}/chats/{chat}/messages?limit=5", lambda b: [m["id"] for m in b["data"]]
    )
    assert seen == every
    assert bodies[-1]["_pagination"]["next_page"] is None


def test_chat_messages_first_id_last_id_and_order(client):
    chat, every = _long_chat(client)
    older = _get(client, f"/api/{ACCOUNT}/chats/{chat}/messages?limit=3&first_id={every[2]}")["data"]
    assert [m["id"] for m in older] == every[3:6]  # older than first_id, without it
    oldest_first = list(reversed(every))
    asc = _get(client, f"/api/{ACCOUNT}/chats/{chat}/messages?limit=3&order=asc&last_id={oldest_first[4]}")
    assert [m["id"] for m in asc["data"]] == oldest_first[4:7]  # from last_id on, oldest first
    seen, _ = _follow(
        client, f"/api/{ACCOUNT}/chats/{chat}/messages?limit=4&order=asc", lambda b: [m["id"] for m in b["data"]]
    )
    assert seen == oldest_first


# -- transactions: OnlyFans timestamp markers ----------------------------------------------------
def test_transactions_page_by_timestamp_marker(client):
    every = _get(client, f"/api/{ACCOUNT}/transactions?limit=100")["data"]["list"]
    first = _get(client, f"/api/{ACCOUNT}/transactions?limit=10")
    data = first["data"]
    assert data["hasMore"] is True
    tail = _seconds(data["list"][-1]["createdAt"])
    assert data["nextMarker"] == tail and tail > 1_600_000_000  # a UNIX timestamp, not an offset
    assert parse_qs(urlsplit(first["_pagination"]["next_page"]).query)["marker"] == [str(tail)]
    seen, bodies = _follow(
        client, f"/api/{ACCOUNT}/transactions?limit=10", lambda b: [t["id"] for t in b["data"]["list"]]
    )
    total = len({t["id"] for t in every}) if len(every) < 100 else None
    assert len(seen) == len(set(seen)) and (total is None or len(seen) == total)
    times = [_seconds(t["createdAt"]) for b in bodies for t in b["data"]["list"]]
    assert times == sorted(times, reverse=True)  # newest first, across pages


def test_a_real_marker_gets_the_older_transactions(client):
    every = _get(client, f"/api/{ACCOUNT}/transactions?limit=100")["data"]["list"]
    pivot = _seconds(every[20]["createdAt"])
    for marker in (str(pivot), f"{pivot}.000000"):
        page = _get(client, f"/api/{ACCOUNT}/transactions?limit=5&marker={marker}")["data"]["list"]
        assert page, marker
        assert all(_seconds(t["createdAt"]) < pivot for t in page)
        assert page[0]["id"] == next(t["id"] for t in every if _seconds(t["createdAt"]) < pivot)


def test_a_marker_that_is_not_a_timestamp_is_a_422_naming_it(client):
    r = client.get(f"/api/{ACCOUNT}/transactions?marker=yesterday", headers=AUTH)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["marker"]


# -- search: cursor --------------------------------------------------------------------------------
def test_search_pages_by_cursor_as_the_vendor_shows(client):
    first = _get(client, "/api/search?query=anna&limit=4")
    pagination = first["_pagination"]
    assert set(pagination) == {"next_cursor", "next_page_url", "total_results"}
    assert pagination["next_cursor"] and parse_qs(urlsplit(pagination["next_page_url"]).query)["cursor"] == [
        pagination["next_cursor"]
    ]
    seen, bodies = _follow(
        client,
        "/api/search?query=anna&limit=4",
        lambda b: [p["username"] for p in b["data"]],
        link=lambda b: b["_pagination"]["next_page_url"],
    )
    assert len(seen) == pagination["total_results"] and len(bodies) > 1
    assert bodies[-1]["_pagination"]["next_cursor"] is None


def test_a_repeated_search_keeps_its_cursor(client):
    """A worker keeps the answer of a repeated read: the kept one carries the same `_pagination`."""
    first, *again = (_get(client, "/api/search?query=kept&limit=3") for _ in range(3))  # kept once stable
    assert all(body["_pagination"] == first["_pagination"] for body in again) and first["_pagination"]["next_cursor"]


def test_a_cursor_not_handed_out_is_a_422_naming_it(client):
    r = client.get("/api/search?query=anna&cursor=not-a-cursor", headers=AUTH)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["cursor"]


# -- the vendor's limits ---------------------------------------------------------------------------
def test_the_vendors_limits_are_enforced_with_laravels_wording(client):
    r = client.get(f"/api/{ACCOUNT}/media/vault?limit=5", headers=AUTH)
    assert r.status_code == 422
    assert r.json()["errors"] == {"limit": ["The limit field must be at least 10."]}
    r = client.get("/api/data-exports?per_page=101", headers=AUTH)
    assert r.status_code == 422
    assert r.json()["errors"] == {"per_page": ["The per page field must not be greater than 100."]}


# -- OFAPI's own lists page with the same pagers ------------------------------------------------------
def test_stored_links_page_like_the_live_list(client):
    key = {"Authorization": "Bearer paging-stored-team"}
    live = client.get(f"/api/{ACCOUNT}/tracking-links?limit=100", headers=key).json()["data"]["list"]
    seen, url = [], f"/api/{ACCOUNT}/stored/tracking-links?limit=3"
    while url:
        body = client.get(url, headers=key).json()
        seen += [link["id"] for link in body["data"]["list"]]
        assert body["data"]["hasMore"] == (body["_pagination"]["next_page"] is not None)
        url = body["_pagination"]["next_page"] and _local(body["_pagination"]["next_page"])
    assert len(live) > 3 and sorted(seen) == sorted(link["id"] for link in live)


def test_smart_links_page_by_offset(client):
    key = {"Authorization": "Bearer paging-smart-links-team"}
    made = [
        client.post(
            "/api/smart-links", headers=key, json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": f"L{n}"}
        ).json()["data"]["id"]
        for n in range(5)
    ]
    pages = [client.get(f"/api/smart-links?limit=2&offset={o}", headers=key).json()["data"] for o in (0, 2, 4, 6)]
    assert [[link["id"] for link in page] for page in pages] == [made[0:2], made[2:4], made[4:5], []]
    assert len(client.get("/api/smart-links", headers=key).json()["data"]) == 5  # default limit 50


def test_paging_parameters_declare_the_vendors_limits():
    """Where OFAPI's file bounds a paging parameter, the spec declares the same bound (so the
    validator answers Laravel's 422 beyond it)."""
    from mockserver.spec import vendor
    from mockserver.spec.load import load_spec

    spec, facts = load_spec(), vendor.load_facts()
    ours = vendor.our_operations(spec)
    refs = spec["components"].get("parameters", {})
    checked, differ = 0, []
    for op in facts["operations"]:
        found = ours.get(vendor.route_key(op["method"], op["path"]))
        if found is None or "x-paging" not in found[1]:
            continue
        params = [refs[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in found[1].get("parameters", [])]
        schemas = {p["name"]: p.get("schema", {}) for p in params if p["in"] == "query"}
        for place, name, _type, _required, constraints in op["params"]:
            if place != "query" or name not in ("limit", "offset", "per_page", "page"):
                continue
            bounds = dict(c.split("=", 1) for c in constraints.split(";") if c.startswith(("min=", "max=")))
            for key, keyword in (("min", "minimum"), ("max", "maximum")):
                if key in bounds:
                    checked += 1
                    if schemas.get(name, {}).get(keyword) != int(float(bounds[key])):
                        differ.append(
                            (op["operationId"], name, keyword, bounds[key], schemas.get(name, {}).get(keyword))
                        )
    assert checked >= 40 and differ == []
