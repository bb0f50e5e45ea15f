"""Following the cursor from the first page visits every item exactly once, in the documented
order, for every paginated operation. The operations come from the spec (`x-paging`), and the
spec must name a style on every operation that pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.onlyfans.paging import PAGERS, cut
from mockserver.onlyfans.payloads import PayloadBuilder, Request
from mockserver.onlyfans.render import Renderer
from mockserver.onlyfans.world import World
from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table

from .conftest import ACCOUNT, AUTH

SPEC = load_spec()
TABLE = build_table(SPEC)
PAGED = sorted(op_id for op_id, op in TABLE.items() if op.paging)
CURSORS = {"offset", "marker", "page", "cursor"}  # query parameters that only ever move through pages
TIME_STYLES = {"marker", "head-tail", "end-date"}  # newest first by time, ties by id
EPOCH = datetime(2025, 2, 10, tzinfo=UTC)


def _query_params(op_id: str) -> dict[str, dict]:
    op = TABLE[op_id]
    raw = SPEC["paths"][op.path][op.method.lower()]
    refs = SPEC["components"].get("parameters", {})
    params = [refs[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in raw.get("parameters", [])]
    return {p["name"]: p.get("schema", {}) for p in params if p["in"] == "query"}


def test_every_operation_that_pages_names_its_style():
    pages = {
        op_id
        for op_id, op in TABLE.items()
        if op.method == "GET" and (op.paginated or CURSORS & set(_query_params(op_id)))
    }
    assert len(PAGED) >= 59
    assert sorted(pages - set(PAGED)) == []
    assert {op_id: TABLE[op_id].paging for op_id in PAGED if TABLE[op_id].paging not in PAGERS} == {}
    assert [op_id for op_id in PAGED if TABLE[op_id].method != "GET"] == []


# -- the pagers, over any list --------------------------------------------------------------------
def _size_param(op_id: str) -> str:
    return "per_page" if TABLE[op_id].paging == "page" else "limit"


def _documented(style: str, items: list[dict], query: dict) -> list[dict]:
    """The order the operation documents, written out independently of the pagers."""
    if style in TIME_STYLES:
        ordered = sorted(items, key=lambda i: (i["createdAt"], i["id"]), reverse=True)
        return ordered[::-1] if style == "head-tail" and query.get("sort") == "asc" else ordered
    if style == "message-id" and query.get("order") == "asc":
        return items[::-1]
    return items


@st.composite
def _items(draw):
    """Items with unique ids and times with many ties (several items in one second)."""
    ids = draw(st.lists(st.integers(1, 10**6), unique=True, max_size=40))
    seconds = draw(st.lists(st.integers(0, 25), min_size=len(ids), max_size=len(ids)))
    return [
        {"id": i, "createdAt": (EPOCH + timedelta(seconds=s)).isoformat()} for i, s in zip(ids, seconds, strict=True)
    ]


@pytest.mark.parametrize("op_id", PAGED)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=_items(), data=st.data())
def test_following_the_cursor_visits_every_item_once_in_order(op_id, items, data):
    style, size = TABLE[op_id].paging, _size_param(op_id)
    schema = _query_params(op_id).get(size, {})
    low = int(schema.get("minimum", 1))
    limit = data.draw(st.integers(low, min(int(schema.get("maximum", low + 40)), low + 40)), label=size)
    query = {size: str(limit)}
    if style == "message-id":
        query["order"] = data.draw(st.sampled_from(["desc", "asc"]), label="order")
    if style == "head-tail":
        query["sort"] = data.draw(st.sampled_from(["desc", "asc"]), label="sort")
    expected = _documented(style, items, query)
    seen: list[dict] = []
    for _ in range(len(items) + 2):
        page = cut(style, items, query)
        seconds = [i["createdAt"] for i in page.items]
        assert len(page.items) <= limit or (style in TIME_STYLES and len(set(seconds)) == 1)
        if "hasMore" in page.fields:
            assert page.fields["hasMore"] == (page.next is not None)
        seen += page.items
        if page.next is None:
            break
        assert page.items, "an empty page that promises more"
        name, value = page.next
        query[name] = str(value)  # as the next page's URL carries it
    assert [i["id"] for i in seen] == [i["id"] for i in expected]


# -- the same through the app: `_pagination` followed from the first page ----------------------------
ENVELOPED = [op_id for op_id in PAGED if TABLE[op_id].paginated and TABLE[op_id].data_source != "computed"]


@pytest.fixture(scope="module")
def builder():
    world = World()
    renderer = Renderer(SPEC["components"]["schemas"], world.pools, world.seed, world.now, ofapi_fields=False)
    return PayloadBuilder(world, renderer, TABLE, SPEC)


def _chat_with_most_messages(builder) -> str:
    chats = builder.world.account(ACCOUNT).messages
    return str(max(chats, key=lambda chat: len(chats[chat])))


def _identity(item) -> str:
    """What tells one listed item from another: its id, or the id of who it is with (a chat)."""
    if isinstance(item, dict):
        for name in ("id", "username", "onlyfans_id"):
            if item.get(name) is not None:
                return str(item[name])
        for name in ("withUser", "fan"):
            if isinstance(item.get(name), dict) and item[name].get("id") is not None:
                return str(item[name]["id"])
    return json.dumps(item, sort_keys=True)


def _listed(data) -> list:
    if isinstance(data, list):
        return data
    return next(data[name] for name in ("list", "items", "users", "rows") if isinstance(data.get(name), list))


@pytest.mark.slow
@pytest.mark.parametrize("op_id", ENVELOPED)
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_next_page_links_visit_every_item_once(client, builder, op_id, data):
    op = TABLE[op_id]
    known = {"account": ACCOUNT, "chat_id": _chat_with_most_messages(builder)}
    path_params = {name: known.get(name, "123") for name in op.path_params}
    schema = _query_params(op_id).get("limit", {})
    low = int(schema.get("minimum", 1))
    limit = data.draw(st.integers(low, min(int(schema.get("maximum", 100)), low + 15)), label="limit")
    every = builder.items(Request(op, path_params, {}))
    url = op.path.format(**path_params) + f"?limit={limit}"
    seen = []
    for _ in range(len(every) + 2):
        r = client.get(url, headers=AUTH)
        assert r.status_code == 200, r.text
        body = r.json()
        items = _listed(body["data"])
        assert len(items) <= limit or op.paging in TIME_STYLES
        seen += [_identity(item) for item in items]
        link = body["_pagination"].get("next_page", body["_pagination"].get("next_page_url"))
        if isinstance(body["data"], dict) and "hasMore" in body["data"]:
            assert body["data"]["hasMore"] == (link is not None)
        if link is None:
            break
        assert link.startswith("http://") and items
        url = f"{urlsplit(link).path}?{urlsplit(link).query}"
    assert len(seen) == len(every) and len(set(seen)) == len(seen)
    if all("id" in item for item in every):  # the world's ids (a chat's is its fan's)
        assert sorted(seen) == sorted(str(item["id"]) for item in every)
