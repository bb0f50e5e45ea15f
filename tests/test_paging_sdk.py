"""The official SDK (strict) follows `next_page` through the real HTTP server: each paginated list
method, called again with the query the previous page's link carries, walks the whole list."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from onlyfansapi import OnlyFansAPI

from mockserver.testing import running_server

from .conftest import ACCOUNT

pytestmark = pytest.mark.slow  # a real server and the SDK: not in `make check`


@pytest.fixture(scope="module")
def client():
    with running_server() as base:
        yield OnlyFansAPI(api_key="test", base_url=base, _strict_response_validation=True, max_retries=0)


def _walk(call, listed, link) -> tuple[list, int]:
    """Every item of every page: the first page, then the same call with the link's query."""
    seen, pages, extra = [], 0, None
    while True:
        page = call(extra_query=extra) if extra else call()
        pages += 1
        seen += listed(page)
        url = link(page)
        if url is None:
            return seen, pages
        extra = dict(parse_qsl(urlsplit(url).query))
        assert pages < 100


def _ids(items) -> list:
    return [item.id for item in items]


def test_the_sdk_follows_offset_pages(client):
    seen, pages = _walk(
        lambda **kw: client.fans.list_active(ACCOUNT, limit=7, **kw),
        lambda page: _ids(page.data.list),
        lambda page: page.api_pagination.next_page,
    )
    assert pages > 1 and len(seen) == len(set(seen)) == 42


def test_the_sdk_follows_transaction_markers(client):
    seen, pages = _walk(
        lambda **kw: client.transactions.list(ACCOUNT, limit="10", **kw),
        lambda page: _ids(page.data.list),
        lambda page: page.api_pagination.next_page,
    )
    assert pages > 1 and len(seen) == len(set(seen))


def test_the_sdk_follows_chat_message_ids(client):
    for chat in client.chats.list(ACCOUNT, limit=100).data:
        chat_id = str(chat.fan.id)
        everything = _ids(client.chats.messages.list(chat_id, account=ACCOUNT, limit="100").data)
        if len(everything) > 7:
            break
    seen, pages = _walk(
        lambda **kw: client.chats.messages.list(chat_id, account=ACCOUNT, limit="3", **kw),
        lambda page: _ids(page.data),
        lambda page: page.api_pagination.next_page,
    )
    assert seen == everything and pages == -(-len(everything) // 3)


def test_the_sdk_follows_search_cursors(client):
    seen, pages = _walk(
        lambda **kw: client.search.profiles(query="anna", limit=4, **kw),
        lambda page: [p.username for p in page.data],
        lambda page: page.api_pagination.next_page_url,
    )
    first = client.search.profiles(query="anna", limit=4)
    assert pages > 1 and len(seen) == first.api_pagination.total_results
